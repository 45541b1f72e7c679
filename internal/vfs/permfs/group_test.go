package permfs_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"wharf/internal/vfs/permfs"
)

const groupFile = `root:x:0:
# not a group line, skipped
staff:x:50:alice,bob
wheel:x:10:bob
bob:x:1002:
dup:x:50:bob
spaced:x:60: bob , carol
+nis:x:70:bob
broken:x:bob
badgid:x:abc:bob
big:x:4294967294:bob
toobig:x:4294967296:bob
prefix:x:80:bobby,xbob
crlf:x:90:bob` + "\r\n"

func TestGroupsOf(t *testing.T) {
	file := filepath.Join(t.TempDir(), "group")
	mustDo(t, os.WriteFile(file, []byte(groupFile), 0o644))
	tests := []struct {
		user string
		gid  uint32
		want []uint32
	}{
		// Primary first; each gid once, even when a group repeats it.
		{"bob", 1002, []uint32{1002, 50, 10, 60, 4294967294, 90}},
		{"alice", 1001, []uint32{1001, 50}},
		{"carol", 1003, []uint32{1003, 60}},
		// The primary group listed as a supplementary one is not repeated.
		{"alice", 50, []uint32{50}},
		{"nobody", 65534, []uint32{65534}},
		{"", 7, []uint32{7}},
	}
	for _, tt := range tests {
		got, err := permfs.GroupsOf(tt.user, tt.gid, file)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("GroupsOf(%q, %d) = %v, %v; want %v", tt.user, tt.gid, got, err, tt.want)
		}
	}
}

func TestGroupsOfErrors(t *testing.T) {
	_, err := permfs.GroupsOf("bob", 1, filepath.Join(t.TempDir(), "missing"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	// A line longer than the limit is an error, not a silent cut.
	file := filepath.Join(t.TempDir(), "group")
	long := "huge:x:5:" + strings.Repeat("u,", 9<<20) + "\n"
	mustDo(t, os.WriteFile(file, []byte(long), 0o644))
	if _, err := permfs.GroupsOf("bob", 1, file); err == nil {
		t.Error("over-long line: no error")
	}
}

// TestGroupsOfSystem reads the real /etc/group: root is always in gid 0.
func TestGroupsOfSystem(t *testing.T) {
	got, err := permfs.GroupsOf("root", 0, "")
	if err != nil || len(got) == 0 || got[0] != 0 {
		t.Errorf("GroupsOf(root, 0, default) = %v, %v", got, err)
	}
}
