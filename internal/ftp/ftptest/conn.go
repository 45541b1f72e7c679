package ftptest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"wharf/internal/ftp/wire"
)

// ReplyTimeout bounds every wait for a reply, so a server that never
// answers fails the test instead of hanging it.
const ReplyTimeout = 15 * time.Second

// Conn is a raw control connection. Methods that fail the test must be
// called from the test goroutine; the *Err variants are safe anywhere.
type Conn struct {
	t  testing.TB
	C  net.Conn
	br *bufio.Reader
}

// Dial connects to addr and reads the 220 greeting.
func Dial(t testing.TB, addr string) *Conn {
	t.Helper()
	c := DialNoGreeting(t, addr, nil)
	c.Expect(220)
	return c
}

// DialNoGreeting connects to addr, from local when it is not nil, without
// reading anything. Cleanup closes the connection.
func DialNoGreeting(t testing.TB, addr string, local net.Addr) *Conn {
	t.Helper()
	d := net.Dialer{Timeout: ReplyTimeout, LocalAddr: local}
	nc, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { nc.Close() })
	return &Conn{t: t, C: nc, br: bufio.NewReader(nc)}
}

// Login dials addr and logs in as User.
func Login(t testing.TB, addr string) *Conn {
	t.Helper()
	c := Dial(t, addr)
	c.Login(User, Pass)
	return c
}

// Login sends USER and PASS and expects 230.
func (c *Conn) Login(user, pass string) {
	c.t.Helper()
	c.Cmd(331, "USER %s", user)
	c.Cmd(230, "PASS %s", pass)
}

// Send writes one command line, adding CRLF.
func (c *Conn) Send(format string, args ...any) {
	c.t.Helper()
	if err := c.SendErr(format, args...); err != nil {
		c.t.Fatalf("send %q: %v", fmt.Sprintf(format, args...), err)
	}
}

// SendErr is Send returning its error.
func (c *Conn) SendErr(format string, args ...any) error {
	return c.WriteRaw([]byte(fmt.Sprintf(format, args...) + "\r\n"))
}

// WriteRaw writes p as it is.
func (c *Conn) WriteRaw(p []byte) error {
	c.C.SetWriteDeadline(time.Now().Add(ReplyTimeout))
	_, err := c.C.Write(p)
	return err
}

// ReadErr reads one complete reply.
func (c *Conn) ReadErr() (int, string, error) {
	return c.ReadWithin(ReplyTimeout)
}

// ReadWithin reads one reply, waiting at most d.
func (c *Conn) ReadWithin(d time.Duration) (int, string, error) {
	c.C.SetReadDeadline(time.Now().Add(d))
	return wire.ReadReply(c.br)
}

// Read reads one reply and fails the test on error.
func (c *Conn) Read() (int, string) {
	c.t.Helper()
	code, msg, err := c.ReadErr()
	if err != nil {
		c.t.Fatalf("reading reply: %v", err)
	}
	return code, msg
}

// Expect reads one reply and fails the test unless its code is code.
func (c *Conn) Expect(code int) string {
	c.t.Helper()
	got, msg := c.Read()
	if got != code {
		c.t.Fatalf("got reply %d %q, want %d", got, msg, code)
	}
	return msg
}

// Cmd sends a command and expects a reply code.
func (c *Conn) Cmd(code int, format string, args ...any) string {
	c.t.Helper()
	c.Send(format, args...)
	got, msg := c.Read()
	if got != code {
		c.t.Fatalf("%s: got %d %q, want %d", redact(fmt.Sprintf(format, args...)), got, msg, code)
	}
	return msg
}

// Do sends a command and returns the reply, whatever its code.
func (c *Conn) Do(format string, args ...any) (int, string) {
	c.t.Helper()
	c.Send(format, args...)
	return c.Read()
}

// ExpectClosed reads until the server closes the connection and returns
// what arrived before; it fails the test if that takes longer than d.
func (c *Conn) ExpectClosed(d time.Duration) string {
	c.t.Helper()
	c.C.SetReadDeadline(time.Now().Add(d))
	rest, err := io.ReadAll(c.br)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		c.t.Fatalf("connection still open after %v (read %q)", d, rest)
	}
	return string(rest)
}

// Close closes the connection.
func (c *Conn) Close() error { return c.C.Close() }

func redact(cmd string) string {
	if strings.HasPrefix(strings.ToUpper(cmd), "PASS ") {
		return "PASS <hidden>"
	}
	return cmd
}
