// Package localfs is the vfs.FS backend over a local directory tree.
//
// Every name is resolved by an os.Root, so no name, ".." element or symlink
// can reach outside the root directory: such attempts fail with an error
// matching both vfs.ErrEscape and fs.ErrPermission. Symlinks that stay inside
// the root are followed as usual.
//
// Reads return the *os.File itself and uploads hand io.Copy's source to
// (*os.File).ReadFrom, so plain TCP transfers reach sendfile(2) and splice(2).
package localfs

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"syscall"
	"time"

	"wharf/internal/vfs"
)

// Options tune an FS. The zero value is NOT a sensible default: UID and GID
// 0 mean "chown everything to root". Start from DefaultOptions.
type Options struct {
	// Umask is cleared from the mode of every created file and directory
	// (vsftpd local_umask / anon_umask). The process umask is bypassed: the
	// final mode is exactly mode &^ Umask.
	Umask fs.FileMode
	// FileMode is the mode of a new file when the upload asks for none
	// (vsftpd file_open_mode), before Umask. 0 means 0666.
	FileMode fs.FileMode
	// DeleteFailedUploads removes the file when an Append or Resume upload
	// is aborted (vsftpd delete_failed_uploads). Truncate uploads never
	// leave anything behind when aborted, whatever this says.
	DeleteFailedUploads bool
	// UID and GID own every created file and directory; -1 leaves that id
	// as the process creates it (no chown).
	UID, GID int
}

// DefaultOptions returns vsftpd's defaults: umask 022, file mode 0666, no
// chown, failed uploads kept.
func DefaultOptions() Options {
	return Options{Umask: 0o022, FileMode: 0o666, UID: -1, GID: -1}
}

// FS is a vfs.FS confined to one directory. It is safe for concurrent use.
type FS struct {
	root *os.Root
	opts Options
	// escape is os.Root's unexported "path escapes from parent" error,
	// captured once in New so wrapErr can recognise it without matching text.
	escape error
}

var _ vfs.FS = (*FS)(nil)

// New opens root (following symlinks in root itself) and returns an FS
// confined to it. Close releases the directory handle.
func New(root string, opts Options) (*FS, error) {
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, err
	}
	if opts.FileMode == 0 {
		opts.FileMode = 0o666
	}
	return &FS{root: r, opts: opts, escape: probeEscape(r)}, nil
}

// Close releases the root directory handle; open files stay usable.
func (f *FS) Close() error { return f.root.Close() }

// probeEscape returns the error os.Root gives for a name that leaves it.
func probeEscape(r *os.Root) error {
	_, err := r.Lstat("..")
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Stat follows a final symlink (which must stay inside the root).
func (f *FS) Stat(name string) (fs.FileInfo, error) {
	if err := vfs.CheckName("stat", name); err != nil {
		return nil, err
	}
	fi, err := f.root.Stat(name)
	return fi, f.wrapErr("stat", name, err)
}

// Lstat describes a final symlink itself.
func (f *FS) Lstat(name string) (fs.FileInfo, error) {
	if err := vfs.CheckName("lstat", name); err != nil {
		return nil, err
	}
	fi, err := f.root.Lstat(name)
	return fi, f.wrapErr("lstat", name, err)
}

// Open returns the *os.File itself so that io.Copy to a *net.TCPConn uses
// sendfile(2). Directories give vfs.ErrIsDir, other non-regular files
// fs.ErrPermission.
func (f *FS) Open(name string) (vfs.File, error) {
	if err := vfs.CheckName("open", name); err != nil {
		return nil, err
	}
	// O_NONBLOCK: opening a FIFO that a local user planted must not hang
	// the session; it has no effect on regular files.
	file, err := f.root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, f.wrapErr("open", name, err)
	}
	if err := checkRegular("open", name, file); err != nil {
		file.Close()
		return nil, err
	}
	return file, nil
}

// checkRegular refuses anything but a regular file behind an open handle.
func checkRegular(op, name string, file *os.File) error {
	fi, err := file.Stat()
	switch {
	case err != nil:
		return err
	case fi.IsDir():
		return &fs.PathError{Op: op, Path: name, Err: vfs.ErrIsDir}
	case !fi.Mode().IsRegular():
		return &fs.PathError{Op: op, Path: name, Err: fs.ErrPermission}
	}
	return nil
}

