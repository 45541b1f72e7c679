// Package ftp is Wharf's FTP protocol engine: the control connection state
// machine, the command table and the handlers. It depends on the vfs and auth
// interfaces and never on the config file: the daemon fills Options.
package ftp

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"wharf/internal/ftp/dataconn"
	"wharf/internal/ftp/wire"
)

// Server serves FTP on any number of listeners. Its lifecycle follows
// net/http: Serve, Shutdown (graceful), Close (immediate).
type Server struct {
	opts Options
	log  *slog.Logger

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	sessions  map[*session]struct{}
	closing   atomic.Bool
	nextID    atomic.Uint64
	wg        sync.WaitGroup // one per running session
}

// ErrServerClosed is returned by Serve after Shutdown or Close.
var ErrServerClosed = errors.New("ftp: server closed")

// NewServer checks opts and fills defaults.
func NewServer(opts Options) (*Server, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	opts.fillDefaults()
	return &Server{
		opts:      opts,
		log:       opts.Logger,
		listeners: map[net.Listener]struct{}{},
		sessions:  map[*session]struct{}{},
	}, nil
}

// Serve accepts control connections on l until the server is shut down.
// Temporary accept errors (EMFILE, ...) back off instead of spinning.
func (s *Server) Serve(l net.Listener) error { return s.serve(l, false) }

func (s *Server) serve(l net.Listener, implicitTLS bool) error {
	if !s.trackListener(l, true) {
		return ErrServerClosed
	}
	defer s.trackListener(l, false)
	var backoff time.Duration
	for {
		c, err := l.Accept()
		if err != nil {
			if s.closing.Load() {
				return ErrServerClosed
			}
			if ne, ok := err.(net.Error); ok && ne.Timeout() || isTemporary(err) {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.log.Warn("accept failed; backing off", "err", err, "backoff", backoff)
				time.Sleep(backoff)
				continue
			}
			return err
		}
		backoff = 0
		go s.serveConn(c, implicitTLS)
	}
}

// ServeImplicitTLS is Serve for the implicit-FTPS port: every session
// starts with a TLS handshake (conventionally port 990).
func (s *Server) ServeImplicitTLS(l net.Listener) error {
	if s.opts.TLS.Config == nil {
		return errors.New("ftp: implicit FTPS needs TLS options")
	}
	return s.serve(l, true)
}

func isTemporary(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

// ServeConn runs one control session on c and returns when it ends. It
// applies the connection limits first.
func (s *Server) ServeConn(c net.Conn) { s.serveConn(c, false) }

func (s *Server) serveConn(c net.Conn, implicitTLS bool) {
	if tc, ok := c.(*net.TCPConn); ok {
		setOOBInline(tc)
	}
	peer := dataconn.RemoteAddrPort(c)
	release, err := s.admit(peer)
	if err != nil {
		s.log.Warn("connection refused", "remote", peer, "reason", err.Error())
		c.SetWriteDeadline(time.Now().Add(5 * time.Second))
		c.Write(wire.AppendReply(nil, 421, err.Error()))
		c.Close()
		return
	}
	defer release()
	sess := newSession(s, c, s.nextID.Add(1))
	sess.implicitTLS = implicitTLS
	if !s.trackSession(sess, true) {
		c.Write(wire.AppendReply(nil, 421, "Server is shutting down."))
		c.Close()
		return
	}
	defer s.trackSession(sess, false)
	sess.serve()
}

func (s *Server) admit(peer netip.AddrPort) (func(), error) {
	if s.opts.Limiter == nil || !peer.IsValid() {
		return func() {}, nil
	}
	return s.opts.Limiter.Acquire(peer.Addr())
}

func (s *Server) trackListener(l net.Listener, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if add {
		if s.closing.Load() {
			return false
		}
		s.listeners[l] = struct{}{}
	} else {
		delete(s.listeners, l)
	}
	return true
}

func (s *Server) trackSession(sess *session, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if add {
		if s.closing.Load() {
			return false
		}
		s.sessions[sess] = struct{}{}
		s.wg.Add(1)
	} else {
		delete(s.sessions, sess)
		s.wg.Done()
	}
	return true
}

// Shutdown stops accepting connections, tells idle sessions the server is
// going away (421) and lets running transfers finish. It returns when every
// session has ended, or with ctx's error, after which the rest are closed.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closeListeners()
	s.mu.Lock()
	for sess := range s.sessions {
		sess.beginShutdown()
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.Close()
		return ctx.Err()
	}
}

// Close stops the server at once: listeners and every connection close.
func (s *Server) Close() error {
	s.closeListeners()
	s.mu.Lock()
	for sess := range s.sessions {
		sess.kill()
	}
	s.mu.Unlock()
	return nil
}

func (s *Server) closeListeners() {
	s.closing.Store(true)
	s.mu.Lock()
	defer s.mu.Unlock()
	for l := range s.listeners {
		l.Close()
	}
}

// SessionCount reports the sessions now open (for status and tests).
func (s *Server) SessionCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}
