package interop

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"wharf/internal/testbin"
)

// activeTransfer sends PORT or EPRT (verb) for a Go listener on the control
// connection's local address, then LIST, and returns the source address of
// the data connection the server opened, and the listing.
func activeTransfer(t *testing.T, c *ctrl, verb, command string) (*net.TCPAddr, string) {
	t.Helper()
	local := c.localAddr()
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: local.IP})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ln.SetDeadline(time.Now().Add(ctrlTimeout))
	port := ln.Addr().(*net.TCPAddr).Port
	switch verb {
	case "PORT":
		ip := local.IP.To4()
		c.cmd(200, "PORT %d,%d,%d,%d,%d,%d", ip[0], ip[1], ip[2], ip[3], port>>8, port&0xff)
	case "EPRT":
		af := 1
		if local.IP.To4() == nil {
			af = 2
		}
		c.cmd(200, "EPRT |%d|%s|%d|", af, local.IP, port)
	}
	type accepted struct {
		from *net.TCPAddr
		data string
		err  error
	}
	got := make(chan accepted, 1)
	go func() {
		conn, err := ln.AcceptTCP()
		if err != nil {
			got <- accepted{err: err}
			return
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(ctrlTimeout))
		b, err := io.ReadAll(conn)
		got <- accepted{conn.RemoteAddr().(*net.TCPAddr), string(b), err}
	}()
	c.cmd(150, "%s", command)
	a := <-got
	if a.err != nil {
		t.Fatalf("data connection for %s after %s: %v", command, verb, a.err)
	}
	c.expect(226)
	return a.from, a.data
}

// TestActiveModeSourcePort: with connect_from_port_20=YES the server opens
// active-mode data connections from ftp_data_port (a free high port here),
// bound to the control connection's local address, every time.
func TestActiveModeSourcePort(t *testing.T) {
	for _, tc := range []struct{ name, verb, ip string }{
		{"PORT/127.0.0.1", "PORT", loopback4},
		{"EPRT/127.0.0.1", "EPRT", loopback4},
		{"EPRT/::1", "EPRT", loopback6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, serverOpts{ipv6: tc.ip == loopback6, dataPort: true})
			os.WriteFile(filepath.Join(s.root, "hello.txt"), []byte("hello\n"), 0o644)
			c := dialCtrl(t, s.addr())
			c.login(s.user, s.pass)
			// Several transfers in a row: the port must be reusable at once
			// (SO_REUSEADDR) although the previous connection is in TIME_WAIT.
			for i := range 3 {
				from, data := activeTransfer(t, c, tc.verb, "LIST")
				if from.Port != s.dataPort {
					t.Errorf("transfer %d: data connection from %v, want source port %d (ftp_data_port)", i+1, from, s.dataPort)
				}
				if !from.IP.Equal(net.ParseIP(tc.ip)) {
					t.Errorf("transfer %d: data connection from %v, want the control connection's local address %s", i+1, from, tc.ip)
				}
				if !strings.Contains(data, "hello.txt") {
					t.Errorf("transfer %d: listing %q lacks hello.txt", i+1, data)
				}
			}
		})
	}
	t.Run("concurrent-sessions", func(t *testing.T) {
		// Two sessions with data connections open at the same time both
		// connect from ftp_data_port (the 4-tuples differ).
		s := startServer(t, serverOpts{dataPort: true})
		f := fixtureByLabel(t, "5MiB")
		if err := linkOrCopy(f.path, filepath.Join(s.root, f.name)); err != nil {
			t.Fatal(err)
		}
		var wg, bothOpen sync.WaitGroup
		errs := make(chan error, 2)
		bothOpen.Add(2)
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- concurrentRetr(s, f, &bothOpen)
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
	})
	t.Run("port20", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("needs root: binding source port 20 (ftp_data_port's default) is privileged")
		}
		if !testbin.PortFree(loopback4, 20) {
			t.Skip("port 20 is in use on 127.0.0.1")
		}
		s := startServer(t, serverOpts{extra: []string{"connect_from_port_20=YES"}})
		c := dialCtrl(t, s.addr())
		c.login(s.user, s.pass)
		for i := range 2 {
			from, _ := activeTransfer(t, c, "PORT", "LIST")
			if from.Port != 20 {
				t.Errorf("transfer %d: data connection from %v, want source port 20", i+1, from)
			}
		}
	})
}

