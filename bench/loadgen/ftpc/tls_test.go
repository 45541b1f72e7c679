package ftpc

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"
)

// authTLS is the fake server's AUTH TLS: 234, then the server handshake on
// the control connection.
func (s *fakeSession) authTLS() bool {
	if s.f.tlsCfg == nil {
		s.reply("502 no TLS here")
		return true
	}
	s.reply("234 go ahead")
	tc := tls.Server(s.c, s.f.tlsCfg)
	if err := tc.Handshake(); err != nil {
		return false
	}
	s.c, s.br = tc, bufio.NewReader(tc)
	return true
}

// protect wraps a data connection in TLS after PROT P, records whether it
// resumed, and with requireReuse refuses one that did not, as vsftpd does
// (522). nil: the transfer is over (the reply has been sent).
func (s *fakeSession) protect(data net.Conn) net.Conn {
	if !s.prot {
		return data
	}
	tc := tls.Server(data, s.f.tlsCfg)
	if err := tc.Handshake(); err != nil {
		data.Close()
		s.reply("425 TLS handshake failed")
		return nil
	}
	resumed := tc.ConnectionState().DidResume
	s.f.mu.Lock()
	s.f.dataResumed = append(s.f.dataResumed, resumed)
	s.f.mu.Unlock()
	if s.f.requireReuse && !resumed {
		data.Close()
		s.reply("522 SSL connection failed: session reuse required")
		return nil
	}
	return tc
}

// testPKI is a self-signed ECDSA certificate for 127.0.0.1 and the client
// config that trusts it.
func testPKI(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "ftpc test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}}}
	client = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
	return server, client
}

func newTLSFake(t *testing.T) (*fakeServer, *tls.Config) {
	t.Helper()
	f := newFake(t)
	var client *tls.Config
	f.tlsCfg, client = testPKI(t)
	return f, client
}

// ftpsLogin is AUTH TLS, USER/PASS, PBSZ 0, PROT P, TYPE I.
func ftpsLogin(t *testing.T, c *Conn, cfg *tls.Config) {
	t.Helper()
	if err := c.AuthTLS(cfg); err != nil {
		t.Fatal(err)
	}
	if err := c.Login("bob", "secret"); err != nil {
		t.Fatal(err)
	}
	if err := c.ProtP(); err != nil {
		t.Fatal(err)
	}
	if err := c.Binary(); err != nil {
		t.Fatal(err)
	}
}

func TestFTPSTransfersResumeControlSession(t *testing.T) {
	for _, v := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			f, cfg := newTLSFake(t)
			f.tlsCfg.MaxVersion = v
			f.requireReuse = true
			body := bytes.Repeat([]byte("ftps"), 50000)
			f.files["a.bin"] = body
			c := dial(t, f)
			ftpsLogin(t, c, cfg)
			for range 3 {
				var got bytes.Buffer
				if n, err := c.Retr("a.bin", &got); err != nil || n != int64(len(body)) || !bytes.Equal(got.Bytes(), body) {
					t.Fatalf("RETR: %d bytes, %v", n, err)
				}
			}
			up := bytes.Repeat([]byte{7}, 300000)
			if n, err := c.Stor("up.bin", bytes.NewReader(up)); err != nil || n != int64(len(up)) {
				t.Fatalf("STOR: %d, %v", n, err)
			}
			if err := c.Quit(); err != nil {
				t.Fatal(err)
			}
			st := c.TLSStats()
			if st.Version != v || st.DataVersion != v {
				t.Errorf("versions %x/%x, want %x", st.Version, st.DataVersion, v)
			}
			if st.DataConns != 4 || st.DataResumed != 4 || st.DataFailed != 0 || st.Handshakes() != 5 {
				t.Errorf("stats %+v, want 4 data connections, all resumed, 5 handshakes", st)
			}
			if st.ControlResumed {
				t.Error("the control connection resumed a session from nowhere")
			}
			if !strings.HasPrefix(st.Describe(), tls.VersionName(v)+" TLS_") {
				t.Errorf("Describe() = %q", st.Describe())
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			if !bytes.Equal(f.stored["up.bin"], up) {
				t.Errorf("stored %d bytes, want %d (the upload must end with close_notify)", len(f.stored["up.bin"]), len(up))
			}
			if len(f.uploadErrs) > 0 {
				t.Errorf("the server's read of the upload ended with %v", f.uploadErrs)
			}
			if len(f.dataResumed) != 4 || slicesContainsFalse(f.dataResumed) {
				t.Errorf("server saw resumptions %v", f.dataResumed)
			}
			for _, l := range f.lines {
				if strings.HasPrefix(l, "PASS") && l != "PASS secret" {
					t.Errorf("line %q", l)
				}
			}
		})
	}
}

