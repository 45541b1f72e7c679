package permfs_test

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"wharf/internal/vfs"
	"wharf/internal/vfs/localfs"
	"wharf/internal/vfs/memfs"
	"wharf/internal/vfs/permfs"
)

// TestPermissions runs each case through permfs on one copy of the tree
// and, with the user's credentials, through the kernel on another: both
// must give the answer of the table.
func TestPermissions(t *testing.T) {
	needRoot(t)
	tests := []struct {
		who, op string
		args    []string
		allow   bool
		why     string
	}{
		// Reading: search on every directory, then the class bits.
		{"alice", "read", []string{"alice/secret"}, true, "owner of a 0600 file"},
		{"bob", "read", []string{"alice/secret"}, false, "0600 file of another uid, in a 0700 dir"},
		{"bob", "read", []string{"alice/pub"}, false, "0644 file in another uid's 0700 dir"},
		{"bob", "stat", []string{"alice/pub"}, false, "no search on alice"},
		{"bob", "lstat", []string{"alice/link"}, false, "no search on alice"},
		{"bob", "readlink", []string{"alice/link"}, false, "no search on alice"},
		{"bob", "stat", []string{"alice"}, true, "the 0700 dir itself is in the root"},
		{"carol", "stat", []string{"."}, true, "the root is 0755"},
		{"bob", "list", []string{"alice"}, false, "0700 dir of another uid"},
		{"alice", "list", []string{"alice"}, true, "own 0700 dir"},
		{"bob", "read", []string{"shared/private"}, false, "0600 file of another uid"},
		{"bob", "read", []string{"shared/team"}, true, "0640 through a supplementary group"},
		{"carol", "read", []string{"shared/team"}, false, "0640, not in the group"},
		{"bob", "read", []string{"shared/nogroup"}, false, "0604: the group class decides, no fall-through to other"},
		{"carol", "read", []string{"shared/nogroup"}, true, "0604 for other"},
		{"alice", "read", []string{"shared/noowner"}, false, "0044: the owner class decides"},
		{"bob", "read", []string{"shared/noowner"}, true, "0044 through the group"},
		{"bob", "list", []string{"shared/list"}, true, "0750 through the group"},
		{"carol", "list", []string{"shared/list"}, false, "0750 for other"},
		{"carol", "list", []string{"shared/readonly"}, false, "0744: names readable, but a listing needs search too"},
		{"carol", "list", []string{"shared/searchonly"}, false, "0711: no read"},
		{"carol", "read", []string{"shared/searchonly/file"}, true, "0711 dir lets a known name through"},
		// Symlinks: the directories on the way to the target count.
		{"bob", "read", []string{"bob/tosecret"}, false, "link into another uid's 0700 dir"},
		{"alice", "read", []string{"bob/tosecret"}, true, "link into alice's own dir"},
		{"bob", "read", []string{"bob/toshared/team"}, true, "link to a dir, then the group"},
		{"carol", "read", []string{"bob/toshared/team"}, false, "link to a dir, then other"},
		// Creating, replacing, writing.
		{"bob", "put", []string{"ro/new"}, false, "no w on the 0755 dir of another uid"},
		{"bob", "put", []string{"drop/new"}, true, "0770 dir through the group"},
		{"carol", "put", []string{"drop/new"}, false, "0770 dir for other"},
		{"bob", "put", []string{"drop/alices"}, false, "replace needs w on the 0644 file"},
		{"bob", "put", []string{"drop/groupw"}, true, "0664 file in a 0770 dir, through the group"},
		{"bob", "put", []string{"ro/file"}, false, "0666 file, but the rename needs w on the dir"},
		{"bob", "append", []string{"ro/file"}, true, "writing in place needs w on the file only"},
		{"bob", "append", []string{"drop/alices"}, false, "0644 file of another uid"},
		{"bob", "append", []string{"shared/team"}, false, "0640: the group may only read"},
		{"bob", "append", []string{"ro/newfile"}, false, "creating needs w on the dir"},
		{"bob", "append", []string{"drop/newfile"}, true, "creating in a group-writable dir"},
		{"bob", "mkdir", []string{"ro/d"}, false, "no w on the parent"},
		{"bob", "mkdir", []string{"drop/d"}, true, "group-writable parent"},
		{"bob", "mkdir", []string{"ro/sub/d"}, true, "0777 parent under a 0755 dir"},
		{"bob", "symlink", []string{"ro/l"}, false, "no w on the parent"},
		{"bob", "symlink", []string{"drop/l"}, true, "group-writable parent"},
		// Deleting and renaming.
		{"bob", "remove", []string{"ro/file"}, false, "0666 file, but no w on the dir"},
		{"bob", "remove", []string{"drop/alices"}, true, "w on a dir without the sticky bit is enough"},
		{"bob", "rmdir", []string{"drop/alicedir"}, true, "empty dir in a group-writable dir"},
		{"bob", "remove", []string{"tmp/alices"}, false, "sticky dir: not bob's file, not bob's dir"},
		{"bob", "remove", []string{"tmp/bobs"}, true, "sticky dir: bob's own file"},
		{"alice", "remove", []string{"mine/bobs"}, true, "sticky dir: the dir's owner"},
		{"carol", "remove", []string{"mine/bobs"}, false, "sticky dir: neither owner"},
		{"bob", "rename", []string{"tmp/alices", "tmp/x"}, false, "sticky dir: moving someone else's file"},
		{"bob", "rename", []string{"tmp/bobs", "tmp/alices"}, false, "sticky dir: replacing someone else's file"},
		{"bob", "put", []string{"tmp/alices"}, false, "sticky dir: a 0666 file, but replacing it is not bob's call"},
		{"alice", "rename", []string{"tmp/alices", "tmp/a2"}, true, "sticky dir: own file"},
		{"bob", "rename", []string{"drop/groupw", "drop2/g"}, true, "w+x on both parents"},
		{"bob", "rename", []string{"drop/groupw", "ro/g"}, false, "no w on the new parent"},
		{"bob", "rename", []string{"drop/alicedir", "drop/moved"}, true, "a dir renamed in place"},
		{"bob", "rename", []string{"drop/alicedir", "drop2/alicedir"}, false, "a dir moving needs w on itself"},
		// Owner-only operations.
		{"bob", "chmod", []string{"shared/team"}, false, "not the owner"},
		{"alice", "chmod", []string{"shared/team"}, true, "the owner"},
		{"bob", "chtimes", []string{"drop/groupw"}, false, "w is not enough for explicit times"},
		{"alice", "chtimes", []string{"drop/groupw"}, true, "the owner"},
		// Root passes.
		{"root", "read", []string{"alice/secret"}, true, "root"},
		{"root", "list", []string{"alice"}, true, "root"},
		{"root", "remove", []string{"tmp/alices"}, true, "root in a sticky dir"},
		{"root", "chmod", []string{"shared/team"}, true, "root"},
	}
	for _, tt := range tests {
		t.Run(tt.who+"_"+tt.op+"_"+strings.Join(tt.args, "_"), func(t *testing.T) {
			t.Parallel()
			want := verdict(nil)
			if !tt.allow {
				want = verdict(fs.ErrPermission)
			}
			cred, o := users[tt.who], ops[tt.op]
			if got := verdict(o.vfs(open(t, build(t, tree), cred), tt.args)); got != want {
				t.Errorf("permfs: %s, want %s (%s)", got, want, tt.why)
			}
			if got := verdict(asKernel(t, build(t, tree), cred, o.kernel, tt.args)); got != want {
				t.Errorf("the kernel: %s, the table says %s (%s)", got, want, tt.why)
			}
		})
	}
}

