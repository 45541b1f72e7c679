package vfstest

import (
	"fmt"
	"io/fs"
	"testing"
	"time"

	"wharf/internal/vfs"
)

func testReadDirPaged(t *testing.T, fsys vfs.FS) {
	const count, page = 2500, 100
	mustDo(t, "Mkdir", fsys.Mkdir("big", 0o755))
	want := make(map[string]bool, count)
	for i := range count {
		name := fmt.Sprintf("f%04d", i)
		Put(t, fsys, "big/"+name, "")
		want[name] = false
	}
	// An upload in flight must not show up, under any name.
	u := upload(t, fsys, "big/inflight", truncate, "partial")
	defer u.Abort()

	names := ReadDirNames(t, fsys, "big", page)
	noTempNames(t, names)
	for _, n := range names {
		seen, ok := want[n]
		switch {
		case !ok:
			t.Errorf("unexpected entry %q", n)
		case seen:
			t.Errorf("entry %q seen twice", n)
		}
		want[n] = true
	}
	for n, seen := range want {
		if !seen {
			t.Errorf("entry %q missing", n)
		}
	}
}

func testMkdirRemoveDir(t *testing.T, fsys vfs.FS) {
	mustDo(t, "Mkdir d", fsys.Mkdir("d", 0o700))
	fi, err := fsys.Stat("d")
	if err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
		t.Errorf("Stat(d) = %v, %v; want a directory with mode 0700", fi, err)
	}
	wantErr(t, "Mkdir existing", fsys.Mkdir("d", 0o755), fs.ErrExist)
	wantErr(t, "Mkdir root", fsys.Mkdir(".", 0o755), fs.ErrExist)
	mustDo(t, "Mkdir d/e", fsys.Mkdir("d/e", 0o755))
	Put(t, fsys, "f", "x")
	wantErr(t, "Mkdir over file", fsys.Mkdir("f", 0o755), fs.ErrExist)
	wantErr(t, "RemoveDir non-empty", fsys.RemoveDir("d"), vfs.ErrNotEmpty)
	wantErr(t, "RemoveDir file", fsys.RemoveDir("f"), vfs.ErrNotDir)
	mustDo(t, "Symlink", fsys.Symlink("d", "ld"))
	wantErr(t, "RemoveDir symlink to dir", fsys.RemoveDir("ld"), vfs.ErrNotDir)
	wantErr(t, "RemoveDir root", fsys.RemoveDir("."), fs.ErrPermission)
	mustDo(t, "RemoveDir d/e", fsys.RemoveDir("d/e"))
	mustDo(t, "RemoveDir d", fsys.RemoveDir("d"))
	_, err = fsys.Stat("d")
	wantErr(t, "Stat removed dir", err, fs.ErrNotExist)
}

func testRemoveFileVsDir(t *testing.T, fsys vfs.FS) {
	mustDo(t, "Mkdir", fsys.Mkdir("d", 0o755))
	Put(t, fsys, "f", "x")
	mustDo(t, "Symlink f", fsys.Symlink("f", "lf"))
	mustDo(t, "Symlink d", fsys.Symlink("d", "ld"))
	wantErr(t, "Remove dir", fsys.Remove("d"), vfs.ErrIsDir)
	wantErr(t, "Remove root", fsys.Remove("."), vfs.ErrIsDir)
	// Removing a link removes the link, never its target.
	mustDo(t, "Remove lf", fsys.Remove("lf"))
	mustDo(t, "Remove ld", fsys.Remove("ld"))
	wantNames(t, fsys, ".", "d", "f")
	mustDo(t, "Remove f", fsys.Remove("f"))
	wantNames(t, fsys, ".", "d")
}

func testRename(t *testing.T, fsys vfs.FS) {
	Put(t, fsys, "a", "A")
	mustDo(t, "Rename a b", fsys.Rename("a", "b"))
	wantNames(t, fsys, ".", "b")
	wantContent(t, fsys, "b", "A")

	mustDo(t, "Mkdir", fsys.Mkdir("d", 0o755))
	Put(t, fsys, "d/x", "X")
	mustDo(t, "Rename d e", fsys.Rename("d", "e"))
	wantContent(t, fsys, "e/x", "X")
	mustDo(t, "Rename into dir", fsys.Rename("b", "e/b"))
	wantNames(t, fsys, "e", "b", "x")

	// Renaming onto a file replaces it, like rename(2).
	mustDo(t, "Rename over file", fsys.Rename("e/b", "e/x"))
	wantContent(t, fsys, "e/x", "A")
	wantNames(t, fsys, "e", "x")

	// A symlink is moved itself and keeps pointing where it did.
	mustDo(t, "Symlink", fsys.Symlink("e/x", "l"))
	mustDo(t, "Rename link", fsys.Rename("l", "l2"))
	if got, err := fsys.Readlink("l2"); err != nil || got != "e/x" {
		t.Errorf("Readlink(l2) = %q, %v", got, err)
	}
}