func slicesContainsFalse(b []bool) bool {
	for _, v := range b {
		if !v {
			return true
		}
	}
	return false
}

// Every control connection has its own session cache, even when the
// connections share one *tls.Config: a second connection must not resume
// the first one's session (servers that bind data sessions to their
// control session would refuse its data connections).
func TestFTPSSessionCachePerConnection(t *testing.T) {
	f, cfg := newTLSFake(t)
	f.requireReuse = true
	f.files["x"] = []byte("hello")
	var conns []*Conn
	for range 2 {
		c := dial(t, f)
		ftpsLogin(t, c, cfg)
		if _, err := c.Retr("x", &bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for i, c := range conns {
		st := c.TLSStats()
		if st.ControlResumed || st.DataResumed != 1 {
			t.Errorf("conn %d: %+v", i, st)
		}
	}
	if cfg.ClientSessionCache != nil {
		t.Error("AuthTLS changed the caller's config")
	}
}

// A server that cannot resume (no tickets) still transfers, and the
// counters say that no data connection resumed.
func TestFTPSWithoutResumptionIsCounted(t *testing.T) {
	f, cfg := newTLSFake(t)
	f.tlsCfg.SessionTicketsDisabled = true
	f.files["x"] = []byte("hello")
	c := dial(t, f)
	ftpsLogin(t, c, cfg)
	for range 2 {
		if _, err := c.Retr("x", &bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
	}
	if st := c.TLSStats(); st.DataConns != 2 || st.DataResumed != 0 {
		t.Fatalf("stats %+v, want 2 data connections, none resumed", st)
	}
}

// A server that requires reuse and sees none answers 522: the transfer
// fails with that reply and the control connection stays in step.
func TestFTPSReuseRefusedIs522(t *testing.T) {
	f, cfg := newTLSFake(t)
	f.tlsCfg.SessionTicketsDisabled = true
	f.requireReuse = true
	f.files["x"] = []byte("hello")
	c := dial(t, f)
	ftpsLogin(t, c, cfg)
	_, err := c.Retr("x", &bytes.Buffer{})
	var re *ReplyError
	if !errors.As(err, &re) || re.Code != 522 {
		t.Fatalf("RETR: %v, want a 522 ReplyError", err)
	}
	if _, err := c.Size("x"); err != nil {
		t.Fatalf("control connection out of step: %v", err)
	}
	if st := c.TLSStats(); st.DataConns != 1 || st.DataResumed != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestAuthTLSRefusedLeavesPlainConnection(t *testing.T) {
	f := newFake(t)
	_, cfg := testPKI(t)
	c := dial(t, f)
	err := c.AuthTLS(cfg)
	var re *ReplyError
	if !errors.As(err, &re) || re.Code != 502 || re.Cmd != "AUTH" {
		t.Fatalf("err = %v, want 502 to AUTH", err)
	}
	if err := c.Login("bob", "secret"); err != nil {
		t.Fatal(err)
	}
	if st := c.TLSStats(); st.Describe() != "" || st.Handshakes() != 0 {
		t.Fatalf("stats %+v after a refused AUTH", st)
	}
}

func TestFTPSMisuse(t *testing.T) {
	f, cfg := newTLSFake(t)
	c := dial(t, f)
	if err := c.ProtP(); err == nil {
		t.Error("PROT P without AUTH TLS: no error")
	}
	noName := cfg.Clone()
	noName.ServerName = ""
	if err := c.AuthTLS(noName); err == nil || !strings.Contains(err.Error(), "ServerName") {
		t.Errorf("AuthTLS without ServerName: %v", err)
	}
	// The certificate is for 127.0.0.1 only: a wrong name fails the
	// handshake instead of passing silently.
	other := cfg.Clone()
	other.ServerName = "example.org"
	c2 := dial(t, f)
	if err := c2.AuthTLS(other); err == nil {
		t.Error("handshake with a certificate for another name succeeded")
	}
}
