package certs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writePair(t *testing.T, dir string, now time.Time) (string, string) {
	t.Helper()
	c, k, err := selfSigned([]string{"localhost", "127.0.0.1"}, now)
	if err != nil {
		t.Fatal(err)
	}
	cf, kf := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	os.WriteFile(cf, c, 0o644)
	os.WriteFile(kf, k, 0o600)
	return cf, kf
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	good, goodKey := writePair(t, dir, time.Now())
	other := t.TempDir()
	_, otherKey := writePair(t, other, time.Now())
	expiredDir := t.TempDir()
	expired, expiredKey := writePair(t, expiredDir, time.Now().AddDate(-3, 0, 0))
	garbage := filepath.Join(dir, "garbage.pem")
	os.WriteFile(garbage, []byte("not pem"), 0o644)
	tests := []struct {
		name, cert, key, want string
	}{
		{"good", good, goodKey, ""},
		{"missing cert", filepath.Join(dir, "nope.pem"), goodKey, "cannot read"},
		{"missing key", good, filepath.Join(dir, "nope.pem"), "cannot read"},
		{"not a pair", good, otherKey, "not a usable key pair"},
		{"not PEM", garbage, goodKey, "not a usable key pair"},
		{"expired", expired, expiredKey, "expired"},
		{"key in cert file missing", good, "", "not a usable key pair"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.cert, tt.key)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Check: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("Check = %v, want error containing %q", err, tt.want)
			}
		})
	}
}

func TestEnsureSelfSignedKeepsPair(t *testing.T) {
	dir := t.TempDir()
	c1, k1, err := EnsureSelfSigned(dir, []string{"localhost"})
	if err != nil {
		t.Fatal(err)
	}
	s1, err := Load(c1, k1)
	if err != nil {
		t.Fatal(err)
	}
	c2, k2, err := EnsureSelfSigned(dir, []string{"localhost"})
	if err != nil {
		t.Fatal(err)
	}
	s2, err := Load(c2, k2)
	if err != nil {
		t.Fatal(err)
	}
	if s1.Fingerprint() != s2.Fingerprint() || len(s1.Fingerprint()) != 95 {
		t.Fatalf("fingerprints differ or malformed: %s vs %s", s1.Fingerprint(), s2.Fingerprint())
	}
}

func TestReloadKeepsOldPairOnError(t *testing.T) {
	dir := t.TempDir()
	cf, kf := writePair(t, dir, time.Now())
	s, err := Load(cf, kf)
	if err != nil {
		t.Fatal(err)
	}
	before := s.Fingerprint()
	os.WriteFile(cf, []byte("broken"), 0o644)
	if err := s.Reload(); err == nil {
		t.Fatal("Reload of a broken file succeeded")
	}
	if s.Fingerprint() != before {
		t.Fatal("a failed reload replaced the pair")
	}
	writePair(t, dir, time.Now())
	if err := s.Reload(); err != nil {
		t.Fatal(err)
	}
	if s.Fingerprint() == before {
		t.Fatal("reload did not pick up the new pair")
	}
}
