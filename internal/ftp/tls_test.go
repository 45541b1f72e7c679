package ftp_test

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"wharf/internal/certs/certstest"
	"wharf/internal/ftp"
	"wharf/internal/ftp/ftptest"
	"wharf/internal/ftp/wire"
)

// FTPS engine tests: a Go TLS client (crypto/tls, with a session cache for
// resumption) over a raw control connection.

var tlsVersions = []struct {
	name string
	v    uint16
}{{"TLS1.2", tls.VersionTLS12}, {"TLS1.3", tls.VersionTLS13}}

// tlsServer runs a server with FTPS on (a fresh test PKI, the daemon's
// default minimum of TLS 1.2) and edit applied. It also serves implicit
// FTPS on a second listener (s.implicit).
type tlsServer struct {
	*ftptest.Server
	implicit string // host:port of the implicit-FTPS listener
	pki      *certstest.PKI
}

func startTLS(t testing.TB, edit func(*ftp.Options)) *tlsServer {
	t.Helper()
	pki, err := certstest.New(t.TempDir(), "engine")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	opts := ftptest.Options(root)
	opts.TLS = ftp.TLSOptions{
		Config:           &tls.Config{Certificates: []tls.Certificate{pki.Server.TLS}, MinVersion: tls.VersionTLS12},
		ForceLocalLogins: true,
		ForceLocalData:   true,
		RequireReuse:     true,
		StrictReadEOF:    true,
		HandshakeTimeout: 5 * time.Second,
	}
	if edit != nil {
		edit(&opts)
	}
	s := ftptest.Start(t, "tcp4", opts)
	s.Root = root
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.ServeImplicitTLS(l) // returns ErrServerClosed when the test's cleanup closes the server
	return &tlsServer{Server: s, implicit: l.Addr().String(), pki: pki}
}

// clientConfig is a client's TLS config: it trusts the test CA, offers
// exactly version v, and keeps sessions in its own cache, so that data
// connections made with it resume the control connection's session.
func (s *tlsServer) clientConfig(v uint16) *tls.Config {
	return &tls.Config{
		RootCAs: s.pki.Pool, ServerName: "localhost",
		MinVersion: v, MaxVersion: v,
		ClientSessionCache: tls.NewLRUClientSessionCache(4),
	}
}

// fresh is cfg without a session cache: every handshake is a full one.
func fresh(cfg *tls.Config) *tls.Config {
	c := cfg.Clone()
	c.ClientSessionCache = nil
	return c
}

// tconn is a raw control connection that can switch to TLS.
type tconn struct {
	t    testing.TB
	raw  net.Conn
	conn net.Conn // raw, or TLS over it
	br   *bufio.Reader
	cfg  *tls.Config // for the control connection and, by default, data
	// sink, when set, receives downloads instead of xfer.data (benchmarks).
	sink io.Writer
}

func dialCtrl(t testing.TB, addr string, cfg *tls.Config) *tconn {
	t.Helper()
	raw, err := net.DialTimeout("tcp", addr, ftptest.ReplyTimeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return &tconn{t: t, raw: raw, conn: raw, br: bufio.NewReader(raw), cfg: cfg}
}

// dialExplicit connects, reads 220 and runs AUTH TLS.
func dialExplicit(t testing.TB, addr string, cfg *tls.Config) *tconn {
	t.Helper()
	c := dialCtrl(t, addr, cfg)
	c.expect(220)
	c.cmd(234, "AUTH TLS")
	if err := c.startTLS(); err != nil {
		t.Fatalf("TLS handshake after AUTH TLS: %v", err)
	}
	return c
}

// loginTLS is dialExplicit, then USER, PASS, PBSZ 0, PROT P.
func loginTLS(t testing.TB, addr string, cfg *tls.Config) *tconn {
	t.Helper()
	c := dialExplicit(t, addr, cfg)
	c.login()
	c.cmd(200, "PBSZ 0")
	c.cmd(200, "PROT P")
	return c
}

func (c *tconn) startTLS() error {
	tc := tls.Client(c.raw, c.cfg)
	tc.SetDeadline(time.Now().Add(ftptest.ReplyTimeout))
	if err := tc.Handshake(); err != nil {
		return err
	}
	tc.SetDeadline(time.Time{})
	c.conn, c.br = tc, bufio.NewReader(tc)
	return nil
}

func (c *tconn) login() {
	c.t.Helper()
	c.cmd(331, "USER %s", ftptest.User)
	c.cmd(230, "PASS %s", ftptest.Pass)
}

func (c *tconn) send(format string, args ...any) {
	c.t.Helper()
	c.conn.SetWriteDeadline(time.Now().Add(ftptest.ReplyTimeout))
	if _, err := fmt.Fprintf(c.conn, format+"\r\n", args...); err != nil {
		c.t.Fatalf("send %q: %v", fmt.Sprintf(format, args...), err)
	}
}

func (c *tconn) readErr() (int, string, error) {
	c.conn.SetReadDeadline(time.Now().Add(ftptest.ReplyTimeout))
	return wire.ReadReply(c.br)
}

func (c *tconn) read() (int, string) {
	c.t.Helper()
	code, msg, err := c.readErr()
	if err != nil {
		c.t.Fatalf("reading a reply: %v", err)
	}
	return code, msg
}

func (c *tconn) expect(code int) string {
	c.t.Helper()
	got, msg := c.read()
	if got != code {
		c.t.Fatalf("got %d %q, want %d", got, msg, code)
	}
	return msg
}

func (c *tconn) do(format string, args ...any) (int, string) {
	c.t.Helper()
	c.send(format, args...)
	return c.read()
}

func (c *tconn) cmd(code int, format string, args ...any) string {
	c.t.Helper()
	c.send(format, args...)
	got, msg := c.read()
	if got != code {
		c.t.Fatalf("%s: got %d %q, want %d", format, got, msg, code)
	}
	return msg
}

// expectClosed reads until the server closes the connection and fails
// unless that happens within d.
func (c *tconn) expectClosed(d time.Duration) {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, c.br)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		c.t.Fatalf("connection still open after %v", d)
	}
}