// concurrentRetr downloads f over PORT in its own session; it reads the
// data only once both sessions' data connections are open (bothOpen), and
// checks the source port and the byte count.
func concurrentRetr(s *server, f fixture, bothOpen *sync.WaitGroup) error {
	var once sync.Once
	opened := func() { once.Do(bothOpen.Done) }
	defer opened()
	nc, err := net.DialTimeout("tcp", s.addr(), ctrlTimeout)
	if err != nil {
		return err
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(ctrlTimeout))
	r := newReplyReader(nc)
	steps := []struct {
		send string
		want int
	}{{"", 220}, {"USER " + s.user, 331}, {"PASS " + s.pass, 230}, {"TYPE I", 200}}
	for _, st := range steps {
		if st.send != "" {
			fmt.Fprintf(nc, "%s\r\n", st.send)
		}
		if code, line := r.reply(); code != st.want {
			return fmt.Errorf("%q: reply %q, want %d", st.send, line, st.want)
		}
	}
	ln, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return err
	}
	defer ln.Close()
	ln.SetDeadline(time.Now().Add(ctrlTimeout))
	p := ln.Addr().(*net.TCPAddr).Port
	fmt.Fprintf(nc, "PORT 127,0,0,1,%d,%d\r\n", p>>8, p&0xff)
	if code, line := r.reply(); code != 200 {
		return fmt.Errorf("PORT: %q", line)
	}
	fmt.Fprintf(nc, "RETR %s\r\n", f.name)
	conn, err := ln.AcceptTCP()
	if err != nil {
		return fmt.Errorf("accept: %v", err)
	}
	defer conn.Close()
	from := conn.RemoteAddr().(*net.TCPAddr)
	opened()
	bothOpen.Wait()
	n, err := io.Copy(io.Discard, conn)
	if err != nil {
		return err
	}
	if code, line := r.reply(); code != 150 {
		return fmt.Errorf("RETR: %q", line)
	}
	if code, line := r.reply(); code != 226 {
		return fmt.Errorf("RETR end: %q", line)
	}
	if from.Port != s.dataPort {
		return fmt.Errorf("data connection from %v, want source port %d (ftp_data_port)", from, s.dataPort)
	}
	if n != f.size {
		return fmt.Errorf("received %d bytes, want %d", n, f.size)
	}
	return nil
}

// replyReader reads single- and multi-line replies without a testing.T
// (for goroutines).
type replyReader struct {
	buf []byte
	c   net.Conn
}

func newReplyReader(c net.Conn) *replyReader { return &replyReader{c: c} }

func (r *replyReader) line() string {
	for {
		if i := strings.IndexByte(string(r.buf), '\n'); i >= 0 {
			l := string(r.buf[:i])
			r.buf = r.buf[i+1:]
			return strings.TrimRight(l, "\r")
		}
		b := make([]byte, 4096)
		n, err := r.c.Read(b)
		if n == 0 && err != nil {
			return ""
		}
		r.buf = append(r.buf, b[:n]...)
	}
}

func (r *replyReader) reply() (int, string) {
	first := r.line()
	if len(first) < 4 {
		return 0, first
	}
	code, _ := strconv.Atoi(first[:3])
	if first[3] == '-' {
		for l := r.line(); l != "" && !strings.HasPrefix(l, first[:3]+" "); l = r.line() {
		}
	}
	return code, first
}

var pasvReplyRE = regexp.MustCompile(`\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)`)
var epsvReplyRE = regexp.MustCompile(`\(\|\|\|(\d+)\|\)`)

