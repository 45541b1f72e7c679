// Package vfstest is the conformance suite every vfs.FS backend passes.
//
// Run expects a fresh, empty FS per call of newFS, created with
// DeleteFailedUploads off and a umask that leaves the owner's bits alone
// (both backends' defaults). Backend-specific behaviour (confinement on a
// real disk, zero-copy paths, options) is tested next to each backend.
package vfstest

import (
	"errors"
	"io"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"wharf/internal/vfs"
)

// Run runs every conformance test against backends made by newFS.
func Run(t *testing.T, newFS func(t *testing.T) vfs.FS) {
	tests := []struct {
		name string
		fn   func(t *testing.T, fsys vfs.FS)
	}{
		{"StatLstat", testStatLstat},
		{"OpenReadSeek", testOpenReadSeek},
		{"NotExist", testNotExist},
		{"ReadDirPaged", testReadDirPaged},
		{"UploadTruncate", testUploadTruncate},
		{"UploadTruncateAbort", testUploadTruncateAbort},
		{"UploadTruncateModes", testUploadTruncateModes},
		{"UploadFinishTwice", testUploadFinishTwice},
		{"UploadAppend", testUploadAppend},
		{"UploadResume", testUploadResume},
		{"UploadResumeRefused", testUploadResumeRefused},
		{"MkdirRemoveDir", testMkdirRemoveDir},
		{"RemoveFileVsDir", testRemoveFileVsDir},
		{"Rename", testRename},
		{"RenameRefused", testRenameRefused},
		{"Chmod", testChmod},
		{"Chtimes", testChtimes},
		{"Symlinks", testSymlinks},
		{"UnicodeNames", testUnicodeNames},
		{"InvalidNames", testInvalidNames},
		{"EscapingNames", testEscapingNames},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newFS(t))
		})
	}
}

// Put writes a whole file with a Truncate upload.
func Put(t testing.TB, fsys vfs.FS, name, data string) {
	t.Helper()
	u, err := fsys.Upload(name, vfs.UploadOptions{Mode: vfs.Truncate})
	if err != nil {
		t.Fatalf("Upload(%q): %v", name, err)
	}
	if _, err := io.WriteString(u, data); err != nil {
		u.Abort()
		t.Fatalf("write %q: %v", name, err)
	}
	if err := u.Commit(); err != nil {
		t.Fatalf("Commit(%q): %v", name, err)
	}
}

// Get reads a whole file.
func Get(t testing.TB, fsys vfs.FS, name string) string {
	t.Helper()
	f, err := fsys.Open(name)
	if err != nil {
		t.Fatalf("Open(%q): %v", name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatalf("read %q: %v", name, err)
	}
	return string(b)
}

// ReadDirNames lists a directory in pages of n, checking page sizes.
func ReadDirNames(t testing.TB, fsys vfs.FS, name string, n int) []string {
	t.Helper()
	d, err := fsys.OpenDir(name)
	if err != nil {
		t.Fatalf("OpenDir(%q): %v", name, err)
	}
	defer d.Close()
	var names []string
	for {
		page, err := d.ReadDir(n)
		if len(page) > n {
			t.Fatalf("ReadDir(%d) returned %d entries", n, len(page))
		}
		for _, e := range page {
			names = append(names, e.Name())
		}
		if errors.Is(err, io.EOF) {
			slices.Sort(names)
			return names
		}
		if err != nil {
			t.Fatalf("ReadDir(%q): %v", name, err)
		}
		if len(page) == 0 {
			t.Fatalf("ReadDir(%d) returned an empty page before EOF", n)
		}
	}
}

// wantErr fails unless errors.Is(err, target).
func wantErr(t testing.TB, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: got error %v, want %v", what, err, target)
	}
}

func mustDo(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func wantContent(t testing.TB, fsys vfs.FS, name, want string) {
	t.Helper()
	if got := Get(t, fsys, name); got != want {
		t.Errorf("content of %q = %q, want %q", name, got, want)
	}
}

func wantNames(t testing.TB, fsys vfs.FS, dir string, want ...string) {
	t.Helper()
	slices.Sort(want)
	if got := ReadDirNames(t, fsys, dir, 10); !slices.Equal(got, want) {
		t.Errorf("entries of %q = %q, want %q", dir, got, want)
	}
}

func wantPerm(t testing.TB, fsys vfs.FS, name string, want fs.FileMode) {
	t.Helper()
	fi, err := fsys.Stat(name)
	if err != nil {
		t.Fatalf("Stat(%q): %v", name, err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("mode of %q = %v, want %v", name, got, want)
	}
}

func noTempNames(t testing.TB, names []string) {
	t.Helper()
	for _, n := range names {
		if strings.HasPrefix(n, vfs.TempPrefix) {
			t.Errorf("listing shows temporary file %q", n)
		}
	}
}
