package ftp_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"wharf/internal/ftp"
	"wharf/internal/ftp/dataconn"
	"wharf/internal/ftp/ftptest"
	"wharf/internal/ftp/wire"
)

func TestPassiveRangeAndAddress(t *testing.T) {
	t.Parallel()
	lo, hi := freePortRange(t, "127.0.0.1", 20)
	s := start(t, "tcp4", func(o *ftp.Options) { o.PasvPorts = dataconn.PortRange{Min: lo, Max: hi} })
	c := ftptest.Login(t, s.Addr)
	seen := map[uint16]bool{}
	for range 40 {
		for _, mode := range []ftptest.Mode{ftptest.PASV, ftptest.EPSV} {
			ap, err := c.Passive(mode)
			if err != nil {
				t.Fatal(err)
			}
			if p := int(ap.Port()); p < lo || p > hi || ap.Addr() != netip.MustParseAddr("127.0.0.1") {
				t.Fatalf("%s announced %v, outside 127.0.0.1:%d-%d", mode, ap, lo, hi)
			}
			seen[ap.Port()] = true
		}
	}
	if len(seen) < 2 {
		t.Errorf("80 passive replies used only ports %v: not picked at random", seen)
	}
	data := randomBytes(1000, 1)
	writeFile(t, s.Root, "f", data)
	sameBytes(t, "RETR in the range", c.Retr(ftptest.PASV, "f"), data)

	s2 := start(t, "tcp4", func(o *ftp.Options) {
		o.PasvPorts = dataconn.PortRange{Min: lo, Max: hi}
		o.PasvAddress = netip.MustParseAddr("127.0.0.9")
	})
	c2 := ftptest.Login(t, s2.Addr)
	code, msg := c2.Do("PASV") // parsed only: nothing listens on 127.0.0.9
	ap, err := wire.ParsePASVReply(msg)
	if code != 227 || err != nil || ap.Addr() != netip.MustParseAddr("127.0.0.9") || int(ap.Port()) < lo || int(ap.Port()) > hi {
		t.Errorf("PASV with pasv_address 127.0.0.9: %d %q (%v, %v)", code, msg, ap, err)
	}

	// Over IPv6 the passive listener is on an IPv6 address, which no PASV
	// reply can name, pasv_address or not: EPSV it is.
	s6 := start(t, "tcp6", func(o *ftp.Options) { o.PasvAddress = netip.MustParseAddr("127.0.0.9") })
	c6 := ftptest.Login(t, s6.Addr)
	if code, msg := c6.Do("PASV"); code != 425 || !strings.Contains(msg, "EPSV") {
		t.Errorf("PASV over IPv6 with pasv_address: %d %q, want 425 pointing to EPSV", code, msg)
	}
	c6.Cmd(229, "EPSV")
}

// TestPassiveForeignConnectionDropped: a connection to the passive port
// from another address (a port scanner, a hijack attempt) is closed, and
// the real client's transfer still completes (vsftpd would abort it).
func TestPassiveForeignConnectionDropped(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", nil)
	data := randomBytes(300000, 2)
	writeFile(t, s.Root, "f", data)
	c := ftptest.Login(t, s.Addr)
	for _, mode := range []ftptest.Mode{ftptest.PASV, ftptest.EPSV} {
		ap, err := c.Passive(mode)
		must(t, err)
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}, Timeout: ftptest.ReplyTimeout}
		foreign, err := d.Dial("tcp", ap.String())
		must(t, err)
		defer foreign.Close()
		c.Send("RETR f")
		real, err := net.Dial("tcp", ap.String())
		must(t, err)
		c.Expect(150)
		real.SetDeadline(time.Now().Add(ftptest.ReplyTimeout))
		got, err := io.ReadAll(real)
		must(t, err)
		real.Close()
		sameBytes(t, "transfer after a foreign connection", got, data)
		c.Expect(226)
		foreign.SetReadDeadline(time.Now().Add(ftptest.ReplyTimeout))
		if n, err := foreign.Read(make([]byte, 1)); n != 0 || err == nil || isTimeout(err) {
			t.Errorf("foreign data connection: read %d, %v; want it closed by the server", n, err)
		}
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// TestActiveTargetChecks: PORT/EPRT may only point at the client itself,
// at a port of 1024 or above (FTP bounce attack), and the session goes on.
func TestActiveTargetChecks(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", nil)
	data := randomBytes(5000, 3)
	writeFile(t, s.Root, "f", data)
	c := ftptest.Login(t, s.Addr)
	for _, cmd := range []string{
		"PORT 127,0,0,3,100,100", "EPRT |1|127.0.0.3|25700|", "PORT 127,0,0,1,3,255",
		"EPRT |1|127.0.0.1|21|", "EPRT |2|::1|5000|", "PORT 10,0,0,1,100,100",
	} {
		if code, msg := c.Do("%s", cmd); code != 500 {
			t.Errorf("%s: %d %q, want 500", cmd, code, msg)
		}
		// The refused target is forgotten: no data connection is set up.
		if code, msg := c.Do("RETR f"); code != 425 {
			t.Errorf("RETR after a refused %s: %d %q, want 425", cmd, code, msg)
		}
	}
	sameBytes(t, "PORT transfer after refusals", c.Retr(ftptest.PORT, "f"), data)
	sameBytes(t, "EPRT transfer after refusals", c.Retr(ftptest.EPRT, "f"), data)
}