func testRenameRefused(t *testing.T, fsys vfs.FS) {
	Put(t, fsys, "f", "F")
	mustDo(t, "Mkdir d", fsys.Mkdir("d", 0o755))
	mustDo(t, "Mkdir d/sub", fsys.Mkdir("d/sub", 0o755))
	wantErr(t, "Rename root", fsys.Rename(".", "x"), fs.ErrPermission)
	wantErr(t, "Rename onto root", fsys.Rename("f", "."), fs.ErrPermission)
	// Like os.Rename, and unlike rename(2), a directory is never replaced.
	wantErr(t, "Rename file onto dir", fsys.Rename("f", "d"), fs.ErrExist)
	wantErr(t, "Rename dir onto file", fsys.Rename("d", "f"), vfs.ErrNotDir)
	mustDo(t, "Mkdir e", fsys.Mkdir("e", 0o755))
	Put(t, fsys, "e/x", "X")
	wantErr(t, "Rename dir onto non-empty dir", fsys.Rename("d", "e"), fs.ErrExist)
	wantErr(t, "Rename dir onto empty dir", fsys.Rename("e", "d/sub"), fs.ErrExist)
	if err := fsys.Rename("d", "d/sub/d"); err == nil {
		t.Error("Rename of a directory into itself succeeded")
	}
	wantErr(t, "Rename into missing dir", fsys.Rename("f", "no/f"), fs.ErrNotExist)
	wantContent(t, fsys, "f", "F")
	wantNames(t, fsys, ".", "d", "e", "f")
}

func testChmod(t *testing.T, fsys vfs.FS) {
	Put(t, fsys, "f", "x")
	mustDo(t, "Mkdir", fsys.Mkdir("d", 0o755))
	for _, tt := range []struct {
		name string
		mode fs.FileMode
	}{{"f", 0o600}, {"f", 0o755}, {"f", 0o444}, {"d", 0o700}, {"d", 0o755}} {
		mustDo(t, "Chmod", fsys.Chmod(tt.name, tt.mode))
		wantPerm(t, fsys, tt.name, tt.mode)
	}
	// Set-id bits are never granted to a remote user.
	mustDo(t, "Chmod setuid", fsys.Chmod("f", fs.ModeSetuid|fs.ModeSetgid|0o755))
	fi, err := fsys.Stat("f")
	mustDo(t, "Stat", err)
	if fi.Mode()&(fs.ModeSetuid|fs.ModeSetgid) != 0 || fi.Mode().Perm() != 0o755 {
		t.Errorf("mode after Chmod with set-id bits = %v", fi.Mode())
	}
}

func testChtimes(t *testing.T, fsys vfs.FS) {
	Put(t, fsys, "f", "x")
	mustDo(t, "Mkdir", fsys.Mkdir("d", 0o755))
	mtime := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	for _, name := range []string{"f", "d"} {
		mustDo(t, "Chtimes", fsys.Chtimes(name, mtime, mtime))
		fi, err := fsys.Stat(name)
		mustDo(t, "Stat", err)
		if !fi.ModTime().Equal(mtime) {
			t.Errorf("ModTime(%s) = %v, want %v", name, fi.ModTime(), mtime)
		}
	}
}

func testSymlinks(t *testing.T, fsys vfs.FS) {
	mustDo(t, "Mkdir", fsys.Mkdir("d", 0o755))
	Put(t, fsys, "d/f", "data")
	links := []struct{ target, name string }{
		{"d/f", "lf"}, {"d", "ld"}, {"f", "d/lsib"}, {"../d/f", "d/lup"}, {"ld/f", "lchain"}, {"nowhere", "dangling"},
	}
	for _, l := range links {
		mustDo(t, "Symlink "+l.name, fsys.Symlink(l.target, l.name))
		if got, err := fsys.Readlink(l.name); err != nil || got != l.target {
			t.Errorf("Readlink(%q) = %q, %v; want %q", l.name, got, err, l.target)
		}
	}
	for _, name := range []string{"lf", "d/lsib", "d/lup", "lchain", "ld/f", "ld/lup"} {
		wantContent(t, fsys, name, "data")
	}
	wantNames(t, fsys, "ld", "f", "lsib", "lup")
	_, err := fsys.Stat("dangling")
	wantErr(t, "Stat dangling", err, fs.ErrNotExist)
	wantErr(t, "Symlink over existing", fsys.Symlink("d", "lf"), fs.ErrExist)
	if _, err := fsys.Readlink("d/f"); err == nil {
		t.Error("Readlink of a regular file succeeded")
	}
	// Writing through an in-root link reaches the target.
	mustDo(t, "Append via link", upload(t, fsys, "lf", vfs.UploadOptions{Mode: vfs.Append}, "+").Commit())
	wantContent(t, fsys, "d/f", "data+")
	mustDo(t, "Symlink loop", fsys.Symlink("loop", "loop"))
	if _, err := fsys.Stat("loop"); err == nil {
		t.Error("Stat of a symlink loop succeeded")
	}
}
