// Package sftpd is Wharf's SSH front: an SSH server (golang.org/x/crypto/ssh)
// that offers only the "sftp" subsystem, served by pkg/sftp's request server
// over the same vfs.FS, auth and access packages as FTP.
//
// Everything but the sftp subsystem is refused cleanly: exec, shell, pty,
// env, X11 and agent requests are answered "false", other channel types
// (port forwarding) are rejected, global requests (tcpip-forward) too.
//
// Uploads: pkg/sftp hands us writes by offset, on up to 8 goroutines at
// once, while vfs.Upload is a stream (Truncate uploads go to a temporary
// file renamed on success). See upload.go for how one maps to the other.
package sftpd

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

func init() {
	// vfs has no hard links: do not advertise hardlink@openssh.com.
	if err := sftp.SetSFTPExtensions("posix-rename@openssh.com", "statvfs@openssh.com"); err != nil {
		panic(err)
	}
}

// ServerVersion is the SSH identification string.
const ServerVersion = "SSH-2.0-Wharf"

// ErrServerClosed is returned by Serve after Shutdown or Close.
var ErrServerClosed = errors.New("sftpd: server closed")

// Server serves SFTP over SSH on any number of listeners. Its lifecycle
// follows net/http: Serve, Shutdown (graceful), Close (immediate).
type Server struct {
	opts     Options
	log      *slog.Logger
	hostKeys []ssh.Signer // as offered: filtered by HostKeyAlgorithms

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[*conn]struct{}
	closing   atomic.Bool
	nextID    atomic.Uint64
	wg        sync.WaitGroup // one per running connection
}

// NewServer checks opts and fills defaults.
func NewServer(opts Options) (*Server, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	opts.fillDefaults()
	keys, err := offeredHostKeys(opts.HostKeys, opts.HostKeyAlgorithms)
	if err != nil {
		return nil, err
	}
	return &Server{
		opts:      opts,
		log:       opts.Logger,
		hostKeys:  keys,
		listeners: map[net.Listener]struct{}{},
		conns:     map[*conn]struct{}{},
	}, nil
}

// HostKeys are the public keys the server offers, for printing their
// fingerprints.
func (s *Server) HostKeys() []ssh.PublicKey {
	pubs := make([]ssh.PublicKey, len(s.hostKeys))
	for i, k := range s.hostKeys {
		pubs[i] = k.PublicKey()
	}
	return pubs
}

// Serve accepts connections on l until the server is shut down. Temporary
// accept errors back off instead of spinning.
func (s *Server) Serve(l net.Listener) error {
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
				s.log.Warn("sftp: accept failed; backing off", "err", err, "backoff", backoff)
				time.Sleep(backoff)
				continue
			}
			return err
		}
		backoff = 0
		go s.ServeConn(c)
	}
}

func isTemporary(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

// ServeConn runs one SSH connection on c and returns when it ends. It
// applies the connection limits first.
func (s *Server) ServeConn(c net.Conn) {
	peer := remoteAddrPort(c)
	release, err := s.admit(peer)
	if err != nil {
		s.log.Warn("sftp: connection refused", "remote", peer, "reason", err.Error())
		// RFC 4253 4.2 lets the server send text lines before its version
		// string; OpenSSH clients show them with -v.
		c.SetWriteDeadline(time.Now().Add(5 * time.Second))
		c.Write([]byte(err.Error() + "\r\n"))
		c.Close()
		return
	}
	defer release()
	cn := newConn(s, c, peer, s.nextID.Add(1))
	if !s.trackConn(cn, true) {
		c.Close()
		return
	}
	defer s.trackConn(cn, false)
	cn.serve()
}

func (s *Server) admit(peer netip.AddrPort) (func(), error) {
	if s.opts.Limiter == nil || !peer.IsValid() {
		return func() {}, nil
	}
	return s.opts.Limiter.Acquire(peer.Addr())
}

func remoteAddrPort(c net.Conn) netip.AddrPort {
	if ta, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		return ta.AddrPort()
	}
	ap, _ := netip.ParseAddrPort(c.RemoteAddr().String())
	return ap
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

func (s *Server) trackConn(c *conn, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if add {
		if s.closing.Load() {
			return false
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
	} else {
		delete(s.conns, c)
		s.wg.Done()
	}
	return true
}

// SessionCount is the number of open SSH connections.
func (s *Server) SessionCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// Shutdown stops accepting connections, closes the ones with no open file
// and lets the others finish their transfers: each closes as soon as its
// last open file does, and opening new files is refused meanwhile. It
// returns when every connection has ended, or with ctx's error, after
// which the rest are closed.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closeListeners()
	s.mu.Lock()
	for c := range s.conns {
		c.beginShutdown()
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
// Uploads in progress are aborted (a Truncate upload leaves nothing).
func (s *Server) Close() error {
	s.closeListeners()
	s.mu.Lock()
	for c := range s.conns {
		c.kill()
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