// dataSetup sends PASV, EPSV, PORT or EPRT and returns a function that
// opens the raw data connection (dialled, or accepted from the server).
func (c *tconn) dataSetup(mode ftptest.Mode) func() (net.Conn, error) {
	c.t.Helper()
	local := c.raw.LocalAddr().(*net.TCPAddr).AddrPort()
	switch mode {
	case ftptest.PASV, ftptest.EPSV:
		var ap netip.AddrPort
		var err error
		if mode == ftptest.PASV {
			ap, err = wire.ParsePASVReply(c.cmd(227, "PASV"))
		} else {
			var port uint16
			port, err = wire.ParseEPSVReply(c.cmd(229, "EPSV"))
			ap = netip.AddrPortFrom(c.raw.RemoteAddr().(*net.TCPAddr).AddrPort().Addr(), port)
		}
		if err != nil {
			c.t.Fatal(err)
		}
		return func() (net.Conn, error) { return net.DialTimeout("tcp", ap.String(), ftptest.ReplyTimeout) }
	default:
		l, err := net.ListenTCP("tcp4", net.TCPAddrFromAddrPort(netip.AddrPortFrom(local.Addr(), 0)))
		if err != nil {
			c.t.Fatal(err)
		}
		c.t.Cleanup(func() { l.Close() })
		ap := l.Addr().(*net.TCPAddr).AddrPort()
		arg := wire.FormatEPRT(ap)
		if mode == ftptest.PORT {
			if arg, err = wire.FormatPASV(ap); err != nil {
				c.t.Fatal(err)
			}
		}
		c.cmd(200, "%s %s", mode, arg)
		return func() (net.Conn, error) {
			defer l.Close()
			l.SetDeadline(time.Now().Add(ftptest.ReplyTimeout))
			return l.Accept()
		}
	}
}

// xfer is the client's side of one protected transfer.
type xfer struct {
	code    int    // the final reply (226, 522, 426, ...)
	msg     string // its text
	resumed bool   // the data handshake resumed a session
	data    []byte // downloaded bytes
	n       int64  // bytes downloaded
}

// transfer runs cmd (RETR or STOR) in mode with a TLS data connection made
// with cfg; upload, when not nil, is sent. hangup, when not nil, ends the
// data connection instead of a TLS close (for uploads).
func (c *tconn) transfer(mode ftptest.Mode, cmd string, cfg *tls.Config, upload []byte, hangup func(tc *tls.Conn, raw net.Conn)) xfer {
	c.t.Helper()
	open := c.dataSetup(mode)
	passive := mode == ftptest.PASV || mode == ftptest.EPSV
	var raw net.Conn
	var err error
	if passive { // the server accepts before it answers 150
		if raw, err = open(); err != nil {
			c.t.Fatalf("%s: data connection: %v", cmd, err)
		}
		defer raw.Close()
	}
	c.send("%s", cmd)
	if !passive { // the server connects before it answers 150
		if raw, err = open(); err != nil {
			c.t.Fatalf("%s: data connection: %v", cmd, err)
		}
		defer raw.Close()
	}
	c.expect(150)
	var x xfer
	raw.SetDeadline(time.Now().Add(ftptest.ReplyTimeout))
	tc := tls.Client(raw, cfg)
	if err := tc.Handshake(); err == nil {
		x.resumed = tc.ConnectionState().DidResume
		switch {
		case upload != nil:
			tc.Write(upload)
			if hangup != nil {
				hangup(tc, raw)
			} else {
				tc.Close()
			}
		case c.sink != nil:
			x.n, _ = io.Copy(c.sink, tc)
			tc.Close()
		default:
			x.data, _ = io.ReadAll(tc)
			x.n = int64(len(x.data))
			tc.Close()
		}
	}
	x.code, x.msg = c.read()
	return x
}

