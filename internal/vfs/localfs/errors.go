package localfs

import (
	"errors"
	"io/fs"
	"os"
	"syscall"

	"wharf/internal/vfs"
)

// errnoSentinel maps the errnos that fronts answer specially to vfs
// sentinels. Everything else keeps its errno, which already matches
// fs.ErrNotExist, fs.ErrExist and fs.ErrPermission where it should.
var errnoSentinel = map[syscall.Errno]error{
	syscall.ENOSPC:       vfs.ErrQuota,
	syscall.EDQUOT:       vfs.ErrQuota,
	syscall.EISDIR:       vfs.ErrIsDir,
	syscall.ENOTDIR:      vfs.ErrNotDir,
	syscall.ENOTEMPTY:    vfs.ErrNotEmpty,
	syscall.ENAMETOOLONG: vfs.ErrInvalidName,
}

// errnoError matches its sentinel and, through Unwrap, its errno.
type errnoError struct {
	sentinel error
	errno    syscall.Errno
}

func (e *errnoError) Error() string        { return e.errno.Error() }
func (e *errnoError) Is(target error) bool { return target == e.sentinel }
func (e *errnoError) Unwrap() error        { return e.errno }

// wrapErr rewrites an error from os.Root into a *fs.PathError naming the
// virtual name (never a host path) whose Err matches the vfs sentinels.
func (f *FS) wrapErr(op, name string, err error) error {
	if err == nil {
		return nil
	}
	inner := err
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		inner = pe.Err
	case errors.As(err, &le):
		inner = le.Err
	}
	if f.isEscape(inner) {
		return vfs.EscapeError(op, name)
	}
	var errno syscall.Errno
	if errors.As(inner, &errno) {
		if s := errnoSentinel[errno]; s != nil {
			inner = &errnoError{sentinel: s, errno: errno}
		}
	}
	return &fs.PathError{Op: op, Path: name, Err: inner}
}

// escapeText is os.Root's message, a fallback should the probe in New not
// have yielded the error value.
const escapeText = "path escapes from parent"

func (f *FS) isEscape(err error) bool {
	return err == f.escape || err.Error() == escapeText
}
