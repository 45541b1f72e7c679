package ftp_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path"
	"strings"
	"sync"
	"testing"
	"time"

	"wharf/internal/access"
	"wharf/internal/auth"
	"wharf/internal/ftp"
	"wharf/internal/ftp/ftptest"
	"wharf/internal/vfs"
)

// TestShutdown: Shutdown stops accepting, says 421 to idle sessions at
// once and lets a running transfer finish before saying 421 there too.
func TestShutdown(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", nil)
	const size = 16 << 20
	sparseFile(t, s.Root, "big", size)
	idle := ftptest.Login(t, s.Addr)
	unauth := ftptest.Dial(t, s.Addr)
	busy := ftptest.Login(t, s.Addr)
	ap, err := busy.Passive(ftptest.EPSV)
	must(t, err)
	dc := dialSmallWindow(t, ap.String())
	busy.Cmd(150, "RETR big")

	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		done <- s.Shutdown(ctx)
	}()
	for _, c := range []*ftptest.Conn{idle, unauth} {
		if code, msg := c.Read(); code != 421 || !strings.Contains(msg, "shutting down") {
			t.Errorf("idle session at Shutdown: %d %q, want 421", code, msg)
		}
		c.ExpectClosed(ftptest.ReplyTimeout)
	}
	if err, ok := s.WaitServe(ftptest.ReplyTimeout); !ok || !errors.Is(err, ftp.ErrServerClosed) {
		t.Errorf("Serve returned %v, %v; want ErrServerClosed", err, ok)
	}
	if c, err := net.Dial("tcp", s.Addr); err == nil {
		c.Close()
		t.Errorf("a new connection was accepted during Shutdown")
	}
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned %v while a transfer was running", err)
	default:
	}
	n, err := io.Copy(io.Discard, dc)
	if err != nil || n != size {
		t.Fatalf("transfer during Shutdown: %d bytes, %v; want all %d", n, err, size)
	}
	busy.Expect(226)
	if code, msg := busy.Read(); code != 421 {
		t.Errorf("after the transfer: %d %q, want 421", code, msg)
	}
	busy.ExpectClosed(ftptest.ReplyTimeout)
	if err := <-done; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}

// TestClose: Close drops every connection at once, transfers included.
func TestClose(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", nil)
	idle := ftptest.Login(t, s.Addr)
	busy := ftptest.Login(t, s.Addr)
	dc := startStalledRETR(t, busy, s.Root)
	must(t, s.Close())
	idle.ExpectClosed(ftptest.ReplyTimeout)
	busy.ExpectClosed(ftptest.ReplyTimeout)
	dc.SetReadDeadline(time.Now().Add(ftptest.ReplyTimeout))
	n, err := io.Copy(io.Discard, dc)
	if isTimeout(err) || n >= 64<<20 {
		t.Errorf("data connection after Close: %d bytes, %v; want it dropped", n, err)
	}
	if err, ok := s.WaitServe(ftptest.ReplyTimeout); !ok || !errors.Is(err, ftp.ErrServerClosed) {
		t.Errorf("Serve returned %v, %v; want ErrServerClosed", err, ok)
	}
	waitFor(t, ftptest.ReplyTimeout, "sessions to end", func() bool { return s.SessionCount() == 0 })
}