func TestModeDisabled(t *testing.T) {
	t.Parallel()
	noPort := start(t, "tcp4", func(o *ftp.Options) { o.PortEnable = false })
	c := ftptest.Login(t, noPort.Addr)
	for _, cmd := range []string{"PORT 127,0,0,1,100,100", "EPRT |1|127.0.0.1|25700|"} {
		if code, msg := c.Do("%s", cmd); code != 502 || !strings.Contains(msg, "PASV") {
			t.Errorf("%s with port_enable=NO: %d %q, want 502 naming passive mode", cmd, code, msg)
		}
	}
	writeFile(t, noPort.Root, "f", []byte("x"))
	sameBytes(t, "passive with port_enable=NO", c.Retr(ftptest.EPSV, "f"), []byte("x"))

	noPasv := start(t, "tcp4", func(o *ftp.Options) { o.PasvEnable = false })
	c = ftptest.Login(t, noPasv.Addr)
	for _, cmd := range []string{"PASV", "EPSV", "EPSV 1"} {
		if code, msg := c.Do("%s", cmd); code != 502 || !strings.Contains(msg, "PORT") {
			t.Errorf("%s with pasv_enable=NO: %d %q, want 502 naming active mode", cmd, code, msg)
		}
	}
	writeFile(t, noPasv.Root, "f", []byte("y"))
	sameBytes(t, "active with pasv_enable=NO", c.Retr(ftptest.PORT, "f"), []byte("y"))
}

// TestPassiveNoLeak: each PASV closes the previous listener, and a session
// that ends closes its own, so a client cannot eat the range.
func TestPassiveNoLeak(t *testing.T) {
	t.Parallel()
	lo, hi := freePortRange(t, "127.0.0.1", 5)
	s := start(t, "tcp4", func(o *ftp.Options) { o.PasvPorts = dataconn.PortRange{Min: lo, Max: hi} })
	c := ftptest.Login(t, s.Addr)
	for i := range 200 {
		mode := []ftptest.Mode{ftptest.PASV, ftptest.EPSV}[i%2]
		if _, err := c.Passive(mode); err != nil {
			t.Fatalf("%s #%d: %v", mode, i, err)
		}
	}
	c.Cmd(225, "ABOR") // also drops the listener
	for i := range 10 {
		c2 := ftptest.Login(t, s.Addr)
		if _, err := c2.Passive(ftptest.PASV); err != nil {
			t.Fatalf("session #%d: %v", i, err)
		}
		c2.Cmd(221, "QUIT")
		c2.ExpectClosed(ftptest.ReplyTimeout)
	}
	data := randomBytes(100, 4)
	writeFile(t, s.Root, "f", data)
	sameBytes(t, "transfer after 200 PASV", c.Retr(ftptest.PASV, "f"), data)
}

func TestPassiveRangeExhausted(t *testing.T) {
	t.Parallel()
	lo, hi := freePortRange(t, "127.0.0.1", 2)
	s := start(t, "tcp4", func(o *ftp.Options) { o.PasvPorts = dataconn.PortRange{Min: lo, Max: hi} })
	a, b, c := ftptest.Login(t, s.Addr), ftptest.Login(t, s.Addr), ftptest.Login(t, s.Addr)
	a.Cmd(227, "PASV")
	b.Cmd(229, "EPSV")
	want := fmt.Sprintf("%d-%d", lo, hi)
	for _, cmd := range []string{"PASV", "EPSV"} {
		if code, msg := c.Do("%s", cmd); code != 425 || !strings.Contains(msg, want) {
			t.Errorf("%s with the range used up: %d %q, want 425 naming %s", cmd, code, msg, want)
		}
	}
	a.Cmd(221, "QUIT")
	a.ExpectClosed(ftptest.ReplyTimeout)
	c.Cmd(227, "PASV")
}

