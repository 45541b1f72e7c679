package ftpsinterop

import (
	"crypto/tls"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"wharf/internal/testbin"
)

// TestClientCertificates: with require_cert=YES, validate_cert=YES and
// ca_certs_file, a client with a certificate from that CA logs in and
// transfers (explicit and implicit); one without a certificate, or with a
// self-signed one, is refused at the handshake. curl (OpenSSL) and Go's
// crypto/tls, at TLS 1.2 and 1.3.
func TestClientCertificates(t *testing.T) {
	t.Parallel()
	extra := []string{"require_cert=YES", "validate_cert=YES", "ca_certs_file=" + pki.CA.CertFile}
	clientCA := &pki.Client.TLS
	selfSigned := &pki.SelfSigned.TLS
	for _, v := range []struct {
		name string
		v    uint16
		tls  string
	}{{"TLS1.2", tls.VersionTLS12, "1.2"}, {"TLS1.3", tls.VersionTLS13, "1.3"}} {
		t.Run("go/"+v.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, serverOpts{tls: v.tls, reuse: true, extra: extra})
			writeTestFile(t, s, "f", "certified")
			for _, implicit := range []bool{false, true} {
				port := s.port
				if implicit {
					port = s.implicit
				}
				for _, c := range []struct {
					what string
					cert *tls.Certificate
					ok   bool
				}{{"a certificate from ca_certs_file's CA", clientCA, true}, {"no certificate", nil, false},
					{"a self-signed certificate", selfSigned, false}} {
					cfg := goConfig(v.v)
					if c.cert != nil {
						cert := c.cert // sent whatever CAs the server names
						cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return cert, nil }
					}
					err := goSession(t, addr(port), implicit, cfg, s)
					switch {
					case c.ok && err != nil:
						t.Errorf("implicit=%v, %s: %v", implicit, c.what, err)
					case !c.ok && err == nil:
						t.Errorf("implicit=%v, %s: logged in and transferred, want a refusal", implicit, c.what)
					case !c.ok:
						t.Logf("implicit=%v, %s: refused: %v", implicit, c.what, err)
					}
				}
			}
		})
	}
	t.Run("curl/TLS1.3", func(t *testing.T) {
		t.Parallel()
		testbin.NeedTool(t, "curl", "curl")
		s := startServer(t, serverOpts{tls: "1.3", reuse: true, extra: extra})
		writeTestFile(t, s, "f", "certified")
		for _, c := range []struct {
			what string
			args []string
			ok   bool
		}{
			{"a certificate from ca_certs_file's CA", []string{"--cert", pki.Client.CertFile, "--key", pki.Client.KeyFile}, true},
			{"no certificate", nil, false},
			{"a self-signed certificate", []string{"--cert", pki.SelfSigned.CertFile, "--key", pki.SelfSigned.KeyFile}, false},
		} {
			for _, url := range []string{fmt.Sprintf("ftp://%s/f", addr(s.port)), fmt.Sprintf("ftps://%s/f", addr(s.implicit))} {
				args := append([]string{"-sS", "--cacert", pki.CA.CertFile, "--ssl-reqd", "--tlsv1.3", "--max-time", "30",
					"-u", s.user + ":" + s.pass, url, url}, c.args...) // two downloads: the second resumes
				out, err := exec.Command("curl", args...).CombinedOutput()
				switch {
				case c.ok && (err != nil || string(out) != "certifiedcertified"):
					t.Errorf("%s, %s: %v %q", url, c.what, err, out)
				case !c.ok && err == nil:
					t.Errorf("%s, %s: curl succeeded (%q), want a refusal", url, c.what, out)
				case !c.ok:
					t.Logf("%s, %s: refused: %s", url, c.what, strings.TrimSpace(string(out)))
				}
			}
		}
	})
}

// goSession logs in and downloads f twice (the data connections resume
// the control session, client certificate included); any failure is
// returned.
func goSession(t *testing.T, addr string, implicit bool, cfg *tls.Config, s *server) error {
	c, err := dialGo(t, addr, implicit, cfg)
	if err != nil {
		return fmt.Errorf("handshake: %w", err)
	}
	if err := c.login(s.user, s.pass); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	for range 2 {
		data, resumed, err := c.transfer("RETR f", nil)
		switch {
		case err != nil:
			return fmt.Errorf("RETR: %w", err)
		case !resumed:
			return fmt.Errorf("RETR: the data connection did not resume")
		case string(data) != "certified":
			return fmt.Errorf("RETR: got %q", data)
		}
	}
	c.cmdErr(221, "QUIT")
	return nil
}
