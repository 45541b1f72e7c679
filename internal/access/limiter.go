// Package access is the gate in front of every listener: who may connect and
// how many at once.
package access

import (
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
)

// Values of LimitError.Which, named after the vsftpd keys that set them.
const (
	MaxClients = "max_clients"
	MaxPerIP   = "max_per_ip"
)

// LimitError is a refused connection. Its text is meant for the client: the
// FTP engine sends "421 " + Error().
type LimitError struct {
	Which string // MaxClients or MaxPerIP
	Limit int
}

func (e *LimitError) Error() string {
	if e.Which == MaxPerIP {
		return fmt.Sprintf("too many connections from your address (%s=%d)", e.Which, e.Limit)
	}
	return fmt.Sprintf("too many connected users, please try later (%s=%d)", e.Which, e.Limit)
}

// Limiter counts open connections, in total and per client address. It is
// safe for concurrent use; Acquire and release are O(1).
//
// Addresses are counted exactly, as vsftpd does: an IPv4-mapped IPv6 address
// (::ffff:192.0.2.1, what a dual-stack listener reports) counts as its IPv4
// address and a zone is ignored, so one host cannot double its share by
// switching families. Note that one IPv6 host usually owns a whole /64, so
// max_per_ip is weaker against IPv6 clients.
type Limiter struct {
	maxClients, maxPerIP int

	mu    sync.Mutex
	total int
	perIP map[netip.Addr]int // only addresses with open connections
}

// NewLimiter returns a Limiter; a limit of 0 (or less) means unlimited.
func NewLimiter(maxClients, maxPerIP int) *Limiter {
	return &Limiter{
		maxClients: max(maxClients, 0),
		maxPerIP:   max(maxPerIP, 0),
		perIP:      make(map[netip.Addr]int),
	}
}

// Acquire counts one connection from ip, or refuses it with a *LimitError.
// The caller must call release when the connection ends; calling it again is
// harmless. The total limit is checked first, so a full server says so
// rather than blaming the client's address.
func (l *Limiter) Acquire(ip netip.Addr) (release func(), err error) {
	ip = canonical(ip)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.maxClients > 0 && l.total >= l.maxClients {
		return nil, &LimitError{Which: MaxClients, Limit: l.maxClients}
	}
	if l.maxPerIP > 0 && l.perIP[ip] >= l.maxPerIP {
		return nil, &LimitError{Which: MaxPerIP, Limit: l.maxPerIP}
	}
	l.total++
	l.perIP[ip]++
	var done atomic.Bool
	return func() {
		if done.CompareAndSwap(false, true) {
			l.release(ip)
		}
	}, nil
}

func (l *Limiter) release(ip netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.total--
	if n := l.perIP[ip] - 1; n > 0 {
		l.perIP[ip] = n
	} else {
		delete(l.perIP, ip) // keep the map the size of the open connections
	}
}

// Count returns the number of open connections, for metrics.
func (l *Limiter) Count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.total
}

// CountIP returns the number of open connections from ip.
func (l *Limiter) CountIP(ip netip.Addr) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.perIP[canonical(ip)]
}

// canonical is the key ip is counted under. An invalid address (a
// connection with no IP peer, such as net.Pipe in tests) is one bucket.
func canonical(ip netip.Addr) netip.Addr {
	return ip.Unmap().WithZone("")
}
