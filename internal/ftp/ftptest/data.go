package ftptest

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/netip"
	"time"

	"wharf/internal/ftp/wire"
)

// Mode is how a data connection is set up.
type Mode string

// The four data-connection modes.
const (
	PASV Mode = "PASV"
	EPSV Mode = "EPSV"
	PORT Mode = "PORT"
	EPRT Mode = "EPRT"
)

// Modes lists every mode, for test matrices.
var Modes = []Mode{PASV, EPSV, PORT, EPRT}

// Data is a data connection being set up: dialled already (passive) or a
// listener waiting for the server (active).
type Data struct {
	conn net.Conn
	l    *net.TCPListener
}

// Open returns the data connection: the dialled one, or the server's
// connection accepted from the listener.
func (d *Data) Open() (net.Conn, error) {
	if d.conn != nil {
		return d.conn, nil
	}
	defer d.l.Close()
	d.l.SetDeadline(time.Now().Add(ReplyTimeout))
	return d.l.Accept()
}

// Close releases whatever Open would have returned.
func (d *Data) Close() {
	if d.conn != nil {
		d.conn.Close()
	}
	if d.l != nil {
		d.l.Close()
	}
}

// Data sends the mode's command and prepares the data connection. It
// returns an error carrying the reply when the server refuses.
func (c *Conn) Data(mode Mode) (*Data, error) {
	c.t.Helper()
	switch mode {
	case PASV, EPSV:
		ap, err := c.Passive(mode)
		if err != nil {
			return nil, err
		}
		conn, err := net.DialTimeout("tcp", ap.String(), ReplyTimeout)
		if err != nil {
			return nil, err
		}
		return &Data{conn: conn}, nil
	case PORT, EPRT:
		return c.active(mode)
	}
	return nil, fmt.Errorf("unknown mode %q", mode)
}

// Passive sends PASV or EPSV and returns the address to connect to: the
// one PASV announced, or the control connection's server address with the
// port EPSV gave.
func (c *Conn) Passive(mode Mode) (netip.AddrPort, error) {
	c.t.Helper()
	code, msg := c.Do("%s", mode)
	if mode == PASV {
		if code != 227 {
			return netip.AddrPort{}, fmt.Errorf("PASV: %d %s", code, msg)
		}
		return wire.ParsePASVReply(msg)
	}
	if code != 229 {
		return netip.AddrPort{}, fmt.Errorf("EPSV: %d %s", code, msg)
	}
	port, err := wire.ParseEPSVReply(msg)
	if err != nil {
		return netip.AddrPort{}, err
	}
	return netip.AddrPortFrom(c.ServerIP(), port), nil
}

// ServerIP is the server's address on the control connection.
func (c *Conn) ServerIP() netip.Addr {
	return c.C.RemoteAddr().(*net.TCPAddr).AddrPort().Addr().Unmap()
}

// ClientIP is our address on the control connection.
func (c *Conn) ClientIP() netip.Addr {
	return c.C.LocalAddr().(*net.TCPAddr).AddrPort().Addr().Unmap()
}

// active listens on our control-connection address and sends PORT or EPRT.
func (c *Conn) active(mode Mode) (*Data, error) {
	c.t.Helper()
	ip := c.ClientIP()
	l, err := net.ListenTCP("tcp", net.TCPAddrFromAddrPort(netip.AddrPortFrom(ip, 0)))
	if err != nil {
		return nil, err
	}
	ap := l.Addr().(*net.TCPAddr).AddrPort()
	ap = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	arg := wire.FormatEPRT(ap)
	if mode == PORT {
		arg, err = wire.FormatPASV(ap) // PORT's argument has PASV's form
		if err != nil {
			l.Close()
			return nil, err
		}
	}
	if code, msg := c.Do("%s %s", mode, arg); code != 200 {
		l.Close()
		return nil, fmt.Errorf("%s: %d %s", mode, code, msg)
	}
	return &Data{l: l}, nil
}

// Transfer runs one data command (RETR, STOR, LIST, ...) in mode: it sets
// up the data connection, sends cmd, expects 150, sends upload (when not
// nil) or reads everything, and expects 226. It returns the 150 text and
// the downloaded bytes.
func (c *Conn) Transfer(mode Mode, cmd string, upload io.Reader) (opening string, got []byte) {
	c.t.Helper()
	d, err := c.Data(mode)
	if err != nil {
		c.t.Fatalf("%s: %v", mode, err)
	}
	defer d.Close()
	c.Send("%s", cmd)
	code, opening := c.Read()
	if code != 150 {
		c.t.Fatalf("%s (%s): got %d %q, want 150", cmd, mode, code, opening)
	}
	dc, err := d.Open()
	if err != nil {
		c.t.Fatalf("%s (%s): opening the data connection: %v", cmd, mode, err)
	}
	got, err = moveData(dc, upload)
	if err != nil {
		c.t.Fatalf("%s (%s): data: %v", cmd, mode, err)
	}
	c.Expect(226)
	return opening, got
}

func moveData(dc net.Conn, upload io.Reader) ([]byte, error) {
	defer dc.Close()
	dc.SetDeadline(time.Now().Add(4 * ReplyTimeout))
	if upload != nil {
		_, err := io.Copy(dc, upload)
		return nil, err
	}
	return io.ReadAll(dc)
}

// Retr downloads name in mode.
func (c *Conn) Retr(mode Mode, name string) []byte {
	c.t.Helper()
	_, got := c.Transfer(mode, "RETR "+name, nil)
	return got
}

// Stor uploads data as name in mode with verb (STOR, APPE, STOU).
func (c *Conn) Stor(mode Mode, verb, name string, data []byte) string {
	c.t.Helper()
	opening, _ := c.Transfer(mode, verb+" "+name, bytes.NewReader(data))
	return opening
}
