package sftpd

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/crypto/ssh"
)

// hostKeyKinds are the keys LoadOrCreateHostKeys keeps, under OpenSSH's
// file names, in the order the server offers them.
var hostKeyKinds = []struct {
	file string
	gen  func() (crypto.Signer, error)
}{
	{"ssh_host_ed25519_key", func() (crypto.Signer, error) {
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	}},
	{"ssh_host_ecdsa_key", func() (crypto.Signer, error) { return ecdsa.GenerateKey(elliptic.P256(), rand.Reader) }},
	{"ssh_host_rsa_key", func() (crypto.Signer, error) { return rsa.GenerateKey(rand.Reader, 3072) }},
}

// LoadOrCreateHostKeys returns the host keys kept in dir (ed25519, ECDSA
// P-256, RSA 3072, in OpenSSH's format and file names), generating the
// missing ones first. dir is created (0700) if needed; keys are written
// 0600 with a .pub beside them. A key file that exists but does not load is
// an error: it is never replaced, since clients have pinned its
// fingerprint. Two processes starting at once agree on one key per kind.
func LoadOrCreateHostKeys(dir string) ([]ssh.Signer, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("sftpd: host key directory: %w", err)
	}
	var signers []ssh.Signer
	for _, kind := range hostKeyKinds {
		path := filepath.Join(dir, kind.file)
		s, err := loadHostKey(path)
		if errors.Is(err, fs.ErrNotExist) {
			s, err = createHostKey(path, kind.gen)
		}
		if err != nil {
			return nil, err
		}
		signers = append(signers, s)
	}
	return signers, nil
}

// LoadHostKeys loads the named private key files (OpenSSH or PEM format,
// unencrypted).
func LoadHostKeys(paths []string) ([]ssh.Signer, error) {
	var signers []ssh.Signer
	for _, p := range paths {
		s, err := loadHostKey(p)
		if err != nil {
			return nil, err
		}
		signers = append(signers, s)
	}
	return signers, nil
}

func loadHostKey(path string) (ssh.Signer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sftpd: host key: %w", err)
	}
	s, err := ssh.ParsePrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("sftpd: host key %s: %w", path, err)
	}
	return s, nil
}

// createHostKey generates a key and publishes it at path with link(2), which
// fails if another process got there first; then that key is used.
func createHostKey(path string, gen func() (crypto.Signer, error)) (ssh.Signer, error) {
	key, err := gen()
	if err != nil {
		return nil, err
	}
	block, err := ssh.MarshalPrivateKey(key, "wharf host key")
	if err != nil {
		return nil, err
	}
	signer, err := ssh.NewSignerFromSigner(key)
	if err != nil {
		return nil, err
	}
	pub := ssh.MarshalAuthorizedKey(signer.PublicKey())
	if err := writeNew(path+".pub", pub, 0o644); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, err
	}
	err = writeNew(path, pem.EncodeToMemory(block), 0o600)
	if errors.Is(err, fs.ErrExist) {
		return loadHostKey(path)
	}
	if err != nil {
		return nil, err
	}
	return signer, nil
}

// writeNew writes data to path only if path does not exist, never leaving
// a partial file there: it writes and syncs a temporary file, then links it.
func writeNew(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("sftpd: host key: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(perm)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Link(tmp.Name(), path)
	}
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("sftpd: host key: %w", err)
	}
	return err
}

// Fingerprint is a public key's SHA256 fingerprint as OpenSSH prints it
// ("SHA256:...").
func Fingerprint(k ssh.PublicKey) string { return ssh.FingerprintSHA256(k) }

// Describe is "TYPE SHA256:..." for a host key, for start-up messages and
// `wharf sftp host-keys`.
func Describe(k ssh.PublicKey) string { return k.Type() + " " + Fingerprint(k) }
