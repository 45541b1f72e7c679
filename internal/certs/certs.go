// Package certs holds TLS key pairs for the FTPS and (later) other fronts:
// loading with clear errors, reload on SIGHUP without dropping sessions,
// fingerprints, and a self-signed pair for the embedded demo.
package certs

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"
)

// Store serves the current key pair to TLS handshakes. Reload swaps it
// atomically: running sessions keep the pair they negotiated with.
type Store struct {
	certFile, keyFile string
	cur               atomic.Pointer[tls.Certificate]
}

// Load reads certFile and keyFile (PEM). An empty keyFile means the key is
// in certFile too, as vsftpd's rsa_private_key_file defaults.
func Load(certFile, keyFile string) (*Store, error) {
	if keyFile == "" {
		keyFile = certFile
	}
	s := &Store{certFile: certFile, keyFile: keyFile}
	if err := s.Reload(); err != nil {
		return nil, err
	}
	return s, nil
}

// Reload re-reads the files; on error the previous pair stays in use.
func (s *Store) Reload() error {
	c, err := loadPair(s.certFile, s.keyFile, time.Now())
	if err != nil {
		return err
	}
	s.cur.Store(c)
	return nil
}

// GetCertificate is for tls.Config.GetCertificate.
func (s *Store) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return s.cur.Load(), nil
}

// Fingerprint is the SHA-256 of the leaf certificate, as browsers and
// `openssl x509 -fingerprint -sha256` print it.
func (s *Store) Fingerprint() string { return Fingerprint(s.cur.Load().Leaf) }

// NotAfter is the current certificate's expiry.
func (s *Store) NotAfter() time.Time { return s.cur.Load().Leaf.NotAfter }

// Fingerprint formats a certificate's SHA-256 as colon-separated hex.
func Fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

// Check reports what is wrong with a key pair: missing or unreadable
// files, no PEM data, a key that does not match, an expired certificate.
// check-config and serve both call it.
func Check(certFile, keyFile string) error {
	if keyFile == "" {
		keyFile = certFile
	}
	_, err := loadPair(certFile, keyFile, time.Now())
	return err
}

func loadPair(certFile, keyFile string, now time.Time) (*tls.Certificate, error) {
	for _, f := range []string{certFile, keyFile} {
		if _, err := os.ReadFile(f); err != nil {
			return nil, fmt.Errorf("cannot read %s: %w", f, errors.Unwrap(err))
		}
	}
	c, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("%s and %s are not a usable key pair: %v", certFile, keyFile, err)
	}
	leaf := c.Leaf
	switch {
	case now.After(leaf.NotAfter):
		return nil, fmt.Errorf("certificate %s expired on %s", certFile, leaf.NotAfter.Format(time.DateOnly))
	case now.Before(leaf.NotBefore):
		return nil, fmt.Errorf("certificate %s is not valid before %s", certFile, leaf.NotBefore.Format(time.DateOnly))
	}
	return &c, nil
}
