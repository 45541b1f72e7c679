package ftp

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/netip"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"wharf/internal/auth"
	"wharf/internal/ftp/dataconn"
	"wharf/internal/ftp/wire"
	"wharf/internal/vfs"
)

// session is one control connection. Its fields are owned by the session
// goroutine; the transfer goroutine touches only the transfer it was given,
// replies (under wmu) and the read deadline (under xmu).
type session struct {
	srv   *Server
	opts  *Options
	id    uint64
	raw   net.Conn // the TCP connection; deadlines are set here
	conn  net.Conn // raw, or TLS over it after AUTH (written under wmu)
	br    *bufio.Reader
	lines *lineEndTracker // under br: see overlongLineEnded
	log   *slog.Logger
	peer  netip.AddrPort
	local netip.AddrPort

	wmu  sync.Mutex // serialises replies
	wbuf []byte

	// Login state.
	loginBy    time.Time // an unauthenticated session is closed then
	pendingUsr string
	loginFails int
	anonPass   string // the anonymous password (an e-mail address), for the transfer log
	ident      *auth.Identity
	fs         vfs.FS
	rights     rights
	cwd        string
	umask      fs.FileMode

	// FTPS state.
	tlsCfg      *tls.Config // per-session clone; nil when FTPS is off
	implicitTLS bool
	tlsOn       bool
	pbsz, protP bool

	// Transfer parameters.
	ascii      bool
	restOffset int64
	renameFrom string
	pasv       *net.TCPListener
	activeTo   netip.AddrPort
	epsvAll    bool

	// The running transfer, if any; xmu guards xferRunning and the read
	// deadline so that a transfer ending never races the control loop, and
	// changes of xfer, which Server.Close reads from its own goroutine.
	xfer        *transfer
	xmu         sync.Mutex
	xferRunning bool

	shuttingDown atomic.Bool
	quit         bool
}

// rights are what the logged-in user may do, computed once at login from
// the Identity and the server-wide switches.
type rights struct {
	download, list, upload, mkdir, modify bool
}

func newSession(srv *Server, c net.Conn, id uint64) *session {
	s := &session{
		srv:     srv,
		opts:    &srv.opts,
		id:      id,
		raw:     c,
		conn:    c,
		peer:    dataconn.RemoteAddrPort(c),
		local:   dataconn.LocalAddrPort(c),
		cwd:     "/",
		loginBy: time.Now().Add(srv.opts.LoginTimeout),
		// ASCII is the default type (RFC 959 §3.1.1.1) and vsftpd's: with
		// ascii_*_enable, lftp's "put -a" relies on it and sends no TYPE A.
		ascii: true,
	}
	s.setControlReader(c)
	s.log = s.sessionLogger()
	if srv.opts.TLS.Config != nil {
		s.tlsCfg = sessionTLSConfig(srv.opts.TLS.Config)
	}
	return s
}

// sessionLogger is the session's logger before login; login adds the user.
func (s *session) sessionLogger() *slog.Logger {
	return s.srv.log.With("session", s.id, "remote", s.peer.String())
}

// serve runs the control loop until QUIT, a timeout, an error or shutdown.
func (s *session) serve() {
	defer s.cleanup()
	s.log.Info("connect", "local", s.local.String(), "implicit_tls", s.implicitTLS)
	if s.implicitTLS && !s.startImplicitTLS() {
		return
	}
	s.reply(220, s.opts.Banner)
	for !s.quit {
		line, err := s.readCommandLine()
		if err != nil {
			s.endOnReadError(err)
			return
		}
		if line == nil { // overlong line, already answered
			continue
		}
		s.dispatchLine(line)
	}
}

// readCommandLine waits for the next line: up to the idle (or login)
// deadline for its first byte, then LineTimeout for the rest, so a client
// that trickles a byte at a time cannot hold the connection.
func (s *session) readCommandLine() ([]byte, error) {
	s.armIdleDeadline()
	if _, err := s.br.Peek(1); err != nil {
		return nil, err
	}
	s.raw.SetReadDeadline(s.lineDeadline())
	line, err := wire.ReadLine(s.br, s.opts.MaxLine)
	if errors.Is(err, wire.ErrLineTooLong) {
		ended := s.overlongLineEnded()
		s.reply(500, fmt.Sprintf("Command line too long (the limit is %d bytes).", s.opts.MaxLine))
		s.log.Warn("overlong command line", "limit", s.opts.MaxLine)
		if ended {
			return nil, nil
		}
		return nil, s.discardRestOfLine()
	}
	return line, err
}

// setControlReader reads commands from r (the connection, or TLS over it).
func (s *session) setControlReader(r io.Reader) {
	s.lines = &lineEndTracker{r: r}
	s.br = bufio.NewReaderSize(s.lines, 4096)
}

// lineEndTracker remembers whether the last byte read from the connection
// was '\n'.
type lineEndTracker struct {
	r      io.Reader
	lastLF bool
}

func (t *lineEndTracker) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n > 0 {
		t.lastLF = p[n-1] == '\n'
	}
	return n, err
}

// overlongLineEnded reports whether wire.ReadLine, refusing an overlong
// line, already consumed the line's '\n': it discards the buffered rest of
// the line through its '\n' when that has arrived, and everything buffered
// otherwise. So bytes left in the buffer, or a buffer emptied exactly at a
// '\n', mean the line is over; skipping to the next '\n' would then eat the
// client's next command.
func (s *session) overlongLineEnded() bool {
	return s.br.Buffered() > 0 || s.lines.lastLF
}

