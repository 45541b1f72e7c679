package memfs

import (
	"io/fs"

	"wharf/internal/vfs"
)

// Rename moves from to to with os.Root's rules: an existing file is
// replaced, an existing directory never is (fs.ErrExist, even if empty); a
// directory cannot replace a file (vfs.ErrNotDir) nor move into itself
// (fs.ErrInvalid); a final symlink is moved or replaced itself. The root
// cannot be renamed (fs.ErrPermission).
func (m *FS) Rename(from, to string) error {
	if err := vfs.CheckName("rename", to); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	src, err := m.existing("rename", from, false)
	if err != nil {
		return err
	}
	dst, err := m.walk("rename", to, false)
	if err != nil {
		return err
	}
	if src.parent == nil || dst.parent == nil {
		return pathErr("rename", from, fs.ErrPermission)
	}
	if src.n == dst.n {
		return nil
	}
	if err := checkReplace(src.n, dst); err != nil {
		return pathErr("rename", from, err)
	}
	delete(src.parent.kids, src.base)
	dst.parent.kids[dst.base] = src.n
	now := m.opts.Now()
	src.parent.mtime, dst.parent.mtime = now, now
	return nil
}

func checkReplace(src *node, dst found) error {
	if src.isDir() && contains(src, dst.parent) {
		return fs.ErrInvalid
	}
	switch {
	case dst.n == nil:
		return nil
	case dst.n.isDir():
		return fs.ErrExist
	case src.isDir():
		return vfs.ErrNotDir
	}
	return nil
}

// contains reports whether target is dir or below it.
func contains(dir, target *node) bool {
	if dir == target {
		return true
	}
	for _, k := range dir.kids {
		if k.isDir() && contains(k, target) {
			return true
		}
	}
	return false
}