// parsePASV returns the address a 227 reply announces.
func parsePASV(t *testing.T, msg string) (string, int) {
	t.Helper()
	m := pasvReplyRE.FindStringSubmatch(msg)
	if m == nil {
		t.Fatalf("227 reply %q has no (h1,h2,h3,h4,p1,p2)", msg)
	}
	n := make([]int, 6)
	for i := range n {
		n[i], _ = strconv.Atoi(m[i+1])
	}
	return fmt.Sprintf("%d.%d.%d.%d", n[0], n[1], n[2], n[3]), n[4]<<8 | n[5]
}

func parseEPSV(t *testing.T, msg string) int {
	t.Helper()
	m := epsvReplyRE.FindStringSubmatch(msg)
	if m == nil {
		t.Fatalf("229 reply %q has no (|||port|)", msg)
	}
	p, _ := strconv.Atoi(m[1])
	return p
}

// TestPassiveRangeAndAddress: PASV announces pasv_address (never connected
// to here: only the 227 reply is parsed) and a port inside
// pasv_min_port..pasv_max_port; EPSV's port too. Repeated PASV/EPSV in a
// session reuse the range (the previous listener is closed), and a full
// range is a 425 that names it.
func TestPassiveRangeAndAddress(t *testing.T) {
	const rangeN = 4
	t.Run("127.0.0.1", func(t *testing.T) {
		s := startServer(t, serverOpts{pasvN: rangeN, extra: []string{"pasv_address=127.0.0.9", "max_clients=20"}})
		c := dialCtrl(t, s.addr())
		c.login(s.user, s.pass)
		for i := range 3 * rangeN {
			if i%2 == 0 {
				host, port := parsePASV(t, c.cmd(227, "PASV"))
				if host != "127.0.0.9" {
					t.Errorf("PASV #%d announces %s, want pasv_address 127.0.0.9", i+1, host)
				}
				s.checkInRange(t, "PASV", port)
			} else {
				s.checkInRange(t, "EPSV", parseEPSV(t, c.cmd(229, "EPSV")))
			}
		}
	})
	t.Run("::1", func(t *testing.T) {
		s := startServer(t, serverOpts{ipv6: true, pasvN: rangeN, extra: []string{"max_clients=20"}})
		c := dialCtrl(t, s.addr())
		c.login(s.user, s.pass)
		for range 3 * rangeN {
			s.checkInRange(t, "EPSV", parseEPSV(t, c.cmd(229, "EPSV")))
		}
	})
	t.Run("exhausted", func(t *testing.T) {
		s := startServer(t, serverOpts{pasvN: rangeN, extra: []string{"max_clients=20"}})
		var held []*ctrl
		for range rangeN {
			c := dialCtrl(t, s.addr())
			c.login(s.user, s.pass)
			s.checkInRange(t, "EPSV", parseEPSV(t, c.cmd(229, "EPSV")))
			held = append(held, c)
		}
		c := dialCtrl(t, s.addr())
		c.login(s.user, s.pass)
		c.send("PASV")
		code, msg := c.read()
		want := fmt.Sprintf("%d-%d", s.pasvMin, s.pasvMax)
		if code != 425 || !strings.Contains(msg, want) {
			t.Errorf("PASV with all %d passive ports held by other sessions: %d %q, want 425 naming the range %s", rangeN, code, msg, want)
		}
		// One session leaves: its port is free for the next PASV.
		held[0].cmd(221, "QUIT")
		deadline := time.Now().Add(5 * time.Second)
		for {
			c.send("PASV")
			code, msg := c.read()
			if code == 227 {
				_, port := parsePASV(t, msg)
				s.checkInRange(t, "PASV", port)
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("PASV after a session holding a passive port quit: %d %q, want 227", code, msg)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

func (s *server) checkInRange(t *testing.T, verb string, port int) {
	t.Helper()
	if port < s.pasvMin || port > s.pasvMax {
		t.Errorf("%s announced port %d, outside pasv_min_port..pasv_max_port %d-%d", verb, port, s.pasvMin, s.pasvMax)
	}
}
