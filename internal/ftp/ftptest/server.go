// Package ftptest runs in-process FTP servers for tests and drives them
// with a raw control connection (Conn), in the spirit of net/http/httptest.
// It is test support: only _test.go files import it.
package ftptest

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"wharf/internal/auth"
	"wharf/internal/ftp"
	"wharf/internal/vfs"
	"wharf/internal/vfs/localfs"
)

// The account that Options sets up.
const (
	User = "alice"
	Pass = "s3cret"
)

// AuthFunc adapts a function to auth.Authenticator.
type AuthFunc func(ctx context.Context, req auth.Request) (*auth.Identity, error)

// Authenticate calls f.
func (f AuthFunc) Authenticate(ctx context.Context, req auth.Request) (*auth.Identity, error) {
	return f(ctx, req)
}

// StaticAuth accepts one user and password, with every permission and home
// as the root of their files.
func StaticAuth(user, pass, home string) auth.Authenticator {
	return AuthFunc(func(_ context.Context, req auth.Request) (*auth.Identity, error) {
		switch {
		case req.User != user:
			return nil, auth.ErrUnknownUser
		case req.Password != pass:
			return nil, auth.ErrBadPassword
		}
		return &auth.Identity{
			Name: user, Home: home, UID: -1, GID: -1,
			Perms: auth.PermRead | auth.PermList | auth.PermWrite,
		}, nil
	})
}

// OpenLocalFS opens a localfs confined to the identity's home. As in the
// daemon, the engine applies the umask (Options.LocalUmask), not localfs.
func OpenLocalFS(id *auth.Identity) (vfs.FS, error) {
	return localfs.New(id.Home, localfs.Options{FileMode: 0o666, UID: -1, GID: -1})
}

// Options returns Options for tests: User/Pass rooted at root on a localfs,
// every right and both data-connection modes enabled, and timeouts short
// enough that a hung test fails quickly but long enough for -race on a busy
// machine.
func Options(root string) ftp.Options {
	return ftp.Options{
		Auth:           StaticAuth(User, Pass, root),
		OpenFS:         OpenLocalFS,
		LocalEnable:    true,
		WriteEnable:    true,
		DownloadEnable: true,
		DirlistEnable:  true,
		ChmodEnable:    true,
		MdtmWrite:      true,
		PortEnable:     true,
		PasvEnable:     true,
		LocalUmask:     0o022,
		AcceptTimeout:  10 * time.Second,
		ConnectTimeout: 10 * time.Second,
		DataTimeout:    20 * time.Second,
		IdleTimeout:    20 * time.Second,
		LoginTimeout:   20 * time.Second,
		LineTimeout:    20 * time.Second,
		LogTransfers:   true,
		LogProtocol:    true,
	}
}

// Server is a running ftp.Server on a loopback listener.
type Server struct {
	*ftp.Server
	Addr string // host:port of the control listener
	Root string // the home passed to Options, if any
	Opts ftp.Options

	serveDone chan struct{} // closed when Serve has returned serveErr
	serveErr  error
}

// LoopbackHost returns "127.0.0.1" for "tcp4" and "::1" for "tcp6".
func LoopbackHost(network string) string {
	if network == "tcp6" {
		return "::1"
	}
	return "127.0.0.1"
}

// SkipIfNoIPv6 skips the test when the machine has no IPv6 loopback.
func SkipIfNoIPv6(t testing.TB) {
	t.Helper()
	l, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	l.Close()
}

// Start runs a server with opts on a fresh loopback port of network
// ("tcp4" or "tcp6"). Unless opts.Logger is set, the server logs through
// t.Log. Cleanup closes the server and waits for every session to end, so
// nothing outlives the test.
func Start(t testing.TB, network string, opts ftp.Options) *Server {
	t.Helper()
	if network == "tcp6" {
		SkipIfNoIPv6(t)
	}
	var logw *testWriter
	if opts.Logger == nil {
		logw = &testWriter{t: t}
		opts.Logger = slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	srv, err := ftp.NewServer(opts)
	if err != nil {
		t.Fatalf("ftp.NewServer: %v", err)
	}
	l, err := net.Listen(network, net.JoinHostPort(LoopbackHost(network), "0"))
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	s := &Server{Server: srv, Addr: l.Addr().String(), Opts: opts, serveDone: make(chan struct{})}
	go func() {
		s.serveErr = srv.Serve(l)
		close(s.serveDone)
	}()
	t.Cleanup(func() {
		s.stop(t)
		if logw != nil {
			logw.close()
		}
	})
	return s
}

// stop closes everything, then waits (Shutdown after Close) until every
// session goroutine is gone.
func (s *Server) stop(t testing.TB) {
	s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Errorf("sessions still running 10s after Close: %v", err)
	}
	if err, ok := s.WaitServe(10 * time.Second); !ok {
		t.Errorf("Serve did not return after Close")
	} else if !errors.Is(err, ftp.ErrServerClosed) {
		t.Errorf("Serve returned %v, want ErrServerClosed", err)
	}
}

// WaitServe waits up to d for Serve to return and returns its error; ok
// is false if it is still running.
func (s *Server) WaitServe(d time.Duration) (err error, ok bool) {
	select {
	case <-s.serveDone:
		return s.serveErr, true
	case <-time.After(d):
		return nil, false
	}
}

// testWriter sends log lines to t.Log until the test's cleanup, then drops
// them (t.Log after the test ends panics).
type testWriter struct {
	mu     sync.Mutex
	t      testing.TB
	closed bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.t.Log(strings.TrimSuffix(string(p), "\n"))
	}
	return len(p), nil
}

func (w *testWriter) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
}
