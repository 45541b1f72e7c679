package access

import (
	"errors"
	"net/netip"
	"sync"
	"testing"
)

var (
	a4     = netip.MustParseAddr("192.0.2.1")
	a4map  = netip.MustParseAddr("::ffff:192.0.2.1")
	b4     = netip.MustParseAddr("192.0.2.2")
	a6     = netip.MustParseAddr("2001:db8::1")
	a6zone = netip.MustParseAddr("2001:db8::1%eth0")
)

func TestLimiter(t *testing.T) {
	perIP := &LimitError{Which: MaxPerIP, Limit: 2}
	full := &LimitError{Which: MaxClients, Limit: 3}
	tests := []struct {
		name        string
		max, perMax int
		conns       []netip.Addr
		want        []*LimitError // per connection; nil = accepted
	}{
		{"unlimited", 0, 0, []netip.Addr{a4, a4, a4, a4}, []*LimitError{nil, nil, nil, nil}},
		{"per ip", 0, 2, []netip.Addr{a4, a4, a4, b4}, []*LimitError{nil, nil, perIP, nil}},
		{"mapped counts as v4", 0, 2, []netip.Addr{a4, a4map, a4}, []*LimitError{nil, nil, perIP}},
		{"zone ignored", 0, 2, []netip.Addr{a6, a6zone, a6}, []*LimitError{nil, nil, perIP}},
		{"total", 3, 0, []netip.Addr{a4, b4, a6, a6}, []*LimitError{nil, nil, nil, full}},
		{"total before per ip", 3, 2, []netip.Addr{a4, a4, b4, a4}, []*LimitError{nil, nil, nil, full}},
		{"negative is unlimited", -1, -1, []netip.Addr{a4, a4}, []*LimitError{nil, nil}},
		{"no address is one bucket", 0, 2, []netip.Addr{{}, {}, {}}, []*LimitError{nil, nil, perIP}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := NewLimiter(tt.max, tt.perMax)
			for i, ip := range tt.conns {
				_, err := l.Acquire(ip)
				if !sameLimit(err, tt.want[i]) {
					t.Fatalf("connection %d from %v: err = %v, want %v", i, ip, err, tt.want[i])
				}
			}
		})
	}
}

func sameLimit(err error, want *LimitError) bool {
	if want == nil {
		return err == nil
	}
	var le *LimitError
	return errors.As(err, &le) && *le == *want
}

func TestLimitErrorText(t *testing.T) {
	tests := []struct {
		err  *LimitError
		want string
	}{
		{&LimitError{MaxPerIP, 50}, "too many connections from your address (max_per_ip=50)"},
		{&LimitError{MaxClients, 2000}, "too many connected users, please try later (max_clients=2000)"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestReleaseIdempotent(t *testing.T) {
	l := NewLimiter(2, 1)
	rel, err := l.Acquire(a4)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := l.Acquire(b4)
	rel()
	rel() // must not free b4's slot or go negative
	if l.Count() != 1 || l.CountIP(a4) != 0 || l.CountIP(b4) != 1 {
		t.Fatalf("after double release: total %d, a4 %d, b4 %d", l.Count(), l.CountIP(a4), l.CountIP(b4))
	}
	if _, err := l.Acquire(a4map); err != nil {
		t.Fatalf("slot not freed: %v", err)
	}
	other()
	if len(l.perIP) != 1 {
		t.Fatalf("per-IP map keeps %d entries, want 1 (only open connections)", len(l.perIP))
	}
}

// TestLimiterConcurrent hammers one Limiter (run with -race): at no point may
// more than the limits be held, and everything released returns to zero.
func TestLimiterConcurrent(t *testing.T) {
	const maxClients, maxPerIP, workers, rounds = 20, 5, 64, 200
	l := NewLimiter(maxClients, maxPerIP)
	ips := []netip.Addr{a4, a4map, b4, a6, a6zone, netip.MustParseAddr("198.51.100.7")}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for r := range rounds {
				ip := ips[(w+r)%len(ips)]
				rel, err := l.Acquire(ip)
				if err != nil {
					continue
				}
				if n := l.Count(); n > maxClients {
					t.Errorf("%d connections held, limit %d", n, maxClients)
				}
				if n := l.CountIP(ip); n > maxPerIP {
					t.Errorf("%d connections from %v, limit %d", n, ip, maxPerIP)
				}
				rel()
				rel()
			}
		})
	}
	wg.Wait()
	if l.Count() != 0 || len(l.perIP) != 0 {
		t.Fatalf("after all releases: total %d, %d addresses tracked", l.Count(), len(l.perIP))
	}
}
