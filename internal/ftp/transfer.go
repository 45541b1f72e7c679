package ftp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"wharf/internal/ftp/dataconn"
)

// transfer is one data-connection command running in its own goroutine, so
// that the control loop can still read ABOR, QUIT and STAT.
type transfer struct {
	ctx     context.Context
	cancel  context.CancelFunc
	done    chan struct{}
	aborted atomic.Bool
	opened  atomic.Bool // the 150 reply is out

	mu   sync.Mutex
	data net.Conn         // set once the data connection is open
	pasv *net.TCPListener // the passive listener this transfer owns
}

func (x *transfer) isDone() bool {
	select {
	case <-x.done:
		return true
	default:
		return false
	}
}

func (x *transfer) wait() { <-x.done }

// abort interrupts the transfer wherever it is: waiting for the client to
// connect, connecting, or copying. It closes the data connection rather
// than setting a deadline in the past: the copy loops refresh the deadline
// before every chunk, which would undo an abort landing just before.
func (x *transfer) abort() {
	x.aborted.Store(true)
	x.cancel()
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.pasv != nil {
		x.pasv.Close()
	}
	if x.data != nil {
		x.data.Close()
	}
}

func (x *transfer) setData(c net.Conn) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.aborted.Load() {
		return false
	}
	x.data = c
	return true
}

// xferJob is what a transfer command does once its data connection is open.
type xferJob struct {
	kind    string // "RETR", "STOR", "LIST", ... for logs
	path    string // virtual path, for logs
	opening string // the 150 reply's text
	// run copies the data and returns the byte count. It owns closing its
	// own files; the data connection is closed after it returns.
	run func(x *transfer, data net.Conn) (int64, error)
	// finish runs after the data connection is closed (STOR commits there,
	// so that a client's final bytes are in before the file is published).
	finish func(copyErr error) error
	upload bool // data flows from the client
	// rec is filled by startTransfer for file transfers when
	// Options.TransferLog is set (the session's state is read there, on
	// the session goroutine, not in the transfer's).
	rec *TransferRecord
}

// startTransfer takes the session's data-connection setup and runs job in
// a new goroutine. It fails at once (425) when no PORT/PASV came first.
func (s *session) startTransfer(job xferJob) error {
	if s.pasv == nil && !s.activeTo.IsValid() {
		return errNoDataSetup
	}
	if s.mustProtectData() && !s.protP {
		return reply(522, "Data connections must be encrypted: send PBSZ 0 and PROT P first.")
	}
	ctx, cancel := context.WithCancel(context.Background())
	x := &transfer{ctx: ctx, cancel: cancel, done: make(chan struct{}), pasv: s.pasv}
	active := s.activeTo
	s.pasv, s.activeTo = nil, netip.AddrPort{}
	if s.opts.TransferLog != nil && (job.kind == "RETR" || job.upload) && s.ident != nil {
		job.rec = &TransferRecord{Remote: s.peer.Addr().Unmap(), Path: job.path, ASCII: s.ascii, Upload: job.upload,
			Anonymous: s.ident.Anonymous, Guest: s.ident.Guest, User: s.ident.Name, AnonPassword: s.anonPass}
	}
	s.xmu.Lock()
	s.xfer, s.xferRunning = x, true
	s.xmu.Unlock()
	go s.runTransfer(x, active, job)
	return nil
}

func (s *session) runTransfer(x *transfer, active netip.AddrPort, job xferJob) {
	defer s.endTransfer(x)
	defer s.recoverTransfer(x, job)
	start := time.Now()
	data, err := s.openData(x, active)
	if err != nil {
		if job.finish != nil {
			job.finish(err)
		}
		s.failTransfer(x, job, err, 425, "Failed to establish the data connection: "+dataErrText(err))
		return
	}
	if !job.upload {
		defer s.srv.startSending(data)()
	}
	// 150 goes out before the TLS handshake, as in vsftpd: clients such as
	// Python's ftplib read it before they start TLS on the data connection.
	s.reply(150, job.opening)
	x.opened.Store(true)
	if s.protP {
		var refused *Reply
		if data, refused = s.protectData(data); refused != nil {
			if job.finish != nil {
				job.finish(refused)
			}
			s.failTransfer(x, job, refused, refused.Code, refused.Msg)
			return
		}
	}
	n, err := job.run(x, data)
	if err == nil && job.upload && s.opts.TLS.StrictReadEOF && endedWithoutCloseNotify(data) {
		err = reply(426, "Upload truncated: the TLS data connection ended without close_notify; the file was not stored.")
	}
	if cerr := data.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if job.finish != nil {
		err = job.finish(err)
	}
	s.logTransfer(job, n, time.Since(start), err, x.aborted.Load())
	switch {
	case x.aborted.Load():
		s.reply(426, "Transfer aborted.")
	case err == nil:
		s.reply(226, "Transfer complete.")
	case isNetErr(err):
		s.reply(426, "Connection closed; transfer aborted.")
	default:
		s.replyErr(err)
	}
}

