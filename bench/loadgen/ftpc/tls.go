package ftpc

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// Explicit FTPS (RFC 4217): AUTH TLS turns the control connection into a
// TLS client connection; PBSZ 0 and PROT P make every later data
// connection a TLS client connection too.
//
// Session reuse: servers that require it (vsftpd's require_ssl_reuse,
// ProFTPD's default, Wharf's default) accept a protected data connection
// only if its handshake resumes the TLS session of the control connection
// it belongs to. Each Conn therefore has its own tls.ClientSessionCache,
// filled by the tickets the server sends on the control connection (TLS
// 1.3 NewSessionTicket, or a TLS 1.2 ticket), and every data connection
// uses the same cache key (the config's ServerName) so that it presents
// that ticket. Sharing one cache between control connections would present
// one session's ticket on another session's data connection, which those
// servers refuse. A server may send a fresh ticket on a data connection;
// it replaces the older one in the same per-connection cache, as it would
// in curl or lftp.

// tlsState is a Conn's FTPS state and its counters.
type tlsState struct {
	cfg   *tls.Config // the control connection's config (own session cache)
	protP bool        // PROT P accepted: data connections are TLS
	stats TLSStats
}

// TLSStats counts the TLS handshakes of one Conn.
type TLSStats struct {
	// Version, CipherSuite and key-exchange group of the control
	// connection (0 before AUTH TLS).
	Version     uint16
	CipherSuite uint16
	Group       tls.CurveID
	// ControlResumed: the control connection's handshake resumed a session
	// (never, with a fresh per-connection cache).
	ControlResumed bool
	// DataConns counts data-connection handshakes that completed,
	// DataResumed those of them that resumed a session, DataFailed those
	// that failed.
	DataConns, DataResumed, DataFailed int
	// DataVersion is the version of the last data connection.
	DataVersion uint16
}

// Handshakes is the number of completed TLS handshakes, control and data.
func (s TLSStats) Handshakes() int {
	n := s.DataConns
	if s.Version != 0 {
		n++
	}
	return n
}

// Describe is e.g. "TLS 1.3 TLS_AES_128_GCM_SHA256 P256" ("" before AUTH
// TLS).
func (s TLSStats) Describe() string {
	if s.Version == 0 {
		return ""
	}
	d := tls.VersionName(s.Version) + " " + tls.CipherSuiteName(s.CipherSuite)
	if s.Group != 0 {
		d += " " + s.Group.String()
	}
	return d
}

// TLSStats returns the connection's TLS counters so far.
func (c *Conn) TLSStats() TLSStats { return c.tls.stats }

// AuthTLS sends AUTH TLS and, on 234, runs the TLS handshake on the control
// connection. cfg may be shared between connections: AuthTLS clones it and
// gives the clone a session cache of its own. cfg.ServerName must be set
// (it is the cache key that data connections look their session up by,
// and it is checked against the certificate unless InsecureSkipVerify).
func (c *Conn) AuthTLS(cfg *tls.Config) error {
	if c.tls.cfg != nil {
		return fmt.Errorf("AUTH: TLS is already on")
	}
	if cfg.ServerName == "" {
		return fmt.Errorf("AUTH: tls.Config.ServerName is empty (the session cache key)")
	}
	if _, _, err := c.Cmd("AUTH", "TLS", 234); err != nil {
		return err
	}
	if c.br.Buffered() > 0 {
		// Anything after the 234 line was sent in clear text, before the
		// handshake: TLS would never see it.
		return fmt.Errorf("AUTH: %d bytes of clear text followed 234", c.br.Buffered())
	}
	own := cfg.Clone()
	own.ClientSessionCache = tls.NewLRUClientSessionCache(4)
	tc := tls.Client(c.raw, own)
	tc.SetDeadline(time.Now().Add(c.timeout))
	if err := tc.Handshake(); err != nil {
		return fmt.Errorf("AUTH: TLS handshake: %w", err)
	}
	tc.SetDeadline(time.Time{})
	st := tc.ConnectionState()
	c.tls.cfg = own
	c.tls.stats.Version, c.tls.stats.CipherSuite, c.tls.stats.Group = st.Version, st.CipherSuite, st.CurveID
	c.tls.stats.ControlResumed = st.DidResume
	c.ctrl = tc
	c.br.Reset(tc)
	return nil
}

// ProtP sends PBSZ 0 and PROT P: from now on data connections are TLS.
func (c *Conn) ProtP() error {
	if c.tls.cfg == nil {
		return fmt.Errorf("PROT: no AUTH TLS yet")
	}
	if _, _, err := c.Cmd("PBSZ", "0", 200); err != nil {
		return err
	}
	if _, _, err := c.Cmd("PROT", "P", 200); err != nil {
		return err
	}
	c.tls.protP = true
	return nil
}

// dataHandshake runs the TLS client handshake on a data connection with
// the control connection's config, so that it can resume that session, and
// counts it. On failure the connection is closed.
func (c *Conn) dataHandshake(data *net.TCPConn) (*tls.Conn, error) {
	tc := tls.Client(data, c.tls.cfg)
	tc.SetDeadline(time.Now().Add(c.timeout))
	if err := tc.Handshake(); err != nil {
		c.tls.stats.DataFailed++
		data.Close()
		return nil, fmt.Errorf("data connection TLS handshake: %w", err)
	}
	tc.SetDeadline(time.Time{})
	st := tc.ConnectionState()
	c.tls.stats.DataConns++
	c.tls.stats.DataVersion = st.Version
	if st.DidResume {
		c.tls.stats.DataResumed++
	}
	return tc, nil
}

// endUpload ends a TLS upload the way the server can rely on: close_notify,
// then a TCP FIN, then read until the server closes. Closing at once would
// be wrong: a TLS 1.3 server sends session tickets on the data connection,
// which an upload never reads, and closing a socket with unread data makes
// the kernel send a reset instead of a FIN, which can destroy the end of
// the upload still queued at the server (vsftpd then answers 426, and a
// server that does not check may keep a truncated file).
func endUpload(tc *tls.Conn, timeout time.Duration) error {
	if err := tc.CloseWrite(); err != nil {
		return err
	}
	if tcp, ok := tc.NetConn().(*net.TCPConn); ok {
		if err := tcp.CloseWrite(); err != nil {
			return err
		}
	}
	tc.SetReadDeadline(time.Now().Add(timeout))
	_, err := io.Copy(io.Discard, tc)
	if err != nil && !errors.Is(err, net.ErrClosed) {
		// A server that resets after our FIN still has every byte: the FIN
		// came after them. Only a timeout is worth reporting.
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return fmt.Errorf("waiting for the server to close the data connection: %w", err)
		}
	}
	return nil
}
