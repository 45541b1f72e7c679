package localfs

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"testing"

	"wharf/internal/vfs"
)

func TestWrapErr(t *testing.T) {
	f, err := New(t.TempDir(), DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.escape == nil || f.escape.Error() != escapeText {
		t.Errorf("probed escape error = %v, want %q", f.escape, escapeText)
	}
	tests := []struct {
		in   error
		want []error
	}{
		{&fs.PathError{Op: "write", Path: "/host/x", Err: syscall.ENOSPC}, []error{vfs.ErrQuota, syscall.ENOSPC}},
		{&fs.PathError{Op: "write", Path: "/host/x", Err: os.NewSyscallError("splice", syscall.EDQUOT)}, []error{vfs.ErrQuota}},
		{&os.LinkError{Op: "renameat", Old: "a", New: "b", Err: syscall.ENOTEMPTY}, []error{vfs.ErrNotEmpty}},
		{syscall.EISDIR, []error{vfs.ErrIsDir}},
		{syscall.ENOTDIR, []error{vfs.ErrNotDir}},
		{syscall.ENAMETOOLONG, []error{vfs.ErrInvalidName}},
		{&fs.PathError{Op: "openat", Path: "x", Err: syscall.ENOENT}, []error{fs.ErrNotExist}},
		{syscall.EACCES, []error{fs.ErrPermission}},
		{&fs.PathError{Op: "statat", Path: "x", Err: f.escape}, []error{vfs.ErrEscape, fs.ErrPermission}},
	}
	for _, tt := range tests {
		got := f.wrapErr("op", "name", tt.in)
		for _, w := range tt.want {
			if !errors.Is(got, w) {
				t.Errorf("wrapErr(%v) = %v, does not match %v", tt.in, got, w)
			}
		}
		if strings.Contains(got.Error(), "/host") {
			t.Errorf("wrapErr(%v) = %q leaks the host path", tt.in, got)
		}
	}
}

// TestQuota writes into /dev/full, which fails every write with ENOSPC,
// through both Write and ReadFrom.
func TestQuota(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip(err)
	}
	f, err := New(t.TempDir(), DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	u := &upload{fs: f, file: full, name: "big", mode: vfs.Append}
	defer u.Abort()
	_, err = u.Write([]byte("x"))
	if !errors.Is(err, vfs.ErrQuota) {
		t.Errorf("Write = %v, want ErrQuota", err)
	}
	_, err = io.Copy(u, strings.NewReader("data"))
	if !errors.Is(err, vfs.ErrQuota) || strings.Contains(err.Error(), "/dev/full") {
		t.Errorf("io.Copy = %v, want ErrQuota naming the virtual file", err)
	}
}
