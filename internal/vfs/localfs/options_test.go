package localfs_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"wharf/internal/vfs"
	"wharf/internal/vfs/localfs"
	"wharf/internal/vfs/vfstest"
)

func TestModes(t *testing.T) {
	tests := []struct {
		umask, fileMode   fs.FileMode
		uploadPerm        fs.FileMode
		wantFile, wantDir fs.FileMode
	}{
		{0o022, 0o666, 0, 0o644, 0o755},
		{0o027, 0o640, 0, 0o640, 0o750},
		{0o077, 0o666, 0o755, 0o700, 0o700},
		// Umask 0 gives exactly the mode asked for, whatever the process
		// umask says.
		{0, 0o666, 0, 0o666, 0o777},
		{0, 0, 0, 0o666, 0o777},
	}
	for _, tt := range tests {
		opts := localfs.DefaultOptions()
		opts.Umask, opts.FileMode = tt.umask, tt.fileMode
		root := t.TempDir()
		fsys := newFS(t, root, opts)
		for _, mode := range []vfs.UploadMode{vfs.Truncate, vfs.Append, vfs.Resume} {
			name := filepath.Base(t.TempDir()) // unique per mode
			u, err := fsys.Upload(name, vfs.UploadOptions{Mode: mode, Perm: tt.uploadPerm})
			mustDo(t, err)
			mustDo(t, u.Commit())
			wantMode(t, filepath.Join(root, name), tt.wantFile)
		}
		mustDo(t, fsys.Mkdir("d", 0))
		wantMode(t, filepath.Join(root, "d"), tt.wantDir)
	}
}

func wantMode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != want {
		t.Errorf("%s: mode %v, want %v", filepath.Base(path), fi.Mode().Perm(), want)
	}
}

func TestDeleteFailedUploads(t *testing.T) {
	opts := localfs.DefaultOptions()
	opts.DeleteFailedUploads = true
	fsys := newFS(t, t.TempDir(), opts)
	for _, mode := range []vfs.UploadMode{vfs.Append, vfs.Resume} {
		vfstest.Put(t, fsys, "f", "old")
		u, err := fsys.Upload("f", vfs.UploadOptions{Mode: mode})
		mustDo(t, err)
		u.Write([]byte("partial"))
		mustDo(t, u.Abort())
		if _, err := fsys.Stat("f"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("mode %d: after Abort, Stat = %v; want the file deleted", mode, err)
		}
	}
	// A Truncate upload is atomic: aborting it never touches the old file.
	vfstest.Put(t, fsys, "f", "old")
	u, err := fsys.Upload("f", vfs.UploadOptions{})
	mustDo(t, err)
	mustDo(t, u.Abort())
	if got := vfstest.Get(t, fsys, "f"); got != "old" {
		t.Errorf("after aborted Truncate, content = %q", got)
	}
}

// TestChown runs as any user: chowning to one's own ids always works, and
// as root to another uid.
func TestChown(t *testing.T) {
	uid, gid := os.Getuid(), os.Getgid()
	if uid == 0 {
		uid, gid = 4321, 8765
	}
	opts := localfs.DefaultOptions()
	opts.UID, opts.GID = uid, gid
	root := t.TempDir()
	fsys := newFS(t, root, opts)
	vfstest.Put(t, fsys, "truncate", "x")
	u, err := fsys.Upload("append", vfs.UploadOptions{Mode: vfs.Append})
	mustDo(t, err)
	mustDo(t, u.Commit())
	mustDo(t, fsys.Mkdir("dir", 0o755))
	mustDo(t, fsys.Symlink("dir", "link"))
	for _, name := range []string{"truncate", "append", "dir", "link"} {
		fi, err := os.Lstat(filepath.Join(root, name))
		mustDo(t, err)
		st := fi.Sys().(*syscall.Stat_t)
		if int(st.Uid) != uid || int(st.Gid) != gid {
			t.Errorf("%s owned by %d:%d, want %d:%d", name, st.Uid, st.Gid, uid, gid)
		}
	}
}

func TestStatfs(t *testing.T) {
	fsys := newFS(t, t.TempDir(), localfs.DefaultOptions())
	total, free, err := fsys.Statfs()
	if err != nil || total == 0 || free > total {
		t.Errorf("Statfs = %d, %d, %v", total, free, err)
	}
}

func TestNewErrors(t *testing.T) {
	if _, err := localfs.New(filepath.Join(t.TempDir(), "missing"), localfs.DefaultOptions()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("New(missing) = %v", err)
	}
}
