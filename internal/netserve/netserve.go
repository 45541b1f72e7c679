// Package netserve is the lifecycle the protocol servers (ftp, sftpd)
// share, after net/http's: an accept loop per listener that backs off on
// temporary errors, the set of open listeners and connections, a graceful
// Shutdown and an immediate Close.
//
// It imports nothing of Wharf's: a server hands it its own connection
// type and says how to wind one down and how to end one at once.
package netserve

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// Config is what a server tells its Tracker.
type Config[C comparable] struct {
	ErrClosed    error        // what Serve returns once the server is closing
	Log          *slog.Logger // where accept failures are reported
	AcceptFailed string       // the message they are logged with
	Drain        func(C)      // Shutdown: end c once it is idle
	Kill         func(C)      // Close: end c now
}

// Tracker keeps a server's listeners and connections (of type C).
type Tracker[C comparable] struct {
	cfg       Config[C]
	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[C]struct{}
	closing   atomic.Bool
	wg        sync.WaitGroup // one per tracked connection
}

// New returns a Tracker with nothing open.
func New[C comparable](cfg Config[C]) *Tracker[C] {
	return &Tracker[C]{cfg: cfg, listeners: map[net.Listener]struct{}{}, conns: map[C]struct{}{}}
}

// Serve accepts connections on l and runs handle on each in a goroutine
// of its own, until the server is shut down (ErrClosed) or Accept fails
// for good. Temporary accept errors (EMFILE, ...) back off, from 5 ms up
// to a second, instead of spinning.
func (t *Tracker[C]) Serve(l net.Listener, handle func(net.Conn)) error {
	if !t.trackListener(l, true) {
		return t.cfg.ErrClosed
	}
	defer t.trackListener(l, false)
	var backoff time.Duration
	for {
		c, err := l.Accept()
		if err != nil {
			if t.closing.Load() {
				return t.cfg.ErrClosed
			}
			if !temporary(err) {
				return err
			}
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			t.cfg.Log.Warn(t.cfg.AcceptFailed, "err", err, "backoff", backoff)
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		go handle(c)
	}
}

func temporary(err error) bool {
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return true
	}
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

func (t *Tracker[C]) trackListener(l net.Listener, add bool) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !add {
		delete(t.listeners, l)
		return true
	}
	if t.closing.Load() {
		return false
	}
	t.listeners[l] = struct{}{}
	return true
}

// Add tracks c until Done(c); it returns false, tracking nothing, once the
// server is closing.
func (t *Tracker[C]) Add(c C) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closing.Load() {
		return false
	}
	t.conns[c] = struct{}{}
	t.wg.Add(1)
	return true
}

// Done stops tracking c, which Add accepted.
func (t *Tracker[C]) Done(c C) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.conns, c)
	t.wg.Done()
}

// Count is the number of connections tracked now.
func (t *Tracker[C]) Count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.conns)
}

// Shutdown closes the listeners and drains every connection (Config.Drain).
// It returns when every connection has ended, or with ctx's error, after
// which Close ends the rest.
func (t *Tracker[C]) Shutdown(ctx context.Context) error {
	t.closeListeners()
	t.each(t.cfg.Drain)
	done := make(chan struct{})
	go func() { t.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		t.Close()
		return ctx.Err()
	}
}

// Close closes the listeners and ends every connection at once
// (Config.Kill).
func (t *Tracker[C]) Close() {
	t.closeListeners()
	t.each(t.cfg.Kill)
}

func (t *Tracker[C]) each(f func(C)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for c := range t.conns {
		f(c)
	}
}

func (t *Tracker[C]) closeListeners() {
	t.closing.Store(true)
	t.mu.Lock()
	defer t.mu.Unlock()
	for l := range t.listeners {
		l.Close()
	}
}

// Limiter admits or refuses a connection from ip (max_clients,
// max_per_ip); release gives its place back.
type Limiter interface {
	Acquire(ip netip.Addr) (release func(), err error)
}

// Admit asks l to admit a connection from peer. A nil l, or a peer with no
// IP address (not TCP), is admitted with nothing to release.
func Admit(l Limiter, peer netip.AddrPort) (release func(), err error) {
	if l == nil || !peer.IsValid() {
		return func() {}, nil
	}
	return l.Acquire(peer.Addr())
}