// discardRestOfLine skips what is left of an overlong line, within the
// line deadline already set; a client that never sends '\n' is cut off.
func (s *session) discardRestOfLine() error {
	for {
		_, err := s.br.ReadSlice('\n')
		if err != bufio.ErrBufferFull {
			return err
		}
	}
}

func (s *session) lineDeadline() time.Time {
	d := time.Now().Add(s.opts.LineTimeout)
	if s.ident == nil && s.loginBy.Before(d) {
		return s.loginBy
	}
	return d
}

// armIdleDeadline sets the read deadline for waiting on a command: none
// while a transfer runs (a transferring session is not idle), the idle
// timeout otherwise, and never past the login deadline.
func (s *session) armIdleDeadline() {
	s.xmu.Lock()
	defer s.xmu.Unlock()
	if s.xferRunning {
		s.raw.SetReadDeadline(time.Time{})
		return
	}
	d := time.Now().Add(s.opts.IdleTimeout)
	if s.ident == nil && s.loginBy.Before(d) {
		d = s.loginBy
	}
	if s.shuttingDown.Load() {
		d = time.Now()
	}
	s.raw.SetReadDeadline(d)
}

func (s *session) endOnReadError(err error) {
	var ne net.Error
	switch {
	case s.shuttingDown.Load():
		s.waitTransfer()
		s.reply(421, "Server is shutting down. Please reconnect later.")
		s.log.Info("closed for shutdown")
	case errors.As(err, &ne) && ne.Timeout():
		if s.ident == nil {
			s.reply(421, "Login timed out: log in sooner after connecting.")
		} else {
			s.reply(421, "Timeout: no command received for too long.")
		}
		s.log.Info("timeout", "logged_in", s.ident != nil)
	default:
		s.log.Info("disconnect", "reason", err.Error())
	}
}

// dispatchLine parses one line and runs its command. While a transfer runs
// only ABOR and QUIT act at once, and STAT and NOOP once its 150 is out;
// any other command waits for the transfer to end, so pipelined commands
// keep their order.
func (s *session) dispatchLine(line []byte) {
	cmd, err := wire.ParseCommand(line)
	if err != nil {
		s.reply(500, "Unknown command: not a valid FTP command line.")
		return
	}
	if s.opts.LogProtocol {
		s.log.Debug("command", "verb", cmd.Verb, "arg", redactArg(cmd))
	}
	if x := s.xfer; x != nil && !x.isDone() && !actsDuring(x, cmd.Verb) {
		s.waitTransfer()
	}
	s.reapTransfer()
	s.run(cmd)
}

// actsDuring reports whether verb runs at once while x is running.
func actsDuring(x *transfer, verb string) bool {
	beforeOpening, ok := duringTransfer[verb]
	return ok && (beforeOpening || x.opened.Load())
}

// run executes one command with panic recovery: a panic answers 421 to
// this session only, logs the stack and ends the session.
func (s *session) run(cmd wire.Command) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic in command", "verb", cmd.Verb, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			s.reply(421, "Internal server error; closing the session.")
			s.quit = true
		}
	}()
	spec, ok := commands[cmd.Verb]
	if !ok {
		s.reply(500, fmt.Sprintf("Unknown command %q.", cmd.Verb))
		return
	}
	if !s.cmdPermitted(cmd.Verb) {
		s.reply(550, "Permission denied.")
		return
	}
	if err := spec.check(s, cmd); err != nil {
		s.replyErr(err)
		return
	}
	if cmd.Verb == "PASS" && s.ident == nil && isAnonymousName(s.pendingUsr) {
		s.anonPass = cmd.Arg
	}
	if err := spec.handler(s, cmd.Arg); err != nil {
		s.replyErr(err)
	}
}

// reply sends one (possibly multi-line) reply.
func (s *session) reply(code int, msg string) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.wbuf = wire.AppendReply(s.wbuf[:0], code, msg)
	s.raw.SetWriteDeadline(time.Now().Add(s.opts.DataTimeout))
	if _, err := s.conn.Write(s.wbuf); err != nil {
		s.log.Debug("reply write failed", "err", err)
	}
	if s.opts.LogProtocol {
		s.log.Debug("reply", "code", code, "text", msg)
	}
}

// replyErr answers a handler's error through the one error table.
func (s *session) replyErr(err error) {
	code, msg := replyFor(err)
	if code == 451 {
		s.log.Error("command failed", "err", err)
	}
	s.reply(code, msg)
}

func (s *session) beginShutdown() {
	s.shuttingDown.Store(true)
	s.xmu.Lock()
	defer s.xmu.Unlock()
	if !s.xferRunning {
		s.raw.SetReadDeadline(time.Now())
	}
}

// closeFS releases the user's filesystem (localfs holds the root's
// directory descriptor open).
func (s *session) closeFS() {
	if c, ok := s.fs.(io.Closer); ok {
		c.Close()
	}
	s.fs = nil
}

func (s *session) kill() {
	s.xmu.Lock()
	x := s.xfer
	s.xmu.Unlock()
	if x != nil {
		x.abort()
	}
	s.raw.Close()
}

func (s *session) cleanup() {
	if s.xfer != nil {
		s.xfer.abort()
		s.xfer.wait()
	}
	s.closePassive()
	s.closeFS()
	s.conn.Close()
	s.log.Info("session end")
}

func redactArg(cmd wire.Command) string {
	if cmd.Verb == "PASS" {
		return "<hidden>"
	}
	return cmd.Arg
}
