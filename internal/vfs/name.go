package vfs

import (
	"errors"
	"io/fs"
	"path"
	"strings"
)

// ErrInvalidOffset is returned by Upload in Resume mode when Offset is
// negative or beyond the end of the file: resuming there would leave a hole
// of zeros the client never sent.
var ErrInvalidOffset = errors.New("vfs: resume offset beyond end of file")

// CheckName validates a name before a backend touches anything. Names are
// promised to come from Rel(Resolve(...)), so this is defence in depth:
//
//   - "", NUL, CR or LF anywhere, or a final element starting with
//     TempPrefix (in-flight uploads are invisible and untouchable) give
//     ErrInvalidName;
//   - an absolute name or a ".." element gives an escape error (see
//     EscapeError): a clean name never has one, so its presence means a
//     front skipped Resolve, and we fail closed rather than interpret it.
func CheckName(op, name string) error {
	if name == "" || strings.ContainsAny(name, "\x00\r\n") {
		return &fs.PathError{Op: op, Path: name, Err: ErrInvalidName}
	}
	if strings.HasPrefix(name, "/") || hasDotDot(name) {
		return EscapeError(op, name)
	}
	if strings.HasPrefix(path.Base(name), TempPrefix) {
		return &fs.PathError{Op: op, Path: name, Err: ErrInvalidName}
	}
	return nil
}

func hasDotDot(name string) bool {
	for elem := range strings.SplitSeq(name, "/") {
		if elem == ".." {
			return true
		}
	}
	return false
}

// EscapeError is the error backends return when a name or a symlink would
// lead outside the root. It matches both ErrEscape and fs.ErrPermission
// (errors.Is), so a front that only maps the fs errors still answers
// "permission denied" instead of a generic failure.
func EscapeError(op, name string) error {
	return &fs.PathError{Op: op, Path: name, Err: escapeError{}}
}

type escapeError struct{}

func (escapeError) Error() string { return ErrEscape.Error() }

func (escapeError) Is(target error) bool {
	return target == ErrEscape || target == fs.ErrPermission
}

// CheckLinkTarget validates the target of a new symlink called name: it
// must be non-empty without NUL, CR or LF (ErrInvalidName), relative, and,
// read lexically from name's directory, stay inside the root (EscapeError).
// Backends store the target as given; their lookups confine it again at
// use, so this check only keeps users from planting links that would work
// for other programs on the host.
func CheckLinkTarget(target, name string) error {
	if target == "" || strings.ContainsAny(target, "\x00\r\n") {
		return &fs.PathError{Op: "symlink", Path: name, Err: ErrInvalidName}
	}
	if strings.HasPrefix(target, "/") {
		return EscapeError("symlink", name)
	}
	joined := path.Join(path.Dir(name), target)
	if joined == ".." || strings.HasPrefix(joined, "../") {
		return EscapeError("symlink", name)
	}
	return nil
}
