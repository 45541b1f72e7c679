package permfs

import (
	"io/fs"
	"syscall"
	"testing"
	"time"
)

// info is a FileInfo with the ownership the checks read; these tests need
// no real files, so they run as any user.
type info struct{ st *syscall.Stat_t }

func (i info) Name() string       { return "x" }
func (i info) Size() int64        { return 0 }
func (i info) ModTime() time.Time { return time.Time{} }
func (i info) IsDir() bool        { return i.st.Mode&syscall.S_IFMT == syscall.S_IFDIR }
func (i info) Sys() any           { return i.st }
func (i info) Mode() fs.FileMode {
	m := fs.FileMode(i.st.Mode & 0o777)
	if i.st.Mode&syscall.S_ISVTX != 0 {
		m |= fs.ModeSticky
	}
	if i.IsDir() {
		m |= fs.ModeDir
	}
	return m
}

func file(mode, uid, gid uint32) fs.FileInfo {
	return info{&syscall.Stat_t{Mode: syscall.S_IFREG | mode, Uid: uid, Gid: gid}}
}

func dirInfo(mode, uid, gid uint32) fs.FileInfo {
	return info{&syscall.Stat_t{Mode: syscall.S_IFDIR | mode, Uid: uid, Gid: gid}}
}

func TestMayClasses(t *testing.T) {
	bob := Cred{UID: 10, GIDs: []uint32{10, 20}}
	tests := []struct {
		mode, uid, gid uint32
		want           access
		ok             bool
	}{
		{0o600, 10, 99, read | write, true},  // owner
		{0o060, 10, 20, read, false},         // owner class decides even if the group would allow
		{0o006, 10, 99, read, false},         // ... or other
		{0o040, 99, 20, read, true},          // supplementary group
		{0o040, 99, 10, read, true},          // primary group
		{0o004, 99, 20, read, false},         // group class decides: no fall-through to other
		{0o004, 99, 99, read, true},          // other
		{0o005, 99, 99, read | search, true}, // every bit asked for
		{0o004, 99, 99, read | search, false},
		{0o7000, 10, 10, read, false}, // special bits grant nothing
	}
	for _, tt := range tests {
		if got := bob.may(file(tt.mode, tt.uid, tt.gid), tt.want); got != tt.ok {
			t.Errorf("mode %04o owner %d:%d want %03b: %v, expected %v", tt.mode, tt.uid, tt.gid, tt.want, got, tt.ok)
		}
	}
}

func TestMayUnlink(t *testing.T) {
	bob := Cred{UID: 10, GIDs: []uint32{10}}
	tests := []struct {
		dir, entry fs.FileInfo
		ok         bool
	}{
		{dirInfo(0o777, 0, 0), file(0o644, 99, 99), true},    // no sticky bit
		{dirInfo(0o1777, 0, 0), file(0o644, 99, 99), false},  // sticky, neither owner
		{dirInfo(0o1777, 0, 0), file(0o644, 10, 99), true},   // sticky, entry owner
		{dirInfo(0o1777, 10, 0), file(0o644, 99, 99), true},  // sticky, dir owner
		{dirInfo(0o1777, 0, 10), file(0o666, 99, 10), false}, // group ownership does not count
	}
	for i, tt := range tests {
		if got := bob.mayUnlink(tt.dir, tt.entry); got != tt.ok {
			t.Errorf("case %d: mayUnlink = %v, want %v", i, got, tt.ok)
		}
	}
}

// A FileInfo without *syscall.Stat_t has no owner to check against.
func TestNoOwnershipAllows(t *testing.T) {
	c := Cred{UID: 10}
	var fi fs.FileInfo = noSys{file(0, 0, 0)}
	if !c.may(fi, read|write|search) || !c.owns(fi) {
		t.Error("a FileInfo without ownership was refused")
	}
}

type noSys struct{ fs.FileInfo }

func (noSys) Sys() any { return nil }
