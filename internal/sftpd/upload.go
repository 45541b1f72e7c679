package sftpd

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sync"
	"time"

	"github.com/pkg/sftp"

	"wharf/internal/vfs"
)

// Uploads. SFTP writes carry offsets and pkg/sftp runs them on up to 8
// goroutines, so even a client that sends them in order (every real one
// does) has them arrive slightly shuffled; a vfs.Upload is a stream. The
// writer puts them back in order:
//
//   - a write at the next expected offset goes straight to the upload, then
//     any buffered writes that now follow;
//   - a write ahead of it is buffered, up to maxPending bytes per upload;
//     past that it waits (at most gapWait) for the gap to fill, which it
//     does as soon as the worker holding the missing write runs;
//   - a write behind it (rewriting bytes already written) fails, and so
//     does the upload; a gap still open at close fails it too.
//
// The open flags choose the vfs mode:
//
//   - TRUNC, or a file that does not exist yet: Truncate, the atomic upload
//     (a temporary file renamed over the target on close). Other clients
//     see the old file, or none, until the handle is closed; this channel
//     sees the new one in stat/fstat.
//   - APPEND: Append, starting at the current end (OpenSSH's reput and
//     curl's resume send absolute offsets from there; a client whose first
//     offset is below the current size is taken to count from the end).
//   - neither, on an existing file: Resume from the first write's offset
//     (or the file's size, if that is smaller), in place, like FTP's REST +
//     STOR: the file ends after the last byte written.
//
// A handle still open when the connection ends (a lost connection, a
// client killed mid-file) aborts its upload, as FTP does with a broken data
// connection: a Truncate upload leaves nothing and the old file stays; an
// Append or Resume one keeps what was written (unless delete_failed_uploads
// is set). The mode of a new file is file_open_mode minus the umask, as for
// FTP (the mode in the client's open request is ignored; a later setstat,
// as `put -p` sends, sets it).
const (
	maxPending = 4 << 20
	gapWait    = 30 * time.Second
)

var errReadWriteHandle = status(sftp.ErrSSHFxOpUnsupported, "Reading a file opened for writing is not supported")

// Filewrite opens a file for upload.
func (h *handlers) Filewrite(r *sftp.Request) (io.WriterAt, error) { return h.openWriter(r) }

// OpenFile is asked when a client opens for reading and writing at once
// (pkg/sftp's Client.Create does): the handle writes as Filewrite's does,
// and refuses reads.
func (h *handlers) OpenFile(r *sftp.Request) (sftp.WriterAtReaderAt, error) { return h.openWriter(r) }

func (h *handlers) openWriter(r *sftp.Request) (*writer, error) {
	if !h.rights.write {
		return nil, errNoPermission
	}
	if err := h.opening(); err != nil {
		return nil, err
	}
	n, err := name(r.Filepath)
	if err != nil {
		return nil, h.fail("open", err)
	}
	w, err := h.newWriter(n, r.Filepath, r.Pflags())
	if err != nil {
		return nil, h.fail("open", err)
	}
	h.c.handleOpened()
	h.mu.Lock()
	h.uploads[n] = w
	h.mu.Unlock()
	return w, nil
}

func (h *handlers) upload(n string) *writer {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.uploads[n]
}

func (h *handlers) newWriter(n, vpath string, fl sftp.FileOpenFlags) (*writer, error) {
	o := &h.c.srv.opts
	w := &writer{h: h, name: n, path: vpath, perm: o.FileOpenMode.Perm() &^ o.Umask, start: time.Now(),
		pending: map[int64][]byte{}}
	w.cond = sync.NewCond(&w.mu)
	fi, err := h.fs.Stat(n)
	exists := err == nil
	switch {
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil, err
	case exists && fi.IsDir():
		return nil, &fs.PathError{Op: "open", Path: n, Err: vfs.ErrIsDir}
	case exists && fl.Creat && fl.Excl:
		return nil, &fs.PathError{Op: "open", Path: n, Err: fs.ErrExist}
	case !exists && !fl.Creat:
		return nil, err
	}
	switch {
	case fl.Append:
		w.mode = vfs.Append
		if exists {
			w.base = fi.Size()
		}
	case fl.Trunc || !exists:
		w.mode = vfs.Truncate
	default:
		w.mode = vfs.Resume
		w.base = fi.Size()
		return w, nil // starts at the first write, whose offset tells where
	}
	w.next = w.base
	w.up, err = h.fs.Upload(n, vfs.UploadOptions{Mode: w.mode, Perm: w.perm})
	return w, err
}

