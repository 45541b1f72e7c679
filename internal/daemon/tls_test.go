package daemon

import (
	"crypto/tls"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"wharf/internal/certs"
	"wharf/internal/certs/certstest"
	"wharf/internal/config"
	"wharf/internal/ftp"
)

// tlsConfig is a config with FTPS on and the test PKI's server pair;
// lines are appended.
func tlsConfig(t *testing.T, pki *certstest.PKI, lines ...string) (*config.Config, error) {
	t.Helper()
	text := "listen=YES\nlisten_address=127.0.0.1\nlocal_enable=YES\nanonymous_enable=NO\nssl_enable=YES\n" +
		"rsa_cert_file=" + pki.Server.CertFile + "\nrsa_private_key_file=" + pki.Server.KeyFile + "\n" +
		strings.Join(lines, "\n") + "\n"
	cfg, _, err := config.Parse("test.conf", []byte(text), nil)
	return cfg, err
}

func newPKI(t *testing.T) *certstest.PKI {
	t.Helper()
	pki, err := certstest.New(t.TempDir(), "daemon")
	if err != nil {
		t.Fatal(err)
	}
	return pki
}

// built is a config's FTPS setup and the engine options it gives.
type built struct {
	tlsSetup
	opts ftp.TLSOptions
}

// setup builds the FTPS setup of a config made of lines, failing on error.
func setup(t *testing.T, pki *certstest.PKI, lines ...string) built {
	t.Helper()
	cfg, err := tlsConfig(t, pki, lines...)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	ts, err := buildTLS(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("buildTLS: %v", err)
	}
	return built{ts, ts.tlsOptions(cfg)}
}

// handshake runs a TLS handshake between the server config and client
// over loopback TCP, then one byte from client to server (in TLS 1.3 the
// server judges the client's certificate after the client's handshake has
// returned). It returns the client's state and both sides' errors.
func handshake(server, client *tls.Config) (cs tls.ConnectionState, clientErr, serverErr error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return cs, err, err
	}
	defer l.Close()
	done := make(chan error, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		s := tls.Server(c, server)
		if err = s.Handshake(); err == nil {
			_, err = s.Read(make([]byte, 1))
		}
		done <- err
	}()
	raw, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		return cs, err, <-done
	}
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(10 * time.Second))
	c := tls.Client(raw, client)
	if clientErr = c.Handshake(); clientErr == nil {
		cs = c.ConnectionState()
		_, clientErr = c.Write([]byte("x"))
	}
	serverErr = <-done
	return cs, clientErr, serverErr
}

func clientFor(pki *certstest.PKI, minV, maxV uint16) *tls.Config {
	return &tls.Config{RootCAs: pki.Pool, ServerName: "localhost", MinVersion: minV, MaxVersion: maxV}
}

