//go:build unix

package listing

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestOwnerColumns(t *testing.T) {
	fi := fakeInfo{size: 42, mode: 0o640, mtime: now.Add(-1),
		sys: &syscall.Stat_t{Nlink: 3, Uid: 1000, Gid: 123456789}}
	tests := []struct {
		hide bool
		want string
	}{
		{false, printfLine("-rw-r-----", 3, "1000", "123456789", 42, "Nov 24 13:07", "f")},
		{true, printfLine("-rw-r-----", 3, "ftp", "ftp", 42, "Nov 24 13:07", "f")},
	}
	for _, tt := range tests {
		opts := fixedOpts()
		opts.HideIDs = tt.hide
		var buf bytes.Buffer
		if err := WriteLongEntry(&buf, "f", fi, opts); err != nil {
			t.Fatal(err)
		}
		if buf.String() != tt.want {
			t.Errorf("HideIDs=%v:\n got %q\nwant %q", tt.hide, buf.String(), tt.want)
		}
	}
}

// TestRealDirectory lists a directory through *os.File, which satisfies
// vfs.Dir, so links and ids come from a real lstat.
func TestRealDirectory(t *testing.T) {
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "file"), []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("file", filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	dir, err := os.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	opts := Options{Readlink: func(name string) (string, error) { return os.Readlink(filepath.Join(root, name)) }}
	var buf bytes.Buffer
	if err := WriteLIST(&buf, dir, opts); err != nil {
		t.Fatal(err)
	}
	ids := " " + strconv.Itoa(os.Getuid())
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(buf.String(), "\r\n"), "\r\n") {
		m := lsLine.FindStringSubmatch(line)
		if m == nil || !strings.Contains(line, ids) {
			t.Fatalf("line %q: does not parse or lacks uid%s", line, ids)
		}
		got[m[10]] = m[1] + m[3]
	}
	st, err := os.Lstat(filepath.Join(root, "sub"))
	if err != nil {
		t.Fatal(err)
	}
	subLinks := strconv.FormatUint(uint64(st.Sys().(*syscall.Stat_t).Nlink), 10)
	want := map[string]string{"file": "-1", "sub": "d" + subLinks, "link -> file": "l1"}
	for name, typLinks := range want {
		if got[name] != typLinks {
			t.Errorf("%q: type+links %q, want %q (all: %v)", name, got[name], typLinks, got)
		}
	}
}

// TestOwnerNames: with Names, LIST shows names (padded as the numbers
// are), a number where Names has none, and asks once per distinct id.
func TestOwnerNames(t *testing.T) {
	calls := 0
	opts := fixedOpts()
	opts.Names = func(uid, gid uint32) (string, string) {
		calls++
		users := map[uint32]string{1000: "alice", 0: "root"}
		groups := map[uint32]string{100: "users", 0: "a-very-long-group"}
		return users[uid], groups[gid]
	}
	lw := newLongWriter(opts)
	tests := []struct {
		uid, gid    uint32
		user, group string
	}{
		{1000, 100, "alice", "users"},
		{1000, 100, "alice", "users"},
		{0, 0, "root", "a-very-long-group"},
		{4242, 100, "4242", "users"},
	}
	for _, tt := range tests {
		fi := fakeInfo{size: 42, mode: 0o640, mtime: now.Add(-1), sys: &syscall.Stat_t{Nlink: 1, Uid: tt.uid, Gid: tt.gid}}
		want := printfLine("-rw-r-----", 1, tt.user, tt.group, 42, "Nov 24 13:07", "f")
		st := statOf(fi)
		if got := string(lw.line("f", &st)); got != want {
			t.Errorf("uid %d gid %d:\n got %q\nwant %q", tt.uid, tt.gid, got, want)
		}
	}
	if calls != 3 {
		t.Errorf("Names called %d times, want 3 (once per new uid or gid)", calls)
	}
	opts.HideIDs = true
	var buf bytes.Buffer
	fi := fakeInfo{size: 1, mode: 0o644, mtime: now.Add(-1), sys: &syscall.Stat_t{Nlink: 1, Uid: 1000, Gid: 100}}
	if err := WriteLongEntry(&buf, "f", fi, opts); err != nil || !strings.Contains(buf.String(), " ftp      ftp ") {
		t.Errorf("HideIDs wins over Names: %q %v", buf.String(), err)
	}
}
