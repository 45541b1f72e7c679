package sftpd

import (
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"wharf/internal/auth"
	"wharf/internal/vfs"
	"wharf/internal/vfs/localfs"
)

func fingerprints(keys []ssh.Signer) []string {
	var fps []string
	for _, k := range keys {
		fps = append(fps, Describe(k.PublicKey()))
	}
	return fps
}

// TestHostKeysPersist: keys are generated once, with OpenSSH file names and
// modes, and a restarted server presents the same fingerprint.
func TestHostKeysPersist(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "sftp")
	first, err := LoadOrCreateHostKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	wantTypes := []string{"ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa"}
	for i, k := range first {
		if k.PublicKey().Type() != wantTypes[i] {
			t.Errorf("key %d is %s, want %s", i, k.PublicKey().Type(), wantTypes[i])
		}
	}
	for _, name := range []string{"ssh_host_ed25519_key", "ssh_host_ecdsa_key", "ssh_host_rsa_key"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v", name, fi, err)
		}
		if _, err := os.Stat(filepath.Join(dir, name+".pub")); err != nil {
			t.Error(err)
		}
	}
	second, err := LoadOrCreateHostKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := fingerprints(first), fingerprints(second); len(a) != 3 || a[0] != b[0] || a[1] != b[1] || a[2] != b[2] {
		t.Fatalf("fingerprints changed: %v vs %v", a, b)
	}

	// A server restarted on the same directory shows the same key.
	seen := func() string {
		keys, err := LoadOrCreateHostKeys(dir)
		if err != nil {
			t.Fatal(err)
		}
		srv, err := NewServer(Options{
			Auth: &fakeAuth{}, HostKeys: keys,
			OpenFS: func(*auth.Identity) (vfs.FS, error) { return localfs.New(t.TempDir(), localfs.DefaultOptions()) },
		})
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		l, _ := net.Listen("tcp", "127.0.0.1:0")
		go srv.Serve(l)
		var fp string
		c, err := ssh.Dial("tcp", l.Addr().String(), &ssh.ClientConfig{
			User: "x", Auth: []ssh.AuthMethod{ssh.Password("x")}, Timeout: 5 * time.Second,
			HostKeyCallback: func(_ string, _ net.Addr, k ssh.PublicKey) error { fp = Fingerprint(k); return nil },
		})
		if err == nil {
			c.Close()
		}
		return fp
	}
	a, b := seen(), seen()
	if a == "" || a != b {
		t.Fatalf("fingerprint across restarts: %q then %q", a, b)
	}

	// A damaged key is an error, never silently replaced.
	os.WriteFile(filepath.Join(dir, "ssh_host_rsa_key"), []byte("garbage"), 0o600)
	if _, err := LoadOrCreateHostKeys(dir); err == nil {
		t.Fatal("damaged key accepted")
	}
}

// TestAlgorithms: SHA-1, CBC and ssh-rsa signatures are not negotiable.
func TestAlgorithms(t *testing.T) {
	f := newFixture(t, nil)
	try := func(tune func(*ssh.ClientConfig)) error {
		cfg := &ssh.ClientConfig{User: "alice", Auth: []ssh.AuthMethod{ssh.Password("pw")},
			HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second}
		tune(cfg)
		c, err := ssh.Dial("tcp", f.addr, cfg)
		if err == nil {
			c.Close()
		}
		return err
	}
	refused := map[string]func(*ssh.ClientConfig){
		"kex group14-sha1": func(c *ssh.ClientConfig) { c.KeyExchanges = []string{ssh.InsecureKeyExchangeDH14SHA1} },
		"kex group1-sha1":  func(c *ssh.ClientConfig) { c.KeyExchanges = []string{ssh.InsecureKeyExchangeDH1SHA1} },
		"cbc":              func(c *ssh.ClientConfig) { c.Ciphers = []string{ssh.InsecureCipherAES128CBC} },
		"hmac-sha1":        func(c *ssh.ClientConfig) { c.Ciphers = []string{ssh.CipherAES128CTR}; c.MACs = []string{ssh.HMACSHA1} },
		"ssh-rsa host key": func(c *ssh.ClientConfig) { c.HostKeyAlgorithms = []string{ssh.KeyAlgoRSA} },
		"ecdsa host key":   func(c *ssh.ClientConfig) { c.HostKeyAlgorithms = []string{ssh.KeyAlgoECDSA256} },
	}
	for name, tune := range refused {
		if err := try(tune); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	accepted := map[string]func(*ssh.ClientConfig){
		"defaults":   func(*ssh.ClientConfig) {},
		"curve25519": func(c *ssh.ClientConfig) { c.KeyExchanges = []string{ssh.KeyExchangeCurve25519} },
		"aes-ctr etm": func(c *ssh.ClientConfig) {
			c.Ciphers = []string{ssh.CipherAES256CTR}
			c.MACs = []string{ssh.HMACSHA512ETM}
		},
		"aes-gcm":          func(c *ssh.ClientConfig) { c.Ciphers = []string{ssh.CipherAES128GCM} },
		"rsa-sha2-256":     func(c *ssh.ClientConfig) { c.HostKeyAlgorithms = []string{ssh.KeyAlgoRSASHA256} },
		"ed25519 host key": func(c *ssh.ClientConfig) { c.HostKeyAlgorithms = []string{ssh.KeyAlgoED25519} },
	}
	for name, tune := range accepted {
		if err := try(tune); err != nil {
			t.Errorf("%s refused: %v", name, err)
		}
	}
	if _, err := NewServer(Options{Auth: &fakeAuth{}, HostKeys: testHostKeys(t), OpenFS: func(*auth.Identity) (vfs.FS, error) { return nil, nil },
		Ciphers: []string{ssh.InsecureCipherAES128CBC}}); err == nil {
		t.Error("NewServer accepted a CBC cipher")
	}
	if _, err := NewServer(Options{Auth: &fakeAuth{}, HostKeys: testHostKeys(t), OpenFS: func(*auth.Identity) (vfs.FS, error) { return nil, nil },
		KeyExchanges: []string{ssh.KeyExchangeECDHP256}, HostKeyAlgorithms: []string{ssh.KeyAlgoECDSA256}}); err != nil {
		t.Errorf("NIST curves cannot be enabled: %v", err)
	}
}
