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
	"sync/atomic"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"wharf/internal/netserve"
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
	conns    *netserve.Tracker[*conn]
	nextID   atomic.Uint64
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
		opts:     opts,
		log:      opts.Logger,
		hostKeys: keys,
		conns: netserve.New(netserve.Config[*conn]{
			ErrClosed:    ErrServerClosed,
			Log:          opts.Logger,
			AcceptFailed: "sftp: accept failed; backing off",
			Drain:        (*conn).beginShutdown,
			Kill:         (*conn).kill,
		}),
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
func (s *Server) Serve(l net.Listener) error { return s.conns.Serve(l, s.ServeConn) }

// ServeConn runs one SSH connection on c and returns when it ends. It
// applies the connection limits first.
func (s *Server) ServeConn(c net.Conn) {
	peer := remoteAddrPort(c)
	release, err := netserve.Admit(s.opts.Limiter, peer)
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
	if !s.conns.Add(cn) {
		c.Close()
		return
	}
	defer s.conns.Done(cn)
	cn.serve()
}

func remoteAddrPort(c net.Conn) netip.AddrPort {
	if ta, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		return ta.AddrPort()
	}
	ap, _ := netip.ParseAddrPort(c.RemoteAddr().String())
	return ap
}

// SessionCount is the number of open SSH connections.
func (s *Server) SessionCount() int { return s.conns.Count() }

// Shutdown stops accepting connections, closes the ones with no open file
// and lets the others finish their transfers: each closes as soon as its
// last open file does, and opening new files is refused meanwhile. It
// returns when every connection has ended, or with ctx's error, after
// which the rest are closed.
func (s *Server) Shutdown(ctx context.Context) error { return s.conns.Shutdown(ctx) }

// Close stops the server at once: listeners and every connection close.
// Uploads in progress are aborted (a Truncate upload leaves nothing).
func (s *Server) Close() error {
	s.conns.Close()
	return nil
}