// syncBuffer is a log destination safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *syncBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// TestPanicInCommand: a panicking command answers 421 to its session only,
// logs the stack, and every other session goes on.
func TestPanicInCommand(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	s := start(t, "tcp4", func(o *ftp.Options) {
		good := o.Auth
		o.Auth = ftptest.AuthFunc(func(ctx context.Context, req auth.Request) (*auth.Identity, error) {
			if req.User == "boom" {
				panic("test: authenticator panics")
			}
			return good.Authenticate(ctx, req)
		})
		o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	other := ftptest.Login(t, s.Addr)
	c := ftptest.Dial(t, s.Addr)
	c.Cmd(331, "USER boom")
	if code, msg := c.Do("PASS x"); code != 421 {
		t.Errorf("panicking command: %d %q, want 421", code, msg)
	}
	c.ExpectClosed(ftptest.ReplyTimeout)
	other.Cmd(200, "NOOP")
	ftptest.Login(t, s.Addr).Cmd(257, "PWD")
	if l := logs.String(); !strings.Contains(l, "panic") || !strings.Contains(l, "goroutine") {
		t.Errorf("the panic and its stack were not logged:\n%s", l)
	}
}

// panicFS panics while reading a file or directory named "panic": a bug
// in a backend, hit in the transfer goroutine rather than the control loop.
type panicFS struct{ vfs.FS }

func (p panicFS) Open(name string) (vfs.File, error) {
	f, err := p.FS.Open(name)
	if err == nil && path.Base(name) == "panic" {
		return panicFile{f}, nil
	}
	return f, err
}

func (p panicFS) OpenDir(name string) (vfs.Dir, error) {
	d, err := p.FS.OpenDir(name)
	if err == nil && path.Base(name) == "panic" {
		return panicDir{d}, nil
	}
	return d, err
}

type panicFile struct{ vfs.File }

func (panicFile) Read([]byte) (int, error) { panic("test: Read panics") }

type panicDir struct{ vfs.Dir }

func (panicDir) ReadDir(int) ([]os.DirEntry, error) { panic("test: ReadDir panics") }

func TestPanicInTransfer(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	s := start(t, "tcp4", func(o *ftp.Options) {
		o.OpenFS = func(id *auth.Identity) (vfs.FS, error) {
			fsys, err := ftptest.OpenLocalFS(id)
			return panicFS{fsys}, err
		}
		o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	writeFile(t, s.Root, "panic", []byte("data"))
	must(t, os.Mkdir(s.Root+"/dir", 0o755))
	must(t, os.Mkdir(s.Root+"/dir/panic", 0o755))
	other := ftptest.Login(t, s.Addr)
	for _, cmd := range []string{"RETR panic", "LIST dir/panic", "MLSD dir/panic"} {
		c := ftptest.Login(t, s.Addr)
		d, err := c.Data(ftptest.EPSV)
		must(t, err)
		c.Cmd(150, "%s", cmd)
		if code, msg := c.Read(); code != 421 {
			t.Errorf("%s panicking in the transfer: %d %q, want 421", cmd, code, msg)
		}
		c.ExpectClosed(ftptest.ReplyTimeout)
		d.Close()
	}
	other.Cmd(200, "NOOP")
	if l := logs.String(); !strings.Contains(l, "panic") || !strings.Contains(l, "goroutine") {
		t.Errorf("the panic and its stack were not logged:\n%s", l)
	}
}

func TestConnectionLimits(t *testing.T) {
	t.Parallel()
	t.Run("max_clients", func(t *testing.T) {
		t.Parallel()
		lim := access.NewLimiter(2, 0)
		s := start(t, "tcp4", func(o *ftp.Options) { o.Limiter = lim })
		a := ftptest.Dial(t, s.Addr)
		ftptest.Dial(t, s.Addr)
		expectRefused(t, s.Addr, nil, "max_clients=2")
		a.Cmd(221, "QUIT")
		a.ExpectClosed(ftptest.ReplyTimeout)
		waitFor(t, ftptest.ReplyTimeout, "the limiter to release", func() bool { return lim.Count() < 2 })
		ftptest.Dial(t, s.Addr).Cmd(200, "NOOP")
	})
	t.Run("max_per_ip", func(t *testing.T) {
		t.Parallel()
		s := start(t, "tcp4", func(o *ftp.Options) { o.Limiter = access.NewLimiter(0, 1) })
		ftptest.Dial(t, s.Addr)
		expectRefused(t, s.Addr, nil, "max_per_ip=1")
		other := ftptest.DialNoGreeting(t, s.Addr, &net.TCPAddr{IP: net.ParseIP("127.0.0.2")})
		other.Expect(220)
	})
}

func expectRefused(t *testing.T, addr string, local net.Addr, want string) {
	t.Helper()
	c := ftptest.DialNoGreeting(t, addr, local)
	if code, msg := c.Read(); code != 421 || !strings.Contains(msg, want) {
		t.Errorf("connection over the limit: %d %q, want 421 naming %s", code, msg, want)
	}
	c.ExpectClosed(ftptest.ReplyTimeout)
}

// TestNoDescriptorLeak: sessions release everything they opened (the
// user's root directory, passive listeners, files) when they end. Not
// parallel: it counts the process's descriptors.
func TestNoDescriptorLeak(t *testing.T) {
	s := start(t, "tcp4", nil)
	writeFile(t, s.Root, "f", []byte("x"))
	session := func() {
		c := ftptest.Login(t, s.Addr)
		c.Retr(ftptest.EPSV, "f")
		c.Cmd(229, "EPSV")
		c.Cmd(220, "REIN")
		c.Login(ftptest.User, ftptest.Pass)
		c.Cmd(227, "PASV")
		c.Cmd(221, "QUIT")
		c.ExpectClosed(ftptest.ReplyTimeout)
		c.Close()
	}
	session() // warm up lazily opened descriptors
	waitFor(t, ftptest.ReplyTimeout, "sessions to end", func() bool { return s.SessionCount() == 0 })
	before := openFDs(t)
	for range 30 {
		session()
	}
	waitFor(t, ftptest.ReplyTimeout, "sessions to end", func() bool { return s.SessionCount() == 0 })
	if after := openFDs(t); after > before+5 {
		t.Errorf("open descriptors: %d before 30 sessions, %d after", before, after)
	}
}

func openFDs(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot count descriptors: %v", err)
	}
	return len(ents)
}