func (c *tconn) retr(mode ftptest.Mode, name string, cfg *tls.Config) xfer {
	c.t.Helper()
	return c.transfer(mode, "RETR "+name, cfg, nil, nil)
}

// --- Logins and PROT ----------------------------------------------------

func TestTLSLoginNeedsAUTH(t *testing.T) {
	t.Parallel()
	s := startTLS(t, nil)
	c := dialCtrl(t, s.Addr, s.clientConfig(tls.VersionTLS13))
	c.expect(220)
	code, msg := c.do("USER %s", ftptest.User)
	if code != 530 || !strings.Contains(msg, "AUTH TLS") {
		t.Fatalf("plaintext USER with force_local_logins_ssl: got %d %q, want 530 telling to use AUTH TLS", code, msg)
	}
	c.cmd(503, "PASS %s", ftptest.Pass) // no USER was accepted
	// The session is still usable: upgrade and log in.
	c.cmd(234, "AUTH TLS")
	if err := c.startTLS(); err != nil {
		t.Fatal(err)
	}
	c.login()

	// Without force_local_logins_ssl a plaintext login is fine.
	s2 := startTLS(t, func(o *ftp.Options) { o.TLS.ForceLocalLogins = false })
	c2 := dialCtrl(t, s2.Addr, nil)
	c2.expect(220)
	c2.login()
}

func TestTLSDataMustBeProtected(t *testing.T) {
	t.Parallel()
	s := startTLS(t, nil)
	writeFile(t, s.Root, "f", []byte("protected"))
	cfg := s.clientConfig(tls.VersionTLS13)
	c := dialExplicit(t, s.Addr, cfg)
	c.login()
	c.cmd(200, "PBSZ 0")
	code, msg := c.do("PROT C")
	if code != 536 || !strings.Contains(msg, "PROT P") {
		t.Fatalf("PROT C with force_local_data_ssl: got %d %q, want 536 saying to use PROT P", code, msg)
	}
	// No PROT P yet: a transfer is refused before any data connection.
	c.dataSetup(ftptest.EPSV)
	code, msg = c.do("RETR f")
	if code != 522 || !strings.Contains(msg, "PROT P") {
		t.Fatalf("RETR without PROT P: got %d %q, want 522 saying to send PROT P", code, msg)
	}
	// The session is still usable.
	c.cmd(200, "PROT P")
	if x := c.retr(ftptest.EPSV, "f", cfg); x.code != 226 || string(x.data) != "protected" {
		t.Fatalf("RETR after PROT P: %d %q, data %q", x.code, x.msg, x.data)
	}

	// Without force_local_data_ssl, PROT C gives clear data.
	s2 := startTLS(t, func(o *ftp.Options) { o.TLS.ForceLocalData = false })
	writeFile(t, s2.Root, "f", []byte("clear"))
	c2 := dialExplicit(t, s2.Addr, s2.clientConfig(tls.VersionTLS13))
	c2.login()
	c2.cmd(200, "PBSZ 0")
	c2.cmd(200, "PROT C")
	open := c2.dataSetup(ftptest.EPSV)
	dc, err := open()
	if err != nil {
		t.Fatal(err)
	}
	defer dc.Close()
	c2.cmd(150, "RETR f")
	dc.SetDeadline(time.Now().Add(ftptest.ReplyTimeout))
	if b, _ := io.ReadAll(dc); string(b) != "clear" {
		t.Errorf("PROT C data: %q", b)
	}
	c2.expect(226)
}

// --- Session reuse -------------------------------------------------------

