package permfs

import (
	"io/fs"

	"wharf/internal/vfs"
)

// The operations that change the tree. Each refuses the root itself with
// the error the backends give, without asking the inner FS: the root has no
// parent whose permissions could allow anything.

// Mkdir needs w+x on the parent. An existing name gives fs.ErrExist before
// any permission check, as mkdir(2) does.
func (p *permFS) Mkdir(name string, perm fs.FileMode) error {
	if err := p.mayAdd("mkdir", name); err != nil {
		return err
	}
	return p.inner.Mkdir(name, perm)
}

// Symlink needs w+x on the directory that gets the link. The target is the
// backend's to check: nothing is read through it here.
func (p *permFS) Symlink(target, name string) error {
	if err := p.mayAdd("symlink", name); err != nil {
		return err
	}
	return p.inner.Symlink(target, name)
}

// mayAdd checks the creation of a new entry called name.
func (p *permFS) mayAdd(op, name string) error {
	l, err := p.resolve(op, name, false)
	switch {
	case err != nil:
		return err
	case l.parent == nil || l.exists():
		return pathErr(op, name, fs.ErrExist)
	}
	return p.mayChange(op, name, l)
}

// Remove needs w+x on the parent and, in a sticky directory, ownership of
// the entry or of the directory.
func (p *permFS) Remove(name string) error {
	if err := p.mayRemove("remove", name, vfs.ErrIsDir); err != nil {
		return err
	}
	return p.inner.Remove(name)
}

// RemoveDir needs what Remove needs.
func (p *permFS) RemoveDir(name string) error {
	if err := p.mayRemove("rmdir", name, fs.ErrPermission); err != nil {
		return err
	}
	return p.inner.RemoveDir(name)
}

// mayRemove checks the removal of name; atRoot is the error for the root.
func (p *permFS) mayRemove(op, name string, atRoot error) error {
	l, err := p.resolve(op, name, false)
	switch {
	case err != nil:
		return err
	case l.parent == nil:
		return pathErr(op, name, atRoot)
	case !l.exists():
		return pathErr(op, name, fs.ErrNotExist)
	}
	return p.mayChange(op, name, l)
}

// Rename needs w+x on both parents, the sticky rule for the entry moved
// and for any entry it replaces, and, when a directory changes parent, w on
// that directory (its ".." entry is rewritten).
func (p *permFS) Rename(from, to string) error {
	const op = "rename"
	src, err := p.resolve(op, from, false)
	if err != nil {
		return err
	}
	dst, err := p.resolve(op, to, false)
	switch {
	case err != nil:
		return err
	case src.parent == nil || dst.parent == nil:
		return pathErr(op, from, fs.ErrPermission)
	case !src.exists():
		return pathErr(op, from, fs.ErrNotExist)
	}
	if err := p.mayChange(op, from, src); err != nil {
		return err
	}
	if err := p.mayChange(op, to, dst); err != nil {
		return err
	}
	if src.fi.IsDir() && src.parent.name != dst.parent.name {
		if err := p.need(op, from, src.fi, write); err != nil {
			return err
		}
	}
	return p.inner.Rename(from, to)
}

// Upload checks by mode: Truncate replaces the target by a rename, Append
// and Resume write into it.
func (p *permFS) Upload(name string, opts vfs.UploadOptions) (vfs.Upload, error) {
	if opts.Mode != vfs.Truncate {
		return p.uploadInPlace(name, opts)
	}
	if err := p.mayReplace(name); err != nil {
		return nil, err
	}
	u, err := p.inner.Upload(name, opts)
	if err != nil {
		return nil, err
	}
	return &checkedUpload{Upload: u, recheck: func() error { return p.mayReplace(name) }}, nil
}

// mayReplace checks a Truncate upload: the backend creates a temporary file
// in name's directory and renames it over name, which needs w+x there (and
// the sticky rule for an entry replaced); and, as the user means to
// overwrite the file, w on an existing file, reached through a final
// symlink if name is one.
func (p *permFS) mayReplace(name string) error {
	const op = "upload"
	l, err := p.resolve(op, name, false)
	switch {
	case err != nil:
		return err
	case l.parent == nil:
		return pathErr(op, name, vfs.ErrIsDir)
	}
	if err := p.mayChange(op, name, l); err != nil {
		return err
	}
	if l.exists() && l.fi.Mode()&fs.ModeSymlink != 0 {
		if l, err = p.resolve(op, name, true); err != nil {
			return err
		}
	}
	// A directory is refused by the backend with vfs.ErrIsDir, which says
	// more than "permission denied" would.
	if l.exists() && !l.fi.IsDir() {
		return p.need(op, name, l.fi, write)
	}
	return nil
}

// uploadInPlace checks an Append or Resume upload, which opens the file
// itself (through symlinks): w on it, or w+x on its directory when it does
// not exist and will be created.
func (p *permFS) uploadInPlace(name string, opts vfs.UploadOptions) (vfs.Upload, error) {
	const op = "upload"
	l, err := p.resolve(op, name, true)
	switch {
	case err != nil:
		return nil, err
	case l.parent == nil || l.exists() && l.fi.IsDir():
		return nil, pathErr(op, name, vfs.ErrIsDir)
	case l.exists():
		err = p.need(op, name, l.fi, write)
	case opts.Mode == vfs.Resume && opts.Offset != 0:
		// Resuming a missing file past 0 is refused by the backends; say
		// so here rather than let a file created meanwhile through
		// unchecked.
		err = pathErr(op, name, vfs.ErrInvalidOffset)
	default:
		err = p.need(op, name, l.parent.fi, write|search)
	}
	if err != nil {
		return nil, err
	}
	return p.inner.Upload(name, opts)
}

// checkedUpload checks again at Commit, which is when a Truncate upload
// renames its temporary file over the target: permissions may have changed
// during a long transfer. Everything else, ReadFrom included (splice), goes
// straight to the inner upload.
type checkedUpload struct {
	vfs.Upload
	recheck func() error
}

// Commit aborts the upload when the rename is no longer allowed, keeping
// the promise that a failed Commit has aborted.
func (u *checkedUpload) Commit() error {
	if err := u.recheck(); err != nil {
		u.Upload.Abort()
		return err
	}
	return u.Upload.Commit()
}