func TestTLSOffWithoutSSLEnable(t *testing.T) {
	cfg, _, err := config.Parse("test.conf", []byte("listen=YES\nanonymous_enable=NO\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := buildTLS(cfg, slog.New(slog.DiscardHandler))
	if err != nil || ts.config != nil || ts.store != nil || ts.tlsOptions(cfg).Config != nil {
		t.Fatalf("ssl_enable=NO: got config %v, store %v, err %v; want FTPS off", ts.config, ts.store, err)
	}
}

func TestTLSVersionKeys(t *testing.T) {
	pki := newPKI(t)
	for _, tc := range []struct {
		lines      []string
		minV, maxV uint16
		err        string
		warn       string
	}{
		{nil, tls.VersionTLS12, tls.VersionTLS13, "", ""},
		{[]string{"ssl_tlsv1_3=NO"}, tls.VersionTLS12, tls.VersionTLS12, "", ""},
		{[]string{"ssl_tlsv1_2=NO"}, tls.VersionTLS13, tls.VersionTLS13, "", ""},
		{[]string{"ssl_tlsv1=YES", "ssl_tlsv1_1=YES"}, tls.VersionTLS10, tls.VersionTLS13, "", ""},
		{[]string{"ssl_tlsv1_1=YES", "ssl_tlsv1_3=NO"}, tls.VersionTLS11, tls.VersionTLS12, "", ""},
		// vsftpd's ssl_tlsv1=YES with its default ssl_tlsv1_1=NO: Go takes a range, TLS 1.1 comes with it.
		{[]string{"ssl_tlsv1=YES", "ssl_tlsv1_1=NO"}, tls.VersionTLS10, tls.VersionTLS13, "", "TLS 1.1 is on"},
		{[]string{"ssl_tlsv1=YES", "ssl_tlsv1_2=NO"}, tls.VersionTLS10, tls.VersionTLS13, "", "ssl_tlsv1_2=NO is ignored"},
		{[]string{"ssl_tlsv1_2=NO", "ssl_tlsv1_3=NO"}, 0, 0, "every TLS version is off", ""},
	} {
		name := strings.Join(tc.lines, " ")
		cfg, err := tlsConfig(t, pki, tc.lines...)
		if err != nil {
			t.Fatalf("%s: config: %v", name, err)
		}
		ts, err := buildTLS(cfg, slog.New(slog.DiscardHandler))
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: err %v, want one containing %q", name, err, tc.err)
		case tc.err == "" && err != nil:
			t.Errorf("%q: %v", name, err)
		case tc.err == "" && (ts.config.MinVersion != tc.minV || ts.config.MaxVersion != tc.maxV):
			t.Errorf("%q: versions %s..%s, want %s..%s", name, tls.VersionName(ts.config.MinVersion),
				tls.VersionName(ts.config.MaxVersion), tls.VersionName(tc.minV), tls.VersionName(tc.maxV))
		case tc.err == "":
			got := strings.Join(ts.warnings, "\n")
			if tc.warn != "" && !strings.Contains(got, tc.warn) || tc.warn == "" && got != "" {
				t.Errorf("%q: warnings %q, want %q", name, got, tc.warn)
			}
		}
	}
}

// TestTLSDefaultRefusesOldVersions: with the default keys a TLS 1.0 or
// 1.1 handshake fails and 1.2 and 1.3 work.
func TestTLSDefaultRefusesOldVersions(t *testing.T) {
	pki := newPKI(t)
	ts := setup(t, pki)
	for _, v := range []uint16{tls.VersionTLS10, tls.VersionTLS11} {
		if _, cerr, serr := handshake(ts.opts.Config, clientFor(pki, v, v)); cerr == nil || serr == nil {
			t.Errorf("%s with the default config: client %v, server %v; want both to fail", tls.VersionName(v), cerr, serr)
		}
	}
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		if cs, cerr, serr := handshake(ts.opts.Config, clientFor(pki, v, v)); cerr != nil || serr != nil || cs.Version != v {
			t.Errorf("%s with the default config: client %v, server %v, version %x", tls.VersionName(v), cerr, serr, cs.Version)
		}
	}
}

func TestTLSEngineOptions(t *testing.T) {
	pki := newPKI(t)
	ts := setup(t, pki)
	o := ts.opts
	if !o.ForceLocalLogins || !o.ForceLocalData || o.ForceAnonLogins || o.ForceAnonData || o.AllowAnon ||
		!o.RequireReuse || !o.StrictReadEOF {
		t.Errorf("defaults: %+v; want forced local logins and data, reuse and strict EOF, nothing for anonymous", o)
	}
	if !o.Config.DynamicRecordSizingDisabled {
		t.Error("DynamicRecordSizingDisabled is off: data connections would start with small records")
	}
	if o.Config.VerifyConnection != nil {
		t.Error("VerifyConnection set without debug_ssl")
	}
	ts = setup(t, pki, "force_local_logins_ssl=NO", "force_local_data_ssl=NO", "force_anon_logins_ssl=YES",
		"force_anon_data_ssl=YES", "allow_anon_ssl=YES", "require_ssl_reuse=NO", "strict_ssl_read_eof=NO", "debug_ssl=YES")
	o = ts.opts
	if o.ForceLocalLogins || o.ForceLocalData || !o.ForceAnonLogins || !o.ForceAnonData || !o.AllowAnon ||
		o.RequireReuse || o.StrictReadEOF {
		t.Errorf("every key flipped: %+v", o)
	}
	if o.Config.VerifyConnection == nil {
		t.Error("debug_ssl=YES does not log handshakes")
	}
}

func TestTLSCertificateErrors(t *testing.T) {
	pki := newPKI(t)
	missing := filepath.Join(t.TempDir(), "missing.pem")
	for _, tc := range []struct {
		lines []string
		want  string
	}{
		{[]string{"rsa_cert_file=" + missing}, "rsa_cert_file"},
		{[]string{"rsa_private_key_file=" + pki.Client.KeyFile}, "not a usable key pair"}, // key of another cert
		{[]string{"validate_cert=YES"}, "ca_certs_file"},
		{[]string{"ca_certs_file=" + missing}, "ca_certs_file"},
		{[]string{"ca_certs_file=" + pki.Server.KeyFile}, "no PEM certificate"},
	} {
		cfg, err := tlsConfig(t, pki, tc.lines...)
		if err != nil {
			t.Fatalf("%v: config: %v", tc.lines, err)
		}
		if _, err := buildTLS(cfg, slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err %v, want one mentioning %q", tc.lines, err, tc.want)
		}
	}
}