// TestTLSReuse: with RequireReuse a data connection that brings a fresh
// TLS session is refused (150, then 522 saying why) and the session goes
// on; one that resumes the control session works, in every mode. Without
// RequireReuse the fresh session works too.
func TestTLSReuse(t *testing.T) {
	t.Parallel()
	for _, v := range tlsVersions {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			s := startTLS(t, nil)
			writeFile(t, s.Root, "f", []byte("data"))
			cfg := s.clientConfig(v.v)
			c := loginTLS(t, s.Addr, cfg)
			for _, mode := range ftptest.Modes {
				x := c.retr(mode, "f", fresh(cfg))
				if x.code != 522 || !strings.Contains(x.msg, "session reuse required") {
					t.Errorf("%s, fresh TLS session: got %d %q, want 522 (session reuse required)", mode, x.code, x.msg)
				}
				x = c.retr(mode, "f", cfg)
				if x.code != 226 || !x.resumed || string(x.data) != "data" {
					t.Errorf("%s, resumed session: got %d %q, resumed=%v, data %q", mode, x.code, x.msg, x.resumed, x.data)
				}
			}

			s2 := startTLS(t, func(o *ftp.Options) { o.TLS.RequireReuse = false })
			writeFile(t, s2.Root, "f", []byte("data"))
			cfg2 := s2.clientConfig(v.v)
			c2 := loginTLS(t, s2.Addr, cfg2)
			if x := c2.retr(ftptest.EPSV, "f", fresh(cfg2)); x.code != 226 || x.resumed || string(x.data) != "data" {
				t.Errorf("fresh TLS session without RequireReuse: got %d %q, resumed=%v, data %q", x.code, x.msg, x.resumed, x.data)
			}
		})
	}
}

// TestTLSManyDataConnections: a client that resumes with the newest ticket
// (Go's cache keeps one per server name, replaced by every connection's
// ticket) never runs out over many data connections.
func TestTLSManyDataConnections(t *testing.T) {
	t.Parallel()
	for _, v := range tlsVersions {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			s := startTLS(t, nil)
			writeFile(t, s.Root, "f", []byte("data"))
			cfg := s.clientConfig(v.v)
			c := loginTLS(t, s.Addr, cfg)
			for i := range 30 {
				if x := c.retr(ftptest.Modes[i%len(ftptest.Modes)], "f", cfg); x.code != 226 || !x.resumed {
					t.Fatalf("data connection %d: %d %q, resumed=%v", i, x.code, x.msg, x.resumed)
				}
			}
		})
	}
}

// TestTLSOtherSessionsTicket: session A's ticket (taken from A's control
// connection) does not open session B's data connection, though both are
// the same user from the same address.
func TestTLSOtherSessionsTicket(t *testing.T) {
	t.Parallel()
	for _, v := range tlsVersions {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			s := startTLS(t, nil)
			writeFile(t, s.Root, "f", []byte("data"))
			cfgA, cfgB := s.clientConfig(v.v), s.clientConfig(v.v)
			a := loginTLS(t, s.Addr, cfgA) // reading its replies stores A's ticket in cfgA's cache
			b := loginTLS(t, s.Addr, cfgB)
			ticketA, ok := cfgA.ClientSessionCache.Get("localhost")
			if !ok {
				t.Fatal("session A's control connection left no ticket in its cache")
			}
			stolen := cfgB.Clone()
			stolen.ClientSessionCache = tls.NewLRUClientSessionCache(1)
			stolen.ClientSessionCache.Put("localhost", ticketA)
			x := b.retr(ftptest.PASV, "f", stolen)
			if x.code != 522 || x.resumed {
				t.Errorf("B's data connection with A's ticket: got %d %q (resumed=%v), want 522", x.code, x.msg, x.resumed)
			}
			// Both sessions go on with their own tickets.
			for name, c := range map[string]*tconn{"A": a, "B": b} {
				if x := c.retr(ftptest.PASV, "f", c.cfg); x.code != 226 || !x.resumed {
					t.Errorf("session %s with its own ticket: %d %q, resumed=%v", name, x.code, x.msg, x.resumed)
				}
			}
		})
	}
}

// --- Handshakes ----------------------------------------------------------

func TestTLSOldVersionsRefused(t *testing.T) {
	t.Parallel()
	for _, cfgMin := range []uint16{0, tls.VersionTLS12} { // Go's default, and the daemon's
		s := startTLS(t, func(o *ftp.Options) { o.TLS.Config.MinVersion = cfgMin })
		for _, v := range []uint16{tls.VersionTLS10, tls.VersionTLS11} {
			name := fmt.Sprintf("server min %s, client %s", versionName(cfgMin), tls.VersionName(v))
			cfg := s.clientConfig(v)
			c := dialCtrl(t, s.Addr, cfg)
			c.expect(220)
			c.cmd(234, "AUTH TLS")
			if err := c.startTLS(); err == nil {
				t.Errorf("%s: explicit handshake succeeded", name)
				continue
			}
			c.conn = c.raw
			c.expectClosed(5 * time.Second)

			ci := dialCtrl(t, s.implicit, cfg)
			if err := ci.startTLS(); err == nil {
				t.Errorf("%s: implicit handshake succeeded", name)
			}
			ci.conn = ci.raw
			ci.expectClosed(5 * time.Second)
		}
	}
}