// writer is an upload behind an SFTP handle.
type writer struct {
	h     *handlers
	name  string // vfs name
	path  string // as the client sees it, for logs
	mode  vfs.UploadMode
	perm  fs.FileMode
	start time.Time

	mu       sync.Mutex
	cond     *sync.Cond
	up       vfs.Upload // nil for Resume until the first write
	base     int64      // Append, Resume: the file's size at open
	next     int64      // file offset of the next in-order byte
	shift    int64      // Append: added to client offsets counted from the end
	placed   bool       // the first write has fixed shift or the Resume start
	pending  map[int64][]byte
	buffered int
	written  int64
	err      error // the upload has failed (client-safe)
	lost     error // the connection ended with the handle open
	closed   bool
	deferred []deferredSetstat
}

type deferredSetstat struct {
	flags sftp.FileAttrFlags
	attrs *sftp.FileStat
}

func (w *writer) WriteAt(p []byte, off int64) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return 0, w.err
	}
	off, err := w.place(off)
	if err == nil {
		err = w.put(p, off)
	}
	if err != nil {
		w.fail(err)
		return 0, w.err
	}
	return len(p), nil
}

func (w *writer) fail(err error) {
	if w.err == nil {
		w.err = w.h.fail("write", err)
	}
	w.cond.Broadcast()
}

// place turns a client offset into a file offset, starting a Resume
// upload at the first write.
func (w *writer) place(off int64) (int64, error) {
	if off < 0 {
		return 0, errBadMessage
	}
	first := !w.placed
	w.placed = true
	switch {
	case w.mode == vfs.Append && first && off < w.base:
		w.shift = w.base
	case w.mode == vfs.Resume && w.up == nil:
		start := min(off, w.base)
		up, err := w.h.fs.Upload(w.name, vfs.UploadOptions{Mode: vfs.Resume, Offset: start, Perm: w.perm})
		if err != nil {
			return 0, err
		}
		w.up, w.next = up, start
	}
	return off + w.shift, nil
}

// put writes p at off in order, buffering or waiting as the comment at the
// top of this file says.
func (w *writer) put(p []byte, off int64) error {
	deadline := time.Now().Add(gapWait)
	for {
		switch {
		case off == w.next:
			return w.writeInOrder(p)
		case off < w.next:
			return errNonSequential
		case w.buffered+len(p) <= maxPending:
			if old, ok := w.pending[off]; ok {
				w.buffered -= len(old)
			}
			w.pending[off] = append([]byte(nil), p...)
			w.buffered += len(p)
			return nil
		case w.err != nil:
			return w.err
		case time.Now().After(deadline) || w.h.c.isDone():
			return errNonSequential
		}
		w.waitUntil(deadline)
	}
}

// waitUntil waits for a broadcast (progress, failure) or the deadline or
// the connection's end, whichever comes first. w.mu is held.
func (w *writer) waitUntil(deadline time.Time) {
	stop := make(chan struct{})
	go func() {
		t := time.NewTimer(time.Until(deadline))
		defer t.Stop()
		select {
		case <-t.C:
		case <-w.h.c.done:
		case <-stop:
			return
		}
		w.mu.Lock()
		w.cond.Broadcast()
		w.mu.Unlock()
	}()
	w.cond.Wait()
	close(stop)
}

