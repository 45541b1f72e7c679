package ftpsinterop

import (
	"crypto/tls"
	"io"
	"net"
	"net/netip"
	"net/textproto"
	"strconv"
	"testing"
	"time"

	"wharf/internal/ftp/wire"
)

// goFTPS is a small FTPS client on crypto/tls for the tests that need to
// look at the TLS layer (certificates, resumption): control connection
// explicit or implicit, EPSV data connections resuming the control
// session through cfg's session cache.
type goFTPS struct {
	t   testing.TB
	raw net.Conn
	tc  *tls.Conn
	tp  *textproto.Conn
	cfg *tls.Config
}

const goTimeout = 20 * time.Second

// goConfig trusts the test CA (and extra CAs), names 127.0.0.1, offers
// only version v, and has its own session cache.
func goConfig(v uint16) *tls.Config {
	return &tls.Config{
		RootCAs: pki.Pool, ServerName: host, MinVersion: v, MaxVersion: v,
		ClientSessionCache: tls.NewLRUClientSessionCache(4),
	}
}

// dialGo connects (implicit: TLS first; explicit: 220, AUTH TLS, TLS)
// and returns the client once the 220 greeting is read. A TLS failure is
// returned, not fatal.
func dialGo(t testing.TB, addr string, implicit bool, cfg *tls.Config) (*goFTPS, error) {
	t.Helper()
	raw, err := net.DialTimeout("tcp", addr, goTimeout)
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { raw.Close() })
	raw.SetDeadline(time.Now().Add(goTimeout))
	c := &goFTPS{t: t, raw: raw, cfg: cfg}
	if !implicit {
		tp := textproto.NewConn(raw)
		if _, _, err := tp.ReadResponse(220); err != nil {
			return nil, err
		}
		if err := tp.PrintfLine("AUTH TLS"); err != nil {
			return nil, err
		}
		if _, _, err := tp.ReadResponse(234); err != nil {
			return nil, err
		}
	}
	c.tc = tls.Client(raw, cfg)
	if err := c.tc.Handshake(); err != nil {
		return nil, err
	}
	c.tp = textproto.NewConn(c.tc)
	if implicit {
		if _, _, err := c.tp.ReadResponse(220); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// cmdErr sends a command and reads the reply, expecting code.
func (c *goFTPS) cmdErr(code int, format string, args ...any) (string, error) {
	c.raw.SetDeadline(time.Now().Add(goTimeout))
	if err := c.tp.PrintfLine(format, args...); err != nil {
		return "", err
	}
	_, msg, err := c.tp.ReadResponse(code)
	return msg, err
}

func (c *goFTPS) cmd(code int, format string, args ...any) string {
	c.t.Helper()
	msg, err := c.cmdErr(code, format, args...)
	if err != nil {
		c.t.Fatalf("%s: %v", format, err)
	}
	return msg
}

// login sends USER, PASS, PBSZ 0 and PROT P; the first error is returned.
func (c *goFTPS) login(user, pass string) error {
	if _, err := c.cmdErr(331, "USER %s", user); err != nil {
		return err
	}
	if _, err := c.cmdErr(230, "PASS %s", pass); err != nil {
		return err
	}
	if _, err := c.cmdErr(200, "PBSZ 0"); err != nil {
		return err
	}
	_, err := c.cmdErr(200, "PROT P")
	return err
}

// transfer runs RETR (upload nil) or STOR over an EPSV data connection
// and returns the downloaded bytes and whether the data handshake resumed.
func (c *goFTPS) transfer(cmd string, upload []byte) (data []byte, resumed bool, err error) {
	msg, err := c.cmdErr(229, "EPSV")
	if err != nil {
		return nil, false, err
	}
	port, err := wire.ParseEPSVReply(msg)
	if err != nil {
		return nil, false, err
	}
	ap := netip.AddrPortFrom(netip.MustParseAddr(host), port)
	raw, err := net.DialTimeout("tcp", ap.String(), goTimeout)
	if err != nil {
		return nil, false, err
	}
	defer raw.Close()
	if _, err := c.cmdErr(150, "%s", cmd); err != nil {
		return nil, false, err
	}
	raw.SetDeadline(time.Now().Add(goTimeout))
	dc := tls.Client(raw, c.cfg)
	if err := dc.Handshake(); err != nil {
		return nil, false, err
	}
	resumed = dc.ConnectionState().DidResume
	if upload != nil {
		_, err = dc.Write(upload)
	} else {
		data, err = io.ReadAll(dc)
	}
	if cerr := dc.Close(); err == nil && cerr != nil && upload != nil {
		err = cerr
	}
	if err != nil {
		return nil, resumed, err
	}
	c.raw.SetDeadline(time.Now().Add(goTimeout))
	_, _, err = c.tp.ReadResponse(226)
	return data, resumed, err
}

// mustTransfer is transfer that fails the test unless the data handshake
// resumed and the transfer completed.
func (c *goFTPS) mustTransfer(cmd string, upload []byte) []byte {
	c.t.Helper()
	data, resumed, err := c.transfer(cmd, upload)
	if err != nil {
		c.t.Fatalf("%s: %v", cmd, err)
	}
	if !resumed {
		c.t.Fatalf("%s: the data connection did not resume the control session", cmd)
	}
	return data
}

func addr(port int) string { return net.JoinHostPort(host, strconv.Itoa(port)) }