func versionName(v uint16) string {
	if v == 0 {
		return "default"
	}
	return tls.VersionName(v)
}

// TestTLSHandshakeTimeout: a handshake that never completes ends at
// HandshakeTimeout: the control connection (explicit and implicit) is
// closed; a data connection is refused with 522 and the session goes on.
func TestTLSHandshakeTimeout(t *testing.T) {
	t.Parallel()
	const timeout = 300 * time.Millisecond
	s := startTLS(t, func(o *ftp.Options) { o.TLS.HandshakeTimeout = timeout })
	writeFile(t, s.Root, "f", []byte("data"))
	cfg := s.clientConfig(tls.VersionTLS13)
	bound := 20 * timeout // generous: a loaded CI machine

	t.Run("explicit", func(t *testing.T) {
		for _, partial := range [][]byte{nil, {0x16, 0x03, 0x01}} {
			c := dialCtrl(t, s.Addr, cfg)
			c.expect(220)
			c.cmd(234, "AUTH TLS")
			c.raw.Write(partial)
			begin := time.Now()
			c.expectClosed(bound)
			if d := time.Since(begin); d < timeout/2 {
				t.Errorf("closed after %v, before the handshake timeout %v", d, timeout)
			}
		}
	})
	t.Run("implicit", func(t *testing.T) {
		c := dialCtrl(t, s.implicit, cfg)
		c.raw.Write([]byte{0x16, 0x03, 0x01}) // a ClientHello that never finishes
		c.expectClosed(bound)
	})
	t.Run("data", func(t *testing.T) {
		c := loginTLS(t, s.Addr, cfg)
		open := c.dataSetup(ftptest.EPSV)
		dc, err := open()
		if err != nil {
			t.Fatal(err)
		}
		defer dc.Close()
		c.cmd(150, "RETR f")
		c.raw.SetReadDeadline(time.Now().Add(bound))
		if code, msg := c.read(); code != 522 {
			t.Fatalf("data connection without a handshake: got %d %q, want 522", code, msg)
		}
		if x := c.retr(ftptest.EPSV, "f", cfg); x.code != 226 {
			t.Errorf("the session after a timed-out data handshake: %d %q", x.code, x.msg)
		}
	})
}

// --- Implicit FTPS -----------------------------------------------------

func TestTLSImplicit(t *testing.T) {
	t.Parallel()
	s := startTLS(t, nil)
	writeFile(t, s.Root, "f", []byte("implicit"))
	cfg := s.clientConfig(tls.VersionTLS13)
	c := dialCtrl(t, s.implicit, cfg)
	if err := c.startTLS(); err != nil {
		t.Fatal(err)
	}
	c.expect(220)
	c.cmd(503, "AUTH TLS")
	c.login()
	c.cmd(200, "PBSZ 0")
	c.cmd(200, "PROT P")
	if x := c.retr(ftptest.PASV, "f", cfg); x.code != 226 || !x.resumed || string(x.data) != "implicit" {
		t.Errorf("implicit RETR: %d %q, resumed=%v, data %q", x.code, x.msg, x.resumed, x.data)
	}
}

// TestTLSImplicitPlaintext: a plain-FTP client on the implicit port gets a
// plaintext 421 that says what to do, then the connection closes.
func TestTLSImplicitPlaintext(t *testing.T) {
	t.Parallel()
	s := startTLS(t, nil)
	for _, line := range []string{"USER alice", "FEAT", "AUTH TLS"} {
		c := dialCtrl(t, s.implicit, nil)
		c.send("%s", line)
		code, msg := c.read()
		if code != 421 || !strings.Contains(msg, "implicit FTPS") || !strings.Contains(msg, "AUTH TLS") {
			t.Errorf("%q on the implicit port: got %d %q, want a plaintext 421 explaining implicit FTPS", line, code, msg)
		}
		c.expectClosed(5 * time.Second)
	}
}

// --- The AUTH / PBSZ / PROT / CCC state machine ---------------------------

