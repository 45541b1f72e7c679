package netserve

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"testing"
	"time"
)

var errClosed = errors.New("test: server closed")

// fakeConn is a tracked connection that records how it was ended.
type fakeConn struct {
	mu             sync.Mutex
	drained, kills int
	end            chan struct{} // closed to let the handler return
	once           sync.Once
}

func newFake() *fakeConn { return &fakeConn{end: make(chan struct{})} }

func (f *fakeConn) finish() { f.once.Do(func() { close(f.end) }) }

func tracker() *Tracker[*fakeConn] {
	return New(Config[*fakeConn]{
		ErrClosed:    errClosed,
		Log:          slog.New(slog.NewTextHandler(io.Discard, nil)),
		AcceptFailed: "accept failed",
		Drain:        func(f *fakeConn) { f.mu.Lock(); f.drained++; f.mu.Unlock(); f.finish() },
		Kill:         func(f *fakeConn) { f.mu.Lock(); f.kills++; f.mu.Unlock(); f.finish() },
	})
}

// hold tracks f until it is drained or killed, as a server's handler does.
func hold(t *testing.T, tr *Tracker[*fakeConn], f *fakeConn) {
	t.Helper()
	if !tr.Add(f) {
		t.Fatal("Add refused a connection before shutdown")
	}
	go func() {
		<-f.end
		tr.Done(f)
	}()
}

func TestServeHandsOverConnections(t *testing.T) {
	tr := tracker()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan net.Conn, 1)
	served := make(chan error, 1)
	go func() { served <- tr.Serve(l, func(c net.Conn) { got <- c }) }()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	select {
	case sc := <-got:
		sc.Close()
	case <-time.After(10 * time.Second):
		t.Fatal("the handler was not called")
	}
	tr.Close()
	select {
	case err := <-served:
		if err != errClosed {
			t.Errorf("Serve after Close: %v, want ErrClosed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after Close")
	}
	if err := tr.Serve(l, func(net.Conn) {}); err != errClosed {
		t.Errorf("Serve on a closed tracker: %v, want ErrClosed", err)
	}
}

// flaky fails Accept with a temporary error a few times, then for good.
type flaky struct {
	net.Listener
	temp int
}

type tempErr struct{}

func (tempErr) Error() string   { return "too many open files" }
func (tempErr) Temporary() bool { return true }
func (tempErr) Timeout() bool   { return false }

func (f *flaky) Accept() (net.Conn, error) {
	if f.temp > 0 {
		f.temp--
		return nil, tempErr{}
	}
	return nil, syscall.EINVAL
}

func (f *flaky) Close() error { return nil }

func TestServeBacksOffOnTemporaryErrors(t *testing.T) {
	tr := tracker()
	err := tr.Serve(&flaky{temp: 3}, func(net.Conn) { t.Error("handler called") })
	if !errors.Is(err, syscall.EINVAL) {
		t.Errorf("Serve: %v, want the permanent error", err)
	}
}

func TestShutdownDrains(t *testing.T) {
	tr := tracker()
	a, b := newFake(), newFake()
	hold(t, tr, a)
	hold(t, tr, b)
	if n := tr.Count(); n != 2 {
		t.Fatalf("Count: %d, want 2", n)
	}
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if a.drained != 1 || b.drained != 1 || a.kills+b.kills != 0 {
		t.Errorf("drained %d, %d, killed %d, %d; want each drained once, none killed", a.drained, b.drained, a.kills, b.kills)
	}
	if tr.Count() != 0 {
		t.Errorf("Count after Shutdown: %d, want 0", tr.Count())
	}
	if tr.Add(newFake()) {
		t.Error("Add accepted a connection after Shutdown")
	}
}

func TestShutdownDeadlineKills(t *testing.T) {
	tr := New(Config[*fakeConn]{
		ErrClosed: errClosed,
		Drain:     func(*fakeConn) {}, // busy: does not end on its own
		Kill:      func(f *fakeConn) { f.mu.Lock(); f.kills++; f.mu.Unlock(); f.finish() },
	})
	f := newFake()
	hold(t, tr, f)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := tr.Shutdown(ctx); err != context.DeadlineExceeded {
		t.Errorf("Shutdown: %v, want DeadlineExceeded", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.kills != 1 {
		t.Errorf("killed %d times after the deadline, want 1", f.kills)
	}
}

type limiter struct{ calls int }

func (l *limiter) Acquire(netip.Addr) (func(), error) {
	l.calls++
	return func() {}, errors.New("too many")
}

func TestAdmit(t *testing.T) {
	peer := netip.MustParseAddrPort("127.0.0.1:2121")
	if release, err := Admit(nil, peer); err != nil || release == nil {
		t.Errorf("Admit with no limiter: %v", err)
	}
	l := &limiter{}
	if _, err := Admit(l, netip.AddrPort{}); err != nil || l.calls != 0 {
		t.Errorf("Admit of a peer with no address: %v, %d calls", err, l.calls)
	}
	if _, err := Admit(l, peer); err == nil || l.calls != 1 {
		t.Errorf("Admit: %v after %d calls, want the limiter's refusal", err, l.calls)
	}
}
