package sftpd

import (
	"io"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"

	"wharf/internal/auth"
	"wharf/internal/vfs"
)

// conn is one SSH connection: handshake and authentication, then its
// channels. The user's vfs.FS is opened once and shared by the channels.
type conn struct {
	srv  *Server
	nc   *deadlineConn
	peer netip.AddrPort
	log  *slog.Logger

	sconn *ssh.ServerConn
	ident *auth.Identity
	fs    vfs.FS

	done     chan struct{} // closed when the connection is gone
	doneMu   sync.Once
	closeMu  sync.Once
	channels atomic.Int32 // session channels open
	active   atomic.Int64 // open file and directory handles
	shutting atomic.Bool
}

func newConn(s *Server, c net.Conn, peer netip.AddrPort, id uint64) *conn {
	return &conn{
		srv:  s,
		nc:   &deadlineConn{Conn: c},
		peer: peer,
		log:  s.log.With("proto", "sftp", "sid", id, "remote", peer.String()),
		done: make(chan struct{}),
	}
}

// deadlineConn bounds the handshake with a fixed deadline, then (idle
// set) pushes the deadline forward on every read and write: a connection
// on which nothing moves for the idle timeout is closed.
type deadlineConn struct {
	net.Conn
	idle atomic.Int64 // nanoseconds; 0 while the fixed deadline applies
}

func (c *deadlineConn) Read(p []byte) (int, error) {
	if d := c.idle.Load(); d > 0 {
		c.Conn.SetReadDeadline(time.Now().Add(time.Duration(d)))
	}
	return c.Conn.Read(p)
}

func (c *deadlineConn) Write(p []byte) (int, error) {
	if d := c.idle.Load(); d > 0 {
		c.Conn.SetWriteDeadline(time.Now().Add(time.Duration(d)))
	}
	return c.Conn.Write(p)
}

func (c *conn) serve() {
	defer c.close()
	o := &c.srv.opts
	c.nc.SetDeadline(time.Now().Add(o.LoginTimeout))
	sconn, chans, reqs, err := ssh.NewServerConn(c.nc, c.serverConfig())
	if err != nil {
		c.log.Info("ssh handshake or authentication failed", "err", err.Error())
		return
	}
	c.sconn = sconn
	c.ident = identityOf(sconn.Permissions)
	c.log = c.log.With("user", c.ident.Name)
	if c.fs, err = o.OpenFS(c.ident); err != nil {
		c.log.Error("login refused: cannot open the user's root", "root", c.ident.Home, "err", err)
		return
	}
	c.nc.SetDeadline(time.Time{})
	c.nc.idle.Store(int64(o.IdleTimeout))
	c.log.Info("login ok", "root", c.ident.Home, "method", sconn.Permissions.Extensions[extMethod],
		"client", string(sconn.ClientVersion()))
	go c.globalRequests(reqs)
	var wg sync.WaitGroup
	for nch := range chans {
		c.openChannel(nch, &wg)
	}
	// The transport is gone: wake uploads waiting for a missing write.
	c.markDone()
	wg.Wait()
	c.log.Info("logout")
}

// globalRequests refuses port forwarding (tcpip-forward,
// streamlocal-forward@openssh.com) and everything else global.
func (c *conn) globalRequests(reqs <-chan *ssh.Request) {
	for req := range reqs {
		if req.Type != "keepalive@openssh.com" {
			c.log.Info("refused global request", "type", req.Type)
		}
		if req.WantReply {
			req.Reply(false, nil)
		}
	}
}

func (c *conn) openChannel(nch ssh.NewChannel, wg *sync.WaitGroup) {
	if nch.ChannelType() != "session" {
		c.log.Info("refused channel", "type", nch.ChannelType())
		nch.Reject(ssh.Prohibited, "only the sftp subsystem is available on this server")
		return
	}
	if int(c.channels.Load()) >= c.srv.opts.MaxChannels {
		c.log.Warn("refused channel: too many", "max", c.srv.opts.MaxChannels)
		nch.Reject(ssh.ResourceShortage, "too many channels on this connection")
		return
	}
	ch, reqs, err := nch.Accept()
	if err != nil {
		return
	}
	c.channels.Add(1)
	wg.Go(func() {
		defer c.channels.Add(-1)
		c.session(ch, reqs)
	})
}

// session answers a session channel's requests: "subsystem sftp" starts
// SFTP; everything else (exec, shell, pty-req, env, x11-req,
// auth-agent-req@openssh.com, ...) is refused.
func (c *conn) session(ch ssh.Channel, reqs <-chan *ssh.Request) {
	var started sync.WaitGroup
	running := false
	for req := range reqs {
		ok := false
		if req.Type == "subsystem" && !running && subsystemName(req.Payload) == "sftp" {
			ok, running = true, true
			started.Go(func() { c.serveSFTP(ch) })
		} else {
			c.logRefusedRequest(req)
		}
		if req.WantReply {
			req.Reply(ok, nil)
		}
	}
	if !running {
		ch.Close()
	}
	started.Wait()
}

func (c *conn) logRefusedRequest(req *ssh.Request) {
	switch req.Type {
	case "env", "window-change":
		c.log.Debug("refused channel request", "type", req.Type)
	case "subsystem":
		c.log.Info("refused channel request", "type", req.Type, "subsystem", subsystemName(req.Payload))
	default:
		c.log.Info("refused channel request", "type", req.Type)
	}
}

// subsystemName decodes the payload of a "subsystem" request.
func subsystemName(payload []byte) string {
	var msg struct{ Name string }
	if ssh.Unmarshal(payload, &msg) != nil {
		return ""
	}
	return msg.Name
}

// beginShutdown closes the connection now if no file is open, else as
// soon as the last one closes (see handleClosed).
func (c *conn) beginShutdown() {
	c.shutting.Store(true)
	if c.active.Load() == 0 {
		c.kill()
	}
}

func (c *conn) handleOpened() { c.active.Add(1) }

// handleClosed is called inside the close handler, before pkg/sftp sends
// its reply: during shutdown the connection is closed a moment later, so
// the client still learns that its upload was committed.
func (c *conn) handleClosed() {
	if c.active.Add(-1) == 0 && c.shutting.Load() {
		time.AfterFunc(closeDelay, func() {
			if c.active.Load() == 0 {
				c.kill()
			}
		})
	}
}

const closeDelay = 500 * time.Millisecond

// kill closes the network connection; serve then unwinds.
func (c *conn) kill() { c.nc.Close() }

func (c *conn) markDone() { c.doneMu.Do(func() { close(c.done) }) }

func (c *conn) close() {
	c.markDone()
	c.closeMu.Do(func() {
		if c.sconn != nil {
			c.sconn.Close()
		}
		c.nc.Close()
		if cl, ok := c.fs.(io.Closer); ok {
			cl.Close()
		}
	})
}
