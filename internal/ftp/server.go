// Package ftp is Wharf's FTP protocol engine: the control connection state
// machine, the command table and the handlers. It depends on the vfs and auth
// interfaces and never on the config file: the daemon fills Options.
package ftp

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"wharf/internal/ftp/dataconn"
	"wharf/internal/ftp/wire"
	"wharf/internal/netserve"
)

// Server serves FTP on any number of listeners. Its lifecycle follows
// net/http: Serve, Shutdown (graceful), Close (immediate).
type Server struct {
	opts     Options
	log      *slog.Logger
	sessions *netserve.Tracker[*session]
	nextID   atomic.Uint64
	sending  atomic.Int32 // data connections sending to clients (see startSending)
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
		opts: opts,
		log:  opts.Logger,
		sessions: netserve.New(netserve.Config[*session]{
			ErrClosed:    ErrServerClosed,
			Log:          opts.Logger,
			AcceptFailed: "accept failed; backing off",
			Drain:        (*session).beginShutdown,
			Kill:         (*session).kill,
		}),
	}, nil
}

// Serve accepts control connections on l until the server is shut down.
// Temporary accept errors (EMFILE, ...) back off instead of spinning.
func (s *Server) Serve(l net.Listener) error { return s.serve(l, false) }

func (s *Server) serve(l net.Listener, implicitTLS bool) error {
	return s.sessions.Serve(l, func(c net.Conn) { s.serveConn(c, implicitTLS) })
}

// ServeImplicitTLS is Serve for the implicit-FTPS port: every session
// starts with a TLS handshake (conventionally port 990).
func (s *Server) ServeImplicitTLS(l net.Listener) error {
	if s.opts.TLS.Config == nil {
		return errors.New("ftp: implicit FTPS needs TLS options")
	}
	return s.serve(l, true)
}

// ServeConn runs one control session on c and returns when it ends. It
// applies the connection limits first.
func (s *Server) ServeConn(c net.Conn) { s.serveConn(c, false) }

func (s *Server) serveConn(c net.Conn, implicitTLS bool) {
	if tc, ok := c.(*net.TCPConn); ok {
		setOOBInline(tc)
	}
	peer := dataconn.RemoteAddrPort(c)
	release, err := netserve.Admit(s.opts.Limiter, peer)
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
	if !s.sessions.Add(sess) {
		c.Write(wire.AppendReply(nil, 421, "Server is shutting down."))
		c.Close()
		return
	}
	defer s.sessions.Done(sess)
	sess.serve()
}

// Shutdown stops accepting connections, tells idle sessions the server is
// going away (421) and lets running transfers finish. It returns when every
// session has ended, or with ctx's error, after which the rest are closed.
func (s *Server) Shutdown(ctx context.Context) error { return s.sessions.Shutdown(ctx) }

// Close stops the server at once: listeners and every connection close.
func (s *Server) Close() error {
	s.sessions.Close()
	return nil
}

// SessionCount reports the sessions now open (for status and tests).
func (s *Server) SessionCount() int { return s.sessions.Count() }
