package vfstest

import (
	"fmt"
	"io"
	"io/fs"
	"testing"
	"time"

	"wharf/internal/vfs"
)

func testStatLstat(t *testing.T, fsys vfs.FS) {
	before := time.Now()
	Put(t, fsys, "f", "hello")
	mustDo(t, "Mkdir", fsys.Mkdir("d", 0o755))
	mustDo(t, "Symlink f", fsys.Symlink("f", "lf"))
	mustDo(t, "Symlink d", fsys.Symlink("d", "ld"))

	tests := []struct {
		name   string
		follow bool
		typ    fs.FileMode
		size   int64 // -1: don't check
	}{
		{".", true, fs.ModeDir, -1},
		{"f", true, 0, 5},
		{"f", false, 0, 5},
		{"d", true, fs.ModeDir, -1},
		{"lf", true, 0, 5},
		{"lf", false, fs.ModeSymlink, -1},
		{"ld", true, fs.ModeDir, -1},
		{"ld", false, fs.ModeSymlink, -1},
	}
	for _, tt := range tests {
		stat := fsys.Lstat
		if tt.follow {
			stat = fsys.Stat
		}
		fi, err := stat(tt.name)
		if err != nil {
			t.Errorf("stat(%q, follow=%v): %v", tt.name, tt.follow, err)
			continue
		}
		if got := fi.Mode().Type(); got != tt.typ {
			t.Errorf("stat(%q, follow=%v) type = %v, want %v", tt.name, tt.follow, got, tt.typ)
		}
		if tt.size >= 0 && fi.Size() != tt.size {
			t.Errorf("stat(%q) size = %d, want %d", tt.name, fi.Size(), tt.size)
		}
	}
	fi, err := fsys.Stat("f")
	mustDo(t, "Stat f", err)
	if fi.Name() != "f" {
		t.Errorf("Name() = %q, want f", fi.Name())
	}
	// Filesystem clocks can be coarser than time.Now: allow a second.
	if mt := fi.ModTime(); mt.Before(before.Add(-time.Second)) || mt.After(time.Now().Add(time.Second)) {
		t.Errorf("ModTime = %v, want about %v", mt, before)
	}
}

func testOpenReadSeek(t *testing.T, fsys vfs.FS) {
	Put(t, fsys, "f", "0123456789")
	f, err := fsys.Open("f")
	mustDo(t, "Open", err)
	defer f.Close()
	steps := []struct {
		offset int64
		whence int
		n      int
		want   string
	}{
		{0, io.SeekCurrent, 4, "0123"},
		{6, io.SeekStart, 4, "6789"},
		{-3, io.SeekEnd, 3, "789"},
		{1, io.SeekStart, 2, "12"},
	}
	for _, s := range steps {
		if _, err := f.Seek(s.offset, s.whence); err != nil {
			t.Fatalf("Seek(%d, %d): %v", s.offset, s.whence, err)
		}
		buf := make([]byte, s.n)
		if _, err := io.ReadFull(f, buf); err != nil || string(buf) != s.want {
			t.Errorf("after Seek(%d, %d) read %q, %v; want %q", s.offset, s.whence, buf, err, s.want)
		}
	}
	buf := make([]byte, 3)
	if n, err := f.ReadAt(buf, 7); n != 3 || string(buf) != "789" {
		t.Errorf("ReadAt(7) = %d %q %v", n, buf, err)
	}
	fi, err := f.Stat()
	mustDo(t, "File.Stat", err)
	if fi.Size() != 10 || !fi.Mode().IsRegular() {
		t.Errorf("File.Stat size %d mode %v", fi.Size(), fi.Mode())
	}
	mustDo(t, "Mkdir", fsys.Mkdir("d", 0o755))
	_, err = fsys.Open("d")
	wantErr(t, "Open(dir)", err, vfs.ErrIsDir)
	_, err = fsys.OpenDir("f")
	wantErr(t, "OpenDir(file)", err, vfs.ErrNotDir)
}

func testNotExist(t *testing.T, fsys vfs.FS) {
	mtime := time.Unix(1e9, 0)
	ops := map[string]func(name string) error{
		"Stat":      func(n string) error { _, err := fsys.Stat(n); return err },
		"Lstat":     func(n string) error { _, err := fsys.Lstat(n); return err },
		"Open":      func(n string) error { _, err := fsys.Open(n); return err },
		"OpenDir":   func(n string) error { _, err := fsys.OpenDir(n); return err },
		"Remove":    fsys.Remove,
		"RemoveDir": fsys.RemoveDir,
		"Rename":    func(n string) error { return fsys.Rename(n, "x") },
		"Chmod":     func(n string) error { return fsys.Chmod(n, 0o644) },
		"Chtimes":   func(n string) error { return fsys.Chtimes(n, mtime, mtime) },
		"Readlink":  func(n string) error { _, err := fsys.Readlink(n); return err },
		"Mkdir":     func(n string) error { return fsys.Mkdir(n+"/sub", 0o755) },
		"Upload": func(n string) error {
			_, err := fsys.Upload(n+"/sub", vfs.UploadOptions{Mode: vfs.Truncate})
			return err
		},
		"Symlink": func(n string) error { return fsys.Symlink("x", n+"/sub") },
	}
	for op, fn := range ops {
		for _, name := range []string{"missing", "no/such/dir"} {
			wantErr(t, op+"("+name+")", fn(name), fs.ErrNotExist)
		}
	}
}