func TestTLSCommandStates(t *testing.T) {
	t.Parallel()
	s := startTLS(t, func(o *ftp.Options) { o.TLS.ForceLocalData = false; o.TLS.ForceLocalLogins = false })
	cfg := s.clientConfig(tls.VersionTLS13)

	// Before AUTH.
	c := dialCtrl(t, s.Addr, cfg)
	c.expect(220)
	for _, st := range []struct {
		cmd  string
		code int
	}{
		{"PBSZ 0", 503}, {"PROT P", 503}, {"PROT C", 503}, {"CCC", 533},
		{"AUTH", 501}, {"AUTH KERBEROS_V4", 504}, {"AUTH GSSAPI", 504},
	} {
		if code, msg := c.do("%s", st.cmd); code != st.code {
			t.Errorf("before AUTH: %q: got %d %q, want %d", st.cmd, code, msg, st.code)
		}
	}
	// AUTH TLS, AUTH TLS-C, AUTH SSL and AUTH TLS-P are all accepted.
	for _, mech := range []string{"TLS", "tls", "TLS-C", "SSL", "TLS-P"} {
		c := dialCtrl(t, s.Addr, cfg)
		c.expect(220)
		c.cmd(234, "AUTH %s", mech)
		if err := c.startTLS(); err != nil {
			t.Fatalf("AUTH %s: %v", mech, err)
		}
		c.cmd(503, "AUTH TLS")
		c.cmd(503, "AUTH SSL")
	}
	// After AUTH.
	c = dialExplicit(t, s.Addr, cfg)
	for _, st := range []struct {
		cmd  string
		code int
	}{
		{"PBSZ 0", 200}, {"PBSZ x", 501}, {"PBSZ 1024", 200}, {"PBSZ", 501},
		{"PROT P", 200}, {"PROT p", 200}, {"PROT C", 200}, {"PROT S", 536}, {"PROT E", 536}, {"PROT X", 504},
		{"CCC", 534}, {"AUTH TLS", 503},
	} {
		if code, msg := c.do("%s", st.cmd); code != st.code {
			t.Errorf("after AUTH: %q: got %d %q, want %d", st.cmd, code, msg, st.code)
		}
	}
	if _, msg := c.do("CCC"); !strings.Contains(msg, "encrypted") {
		t.Errorf("CCC refusal %q does not say why", msg)
	}
	c.login() // the session is still good

	// FTPS off: AUTH is not available, PBSZ/PROT/CCC need it.
	plain := start(t, "tcp4", nil)
	p := dialCtrl(t, plain.Addr, nil)
	p.expect(220)
	for _, st := range []struct {
		cmd  string
		code int
	}{{"AUTH TLS", 502}, {"PBSZ 0", 503}, {"PROT P", 503}, {"CCC", 533}} {
		if code, msg := p.do("%s", st.cmd); code != st.code {
			t.Errorf("FTPS off: %q: got %d %q, want %d", st.cmd, code, msg, st.code)
		}
	}
}

// TestTLSAUTHSSLImpliesPROTP: AUTH SSL (old clients) and AUTH TLS-P turn on
// PROT P, as vsftpd does; AUTH TLS leaves PROT C until PROT P.
func TestTLSAUTHSSLImpliesPROTP(t *testing.T) {
	t.Parallel()
	s := startTLS(t, nil)
	writeFile(t, s.Root, "f", []byte("x"))
	cfg := s.clientConfig(tls.VersionTLS13)
	for mech, protected := range map[string]bool{"SSL": true, "TLS-P": true, "TLS": false} {
		c := dialCtrl(t, s.Addr, cfg)
		c.expect(220)
		c.cmd(234, "AUTH %s", mech)
		if err := c.startTLS(); err != nil {
			t.Fatal(err)
		}
		c.login()
		if protected {
			if x := c.retr(ftptest.EPSV, "f", cfg); x.code != 226 {
				t.Errorf("AUTH %s, no PROT: %d %q, want a protected transfer", mech, x.code, x.msg)
			}
			continue
		}
		c.dataSetup(ftptest.EPSV)
		if code, msg := c.do("RETR f"); code != 522 {
			t.Errorf("AUTH %s, no PROT (data must be protected): %d %q, want 522", mech, code, msg)
		}
	}
}

