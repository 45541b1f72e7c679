package ftpsinterop

import (
	"crypto/tls"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"wharf/internal/certs"
	"wharf/internal/certs/certstest"
)

// TestReloadCertificate: SIGHUP re-reads the key pair. A session open
// across the reload keeps working (commands, and data connections that
// resume its TLS session); a new connection gets the new certificate; a
// broken file on a later SIGHUP keeps the pair in use.
func TestReloadCertificate(t *testing.T) {
	t.Parallel()
	next, err := certstest.New(t.TempDir(), "reloaded")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	install := func(p certstest.Pair) {
		t.Helper()
		for src, dst := range map[string]string{p.CertFile: certFile, p.KeyFile: keyFile} {
			b, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			// Write a new file and rename it over the old one, as a
			// certificate renewal does.
			if err := os.WriteFile(dst+".new", b, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(dst+".new", dst); err != nil {
				t.Fatal(err)
			}
		}
	}
	install(pki.Server)
	s := startServer(t, serverOpts{tls: "1.3", reuse: true, certFile: certFile, keyFile: keyFile})
	writeTestFile(t, s, "f", "before and after")
	oldFP, newFP := certs.Fingerprint(pki.Server.Cert), certs.Fingerprint(next.Server.Cert)

	cfg := goConfig(tls.VersionTLS13)
	cfg.RootCAs = pki.Pool.Clone()
	cfg.RootCAs.AddCert(next.CA.Cert)
	open := func() (*goFTPS, string) {
		t.Helper()
		c, err := dialGo(t, addr(s.port), false, cfg.Clone())
		if err != nil {
			t.Fatal(err)
		}
		if err := c.login(s.user, s.pass); err != nil {
			t.Fatal(err)
		}
		return c, certs.Fingerprint(c.tc.ConnectionState().PeerCertificates[0])
	}
	before, fp := open()
	if fp != oldFP {
		t.Fatalf("before the reload the server presents %s, want %s", fp, oldFP)
	}
	before.mustTransfer("RETR f", nil)

	install(next.Server)
	mark := s.log.Mark()
	s.proc.Signal(syscall.SIGHUP)
	rec, err := s.log.waitForFrom(mark, func(r logRecord) bool { return r.Msg == "reload: certificate re-read" }, 20*time.Second)
	if err != nil {
		t.Fatalf("after SIGHUP: %v", err)
	}
	if rec.SHA256 != newFP {
		t.Errorf("the reload logged fingerprint %s, want the new certificate's %s", rec.SHA256, newFP)
	}

	// The session opened before the reload goes on.
	before.cmd(200, "NOOP")
	for range 3 {
		if got := before.mustTransfer("RETR f", nil); string(got) != "before and after" {
			t.Errorf("RETR in the session opened before the reload: %q", got)
		}
	}
	before.mustTransfer("STOR up", []byte("uploaded after the reload"))
	// A new connection sees the new certificate.
	after, fp := open()
	if fp != newFP {
		t.Errorf("a connection after the reload sees %s, want the new %s", fp, newFP)
	}
	after.mustTransfer("RETR f", nil)

	// A broken file: the reload is refused, the pair in use stays.
	os.WriteFile(certFile, []byte("-----BEGIN CERTIFICATE-----\nbroken\n"), 0o600)
	mark = s.log.Mark()
	s.proc.Signal(syscall.SIGHUP)
	if _, err := s.log.waitForFrom(mark, func(r logRecord) bool { return r.Msg == "reload: certificate not re-read; keeping the previous one" }, 20*time.Second); err != nil {
		t.Fatalf("SIGHUP with a broken certificate: %v", err)
	}
	if _, fp := open(); fp != newFP {
		t.Errorf("after a failed reload the server presents %s, want %s", fp, newFP)
	}
	before.cmd(221, "QUIT")
}
