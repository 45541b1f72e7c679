package ftp

import (
	"bufio"
	"crypto/rand"
	"crypto/tls"
	"io"
	"net"
	"strings"
	"time"
)

// TLSOptions configure FTPS (RFC 4217). A nil Config turns FTPS off.
type TLSOptions struct {
	// Config is the base server config (certificates, versions, suites,
	// client certificates). Each session gets a clone with its own ticket
	// key, which binds TLS session tickets to that control session.
	Config *tls.Config

	ForceLocalLogins bool // force_local_logins_ssl
	ForceLocalData   bool // force_local_data_ssl
	ForceAnonLogins  bool // force_anon_logins_ssl
	ForceAnonData    bool // force_anon_data_ssl
	AllowAnon        bool // allow_anon_ssl
	// RequireReuse refuses a protected data connection that does not resume
	// the control connection's TLS session (require_ssl_reuse): otherwise
	// anyone who wins the race to the passive port could take the data.
	RequireReuse bool
	// StrictReadEOF reports an upload that ended without the client's TLS
	// close_notify as truncated (strict_ssl_read_eof).
	StrictReadEOF bool
	// HandshakeTimeout bounds each TLS handshake (default 30s).
	HandshakeTimeout time.Duration
}

// sessionTLSConfig clones the base config with a fresh ticket key. A
// ticket issued on this control connection can only be redeemed by this
// session's data connections; another session's ticket does not decrypt,
// so its handshake is a full one and RequireReuse refuses it.
func sessionTLSConfig(base *tls.Config) *tls.Config {
	cfg := base.Clone()
	var key [32]byte
	rand.Read(key[:])
	cfg.SetSessionTicketKeys([][32]byte{key})
	return cfg
}

func (s *session) tlsEnabled() bool { return s.tlsCfg != nil }

// cmdAUTH upgrades the control connection (AUTH TLS; AUTH SSL, which old
// clients send, also turns on PROT P as vsftpd does).
func (s *session) cmdAUTH(arg string) error {
	mech := strings.ToUpper(arg)
	switch {
	case !s.tlsEnabled():
		return reply(502, "AUTH not available: FTPS is not enabled on this server (ssl_enable=NO).")
	case s.tlsOn:
		return reply(503, "Already using TLS.")
	case mech != "TLS" && mech != "TLS-C" && mech != "SSL" && mech != "TLS-P":
		return reply(504, "Unknown AUTH type: use AUTH TLS.")
	}
	s.reply(234, "Proceed with negotiation.")
	if s.br.Buffered() > 0 {
		s.log.Warn("client sent data after AUTH before the TLS handshake; closing")
		s.quit = true
		return nil
	}
	if err := s.handshakeControl(); err != nil {
		s.log.Warn("TLS handshake on the control connection failed", "err", err)
		s.quit = true
		return nil
	}
	s.pendingUsr = ""
	s.protP = mech == "SSL" || mech == "TLS-P"
	return nil
}

// handshakeControl runs the server handshake on the control connection and
// swaps the session's reader and writer onto TLS. The handshake reads
// through the old reader, which may hold the ClientHello's first bytes
// (implicit FTPS peeks at them).
func (s *session) handshakeControl() error {
	tc := tls.Server(&bufferedConn{Conn: s.conn, r: s.br}, s.tlsCfg)
	tc.SetDeadline(time.Now().Add(s.opts.TLS.HandshakeTimeout))
	if err := tc.Handshake(); err != nil {
		return err
	}
	tc.SetDeadline(time.Time{})
	s.wmu.Lock()
	s.conn = tc
	s.wmu.Unlock()
	s.setControlReader(tc)
	s.tlsOn = true
	st := tc.ConnectionState()
	s.log.Info("control connection secured", "tls", tls.VersionName(st.Version), "cipher", tls.CipherSuiteName(st.CipherSuite))
	return nil
}

func (s *session) cmdPBSZ(arg string) error {
	if !s.tlsOn {
		return reply(503, "PBSZ needs a secure control connection: send AUTH TLS first.")
	}
	for _, c := range arg {
		if c < '0' || c > '9' {
			return reply(501, "PBSZ takes a number (use PBSZ 0).")
		}
	}
	s.pbsz = true
	s.reply(200, "PBSZ=0")
	return nil
}

func (s *session) cmdPROT(arg string) error {
	if !s.tlsOn {
		return reply(503, "PROT needs a secure control connection: send AUTH TLS first.")
	}
	switch strings.ToUpper(arg) {
	case "P":
		s.protP = true
		s.reply(200, "PROT now Private.")
	case "C":
		if s.mustProtectData() {
			return reply(536, "PROT C refused: this server requires encrypted data connections (PROT P).")
		}
		s.protP = false
		s.reply(200, "PROT now Clear.")
	case "S", "E":
		return reply(536, "PROT S and E are not supported: use PROT P (or C).")
	default:
		return reply(504, "Unknown PROT level: use PROT P or PROT C.")
	}
	return nil
}