func (w *writer) writeInOrder(p []byte) error {
	if err := w.writeOut(p); err != nil {
		return err
	}
	for {
		q, ok := w.pending[w.next]
		if !ok {
			break
		}
		delete(w.pending, w.next)
		w.buffered -= len(q)
		if err := w.writeOut(q); err != nil {
			return err
		}
	}
	w.cond.Broadcast()
	return nil
}

func (w *writer) writeOut(p []byte) error {
	n, err := w.up.Write(p)
	w.next += int64(n)
	w.written += int64(n)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	return err
}

// ReadAt refuses: see OpenFile.
func (w *writer) ReadAt([]byte, int64) (int, error) { return 0, errReadWriteHandle }

// TransferError is pkg/sftp telling us the connection ended with this
// handle open; Close follows and aborts the upload.
func (w *writer) TransferError(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lost = err
	w.cond.Broadcast()
}

// deferSetstat keeps a setstat for after the commit; false if the upload
// is already closed.
func (w *writer) deferSetstat(flags sftp.FileAttrFlags, attrs *sftp.FileStat) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return false
	}
	w.deferred = append(w.deferred, deferredSetstat{flags, attrs})
	return true
}

// info describes the file as this upload will leave it, for stat and fstat
// on this channel while a Truncate upload is in flight.
func (w *writer) info() fs.FileInfo {
	w.mu.Lock()
	defer w.mu.Unlock()
	return uploadInfo{name: path.Base(w.path), size: w.next, mode: w.perm}
}

type uploadInfo struct {
	name string
	size int64
	mode fs.FileMode
}

func (u uploadInfo) Name() string       { return u.name }
func (u uploadInfo) Size() int64        { return u.size }
func (u uploadInfo) Mode() fs.FileMode  { return u.mode }
func (u uploadInfo) ModTime() time.Time { return time.Now() }
func (u uploadInfo) IsDir() bool        { return false }
func (u uploadInfo) Sys() any           { return nil }

// Close commits the upload, or aborts it if anything went wrong: a failed
// write, a gap never filled, or the connection lost with the handle open.
func (w *writer) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	err := w.finish()
	deferred := w.deferred
	w.mu.Unlock()

	w.h.mu.Lock()
	if w.h.uploads[w.name] == w {
		delete(w.h.uploads, w.name)
	}
	w.h.mu.Unlock()
	if err == nil {
		for _, d := range deferred {
			if serr := w.h.applySetstat(w.name, d.flags, d.attrs); serr != nil {
				w.h.log.Warn("setstat after upload failed", "path", w.path, "err", serr)
			}
		}
	}
	w.h.c.handleClosed()
	return err
}

// finish commits or aborts; w.mu is held.
func (w *writer) finish() error {
	switch {
	case w.err != nil:
	case w.lost != nil:
		w.err = errUploadFailed
	case len(w.pending) > 0:
		w.err = errNonSequential
	}
	if w.up == nil { // Resume with nothing written: nothing to do
		return w.err
	}
	if w.err != nil {
		aerr := w.up.Abort()
		w.h.log.Warn("upload incomplete", "path", w.path, "mode", modeName(w.mode), "bytes", w.written,
			"reason", reason(w), "abort_err", aerr)
		return w.err
	}
	if err := w.up.Commit(); err != nil {
		w.h.log.Warn("upload incomplete", "path", w.path, "mode", modeName(w.mode), "bytes", w.written,
			"reason", "commit failed", "err", err)
		return w.h.fail("commit", err)
	}
	if w.h.c.srv.opts.LogTransfers {
		w.h.log.Info("transfer", "kind", "upload", "mode", modeName(w.mode), "path", w.path, "bytes", w.written,
			"duration", time.Since(w.start).Round(time.Microsecond).String(), "result", "ok")
	}
	return nil
}

func reason(w *writer) string {
	if w.lost != nil {
		return fmt.Sprintf("connection lost with the file open (%v)", w.lost)
	}
	return w.err.Error()
}

func modeName(m vfs.UploadMode) string {
	switch m {
	case vfs.Truncate:
		return "replace"
	case vfs.Append:
		return "append"
	}
	return "resume"
}

func (c *conn) isDone() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}