func TestEPSVAll(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", nil)
	writeFile(t, s.Root, "f", []byte("z"))
	c := ftptest.Login(t, s.Addr)
	c.Cmd(200, "EPSV ALL")
	for _, cmd := range []string{"PORT 127,0,0,1,100,100", "EPRT |1|127.0.0.1|25700|", "PASV"} {
		if code, msg := c.Do("%s", cmd); code != 503 || !strings.Contains(msg, "EPSV") {
			t.Errorf("%s after EPSV ALL: %d %q, want 503", cmd, code, msg)
		}
	}
	sameBytes(t, "EPSV after EPSV ALL", c.Retr(ftptest.EPSV, "f"), []byte("z"))
	c.Cmd(220, "REIN") // forgets EPSV ALL
	c.Login(ftptest.User, ftptest.Pass)
	c.Cmd(227, "PASV")
}

// TestActiveFromDataPort: with connect_from_port_20 the data connection
// leaves from ftp_data_port (a free high port here; 20 needs root), from
// the control connection's local address, again and again.
func TestActiveFromDataPort(t *testing.T) {
	t.Parallel()
	port, _ := freePortRange(t, "127.0.0.1", 1)
	s := start(t, "tcp4", func(o *ftp.Options) { o.ConnectFromPort20, o.DataPort = true, port })
	data := randomBytes(70000, 5)
	writeFile(t, s.Root, "f", data)
	c := ftptest.Login(t, s.Addr)
	for i := range 3 {
		l, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
		must(t, err)
		arg, _ := wire.FormatPASV(l.Addr().(*net.TCPAddr).AddrPort())
		c.Cmd(200, "PORT %s", arg)
		c.Send("RETR f")
		l.SetDeadline(time.Now().Add(ftptest.ReplyTimeout))
		dc, err := l.Accept()
		l.Close()
		must(t, err)
		from := dc.RemoteAddr().(*net.TCPAddr)
		if from.Port != port || !from.IP.Equal(net.IPv4(127, 0, 0, 1)) {
			t.Errorf("transfer %d: data connection from %v, want 127.0.0.1:%d", i, from, port)
		}
		c.Expect(150)
		dc.SetDeadline(time.Now().Add(ftptest.ReplyTimeout))
		got, err := io.ReadAll(dc)
		must(t, err)
		dc.Close()
		sameBytes(t, "RETR from the data port", got, data)
		c.Expect(226)
	}
}

// TestActiveConnectRefused: nobody listens at the PORT target; the
// transfer fails with 425 and the session goes on.
func TestActiveConnectRefused(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", nil)
	writeFile(t, s.Root, "f", []byte("a"))
	c := ftptest.Login(t, s.Addr)
	l, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	must(t, err)
	arg, _ := wire.FormatPASV(l.Addr().(*net.TCPAddr).AddrPort())
	l.Close()
	for _, cmd := range []string{"RETR f", "STOR new", "STOU", "LIST"} {
		c.Cmd(200, "PORT %s", arg)
		if code, msg := c.Do("%s", cmd); code != 425 {
			t.Errorf("%s to a closed port: %d %q, want 425", cmd, code, msg)
		}
	}
	checkTree(t, s.Root, "f") // no upload left behind, temporary or not
	c.Cmd(200, "NOOP")
	sameBytes(t, "RETR after a refused connect", c.Retr(ftptest.EPSV, "f"), []byte("a"))
}

// TestPassiveAcceptTimeout: a client that never opens the data connection
// gets 425 after accept_timeout, and the session goes on.
func TestPassiveAcceptTimeout(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", func(o *ftp.Options) { o.AcceptTimeout = 200 * time.Millisecond })
	writeFile(t, s.Root, "f", []byte("a"))
	c := ftptest.Login(t, s.Addr)
	c.Cmd(229, "EPSV")
	start := time.Now()
	if code, msg := c.Do("RETR f"); code != 425 {
		t.Errorf("RETR without a data connection: %d %q, want 425", code, msg)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("425 came after %v, accept_timeout is 200ms", d)
	}
	sameBytes(t, "RETR after an accept timeout", c.Retr(ftptest.EPSV, "f"), []byte("a"))
}
