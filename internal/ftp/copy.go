package ftp

import (
	"context"
	"io"
	"net"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// A copy moves in steps with a deadline refresh before each, so that a
// data connection that makes no progress for DataTimeout is cut and a slow
// but live one is not. Steps start at minCopyStep (256 KiB in 300 s is
// under 1 KB/s) and double, up to maxCopyStep, while each takes under
// fastCopyStep: a fast stream then makes few refreshes and long sendfile(2)
// calls (4 MiB is also Go's largest sendfile call). io.CopyN keeps
// zero-copy: the kernel sees an *io.LimitedReader around the *os.File or
// *net.TCPConn, which sendfile(2) and splice(2) both unwrap.
const (
	minCopyStep  = 256 << 10
	maxCopyStep  = 4 << 20
	fastCopyStep = 20 * time.Millisecond
)

// sendTo copies src to the data connection (RETR, listings). Over plain
// TCP from a file this is sendfile(2); over TLS it is a loop with a large
// buffer, so that each TLS write fills many full-size records at once.
func sendTo(c net.Conn, src io.Reader, timeout time.Duration, p pace) (int64, error) {
	refresh := func() { c.SetWriteDeadline(time.Now().Add(timeout)) }
	if _, plain := c.(*net.TCPConn); !plain {
		return copyBuffered(c, src, refresh, p)
	}
	return copyChunked(c, src, refresh, p)
}

// receiveFrom copies the data connection into dst (STOR, APPE). With
// splice set (the default), a plain TCP upload moves through splice(2),
// socket to pipe to page cache; otherwise, and always over TLS, through a
// read/write loop with a 128 KiB buffer. On the loopback benchmark splice
// moved 2523 MB/s with 0.40 s of CPU per GiB, read/write 1907 MB/s with
// 0.53 s (bench/README.md).
func receiveFrom(dst io.Writer, c net.Conn, timeout time.Duration, splice bool, p pace) (int64, error) {
	refresh := func() { c.SetReadDeadline(time.Now().Add(timeout)) }
	if _, plain := c.(*net.TCPConn); !plain || !splice {
		// Not copyChunked over TLS: (*os.File).ReadFrom would fall back
		// to io.Copy's 32 KiB buffer and one file write per TLS record.
		return copyBuffered(dst, c, refresh, p)
	}
	return copyChunked(dst, c, refresh, p)
}

// copyChunked copies in io.CopyN steps (see minCopyStep), calling refresh
// before each.
func copyChunked(dst io.Writer, src io.Reader, refresh func(), p pace) (int64, error) {
	var total int64
	step := minCopyStep
	for {
		refresh()
		began := time.Now()
		n, err := io.CopyN(dst, src, int64(p.chunk(step)))
		total += n
		if werr := p.wait(n); err == nil {
			err = werr
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
		if step < maxCopyStep && time.Since(began) < fastCopyStep {
			step *= 2
		}
	}
}

// pace limits a transfer to a byte rate (anon_max_rate, local_max_rate)
// by waiting after each chunk, so throttled transfers keep zero-copy. The
// zero value does not limit.
type pace struct {
	ctx context.Context // the transfer's: ABOR ends a wait
	lim *rate.Limiter
}

// newPace paces at bytesPerSec (0: unlimited). Chunks are a quarter of a
// second's worth, between 4 KiB and 256 KiB, so the rate is smooth.
func newPace(ctx context.Context, bytesPerSec int) pace {
	if bytesPerSec <= 0 {
		return pace{}
	}
	burst := min(max(bytesPerSec/4, 4<<10), minCopyStep)
	return pace{ctx: ctx, lim: rate.NewLimiter(rate.Limit(bytesPerSec), burst)}
}

// chunk caps a copy step at what the limiter can grant at once.
func (p pace) chunk(n int) int {
	if p.lim == nil {
		return n
	}
	return min(n, p.lim.Burst())
}

// wait blocks until n more bytes are within the rate.
func (p pace) wait(n int64) error {
	if p.lim == nil || n <= 0 {
		return nil
	}
	return p.lim.WaitN(p.ctx, int(n))
}

// copyBufSize is the buffer of copyBuffered: large enough for few syscalls,
// small enough that the buffer and the page-cache pages it is copied to
// stay in the CPU's cache. A 1 MiB buffer halved FTPS upload speed (1 GiB
// STOR 612 MB/s and 1.20 s of CPU against 1327 and 0.76 at 128 KiB; 64 and
// 256 KiB within noise of 128; bench A/B), and pooled buffers for
// thousands of concurrent transfers stay small.
const copyBufSize = 128 << 10

var copyBufs = sync.Pool{New: func() any { b := make([]byte, copyBufSize); return &b }}

// copyBuffered copies src to dst through a pooled buffer, calling refresh
// before each read so that a stalled peer times out but a slow one does not.
func copyBuffered(dst io.Writer, src io.Reader, refresh func(), p pace) (int64, error) {
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	buf := (*bp)[:p.chunk(copyBufSize)]
	var total int64
	for {
		n, err := fill(buf, src, refresh)
		if n > 0 {
			w, werr := dst.Write(buf[:n])
			total += int64(w)
			if werr == nil {
				werr = p.wait(int64(w))
			}
			if werr != nil {
				return total, werr
			}
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// fill reads src into buf until buf is full or src ends or fails, with a
// deadline refresh before each read. A TLS connection returns one record
// (at most 16 KiB) per Read: writing each as it came would cost an FTPS
// upload eight file writes per buffer instead of one.
func fill(buf []byte, src io.Reader, refresh func()) (int, error) {
	n := 0
	for n < len(buf) {
		refresh()
		m, err := src.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// deadlineWriter refreshes the write deadline on every write; used under a
// bufio.Writer for listings and ASCII transfers, where writes are large.
type deadlineWriter struct {
	c       net.Conn
	timeout time.Duration
}

func (w deadlineWriter) Write(p []byte) (int, error) {
	w.c.SetWriteDeadline(time.Now().Add(w.timeout))
	return w.c.Write(p)
}

// deadlineReader refreshes the read deadline on every read (ASCII uploads).
type deadlineReader deadlineWriter

func (r deadlineReader) Read(p []byte) (int, error) {
	r.c.SetReadDeadline(time.Now().Add(r.timeout))
	return r.c.Read(p)
}

// lfToCRLF converts bare LF to CRLF for ASCII downloads
// (ascii_download_enable). An existing CRLF is left alone, so a file that
// already has DOS line ends is not doubled.
type lfToCRLF struct {
	w      io.Writer
	lastCR bool
	buf    []byte
}

func (a *lfToCRLF) Write(p []byte) (int, error) {
	a.buf = a.buf[:0]
	for _, b := range p {
		if b == '\n' && !a.lastCR {
			a.buf = append(a.buf, '\r')
		}
		a.buf = append(a.buf, b)
		a.lastCR = b == '\r'
	}
	if _, err := a.w.Write(a.buf); err != nil {
		return 0, err
	}
	return len(p), nil
}

// crlfToLF converts CRLF to LF for ASCII uploads (ascii_upload_enable). A
// CR not followed by LF is kept. A CR at the end of one read is held back
// until the next byte shows what it is.
type crlfToLF struct {
	r         io.Reader
	pendingCR bool
	eof       bool
}

func (a *crlfToLF) Read(p []byte) (int, error) {
	if a.eof {
		return 0, io.EOF
	}
	if len(p) < 2 {
		return 0, io.ErrShortBuffer
	}
	n, err := a.r.Read(p[:len(p)-1]) // room for a held-back CR
	out := 0
	for _, b := range p[:n] {
		if a.pendingCR {
			a.pendingCR = false
			if b != '\n' {
				p[out] = '\r'
				out++
			}
		}
		if b == '\r' {
			a.pendingCR = true
			continue
		}
		p[out] = b
		out++
	}
	if err == io.EOF {
		a.eof = true
		if a.pendingCR {
			a.pendingCR = false
			p[out] = '\r'
			out++
		}
	}
	return out, err
}