func TestTLSFEAT(t *testing.T) {
	t.Parallel()
	feat := func(addr string, cfg *tls.Config) string {
		c := dialCtrl(t, addr, cfg)
		c.expect(220)
		c.send("FEAT")
		return c.expect(211)
	}
	s := startTLS(t, nil)
	on := feat(s.Addr, nil)
	for _, f := range []string{"AUTH TLS", "PBSZ", "PROT"} {
		if !strings.Contains(on, "\n"+f) && !strings.Contains(on, " "+f) {
			t.Errorf("FEAT with FTPS on does not list %s:\n%s", f, on)
		}
	}
	plain := start(t, "tcp4", nil)
	off := feat(plain.Addr, nil)
	for _, f := range []string{"AUTH", "PBSZ", "PROT"} {
		if strings.Contains(off, f) {
			t.Errorf("FEAT with FTPS off lists %s:\n%s", f, off)
		}
	}
}

// --- strict_ssl_read_eof -----------------------------------------------------

// TestTLSUploadWithoutCloseNotify: an upload whose TLS data connection
// ends without close_notify (the raw TCP connection closed under the
// client's TLS) is reported truncated and not stored when StrictReadEOF
// is on, and stored when it is off. A clean TLS close is stored either way.
func TestTLSUploadWithoutCloseNotify(t *testing.T) {
	t.Parallel()
	payload := bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB
	hangup := func(_ *tls.Conn, raw net.Conn) { raw.Close() }
	for _, strict := range []bool{true, false} {
		t.Run(fmt.Sprintf("strict=%v", strict), func(t *testing.T) {
			t.Parallel()
			s := startTLS(t, func(o *ftp.Options) { o.TLS.StrictReadEOF = strict })
			for _, v := range tlsVersions {
				cfg := s.clientConfig(v.v)
				c := loginTLS(t, s.Addr, cfg)
				name := "cut-" + v.name
				x := c.transfer(ftptest.EPSV, "STOR "+name, cfg, payload, hangup)
				_, statErr := os.Stat(filepath.Join(s.Root, name))
				switch {
				case strict && (x.code != 426 || !strings.Contains(x.msg, "close_notify")):
					t.Errorf("%s: got %d %q, want 426 naming the missing close_notify", v.name, x.code, x.msg)
				case strict && statErr == nil:
					t.Errorf("%s: the truncated upload was stored", v.name)
				case !strict && x.code != 226:
					t.Errorf("%s: got %d %q, want 226", v.name, x.code, x.msg)
				case !strict:
					sameBytes(t, v.name+" stored upload", readFile(t, s.Root, name), payload)
				}
				x = c.transfer(ftptest.EPSV, "STOR clean-"+v.name, cfg, payload, nil)
				if x.code != 226 {
					t.Errorf("%s: upload ended by close_notify: %d %q", v.name, x.code, x.msg)
				} else {
					sameBytes(t, v.name+" clean upload", readFile(t, s.Root, "clean-"+v.name), payload)
				}
			}
		})
	}
}

// --- A model of the FTPS commands, for fuzzing ------------------------------

// tlsModel predicts the server's reply to the FTPS and login commands on
// a server with ForceLocalLogins and ForceLocalData.
type tlsModel struct {
	tlsOn, pending, loggedIn bool
}

var tlsModelCmds = []string{
	"AUTH TLS", "AUTH SSL", "AUTH XYZ", "PBSZ 0", "PBSZ x", "PROT P", "PROT C", "PROT S", "PROT Q",
	"CCC", "USER " + ftptest.User, "PASS " + ftptest.Pass, "NOOP", "REIN",
}

func (m *tlsModel) step(cmd string) int {
	onTLS := func(code int) int {
		if m.tlsOn {
			return code
		}
		return 503
	}
	switch cmd {
	case "AUTH TLS", "AUTH SSL":
		if m.tlsOn {
			return 503
		}
		m.tlsOn, m.pending = true, false
		return 234
	case "AUTH XYZ":
		if m.tlsOn {
			return 503
		}
		return 504
	case "PBSZ 0", "PROT P":
		return onTLS(200)
	case "PBSZ x":
		return onTLS(501)
	case "PROT C", "PROT S":
		return onTLS(536) // PROT C: data must be protected
	case "PROT Q":
		return onTLS(504)
	case "CCC":
		if m.tlsOn {
			return 534
		}
		return 533
	case "USER " + ftptest.User:
		switch {
		case m.loggedIn, !m.tlsOn:
			m.pending = false
			return 530
		}
		m.pending = true
		return 331
	case "PASS " + ftptest.Pass:
		switch {
		case m.loggedIn:
			return 230
		case !m.pending:
			return 503
		}
		m.pending, m.loggedIn = false, true
		return 230
	case "REIN":
		m.pending, m.loggedIn = false, false
		return 220
	}
	return 200 // NOOP
}