// TestTLSClientCertificatePolicy: the four vsftpd combinations, each with
// no client certificate, one from ca_certs_file's CA and a self-signed one.
func TestTLSClientCertificatePolicy(t *testing.T) {
	pki := newPKI(t)
	ca := "ca_certs_file=" + pki.CA.CertFile
	type outcome struct{ none, fromCA, selfSigned bool } // handshake succeeds
	for _, tc := range []struct {
		name  string
		lines []string
		auth  tls.ClientAuthType
		want  outcome
	}{
		{"default (ssl_request_cert)", nil, tls.RequestClientCert, outcome{true, true, true}},
		{"no request", []string{"ssl_request_cert=NO"}, tls.NoClientCert, outcome{true, true, true}},
		{"require_cert", []string{"require_cert=YES"}, tls.RequireAnyClientCert, outcome{false, true, true}},
		{"validate_cert", []string{"validate_cert=YES", ca}, tls.VerifyClientCertIfGiven, outcome{true, true, false}},
		{"require+validate", []string{"require_cert=YES", "validate_cert=YES", ca}, tls.RequireAndVerifyClientCert, outcome{false, true, false}},
	} {
		ts := setup(t, pki, tc.lines...)
		if got := ts.opts.Config.ClientAuth; got != tc.auth {
			t.Errorf("%s: ClientAuth %v, want %v", tc.name, got, tc.auth)
		}
		for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
			for _, c := range []struct {
				what string
				cert *tls.Certificate
				ok   bool
			}{{"no certificate", nil, tc.want.none}, {"a certificate from the CA", &pki.Client.TLS, tc.want.fromCA},
				{"a self-signed certificate", &pki.SelfSigned.TLS, tc.want.selfSigned}} {
				client := clientFor(pki, v, v)
				if c.cert != nil {
					// Sent even when its issuer is not among the CAs the
					// server names (Go's client would otherwise send none).
					cert := c.cert
					client.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return cert, nil }
				}
				_, cerr, serr := handshake(ts.opts.Config, client)
				if ok := cerr == nil && serr == nil; ok != c.ok {
					t.Errorf("%s, %s, %s: client %v, server %v; want success=%v", tc.name, tls.VersionName(v), c.what, cerr, serr, c.ok)
				}
			}
		}
	}
}

func TestTLSSNIHostname(t *testing.T) {
	pki := newPKI(t)
	ts := setup(t, pki, "ssl_sni_hostname=localhost")
	for _, tc := range []struct {
		serverName string
		ok         bool
	}{{"localhost", true}, {"LOCALHOST", true}, {"", true}, {"ftp.example.com", false}} {
		client := clientFor(pki, tls.VersionTLS12, tls.VersionTLS13)
		client.ServerName = tc.serverName
		client.InsecureSkipVerify = tc.serverName != "localhost" // only SNI is under test
		_, cerr, serr := handshake(ts.opts.Config, client)
		if ok := cerr == nil && serr == nil; ok != tc.ok {
			t.Errorf("SNI %q with ssl_sni_hostname=localhost: client %v, server %v; want success=%v", tc.serverName, cerr, serr, tc.ok)
		}
	}
}

// TestTLSReloadKeepsSessions: the store the setup returns serves the new
// pair to new handshakes after Reload, and a bad file keeps the old one.
func TestTLSReloadKeepsSessions(t *testing.T) {
	first, second := newPKI(t), newPKI(t)
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	copyFile := func(src, dst string) {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	copyFile(first.Server.CertFile, certFile)
	copyFile(first.Server.KeyFile, keyFile)
	ts := setup(t, first, "rsa_cert_file="+certFile, "rsa_private_key_file="+keyFile)
	both := clientFor(first, tls.VersionTLS12, tls.VersionTLS13)
	both.RootCAs.AddCert(second.CA.Cert)
	leaf := func() string {
		cs, cerr, serr := handshake(ts.opts.Config, both)
		if cerr != nil || serr != nil {
			t.Fatalf("handshake: client %v, server %v", cerr, serr)
		}
		return certs.Fingerprint(cs.PeerCertificates[0])
	}
	if got, want := leaf(), certs.Fingerprint(first.Server.Cert); got != want {
		t.Fatalf("before reload: %s, want %s", got, want)
	}
	copyFile(second.Server.CertFile, certFile)
	copyFile(second.Server.KeyFile, keyFile)
	if err := ts.store.Reload(); err != nil {
		t.Fatal(err)
	}
	if got, want := leaf(), certs.Fingerprint(second.Server.Cert); got != want || ts.store.Fingerprint() != want {
		t.Fatalf("after reload: %s (store %s), want %s", got, ts.store.Fingerprint(), want)
	}
	os.WriteFile(certFile, []byte("not a certificate"), 0o600)
	if err := ts.store.Reload(); err == nil {
		t.Fatal("reloading a broken certificate file succeeded")
	}
	if got, want := leaf(), certs.Fingerprint(second.Server.Cert); got != want {
		t.Fatalf("after a failed reload: %s, want the previous %s", got, want)
	}
}