// TestRefusalError checks the shape of a refusal: a *fs.PathError naming
// the virtual name, matching fs.ErrPermission.
func TestRefusalError(t *testing.T) {
	needRoot(t)
	_, err := open(t, build(t, tree), users["bob"]).Open("alice/secret")
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != "alice/secret" || !errors.Is(err, fs.ErrPermission) {
		t.Fatalf("Open = %#v, want a *fs.PathError for alice/secret matching fs.ErrPermission", err)
	}
}

// TestCommitRechecks takes w away from the directory while an upload runs:
// the rename at Commit is refused and nothing is left behind.
func TestCommitRechecks(t *testing.T) {
	needRoot(t)
	root := build(t, tree)
	fsys := open(t, root, users["bob"])
	u, err := fsys.Upload("drop/late", vfs.UploadOptions{Mode: vfs.Truncate})
	mustDo(t, err)
	io.WriteString(u, "data")
	mustDo(t, os.Chmod(filepath.Join(root, "drop"), 0o750))
	if err := u.Commit(); !errors.Is(err, fs.ErrPermission) {
		t.Fatalf("Commit after losing w = %v, want fs.ErrPermission", err)
	}
	entries, err := os.ReadDir(filepath.Join(root, "drop"))
	mustDo(t, err)
	for _, e := range entries {
		if e.Name() == "late" || vfs.IsTempName(e.Name()) {
			t.Errorf("refused upload left %q", e.Name())
		}
	}
}

