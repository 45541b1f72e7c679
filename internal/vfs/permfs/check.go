package permfs

import (
	"io/fs"
	"slices"
	"syscall"
)

// access is a set of permission bits as they sit in the "other" class.
type access uint32

const (
	search access = 1 // x on a directory
	write  access = 2
	read   access = 4
)

// may reports whether c has every bit of want on fi. The class is chosen as
// the kernel does (fs/namei.c, acl_permission_check): owner if the uid
// matches, else group if any gid matches, else other. The first class that
// matches decides, even when a later one would allow more.
func (c *Cred) may(fi fs.FileInfo, want access) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return true // no ownership known: nothing to check against
	}
	bits := access(st.Mode & 0o777)
	switch {
	case st.Uid == c.UID:
		bits >>= 6
	case c.inGroup(st.Gid):
		bits >>= 3
	}
	return bits&want == want
}

func (c *Cred) inGroup(gid uint32) bool {
	return slices.Contains(c.GIDs, gid)
}

// owns reports whether c owns fi; without ownership information it says yes,
// so that such backends are not restricted.
func (c *Cred) owns(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return !ok || st.Uid == c.UID
}

// mayUnlink reports whether the sticky bit of dir lets c remove or replace
// entry (the kernel's check_sticky): without the bit anyone with w+x on dir
// may; with it only the owner of the entry or of the directory.
func (c *Cred) mayUnlink(dir, entry fs.FileInfo) bool {
	return dir.Mode()&fs.ModeSticky == 0 || c.owns(entry) || c.owns(dir)
}

// need refuses unless c has want on fi.
func (p *permFS) need(op, name string, fi fs.FileInfo, want access) error {
	if !p.cred.may(fi, want) {
		return denied(op, name)
	}
	return nil
}

// mayChange checks what adding, removing or replacing l's entry in its
// parent takes: w+x on the parent and, when the entry exists (it goes away
// or is renamed over), the sticky rule for it.
func (p *permFS) mayChange(op, name string, l *lookup) error {
	if err := p.need(op, name, l.parent.fi, write|search); err != nil {
		return err
	}
	if l.exists() && !p.cred.mayUnlink(l.parent.fi, l.fi) {
		return denied(op, name)
	}
	return nil
}
