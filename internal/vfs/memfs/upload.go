package memfs

import (
	"fmt"
	"io"
	"io/fs"
	"sync"

	"wharf/internal/vfs"
)

var errFinished = fmt.Errorf("upload already finished: %w", fs.ErrClosed)

// Upload follows localfs: Truncate buffers the content and swaps it in on
// Commit (keeping the replaced file's permissions); Append and Resume write
// into the node as they go; Resume past the end gives vfs.ErrInvalidOffset.
func (m *FS) Upload(name string, opts vfs.UploadOptions) (vfs.Upload, error) {
	if err := vfs.CheckName("upload", name); err != nil {
		return nil, err
	}
	if isRoot(name) {
		return nil, pathErr("upload", name, vfs.ErrIsDir)
	}
	perm := opts.Perm
	if perm == 0 {
		perm = m.opts.FileMode
	}
	u := &upload{m: m, name: name, mode: opts.Mode, perm: perm.Perm() &^ m.opts.Umask}
	m.mu.Lock()
	defer m.mu.Unlock()
	f, err := m.walk("upload", name, true)
	if err != nil {
		return nil, err
	}
	if f.n != nil && f.n.isDir() {
		return nil, pathErr("upload", name, vfs.ErrIsDir)
	}
	switch opts.Mode {
	case vfs.Truncate:
		if f.n != nil {
			u.perm = f.n.mode.Perm()
		}
		return u, nil
	case vfs.Append, vfs.Resume:
		if err := u.openInPlace(f, opts); err != nil {
			return nil, err
		}
		return u, nil
	}
	return nil, pathErr("upload", name, fs.ErrInvalid)
}

// openInPlace attaches an Append/Resume upload to its node, creating it.
func (u *upload) openInPlace(f found, opts vfs.UploadOptions) error {
	size := int64(0)
	if f.n != nil {
		size = int64(len(f.n.data))
	}
	u.pos = size
	if opts.Mode == vfs.Resume {
		if opts.Offset < 0 || opts.Offset > size {
			return pathErr("upload", u.name, vfs.ErrInvalidOffset)
		}
		u.pos = opts.Offset
	}
	u.n = f.n
	if u.n == nil {
		u.n = &node{mode: u.perm, mtime: u.m.opts.Now()}
		f.parent.kids[f.base] = u.n
	}
	return nil
}

type upload struct {
	m    *FS
	name string
	mode vfs.UploadMode
	perm fs.FileMode

	mu   sync.Mutex
	done bool
	buf  []byte // Truncate
	n    *node  // Append, Resume: written under m.mu
	pos  int64
}

func (u *upload) Write(p []byte) (int, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.done {
		return 0, pathErr("write", u.name, fs.ErrClosed)
	}
	if u.n == nil {
		u.buf = append(u.buf, p...)
		return len(p), nil
	}
	u.m.mu.Lock()
	defer u.m.mu.Unlock()
	end := u.pos + int64(len(p))
	if end > int64(len(u.n.data)) {
		u.n.data = append(u.n.data, make([]byte, end-int64(len(u.n.data)))...)
	}
	copy(u.n.data[u.pos:], p)
	u.pos = end
	u.n.mtime = u.m.opts.Now()
	return len(p), nil
}

// ReadFrom copies r in chunks; there is no zero-copy path in memory.
func (u *upload) ReadFrom(r io.Reader) (int64, error) {
	return io.Copy(struct{ io.Writer }{u}, r)
}

func (u *upload) finish() error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.done {
		return errFinished
	}
	u.done = true
	return nil
}

// Commit makes a Truncate upload visible or trims a Resume one.
func (u *upload) Commit() error {
	if err := u.finish(); err != nil {
		return err
	}
	u.m.mu.Lock()
	defer u.m.mu.Unlock()
	switch u.mode {
	case vfs.Resume:
		if u.pos < int64(len(u.n.data)) {
			u.n.data = u.n.data[:u.pos]
		}
	case vfs.Truncate:
		return u.swapIn()
	}
	return nil
}

// swapIn replaces whatever is at name (a symlink itself, not its target)
// with the buffered file, like localfs's rename over the target.
func (u *upload) swapIn() error {
	f, err := u.m.walk("commit", u.name, false)
	switch {
	case err != nil:
		return err
	case f.n != nil && f.n.isDir():
		return pathErr("commit", u.name, vfs.ErrIsDir)
	}
	now := u.m.opts.Now()
	f.parent.kids[f.base] = &node{mode: u.perm, mtime: now, data: u.buf}
	f.parent.mtime = now
	return nil
}

// Abort drops a Truncate upload; an Append/Resume one stays as written
// unless DeleteFailedUploads is set.
func (u *upload) Abort() error {
	if err := u.finish(); err != nil {
		return err
	}
	if u.n == nil || !u.m.opts.DeleteFailedUploads {
		return nil
	}
	u.m.mu.Lock()
	defer u.m.mu.Unlock()
	f, err := u.m.walk("abort", u.name, false)
	if err != nil || f.n == nil || f.n.isDir() {
		return err
	}
	u.m.unlink(f)
	return nil
}