// recoverTransfer gives a panic in a transfer (a backend bug met while
// copying or listing) what a panic in a command gets: the stack in the log,
// 421, and this session closed. The transfer runs in its own goroutine,
// outside run's recover, so without this one panic would end the server.
func (s *session) recoverTransfer(x *transfer, job xferJob) {
	r := recover()
	if r == nil {
		return
	}
	s.log.Error("panic in transfer", "kind", job.kind, "path", job.path, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
	x.abort()
	s.reply(421, "Internal server error; closing the session.")
	s.raw.Close() // the control loop sees the end and cleans up
}

func (s *session) failTransfer(x *transfer, job xferJob, err error, code int, msg string) {
	s.logTransfer(job, 0, 0, err, x.aborted.Load())
	if x.aborted.Load() {
		code, msg = 426, "Transfer aborted."
	}
	s.reply(code, msg)
}

// endTransfer marks the transfer finished and re-arms the idle timeout: the
// control loop may be blocked in a read with no deadline.
func (s *session) endTransfer(x *transfer) {
	x.cancel()
	s.xmu.Lock()
	s.xferRunning = false
	if !s.shuttingDown.Load() {
		s.raw.SetReadDeadline(time.Now().Add(s.opts.IdleTimeout))
	} else {
		s.raw.SetReadDeadline(time.Now())
	}
	s.xmu.Unlock()
	close(x.done)
}

// openData accepts (passive) or dials (active) the data connection.
func (s *session) openData(x *transfer, active netip.AddrPort) (net.Conn, error) {
	var c *net.TCPConn
	var err error
	if x.pasv != nil {
		c, err = dataconn.AcceptFrom(x.pasv, s.peer.Addr(), s.opts.PasvPromiscuous,
			time.Now().Add(s.opts.AcceptTimeout), s.logForeignDataConn)
		x.pasv.Close()
	} else {
		d := dataconn.Dialer{LocalIP: s.local.Addr(), Timeout: s.opts.ConnectTimeout}
		if s.opts.ConnectFromPort20 {
			d.FromPort = s.opts.DataPort
		}
		c, err = d.Dial(x.ctx, active)
	}
	if err != nil {
		return nil, err
	}
	// Go turns Nagle off on every TCP connection; for bulk data it costs
	// throughput: a 1 GiB RETR moved 3074 MB/s with Nagle on against 2116
	// with it off (bench/README.md, A/B). The control connection keeps
	// NODELAY: replies are small and must not wait.
	c.SetNoDelay(false)
	if !x.setData(c) {
		c.Close()
		return nil, context.Canceled
	}
	return c, nil
}

// sendingLowat is the unsent-data low-water mark of a download once more
// downloads run than the server has CPUs. Without it sendfile fills each
// socket's send buffer (autotuned up to tcp_wmem's 4 MiB), and hundreds of
// full buffers make the clients' kernels do the sending from their ACK
// processing: 300 concurrent 10 MiB RETRs took 0.97 s, and 0.61 s with the
// mark, at 2.4x less client CPU (bench/README.md, A/B). A single stream is
// left alone: there the extra wake-ups cost 14%.
const sendingLowat = 128 << 10

// startSending counts c as a download (RETR, listings) and, past GOMAXPROCS
// of them, sets its low-water mark; the returned func uncounts it.
func (srv *Server) startSending(c net.Conn) (done func()) {
	n := srv.sending.Add(1)
	if tc, ok := c.(*net.TCPConn); ok && int(n) > runtime.GOMAXPROCS(0) {
		setNotSentLowat(tc, sendingLowat)
	}
	return func() { srv.sending.Add(-1) }
}

func (s *session) logForeignDataConn(from netip.AddrPort) {
	s.log.Warn("passive data connection from a foreign address dropped; still waiting for the client",
		"from", from.String(), "expected", s.peer.Addr().String())
}

// reapTransfer forgets a finished transfer.
func (s *session) reapTransfer() {
	if s.xfer != nil && s.xfer.isDone() {
		s.forgetTransfer()
	}
}

// waitTransfer blocks until the running transfer, if any, is finished.
func (s *session) waitTransfer() {
	if s.xfer != nil {
		s.xfer.wait()
		s.forgetTransfer()
	}
}

// forgetTransfer clears xfer under xmu (see kill).
func (s *session) forgetTransfer() {
	s.xmu.Lock()
	s.xfer = nil
	s.xmu.Unlock()
}

func (s *session) logTransfer(job xferJob, n int64, d time.Duration, err error, aborted bool) {
	if job.rec != nil {
		r := *job.rec
		r.Time, r.Duration, r.Bytes, r.Complete = time.Now(), d, n, err == nil && !aborted
		s.opts.TransferLog(r)
	}
	if !s.opts.LogTransfers {
		return
	}
	result := "ok"
	switch {
	case aborted:
		result = "aborted"
	case err != nil:
		result = "failed"
	}
	attrs := []any{"kind", job.kind, "path", job.path, "bytes", n, "duration", d.Round(time.Microsecond).String(), "result", result}
	if err != nil {
		attrs = append(attrs, "err", err.Error())
	}
	s.log.Info("transfer", attrs...)
}

// isNetErr reports that the data connection itself failed. Besides
// *net.OpError this covers what an upload's splice(2) returns: the os
// package reports it as a *fs.PathError naming the file, but a reset or an
// expired deadline there is still the client's connection, not the disk.
func isNetErr(err error) bool {
	var ne *net.OpError
	return errors.As(err, &ne) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE)
}

func dataErrText(err error) string {
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return "timed out (check the firewall between us and your client's data port)."
	case errors.Is(err, context.Canceled):
		return "cancelled."
	default:
		return "connection refused or unreachable."
	}
}