// FuzzTLSCommands drives sequences of AUTH, PBSZ, PROT, CCC, USER, PASS
// and REIN (each input byte picks one) and checks every reply against
// tlsModel; after a 234 the client does the handshake.
func FuzzTLSCommands(f *testing.F) {
	for _, seed := range [][]byte{
		{}, {0, 3, 5, 10, 11}, {3, 5, 6, 9, 10, 0, 0, 10, 11, 6, 13, 11}, {1, 1, 2, 4, 7, 8, 9},
		{2, 10, 11, 0, 10, 11, 13, 10, 11, 12}, {12, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0},
	} {
		f.Add(seed)
	}
	// The server must not log through f (t.Log is not allowed there).
	srv := startTLS(f, func(o *ftp.Options) { o.Logger = slog.New(slog.DiscardHandler) })
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 40 {
			ops = ops[:40]
		}
		c := dialCtrl(t, srv.Addr, srv.clientConfig(tls.VersionTLS13))
		c.raw.(*net.TCPConn).SetLinger(0) // no TIME_WAIT: fuzzing opens thousands of connections
		c.expect(220)
		var m tlsModel
		for _, op := range ops {
			cmd := tlsModelCmds[int(op)%len(tlsModelCmds)]
			want := m.step(cmd)
			code, msg := c.do("%s", cmd)
			if code != want {
				t.Fatalf("%q: got %d %q, want %d (model %+v, ops %v)", cmd, code, msg, want, m, ops)
			}
			if code == 234 {
				if err := c.startTLS(); err != nil {
					t.Fatalf("handshake after %q: %v", cmd, err)
				}
			}
		}
	})
}

// BenchmarkFTPSTransfer measures the engine's protected RETR and STOR
// throughput over loopback with a Go client (which shares the CPU):
//
//	go test -run XXX -bench FTPSTransfer ./internal/ftp
func BenchmarkFTPSTransfer(b *testing.B) {
	const size = 64 << 20
	payload := bytes.Repeat([]byte("wharf ftps bench"), size/16)
	for _, v := range tlsVersions {
		s := startTLS(b, func(o *ftp.Options) {
			o.Logger = slog.New(slog.DiscardHandler)
			o.LogTransfers = false
			o.LogProtocol = false
		})
		if err := os.WriteFile(filepath.Join(s.Root, "big"), payload, 0o644); err != nil {
			b.Fatal(err)
		}
		cfg := s.clientConfig(v.v)
		c := loginTLS(b, s.Addr, cfg)
		c.sink = io.Discard
		b.Run("RETR/"+v.name, func(b *testing.B) {
			b.SetBytes(size)
			for b.Loop() {
				if x := c.retr(ftptest.EPSV, "big", cfg); x.code != 226 || x.n != size {
					b.Fatalf("RETR: %d %q, %d bytes", x.code, x.msg, x.n)
				}
			}
		})
		b.Run("STOR/"+v.name, func(b *testing.B) {
			b.SetBytes(size)
			for b.Loop() {
				if x := c.transfer(ftptest.EPSV, "STOR up", cfg, payload, nil); x.code != 226 {
					b.Fatalf("STOR: %d %q", x.code, x.msg)
				}
			}
		})
	}
}

// TestTLSSlowUploadOfFullRecords: the records a TLS upload's Read gathers
// after the first each get the data timeout afresh: a client that sends
// full 16 KiB records, each well within the timeout but all of them
// together not, is not cut off.
func TestTLSSlowUploadOfFullRecords(t *testing.T) {
	t.Parallel()
	const timeout, pace, records = time.Second, 300 * time.Millisecond, 8
	s := startTLS(t, func(o *ftp.Options) { o.DataTimeout = timeout })
	cfg := s.clientConfig(tls.VersionTLS13)
	cfg.DynamicRecordSizingDisabled = true // full records from the first byte
	c := loginTLS(t, s.Addr, cfg)
	record := bytes.Repeat([]byte{'r'}, 16<<10)
	x := c.transfer(ftptest.EPSV, "STOR slow", cfg, []byte{}, func(tc *tls.Conn, _ net.Conn) {
		tc.SetDeadline(time.Now().Add(ftptest.ReplyTimeout))
		for range records {
			tc.Write(record)
			time.Sleep(pace) // a slow client, not synchronisation
		}
		tc.Close()
	})
	if x.code != 226 {
		t.Fatalf("upload of %d full records %v apart with a %v data timeout: %d %q", records, pace, timeout, x.code, x.msg)
	}
	sameBytes(t, "slow upload", readFile(t, s.Root, "slow"), bytes.Repeat(record, records))
}
