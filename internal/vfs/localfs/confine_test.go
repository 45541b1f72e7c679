package localfs_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"wharf/internal/vfs"
	"wharf/internal/vfs/localfs"
	"wharf/internal/vfs/vfstest"
)

// jail builds base/outside/secret.txt next to base/root, plants links
// inside root that point out (as a local user could), and returns the FS
// on root and the outside directory.
func jail(t *testing.T) (*localfs.FS, string) {
	t.Helper()
	base := t.TempDir()
	root, outside := filepath.Join(base, "root"), filepath.Join(base, "outside")
	for _, d := range []string{root, outside, filepath.Join(outside, "sub")} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{
		"passwd":  "/etc/passwd",
		"out":     "../outside",
		"outfile": "../outside/secret.txt",
		"chain":   "outfile",
		"abs":     outside,
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	fsys := newFS(t, root, localfs.DefaultOptions())
	vfstest.Put(t, fsys, "f", "inside")
	return fsys, outside
}

// escapeOps are operations that must not reach through a name.
func escapeOps(fsys vfs.FS) map[string]func(string) error {
	mtime := time.Unix(1e9, 0)
	up := func(mode vfs.UploadMode) func(string) error {
		return func(n string) error {
			u, err := fsys.Upload(n, vfs.UploadOptions{Mode: mode})
			if err == nil {
				u.Write([]byte("pwned"))
				u.Commit()
			}
			return err
		}
	}
	return map[string]func(string) error{
		"Stat":      func(n string) error { _, err := fsys.Stat(n); return err },
		"Open":      func(n string) error { _, err := fsys.Open(n); return err },
		"OpenDir":   func(n string) error { _, err := fsys.OpenDir(n); return err },
		"Truncate":  up(vfs.Truncate),
		"Append":    up(vfs.Append),
		"Resume":    up(vfs.Resume),
		"Chmod":     func(n string) error { return fsys.Chmod(n, 0o777) },
		"Chtimes":   func(n string) error { return fsys.Chtimes(n, mtime, mtime) },
		"Mkdir":     func(n string) error { return fsys.Mkdir(n+"/new", 0o755) },
		"Remove":    func(n string) error { return fsys.Remove(n + "/secret.txt") },
		"RemoveDir": func(n string) error { return fsys.RemoveDir(n + "/sub") },
		"RenameTo":  func(n string) error { return fsys.Rename("f", n+"/f") },
		"RenameOut": func(n string) error { return fsys.Rename(n+"/secret.txt", "stolen") },
		"OpenBelow": func(n string) error { _, err := fsys.Open(n + "/secret.txt"); return err },
	}
}

func TestConfinement(t *testing.T) {
	fsys, outside := jail(t)
	names := []string{"passwd", "out", "outfile", "chain", "abs", "..", "../outside", "../outside/secret.txt"}
	for _, name := range names {
		for op, fn := range escapeOps(fsys) {
			err := fn(name)
			if err == nil {
				// Some pairs only fail by not existing (Mkdir "passwd/new"
				// must still not succeed).
				t.Errorf("%s(%q) succeeded", op, name)
				continue
			}
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, vfs.ErrNotDir) {
				continue
			}
			if !errors.Is(err, vfs.ErrEscape) || !errors.Is(err, fs.ErrPermission) {
				t.Errorf("%s(%q) = %v, want an escape error", op, name, err)
			}
		}
	}
	checkOutsideIntact(t, outside)
}

func checkOutsideIntact(t *testing.T, outside string) {
	t.Helper()
	entries, err := os.ReadDir(outside)
	if err != nil || len(entries) != 2 {
		t.Errorf("outside now holds %v (%v), want secret.txt and sub", entries, err)
	}
	fi, err := os.Stat(filepath.Join(outside, "secret.txt"))
	if err != nil || fi.Mode().Perm() != 0o644 || fi.ModTime().Unix() == 1e9 {
		t.Errorf("secret.txt changed: %v %v", fi, err)
	}
	if b, _ := os.ReadFile(filepath.Join(outside, "secret.txt")); string(b) != "secret" {
		t.Errorf("secret.txt now reads %q", b)
	}
}

// Links pointing out are still entries of the root: they can be listed,
// Lstat'ed, read with Readlink, removed, renamed and renamed over — all of
// which touch the link only. (Uploads onto them are refused: see above.)
func TestEscapingLinksAreOnlyLinks(t *testing.T) {
	fsys, outside := jail(t)
	if fi, err := fsys.Lstat("outfile"); err != nil || fi.Mode().Type() != fs.ModeSymlink {
		t.Errorf("Lstat(outfile) = %v, %v", fi, err)
	}
	if target, err := fsys.Readlink("outfile"); err != nil || target != "../outside/secret.txt" {
		t.Errorf("Readlink(outfile) = %q, %v", target, err)
	}
	mustDo(t, fsys.Rename("f", "outfile"))     // replaces the link
	mustDo(t, fsys.Rename("outfile", "moved")) // moves a regular file now
	mustDo(t, fsys.Rename("chain", "chain2"))  // moves a link
	mustDo(t, fsys.Remove("passwd"))           // removes a link
	mustDo(t, fsys.Remove("out"))              // a link to a directory is a link
	checkOutsideIntact(t, outside)
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