// TestCreatedOwnership creates through permfs over localfs as alice and
// checks on disk that everything belongs to her, with her umask.
func TestCreatedOwnership(t *testing.T) {
	needRoot(t)
	root := build(t, tree)
	fsys := open(t, root, users["alice"])
	mustDo(t, fsys.Mkdir("alice/dir", 0o777))
	for _, mode := range []vfs.UploadMode{vfs.Truncate, vfs.Append} {
		u, err := fsys.Upload("alice/dir/f"+string(rune('0'+mode)), vfs.UploadOptions{Mode: mode})
		mustDo(t, err)
		mustDo(t, u.Commit())
	}
	mustDo(t, fsys.Symlink("f0", "alice/dir/l"))
	for _, name := range []string{"alice/dir", "alice/dir/f0", "alice/dir/f1", "alice/dir/l"} {
		wantOwner(t, filepath.Join(root, name), aliceID, aliceID)
	}
	fi, err := os.Stat(filepath.Join(root, "alice/dir/f0"))
	mustDo(t, err)
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("new file mode %v, want 0644 (umask 022)", fi.Mode().Perm())
	}
}

// TestLocalfsChowns confirms what permfs relies on: localfs with UID and
// GID set gives what it creates (files, directories, symlinks) to them.
func TestLocalfsChowns(t *testing.T) {
	needRoot(t)
	root := t.TempDir()
	opts := localfs.DefaultOptions()
	opts.UID, opts.GID = bobID, staff
	fsys, err := localfs.New(root, opts)
	mustDo(t, err)
	defer fsys.Close()
	mustDo(t, fsys.Mkdir("d", 0o755))
	for _, mode := range []vfs.UploadMode{vfs.Truncate, vfs.Append, vfs.Resume} {
		u, err := fsys.Upload("d/f"+string(rune('0'+mode)), vfs.UploadOptions{Mode: mode})
		mustDo(t, err)
		mustDo(t, u.Commit())
	}
	mustDo(t, fsys.Symlink("f0", "d/l"))
	for _, name := range []string{"d", "d/f0", "d/f1", "d/f2", "d/l"} {
		wantOwner(t, filepath.Join(root, name), bobID, staff)
	}
}

func wantOwner(t *testing.T, p string, uid, gid uint32) {
	t.Helper()
	fi, err := os.Lstat(p)
	mustDo(t, err)
	st := fi.Sys().(*syscall.Stat_t)
	if st.Uid != uid || st.Gid != gid {
		t.Errorf("%s owned by %d:%d, want %d:%d", filepath.Base(p), st.Uid, st.Gid, uid, gid)
	}
}

// TestRootIsInner: uid 0 gets the inner FS itself, at no cost.
func TestRootIsInner(t *testing.T) {
	inner := memfs.New(memfs.Options{})
	if got := permfs.New(inner, permfs.Cred{UID: 0}); got != vfs.FS(inner) {
		t.Errorf("New for uid 0 = %T, want the inner FS", got)
	}
}

// TestForwards: Statfs and Close reach the inner FS, and a wrapper has
// Statfs exactly when its inner FS has (the SFTP front asks by type
// assertion).
func TestForwards(t *testing.T) {
	type statfser interface {
		Statfs() (total, free uint64, err error)
	}
	root := t.TempDir()
	mustDo(t, os.Chmod(root, 0o700))
	inner, err := localfs.New(root, localfs.DefaultOptions())
	mustDo(t, err)
	fsys := permfs.New(inner, users["carol"])
	sf, ok := fsys.(statfser)
	if !ok {
		t.Fatal("permfs over localfs has no Statfs")
	}
	// The root is 0700 and not carol's: no search, no statfs.
	if _, _, err := sf.Statfs(); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("Statfs without search on the root = %v", err)
	}
	mustDo(t, os.Chmod(root, 0o755))
	if total, _, err := sf.Statfs(); err != nil || total == 0 {
		t.Errorf("Statfs = %d, %v", total, err)
	}
	mustDo(t, fsys.(io.Closer).Close())
	if _, err := inner.Stat("."); err == nil {
		t.Error("Close did not close the inner FS")
	}
	if _, ok := permfs.New(memfs.New(memfs.Options{}), users["carol"]).(statfser); ok {
		t.Error("permfs over memfs claims a Statfs that memfs lacks")
	}
}
