package dataconn

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"
)

var loopback = netip.MustParseAddr("127.0.0.1")

// freeRange finds n consecutive bindable ports below the ephemeral range.
func freeRange(t *testing.T, n int) PortRange {
	t.Helper()
	for range 200 {
		lo := 20000 + rand.IntN(10000)
		var ls []net.Listener
		ok := true
		for p := lo; p < lo+n && ok; p++ {
			l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
			if ok = err == nil; ok {
				ls = append(ls, l)
			}
		}
		for _, l := range ls {
			l.Close()
		}
		if ok {
			return PortRange{lo, lo + n - 1}
		}
	}
	t.Fatal("no free port range")
	return PortRange{}
}

func port(l net.Listener) int { return l.Addr().(*net.TCPAddr).Port }

func TestListenPassiveRange(t *testing.T) {
	r := freeRange(t, 4)
	var ls []*net.TCPListener
	seen := map[int]bool{}
	for range 4 {
		l, err := ListenPassive(loopback, r)
		if err != nil {
			t.Fatalf("ListenPassive with free ports left: %v", err)
		}
		if p := port(l); p < r.Min || p > r.Max || seen[p] {
			t.Fatalf("port %d: outside %v or reused", p, r)
		}
		seen[port(l)] = true
		ls = append(ls, l)
	}
	_, err := ListenPassive(loopback, r)
	if !errors.Is(err, ErrRangeExhausted) || !strings.Contains(err.Error(), r.String()) {
		t.Errorf("exhausted range: %v, want ErrRangeExhausted naming %s", err, r)
	}
	ls[2].Close()
	l, err := ListenPassive(loopback, r)
	if err != nil || port(l) != port(ls[2]) {
		t.Errorf("after freeing port %d: %v, %v", port(ls[2]), l, err)
	}
	for _, l := range append(ls, l) {
		l.Close()
	}
	kernel, err := ListenPassive(netip.MustParseAddr("::ffff:127.0.0.1"), PortRange{})
	if err != nil {
		t.Fatal(err)
	}
	defer kernel.Close()
	if a := kernel.Addr().(*net.TCPAddr); !a.IP.Equal(net.IPv4(127, 0, 0, 1)) || a.Port == 0 {
		t.Errorf("zero range, mapped address: listening on %v", a)
	}
	if got := (PortRange{}).String(); got != "any free port" {
		t.Errorf("zero range String = %q", got)
	}
}

