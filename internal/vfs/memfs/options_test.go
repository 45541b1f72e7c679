package memfs_test

import (
	"errors"
	"io/fs"
	"testing"
	"time"

	"wharf/internal/vfs"
	"wharf/internal/vfs/memfs"
	"wharf/internal/vfs/vfstest"
)

func TestOptions(t *testing.T) {
	clock := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	m := memfs.New(memfs.Options{
		Umask:               0o027,
		FileMode:            0o640,
		DeleteFailedUploads: true,
		Now:                 func() time.Time { return clock },
	})
	vfstest.Put(t, m, "f", "old")
	fi, err := m.Stat("f")
	if err != nil || fi.Mode().Perm() != 0o640 || !fi.ModTime().Equal(clock) {
		t.Errorf("Stat(f) = %v, %v; want mode 0640 at %v", fi, err, clock)
	}
	if err := m.Mkdir("d", 0); err != nil {
		t.Fatal(err)
	}
	if fi, _ := m.Stat("d"); fi.Mode().Perm() != 0o750 {
		t.Errorf("Mkdir mode = %v, want 0750", fi.Mode().Perm())
	}
	u, err := m.Upload("f", vfs.UploadOptions{Mode: vfs.Append})
	if err != nil {
		t.Fatal(err)
	}
	u.Write([]byte("partial"))
	if err := u.Abort(); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Stat("f"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after aborted append with DeleteFailedUploads, Stat = %v", err)
	}
}

func TestCommitOntoNewDirectory(t *testing.T) {
	m := memfs.New(memfs.Options{})
	u, err := m.Upload("x", vfs.UploadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Mkdir("x", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := u.Commit(); !errors.Is(err, vfs.ErrIsDir) {
		t.Errorf("Commit onto a directory = %v, want ErrIsDir", err)
	}
}
