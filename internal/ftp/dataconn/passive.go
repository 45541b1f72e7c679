// Package dataconn opens FTP data connections: passive listeners from the
// configured port range, active-mode dials (optionally from port 20), and the
// checks that a data connection really belongs to the control connection's
// client.
package dataconn

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"strconv"
	"syscall"
	"time"
)

// PortRange is the passive port range (pasv_min_port..pasv_max_port).
// The zero value means "any free port the kernel picks".
type PortRange struct{ Min, Max int }

func (r PortRange) any() bool { return r.Min == 0 && r.Max == 0 }

// String names the range the way the config does, for error messages.
func (r PortRange) String() string {
	if r.any() {
		return "any free port"
	}
	return fmt.Sprintf("%d-%d", r.Min, r.Max)
}

// ErrRangeExhausted means every port of the passive range is in use.
var ErrRangeExhausted = errors.New("dataconn: every port of the passive range is in use")

// ListenPassive opens a listener on ip at a port of r. It starts at a random
// port (so that a client cannot predict the next one) and walks the range
// once, skipping ports that are busy.
func ListenPassive(ip netip.Addr, r PortRange) (*net.TCPListener, error) {
	ip = ip.Unmap()
	if r.any() {
		return listenTCP(ip, 0)
	}
	n := r.Max - r.Min + 1
	start := rand.IntN(n)
	for i := range n {
		port := r.Min + (start+i)%n
		l, err := listenTCP(ip, port)
		if err == nil {
			return l, nil
		}
		if !errors.Is(err, syscall.EADDRINUSE) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("%w (%s)", ErrRangeExhausted, r)
}

// listenTCP listens for one data connection. Keep-alive is off: a data
// connection lives for one transfer under its own deadlines, and enabling
// it cost three setsockopt calls per accepted connection (small STORs).
func listenTCP(ip netip.Addr, port int) (*net.TCPListener, error) {
	lc := net.ListenConfig{KeepAlive: -1}
	l, err := lc.Listen(context.Background(), "tcp", netip.AddrPortFrom(ip, uint16(port)).String())
	if err != nil {
		return nil, err
	}
	return l.(*net.TCPListener), nil
}

// AcceptFrom waits until deadline for a connection on l that comes from
// peer's address. A connection from any other address is closed and
// reported to onReject, and the wait goes on, so that a port scanner or a
// hijack attempt cannot break the real client's transfer. With promiscuous
// set, any address is accepted (FXP). Closing l ends the wait.
func AcceptFrom(l *net.TCPListener, peer netip.Addr, promiscuous bool, deadline time.Time, onReject func(netip.AddrPort)) (*net.TCPConn, error) {
	if err := l.SetDeadline(deadline); err != nil {
		return nil, err
	}
	peer = peer.Unmap()
	for {
		c, err := l.AcceptTCP()
		if err != nil {
			return nil, err
		}
		from := RemoteAddrPort(c)
		if promiscuous || from.Addr() == peer {
			return c, nil
		}
		c.Close()
		if onReject != nil {
			onReject(from)
		}
	}
}

// RemoteAddrPort is c's remote address with any IPv4-in-IPv6 mapping removed;
// the zero AddrPort when c is not an IP connection (net.Pipe in tests).
func RemoteAddrPort(c net.Conn) netip.AddrPort {
	return addrPortOf(c.RemoteAddr())
}

// LocalAddrPort is like RemoteAddrPort for the local end.
func LocalAddrPort(c net.Conn) netip.AddrPort {
	return addrPortOf(c.LocalAddr())
}

func addrPortOf(a net.Addr) netip.AddrPort {
	ta, ok := a.(*net.TCPAddr)
	if !ok {
		return netip.AddrPort{}
	}
	ap := ta.AddrPort()
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}

// Dialer opens active-mode (PORT/EPRT) data connections.
type Dialer struct {
	// LocalIP is the control connection's local address: the data connection
	// leaves from the same address, as clients and firewalls expect.
	LocalIP netip.Addr
	// FromPort is ftp_data_port when connect_from_port_20 is on, else 0
	// (an ephemeral port).
	FromPort int
	Timeout  time.Duration
}

// Dial connects to target. ctx cancels a pending connect (ABOR, QUIT).
func (d Dialer) Dial(ctx context.Context, target netip.AddrPort) (*net.TCPConn, error) {
	nd := net.Dialer{
		Timeout:   d.Timeout,
		LocalAddr: net.TCPAddrFromAddrPort(netip.AddrPortFrom(d.LocalIP.Unmap(), uint16(d.FromPort))),
	}
	if d.FromPort != 0 {
		// Several sessions connect from port 20 at once, to different
		// clients; SO_REUSEADDR lets each bind it (the 4-tuples differ).
		nd.Control = setReuseAddr
	}
	c, err := nd.DialContext(ctx, "tcp", target.String())
	if err != nil {
		return nil, err
	}
	return c.(*net.TCPConn), nil
}

func setReuseAddr(_, _ string, rc syscall.RawConn) error {
	var serr error
	err := rc.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
	})
	if err != nil {
		return err
	}
	return serr
}

// CheckActiveTarget enforces vsftpd's PORT rules: the client may only ask
// the server to connect back to the client's own address, at a port of 1024
// or above. Otherwise the server could be used to scan or attack third
// parties (the FTP bounce attack). promiscuous (port_promiscuous) lifts both.
func CheckActiveTarget(target netip.AddrPort, peer netip.Addr, promiscuous bool) error {
	if promiscuous {
		return nil
	}
	if target.Addr().Unmap() != peer.Unmap() {
		return fmt.Errorf("data connection must go to your own address %s, not %s", peer.Unmap(), target.Addr().Unmap())
	}
	if target.Port() < 1024 {
		return errors.New("data connection to a port below 1024 is refused (" + strconv.Itoa(int(target.Port())) + ")")
	}
	return nil
}
