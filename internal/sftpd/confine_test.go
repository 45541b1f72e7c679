package sftpd

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfinement: nothing outside the user's root can be reached, by
// "..", absolute paths, a symlink planted inside the root, or a symlink the
// client creates.
func TestConfinement(t *testing.T) {
	f := newFixture(t, nil)
	c := f.sftpClient("alice")
	home := f.home("alice")
	// A secret next to alice's home, and a symlink inside it pointing out.
	writeFile(t, filepath.Join(f.root, "secret"), []byte("top secret"))
	if err := os.Symlink(filepath.Join(f.root, "secret"), filepath.Join(home, "out-abs")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../secret", filepath.Join(home, "out-rel")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(f.root, filepath.Join(home, "out-dir")); err != nil {
		t.Fatal(err)
	}

	// ".." never climbs above "/": these all name files inside the root.
	for _, p := range []string{"../secret", "/../secret", "../../../../etc/passwd", "/etc/passwd", f.root + "/secret"} {
		if _, err := c.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("stat %q: %v, want not exist", p, err)
		}
		if _, err := c.Open(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("open %q: %v, want not exist", p, err)
		}
	}
	if p, _ := c.RealPath("../../.."); p != "/" {
		t.Errorf("realpath ../../.. = %q", p)
	}
	if w, err := c.Create("../escaped"); err != nil {
		t.Fatalf("create ../escaped: %v", err)
	} else if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(home, "escaped")); err != nil {
		t.Errorf("../escaped did not land inside the root: %v", err)
	}

	// Planted symlinks pointing out: denied, not followed.
	for _, p := range []string{"/out-abs", "/out-rel", "/out-dir/secret"} {
		if _, err := c.Open(p); !errors.Is(err, os.ErrPermission) {
			t.Errorf("open %q: %v, want permission denied", p, err)
		}
		if _, err := c.Stat(p); !errors.Is(err, os.ErrPermission) {
			t.Errorf("stat %q: %v, want permission denied", p, err)
		}
	}
	if _, err := c.ReadDir("/out-dir"); !errors.Is(err, os.ErrPermission) {
		t.Errorf("readdir through a link out: %v", err)
	}
	if w, err := c.Create("/out-dir/planted"); err == nil {
		w.Close()
		t.Error("upload through a link out accepted")
	}
	if _, err := os.Stat(filepath.Join(f.root, "planted")); err == nil {
		t.Error("a file was written outside the root")
	}
	if fi, err := c.Lstat("/out-abs"); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("lstat of a link out: %v %v (the link itself is inside)", fi, err)
	}

	// Creating symlinks that point out is refused.
	for _, target := range []string{"../secret", "../../../etc/passwd", "x/../../secret"} {
		if err := c.Symlink(target, "/mylink"); !errors.Is(err, os.ErrPermission) {
			t.Errorf("symlink -> %q: %v, want permission denied", target, err)
		}
	}
	// An absolute target means a path inside the root, never the host's.
	if err := c.Symlink("/etc/passwd", "/sub-link"); err != nil {
		t.Fatalf("symlink -> /etc/passwd: %v", err)
	}
	if target, _ := os.Readlink(filepath.Join(home, "sub-link")); strings.HasPrefix(target, "/") {
		t.Errorf("stored an absolute target %q", target)
	}
	if _, err := c.Open("/sub-link"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("open of a link to /etc/passwd: %v, want not exist (inside the root)", err)
	}
}