func testUnicodeNames(t *testing.T, fsys vfs.FS) {
	names := []string{"café ü.bin", "日本語.txt", " leading space", "trailing space ", "a\tb", "#%?*[]"}
	mustDo(t, "Mkdir", fsys.Mkdir("dir with space", 0o755))
	for _, n := range names {
		Put(t, fsys, n, "x"+n)
		Put(t, fsys, "dir with space/"+n, "y"+n)
	}
	for _, n := range names {
		wantContent(t, fsys, n, "x"+n)
		wantContent(t, fsys, "dir with space/"+n, "y"+n)
		fi, err := fsys.Stat(n)
		if err != nil || fi.Name() != n {
			t.Errorf("Stat(%q) = %v, %v", n, fi, err)
		}
	}
	wantNames(t, fsys, "dir with space", names...)
	mustDo(t, "Rename", fsys.Rename("café ü.bin", "dir with space/ü ü.bin"))
	wantContent(t, fsys, "dir with space/ü ü.bin", "xcafé ü.bin")
}

func testInvalidNames(t *testing.T, fsys vfs.FS) {
	mustDo(t, "Mkdir", fsys.Mkdir("d", 0o755))
	Put(t, fsys, "f", "data")
	bad := []string{"", "a\x00b", "a\rb", "a\nb", "d/a\nb", "d\n/f",
		vfs.TempPrefix + "x", "d/" + vfs.TempPrefix + "abc", vfs.TempPrefix}
	for _, name := range bad {
		for op, fn := range nameOps(fsys) {
			wantErr(t, op+"("+quote(name)+")", fn(name), vfs.ErrInvalidName)
		}
		wantErr(t, "Rename to "+quote(name), fsys.Rename("f", name), vfs.ErrInvalidName)
	}
	wantErr(t, "Symlink target NUL", fsys.Symlink("f\x00", "l"), vfs.ErrInvalidName)
	wantErr(t, "Symlink target empty", fsys.Symlink("", "l"), vfs.ErrInvalidName)
	wantContent(t, fsys, "f", "data")
}

func testEscapingNames(t *testing.T, fsys vfs.FS) {
	mustDo(t, "Mkdir", fsys.Mkdir("d", 0o755))
	Put(t, fsys, "f", "data")
	for _, name := range []string{"..", "../x", "/etc/passwd", "d/../../x", "d/../f", "/"} {
		for op, fn := range nameOps(fsys) {
			err := fn(name)
			wantErr(t, op+"("+name+")", err, vfs.ErrEscape)
			wantErr(t, op+"("+name+")", err, fs.ErrPermission)
		}
	}
	for _, target := range []string{"/etc/passwd", "..", "../x", "d/../../x"} {
		wantErr(t, "Symlink("+target+")", fsys.Symlink(target, "l"), vfs.ErrEscape)
	}
	wantErr(t, "Symlink(../../f, d/l)", fsys.Symlink("../../f", "d/l"), vfs.ErrEscape)
	mustDo(t, "Symlink(../f, d/l)", fsys.Symlink("../f", "d/l"))
	wantContent(t, fsys, "d/l", "data")

	// The target check is lexical; lookups still confine what it misses:
	// "d/e/../up/.." reads as "d", but up is a link to "..", so following
	// it climbs twice.
	mustDo(t, "Mkdir d/e", fsys.Mkdir("d/e", 0o755))
	mustDo(t, "Symlink(.., d/up)", fsys.Symlink("..", "d/up"))
	mustDo(t, "Symlink(sneaky)", fsys.Symlink("d/e/../up/..", "sneaky"))
	for _, name := range []string{"sneaky", "sneaky/x"} {
		_, err := fsys.Stat(name)
		wantErr(t, "Stat("+name+")", err, vfs.ErrEscape)
		_, err = fsys.Upload(name, truncate)
		wantErr(t, "Upload("+name+")", err, vfs.ErrEscape)
	}
}

// nameOps are the operations taking one name, for the name checks.
func nameOps(fsys vfs.FS) map[string]func(string) error {
	mtime := time.Unix(1e9, 0)
	return map[string]func(string) error{
		"Stat":       func(n string) error { _, err := fsys.Stat(n); return err },
		"Lstat":      func(n string) error { _, err := fsys.Lstat(n); return err },
		"Open":       func(n string) error { _, err := fsys.Open(n); return err },
		"OpenDir":    func(n string) error { _, err := fsys.OpenDir(n); return err },
		"Mkdir":      func(n string) error { return fsys.Mkdir(n, 0o755) },
		"Remove":     fsys.Remove,
		"RemoveDir":  fsys.RemoveDir,
		"RenameFrom": func(n string) error { return fsys.Rename(n, "x") },
		"Chmod":      func(n string) error { return fsys.Chmod(n, 0o644) },
		"Chtimes":    func(n string) error { return fsys.Chtimes(n, mtime, mtime) },
		"Symlink":    func(n string) error { return fsys.Symlink("f", n) },
		"Readlink":   func(n string) error { _, err := fsys.Readlink(n); return err },
		"Upload": func(n string) error {
			u, err := fsys.Upload(n, vfs.UploadOptions{Mode: vfs.Truncate})
			if err == nil {
				u.Abort()
			}
			return err
		},
	}
}

func quote(s string) string { return fmt.Sprintf("%q", s) }