// cmdCCC refuses to drop TLS: after CCC every later command, the password
// of a REIN login included, would travel in clear text.
func (s *session) cmdCCC(string) error {
	if !s.tlsOn {
		return reply(533, "CCC needs a secure control connection.")
	}
	return reply(534, "CCC refused: Wharf keeps the control connection encrypted. Open the passive range in the firewall instead.")
}

// loginNeedsTLS says whether USER name must wait for AUTH TLS, and the
// refusal to send.
func (s *session) loginNeedsTLS(anonymous bool) *Reply {
	t := s.opts.TLS
	switch {
	case s.tlsOn && anonymous && !t.AllowAnon:
		return reply(530, "Anonymous sessions may not use encryption.")
	case s.tlsOn:
		return nil
	case anonymous && t.ForceAnonLogins && s.tlsEnabled():
		return reply(530, "Anonymous sessions must use encryption: send AUTH TLS first.")
	case !anonymous && t.ForceLocalLogins && s.tlsEnabled():
		return reply(530, "Non-anonymous sessions must use encryption: send AUTH TLS first, then USER and PASS.")
	}
	return nil
}

func (s *session) mustProtectData() bool {
	if s.ident == nil {
		return s.opts.TLS.ForceLocalData
	}
	if s.ident.Anonymous {
		return s.opts.TLS.ForceAnonData
	}
	return s.opts.TLS.ForceLocalData
}

// protectData runs the TLS handshake on a data connection and enforces
// session reuse. The client is always the TLS client, in active mode too.
func (s *session) protectData(raw net.Conn) (net.Conn, *Reply) {
	ec := &eofConn{Conn: raw}
	tc := tls.Server(ec, s.tlsCfg)
	tc.SetDeadline(time.Now().Add(s.opts.TLS.HandshakeTimeout))
	if err := tc.Handshake(); err != nil {
		raw.Close()
		s.log.Warn("TLS handshake on the data connection failed", "err", err)
		return nil, reply(522, "TLS negotiation on the data connection failed.")
	}
	tc.SetDeadline(time.Time{})
	if s.opts.TLS.RequireReuse && !tc.ConnectionState().DidResume {
		// A clean TLS close (close_notify): the client reads an empty
		// data connection and then the 522 on the control connection,
		// instead of a TLS error that hides it.
		tc.Close()
		s.log.Warn("data connection refused: it did not resume the control connection's TLS session (require_ssl_reuse=YES)")
		return nil, reply(522, "SSL connection failed: session reuse required. Your client must resume the control connection's TLS session on data connections (or the administrator can set require_ssl_reuse=NO).")
	}
	return &tlsData{Conn: tc, raw: ec}, nil
}

// eofConn notes whether the raw connection reached EOF. After a TLS
// close_notify the TLS layer stops reading, so a raw EOF means the client
// closed without one: a possibly truncated upload.
type eofConn struct {
	net.Conn
	sawEOF bool
}

func (c *eofConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if err == io.EOF {
		c.sawEOF = true
	}
	return n, err
}

// tlsData is a protected data connection. crypto/tls returns one record
// (at most 16 KiB) per Read; copyBuffered's fill gathers them for the file.
type tlsData struct {
	*tls.Conn
	raw     *eofConn
	readEOF bool // the client has finished sending (an upload is complete)
}

func (d *tlsData) Read(p []byte) (int, error) {
	n, err := d.Conn.Read(p)
	if err == io.EOF {
		d.readEOF = true
	}
	return n, err
}

// Close sends close_notify and closes the connection. After an upload has
// been read to its end, failing to send our close_notify (the client may
// have closed already, and a reset can beat our alert) does not make the
// upload fail.
func (d *tlsData) Close() error {
	err := d.Conn.Close()
	if d.readEOF {
		return nil
	}
	return err
}

// endedWithoutCloseNotify reports a TLS upload whose sender skipped the
// close_notify alert.
func endedWithoutCloseNotify(c net.Conn) bool {
	td, ok := c.(*tlsData)
	return ok && td.raw.sawEOF
}

// implicitHelloWait is how long the implicit-FTPS port waits for a
// ClientHello before answering a plain-FTP client in plain text.
const implicitHelloWait = 3 * time.Second

// bufferedConn reads through a bufio.Reader that already holds bytes of
// the connection.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// startImplicitTLS begins a session on the implicit-FTPS port: the client
// must open with a TLS handshake. A plain-FTP client (which waits for a
// banner, or sends a command) gets a plaintext 421 that says what to do.
func (s *session) startImplicitTLS() bool {
	// A TLS client sends its ClientHello right after connecting; a plain
	// FTP client sends nothing and waits for a banner.
	s.raw.SetReadDeadline(time.Now().Add(implicitHelloWait))
	b, err := s.br.Peek(1)
	if err != nil || b[0] != 0x16 { // 0x16: a TLS handshake record
		s.reply(421, "This port speaks implicit FTPS (TLS from the first byte): connect with ftps://, or use plain FTP with AUTH TLS on the control port.")
		s.log.Info("plain-text client on the implicit FTPS port refused")
		return false
	}
	if err := s.handshakeControl(); err != nil {
		s.log.Warn("implicit FTPS handshake failed", "err", err)
		return false
	}
	return true
}
