package localfs

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sync"
	"syscall"

	"wharf/internal/vfs"
)

// errFinished is returned by a second Commit or Abort.
var errFinished = fmt.Errorf("upload already finished: %w", fs.ErrClosed)

// Upload starts writing name.
//
// Truncate writes to a hidden temporary file in the same directory and
// renames it over name on Commit, so readers see the old file or the new one,
// never a mix. The new file keeps the permission bits of the file it
// replaces, if any; otherwise it gets opts.Perm (0 means Options.FileMode)
// &^ Umask. A final symlink is replaced, not written through. There is no
// fsync: durability after Commit is the kernel's business, as with vsftpd.
//
// Append and Resume write in place, through symlinks inside the root, and
// without O_APPEND (which would keep (*os.File).ReadFrom from splicing).
// Resume refuses an Offset beyond the end with vfs.ErrInvalidOffset.
//
// Uploading onto a directory gives vfs.ErrIsDir; onto any other non-regular
// file fs.ErrPermission.
func (f *FS) Upload(name string, opts vfs.UploadOptions) (vfs.Upload, error) {
	if err := vfs.CheckName("upload", name); err != nil {
		return nil, err
	}
	if path.Clean(name) == "." {
		return nil, &fs.PathError{Op: "upload", Path: name, Err: vfs.ErrIsDir}
	}
	mode := f.newFileMode(opts.Perm)
	switch opts.Mode {
	case vfs.Truncate:
		return f.uploadTemp(name, mode)
	case vfs.Append, vfs.Resume:
		return f.uploadInPlace(name, mode, opts)
	}
	return nil, &fs.PathError{Op: "upload", Path: name, Err: fs.ErrInvalid}
}

func (f *FS) newFileMode(perm fs.FileMode) fs.FileMode {
	if perm == 0 {
		perm = f.opts.FileMode
	}
	return perm.Perm() &^ f.opts.Umask
}

// uploadTemp starts a Truncate upload into a fresh temporary file. It opens
// the parent directory once and works on single names in it: os.Root
// resolves "dir/name" a component at a time for every call, and an upload
// makes four (the check, the create, both sides of the rename).
func (f *FS) uploadTemp(name string, mode fs.FileMode) (vfs.Upload, error) {
	dir, err := f.openParent(name)
	if err != nil {
		return nil, f.wrapErr("upload", name, err)
	}
	u := &upload{fs: f, name: name, dir: dir, base: path.Base(name), mode: vfs.Truncate, perm: mode}
	if err := u.createTemp(); err != nil {
		u.closeDir()
		return nil, err
	}
	if f.opts.UID >= 0 || f.opts.GID >= 0 {
		if err := u.file.Chown(f.opts.UID, f.opts.GID); err != nil {
			u.Abort()
			return nil, f.wrapErr("upload", name, err)
		}
	}
	return u, nil
}

// openParent opens the directory that holds name: the root itself for a
// name at the top, a root confined to the subdirectory otherwise (still
// inside f.root: os.Root refuses a path that leaves it).
func (f *FS) openParent(name string) (*os.Root, error) {
	dir := path.Dir(path.Clean(name))
	if dir == "." {
		return f.root, nil
	}
	return f.root.OpenRoot(dir)
}

// createTemp checks what the upload will replace, keeps its permission
// bits, and creates the temporary file next to it.
func (u *upload) createTemp() error {
	fi, err := u.dir.Stat(u.base)
	switch {
	case err == nil && fi.IsDir():
		return &fs.PathError{Op: "upload", Path: u.name, Err: vfs.ErrIsDir}
	case err == nil && !fi.Mode().IsRegular():
		return &fs.PathError{Op: "upload", Path: u.name, Err: fs.ErrPermission}
	case err == nil:
		u.perm = fi.Mode().Perm()
	case !errors.Is(err, fs.ErrNotExist):
		return u.fs.wrapErr("upload", u.name, err)
	}
	u.temp = vfs.TempPrefix + rand.Text()
	// 0600 until Commit: the partial file is nobody else's business.
	// O_NONBLOCK means nothing for a regular file, but it spares the four
	// fcntl calls with which os would set and clear it around its poller
	// registration (which a regular file refuses anyway).
	u.file, err = u.dir.OpenFile(u.temp, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NONBLOCK, 0o600)
	return u.fs.wrapErr("upload", u.name, err)
}

// uploadInPlace starts an Append or Resume upload on the file itself.
func (f *FS) uploadInPlace(name string, mode fs.FileMode, opts vfs.UploadOptions) (vfs.Upload, error) {
	if opts.Mode == vfs.Resume && opts.Offset < 0 {
		return nil, &fs.PathError{Op: "upload", Path: name, Err: vfs.ErrInvalidOffset}
	}
	// A missing file counts as empty: resuming into it past 0 is refused
	// before anything is created.
	create := opts.Mode == vfs.Append || opts.Offset == 0
	file, err := f.openInPlace(name, mode, create)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !create {
			err = &fs.PathError{Op: "upload", Path: name, Err: vfs.ErrInvalidOffset}
		}
		return nil, err
	}
	u := &upload{fs: f, file: file, name: name, mode: opts.Mode}
	if err := u.seek(opts); err != nil {
		file.Close()
		return nil, err
	}
	return u, nil
}

