package interop

import (
	"fmt"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

// ctrl is a raw control connection that keeps a transcript of what it sent
// and received, printed when the test fails.
type ctrl struct {
	t     testing.TB
	nc    net.Conn
	tp    *textproto.Conn
	lines []string
}

const ctrlTimeout = 20 * time.Second

// dialCtrl connects to the server and reads the 220 greeting.
func dialCtrl(t testing.TB, addr string) *ctrl {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, ctrlTimeout)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	c := &ctrl{t: t, nc: nc, tp: textproto.NewConn(nc)}
	t.Cleanup(func() {
		nc.Close()
		if t.Failed() {
			t.Logf("control transcript with %s:\n%s", addr, c.transcript())
		}
	})
	c.expect(220)
	return c
}

// login sends USER and PASS and expects 230.
func (c *ctrl) login(user, pass string) {
	c.t.Helper()
	c.cmd(331, "USER %s", user)
	c.send("PASS %s", pass)
	c.lines[len(c.lines)-1] = "> PASS <hidden>"
	c.expect(230)
}

// send writes one command line.
func (c *ctrl) send(format string, args ...any) {
	c.t.Helper()
	line := fmt.Sprintf(format, args...)
	c.lines = append(c.lines, "> "+line)
	c.nc.SetDeadline(time.Now().Add(ctrlTimeout))
	if err := c.tp.PrintfLine("%s", line); err != nil {
		c.t.Fatalf("sending %q: %v", line, err)
	}
}

// read reads one (possibly multi-line) reply.
func (c *ctrl) read() (int, string) {
	c.t.Helper()
	c.nc.SetDeadline(time.Now().Add(ctrlTimeout))
	code, msg, err := c.tp.ReadResponse(0)
	if err != nil && code == 0 {
		c.t.Fatalf("reading reply: %v", err)
	}
	for _, l := range strings.Split(msg, "\n") {
		c.lines = append(c.lines, fmt.Sprintf("< %d %s", code, l))
	}
	return code, msg
}

// expect reads a reply and fails unless its code is want.
func (c *ctrl) expect(want int) string {
	c.t.Helper()
	code, msg := c.read()
	if code != want {
		c.t.Fatalf("reply %d %q, want %d", code, msg, want)
	}
	return msg
}

// cmd sends a command and expects the reply code want.
func (c *ctrl) cmd(want int, format string, args ...any) string {
	c.t.Helper()
	c.send(format, args...)
	return c.expect(want)
}

func (c *ctrl) transcript() string { return strings.Join(c.lines, "\n") }

// localAddr is the control connection's local address (the client side).
func (c *ctrl) localAddr() *net.TCPAddr { return c.nc.LocalAddr().(*net.TCPAddr) }
