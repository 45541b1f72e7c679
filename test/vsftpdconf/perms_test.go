package vsftpdconf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUnixPermissions: Wharf runs as root and cannot switch uid per
// session, so it checks Unix permissions as the logged-in account would
// meet them (internal/vfs/permfs). An account cannot read another
// account's 0600 file, nor root's (/etc/shadow), nor write into another
// account's home; it reads what the kernel would let it read: a
// root-owned 0644 file, the other account's 0644 file.
func TestUnixPermissions(t *testing.T) {
	needRoot(t)
	t.Parallel()
	owner, other := addAccount(t, "/bin/bash"), addAccount(t, "/bin/bash")
	writeFile(t, filepath.Join(owner.home, "private.txt"), "owner only\n", 0o600, owner.uid, owner.gid)
	writeFile(t, filepath.Join(owner.home, "shared.txt"), "anyone may read\n", 0o644, owner.uid, owner.gid)
	pub := publicTempDir(t)
	writeFile(t, filepath.Join(pub, "root-public.txt"), "root's, world-readable\n", 0o644, 0, 0)
	writeFile(t, filepath.Join(pub, "root-private.txt"), "root's only\n", 0o600, 0, 0)
	// Group-readable only, owned by the owner's group: other is not in it.
	writeFile(t, filepath.Join(owner.home, "group.txt"), "the owner's group\n", 0o640, owner.uid, owner.gid)

	s := systemServer(t, "chroot_local_user=NO")

	f := loginOK(t, s, other)
	for _, tc := range []struct {
		path, want string // want "" = refused
	}{
		{filepath.Join(owner.home, "private.txt"), ""},
		{filepath.Join(owner.home, "group.txt"), ""},
		{"/etc/shadow", ""},
		{filepath.Join(pub, "root-private.txt"), ""},
		{filepath.Join(owner.home, "shared.txt"), "anyone may read\n"},
		{filepath.Join(pub, "root-public.txt"), "root's, world-readable\n"},
	} {
		code, data := f.retr(tc.path)
		switch {
		case tc.want == "" && (code != 550 || data != ""):
			f.errorf("%s read %s (a file the OS would not let it read): %d, %d bytes", other.name, tc.path, code, len(data))
		case tc.want != "" && (code != 226 || data != tc.want):
			f.errorf("%s could not read %s: %d %q, want 226 %q", other.name, tc.path, code, data, tc.want)
		}
	}
	// Nor write into, or delete from, the owner's 0755 home.
	if code := f.stor(filepath.Join(owner.home, "intruder.txt"), "x"); code != 550 {
		f.errorf("STOR into %s's home: %d, want 550", owner.name, code)
	}
	if code, _ := f.cmd("DELE %s", filepath.Join(owner.home, "shared.txt")); code != 550 {
		f.errorf("DELE in %s's home: %d, want 550", owner.name, code)
	}
	if code, _ := f.cmd("RNFR %s", filepath.Join(owner.home, "private.txt")); code == 350 {
		if code, _ := f.cmd("RNTO %s", filepath.Join(other.home, "stolen.txt")); code/100 == 2 {
			f.errorf("renamed %s's private file into its own home: %d", owner.name, code)
		}
	}
	f.expect(221, "QUIT")
	if _, err := os.Stat(filepath.Join(owner.home, "intruder.txt")); err == nil {
		t.Errorf("the other account's upload is in %s", owner.home)
	}
	for _, n := range []string{"private.txt", "shared.txt"} {
		if _, err := os.Stat(filepath.Join(owner.home, n)); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}

	// The owner reads its own files: the refusals above are about who asks.
	g := loginOK(t, s, owner)
	for _, n := range []string{"private.txt", "group.txt"} {
		if code, data := g.retr(filepath.Join(owner.home, n)); code != 226 || data == "" || strings.Contains(data, "\x00") {
			g.errorf("%s reading its own %s: %d %q", owner.name, n, code, data)
		}
	}
	if code, _ := g.retr("/etc/shadow"); code != 550 {
		g.errorf("%s reading /etc/shadow: %d, want 550", owner.name, code)
	}
	g.expect(221, "QUIT")
}
