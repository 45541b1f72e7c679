package localfs

import (
	"wharf/internal/vfs"
)

// Symlink creates name pointing at target. The target is stored as given,
// but it must be relative and, read lexically from name's directory, stay
// inside the root; otherwise the error matches vfs.ErrEscape. (Following
// such a link would fail anyway, because os.Root confines every lookup; the
// check keeps users from planting links that only work for other programs.)
func (f *FS) Symlink(target, name string) error {
	if err := vfs.CheckName("symlink", name); err != nil {
		return err
	}
	if err := vfs.CheckLinkTarget(target, name); err != nil {
		return err
	}
	if err := f.root.Symlink(target, name); err != nil {
		return f.wrapErr("symlink", name, err)
	}
	if f.opts.UID >= 0 || f.opts.GID >= 0 {
		if err := f.root.Lchown(name, f.opts.UID, f.opts.GID); err != nil {
			f.root.Remove(name)
			return f.wrapErr("symlink", name, err)
		}
	}
	return nil
}

// Readlink returns a symlink's target as stored.
func (f *FS) Readlink(name string) (string, error) {
	if err := vfs.CheckName("readlink", name); err != nil {
		return "", err
	}
	target, err := f.root.Readlink(name)
	return target, f.wrapErr("readlink", name, err)
}