// Mkdir creates a directory with perm (0 means 0777) &^ Umask, owned by
// UID/GID when set.
func (f *FS) Mkdir(name string, perm fs.FileMode) error {
	if err := vfs.CheckName("mkdir", name); err != nil {
		return err
	}
	if perm == 0 {
		perm = 0o777
	}
	mode := perm.Perm() &^ f.opts.Umask
	if err := f.root.Mkdir(name, mode); err != nil {
		return f.wrapErr("mkdir", name, err)
	}
	if err := f.fixNewDir(name, mode); err != nil {
		f.root.Remove(name)
		return f.wrapErr("mkdir", name, err)
	}
	return nil
}

// fixNewDir applies the exact mode and owner through one handle, so chmod
// and chown hit the same inode (and os.Root keeps it inside the root even if
// a local user swaps the entry meanwhile).
func (f *FS) fixNewDir(name string, mode fs.FileMode) error {
	d, err := f.root.OpenFile(name, os.O_RDONLY|syscall.O_DIRECTORY, 0)
	if err != nil {
		return err
	}
	defer d.Close()
	return f.fixNew(d, mode)
}

// fixNew sets the exact mode (bypassing the process umask) and the owner of
// a file or directory we just created.
func (f *FS) fixNew(file *os.File, mode fs.FileMode) error {
	if err := file.Chmod(mode); err != nil {
		return err
	}
	if f.opts.UID >= 0 || f.opts.GID >= 0 {
		return file.Chown(f.opts.UID, f.opts.GID)
	}
	return nil
}

// Remove removes a file or symlink; a directory gives vfs.ErrIsDir.
func (f *FS) Remove(name string) error {
	if err := vfs.CheckName("remove", name); err != nil {
		return err
	}
	fi, err := f.root.Lstat(name)
	if err != nil {
		return f.wrapErr("remove", name, err)
	}
	if fi.IsDir() {
		return &fs.PathError{Op: "remove", Path: name, Err: vfs.ErrIsDir}
	}
	return f.wrapErr("remove", name, f.root.Remove(name))
}

// RemoveDir removes an empty directory: a non-directory (a symlink to one
// included) gives vfs.ErrNotDir, a non-empty one vfs.ErrNotEmpty, the root
// fs.ErrPermission.
func (f *FS) RemoveDir(name string) error {
	if err := vfs.CheckName("rmdir", name); err != nil {
		return err
	}
	if path.Clean(name) == "." {
		return &fs.PathError{Op: "rmdir", Path: name, Err: fs.ErrPermission}
	}
	fi, err := f.root.Lstat(name)
	if err != nil {
		return f.wrapErr("rmdir", name, err)
	}
	if !fi.IsDir() {
		return &fs.PathError{Op: "rmdir", Path: name, Err: vfs.ErrNotDir}
	}
	return f.wrapErr("rmdir", name, f.root.Remove(name))
}

// Rename moves from to to with os.Rename's rules: an existing file is
// replaced, an existing directory never is (fs.ErrExist, even if empty); a
// directory onto a file gives vfs.ErrNotDir. A final symlink is moved or
// replaced itself, never followed. The root cannot be renamed
// (fs.ErrPermission).
func (f *FS) Rename(from, to string) error {
	if err := vfs.CheckName("rename", from); err != nil {
		return err
	}
	if err := vfs.CheckName("rename", to); err != nil {
		return err
	}
	if path.Clean(from) == "." || path.Clean(to) == "." {
		return &fs.PathError{Op: "rename", Path: from, Err: fs.ErrPermission}
	}
	return f.wrapErr("rename", from, f.root.Rename(from, to))
}

// Chmod sets the permission bits (mode.Perm() only: setuid, setgid and
// sticky bits are never granted to a remote user). Umask does not apply.
func (f *FS) Chmod(name string, mode fs.FileMode) error {
	if err := vfs.CheckName("chmod", name); err != nil {
		return err
	}
	return f.wrapErr("chmod", name, f.root.Chmod(name, mode.Perm()))
}

// Chtimes sets access and modification times, following a final symlink.
func (f *FS) Chtimes(name string, atime, mtime time.Time) error {
	if err := vfs.CheckName("chtimes", name); err != nil {
		return err
	}
	return f.wrapErr("chtimes", name, f.root.Chtimes(name, atime, mtime))
}