// openInPlace opens name for writing, creating it (with the exact mode and
// owner) when create is set and it does not exist.
func (f *FS) openInPlace(name string, mode fs.FileMode, create bool) (*os.File, error) {
	// O_NONBLOCK: a planted FIFO without a reader fails (ENXIO) instead of
	// blocking; regular files ignore the flag.
	const flags = os.O_WRONLY | syscall.O_NONBLOCK
	file, err := f.root.OpenFile(name, flags, 0)
	if errors.Is(err, fs.ErrNotExist) && create {
		file, err = f.root.OpenFile(name, flags|os.O_CREATE|os.O_EXCL, mode)
		if err == nil {
			if err = f.fixNew(file, mode); err != nil {
				file.Close()
				f.root.Remove(name)
			}
		}
	}
	if err != nil {
		return nil, f.wrapErr("upload", name, err)
	}
	if err := checkRegular("upload", name, file); err != nil {
		file.Close()
		return nil, err
	}
	return file, nil
}

// seek places the write position: the end for Append, Offset for Resume.
func (u *upload) seek(opts vfs.UploadOptions) error {
	end, err := u.file.Seek(0, io.SeekEnd)
	if err != nil {
		return u.fs.wrapErr("upload", u.name, err)
	}
	if opts.Mode == vfs.Append {
		return nil
	}
	if opts.Offset > end {
		return &fs.PathError{Op: "upload", Path: u.name, Err: vfs.ErrInvalidOffset}
	}
	_, err = u.file.Seek(opts.Offset, io.SeekStart)
	return u.fs.wrapErr("upload", u.name, err)
}

// upload is an Upload on an *os.File.
type upload struct {
	fs   *FS
	file *os.File
	name string
	mode vfs.UploadMode
	// Truncate: the temporary file is temp in dir, renamed to base there.
	dir  *os.Root
	base string
	temp string
	perm fs.FileMode // Truncate: the mode applied on Commit

	mu   sync.Mutex
	done bool
}

func (u *upload) Write(p []byte) (int, error) {
	n, err := u.file.Write(p)
	return n, u.fs.wrapErr("write", u.name, err)
}

// ReadFrom hands r to (*os.File).ReadFrom, which splices from a
// *net.TCPConn straight into the file.
func (u *upload) ReadFrom(r io.Reader) (int64, error) {
	n, err := u.file.ReadFrom(r)
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Path == u.file.Name() {
		// Errors of the splice path and of our writes name the host path:
		// rename them, and map ENOSPC/EDQUOT. Errors reading r on the
		// generic path pass through untouched.
		err = u.fs.wrapErr("write", u.name, err)
	}
	return n, err
}

// finish marks the upload done; it reports false if it already was.
func (u *upload) finish() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.done {
		return false
	}
	u.done = true
	return true
}

// Commit completes the upload. A failed Commit has aborted it.
func (u *upload) Commit() error {
	if !u.finish() {
		return errFinished
	}
	defer u.closeDir()
	if err := u.complete(); err != nil {
		u.discard()
		if errors.Is(err, fs.ErrExist) {
			// os.Root refuses to rename over a directory with EEXIST; the
			// target became one after Upload checked.
			return &fs.PathError{Op: "commit", Path: u.name, Err: vfs.ErrIsDir}
		}
		return u.fs.wrapErr("commit", u.name, err)
	}
	return nil
}

// complete does the work of Commit: trim (Resume), set the mode
// (Truncate), close (which may report a deferred write error), rename.
func (u *upload) complete() error {
	var err error
	switch u.mode {
	case vfs.Resume:
		var pos int64
		if pos, err = u.file.Seek(0, io.SeekCurrent); err == nil {
			err = u.file.Truncate(pos)
		}
	case vfs.Truncate:
		err = u.file.Chmod(u.perm)
	}
	if cerr := u.file.Close(); err == nil {
		err = cerr
	}
	if err == nil && u.temp != "" {
		err = u.dir.Rename(u.temp, u.base)
	}
	return err
}

// Abort discards a Truncate upload and leaves an Append or Resume one as
// written, unless DeleteFailedUploads is set.
func (u *upload) Abort() error {
	if !u.finish() {
		return errFinished
	}
	defer u.closeDir()
	return u.fs.wrapErr("abort", u.name, u.discard())
}

// discard closes the file and removes what must not survive a failure.
func (u *upload) discard() error {
	err := u.file.Close()
	if errors.Is(err, fs.ErrClosed) {
		err = nil // already closed by a failed Commit
	}
	switch {
	case u.temp != "":
		err = errors.Join(err, u.dir.Remove(u.temp))
	case u.fs.opts.DeleteFailedUploads:
		err = errors.Join(err, u.fs.root.Remove(u.name))
	}
	return err
}

// closeDir releases the parent directory uploadTemp opened, if it is not
// the root itself.
func (u *upload) closeDir() {
	if u.dir != nil && u.dir != u.fs.root {
		u.dir.Close()
	}
}