func TestAcceptFrom(t *testing.T) {
	l, err := ListenPassive(loopback, PortRange{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	foreign := dialFrom(t, "127.0.0.2", l.Addr().String())
	defer foreign.Close()
	real := dialFrom(t, "127.0.0.1", l.Addr().String())
	defer real.Close()
	var rejected []netip.AddrPort
	c, err := AcceptFrom(l, netip.MustParseAddr("::ffff:127.0.0.1"), false, time.Now().Add(5*time.Second),
		func(ap netip.AddrPort) { rejected = append(rejected, ap) })
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if RemoteAddrPort(c) != netip.MustParseAddrPort(real.LocalAddr().String()) {
		t.Errorf("accepted %v, want the real client %v", c.RemoteAddr(), real.LocalAddr())
	}
	if len(rejected) != 1 || rejected[0].Addr() != netip.MustParseAddr("127.0.0.2") {
		t.Errorf("rejected %v, want the 127.0.0.2 connection", rejected)
	}
	foreign.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := foreign.Read(make([]byte, 1)); err == nil || isTimeout(err) {
		t.Errorf("foreign connection not closed: %v", err)
	}

	// Promiscuous (FXP) takes anyone.
	other := dialFrom(t, "127.0.0.3", l.Addr().String())
	defer other.Close()
	c2, err := AcceptFrom(l, loopback, true, time.Now().Add(5*time.Second), nil)
	if err != nil || RemoteAddrPort(c2).Addr() != netip.MustParseAddr("127.0.0.3") {
		t.Fatalf("promiscuous accept: %v, %v", c2, err)
	}
	c2.Close()

	// Nobody comes: the deadline ends the wait.
	start := time.Now()
	_, err = AcceptFrom(l, loopback, false, time.Now().Add(100*time.Millisecond), nil)
	if !isTimeout(err) || time.Since(start) > 5*time.Second {
		t.Errorf("accept with nobody connecting: %v after %v", err, time.Since(start))
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func dialFrom(t *testing.T, from, to string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", to)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCheckActiveTarget(t *testing.T) {
	peer := netip.MustParseAddr("192.0.2.7")
	tests := []struct {
		target      string
		promiscuous bool
		ok          bool
	}{
		{"192.0.2.7:1024", false, true},
		{"192.0.2.7:65535", false, true},
		{"[::ffff:192.0.2.7]:5000", false, true},
		{"192.0.2.7:1023", false, false},
		{"192.0.2.7:21", false, false},
		{"192.0.2.8:5000", false, false},
		{"127.0.0.1:5000", false, false},
		{"[2001:db8::7]:5000", false, false},
		{"192.0.2.8:25", true, true},
	}
	for _, tt := range tests {
		err := CheckActiveTarget(netip.MustParseAddrPort(tt.target), peer, tt.promiscuous)
		if (err == nil) != tt.ok {
			t.Errorf("CheckActiveTarget(%s, promiscuous=%v) = %v, want ok=%v", tt.target, tt.promiscuous, err, tt.ok)
		}
	}
	v6 := netip.MustParseAddr("2001:db8::7")
	if err := CheckActiveTarget(netip.MustParseAddrPort("[2001:db8::7]:5000"), v6, false); err != nil {
		t.Errorf("IPv6 peer to itself: %v", err)
	}
}

// TestDialFromPort: the data connection leaves from LocalIP:FromPort, and
// can do so again at once (SO_REUSEADDR with the previous one in TIME_WAIT).
func TestDialFromPort(t *testing.T) {
	from := freeRange(t, 1).Min
	d := Dialer{LocalIP: loopback, FromPort: from, Timeout: 5 * time.Second}
	for i := range 3 {
		l, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		c, err := d.Dial(context.Background(), l.Addr().(*net.TCPAddr).AddrPort())
		if err != nil {
			t.Fatalf("dial #%d from port %d: %v", i, from, err)
		}
		l.SetDeadline(time.Now().Add(5 * time.Second))
		s, err := l.Accept()
		if err != nil {
			t.Fatal(err)
		}
		if got := RemoteAddrPort(s); got != netip.AddrPortFrom(loopback, uint16(from)) {
			t.Errorf("dial #%d came from %v, want 127.0.0.1:%d", i, got, from)
		}
		c.Close() // we close first: our side goes to TIME_WAIT
		s.Close()
		l.Close()
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (Dialer{LocalIP: loopback}).Dial(ctx, netip.MustParseAddrPort("127.0.0.1:9")); err == nil {
		t.Errorf("dial with a cancelled context succeeded")
	}
}

func TestAddrPortHelpers(t *testing.T) {
	l, err := net.Listen("tcp", "[::]:0")
	if err != nil {
		t.Skipf("no dual-stack listener: %v", err)
	}
	defer l.Close()
	c, err := net.Dial("tcp4", "127.0.0.1:"+strconv.Itoa(port(l)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := RemoteAddrPort(s); got.Addr() != loopback || got.Port() == 0 {
		t.Errorf("RemoteAddrPort of a v4-mapped peer = %v, want 127.0.0.1:port", got)
	}
	if got := LocalAddrPort(s); got != netip.AddrPortFrom(loopback, uint16(port(l))) {
		t.Errorf("LocalAddrPort = %v", got)
	}
	p1, p2 := net.Pipe()
	defer p1.Close()
	defer p2.Close()
	if RemoteAddrPort(p1).IsValid() || LocalAddrPort(p1).IsValid() {
		t.Errorf("net.Pipe has IP addresses?")
	}
}
