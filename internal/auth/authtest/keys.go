// Package authtest holds test helpers for SSH public keys, shared by the
// key backends' tests and the SFTP end-to-end tests.
package authtest

import (
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// NewKey returns a fresh ed25519 key pair: the public key and its signer.
func NewKey(t testing.TB) (ssh.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return k, priv
}

// AuthorizedLine is k as one authorized_keys line ("TYPE BASE64"), with
// comment appended when it is not empty.
func AuthorizedLine(k ssh.PublicKey, comment string) string {
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k)))
	if comment != "" {
		line += " " + comment
	}
	return line
}

// PublicKey is NewKey's public key alone, for tests that never sign.
func PublicKey(t testing.TB) ssh.PublicKey {
	t.Helper()
	k, _ := NewKey(t)
	return k
}
