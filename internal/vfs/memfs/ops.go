package memfs

import (
	"bytes"
	"io"
	"io/fs"
	"maps"
	"slices"
	"time"

	"wharf/internal/vfs"
)

// Open returns a reader over a snapshot of the file's content.
func (m *FS) Open(name string) (vfs.File, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, err := m.existing("open", name, true)
	if err != nil {
		return nil, err
	}
	if f.n.isDir() {
		return nil, pathErr("open", name, vfs.ErrIsDir)
	}
	data := bytes.Clone(f.n.data)
	return &file{Reader: bytes.NewReader(data), info: newInfo(f.base, f.n)}, nil
}

type file struct {
	*bytes.Reader
	info *info
}

func (f *file) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *file) Close() error               { return nil }

// OpenDir snapshots the directory's entries, sorted by name.
func (m *FS) OpenDir(name string) (vfs.Dir, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, err := m.existing("opendir", name, true)
	if err != nil {
		return nil, err
	}
	if !f.n.isDir() {
		return nil, pathErr("opendir", name, vfs.ErrNotDir)
	}
	var entries []fs.DirEntry
	for _, k := range slices.Sorted(maps.Keys(f.n.kids)) {
		entries = append(entries, fs.FileInfoToDirEntry(newInfo(k, f.n.kids[k])))
	}
	return &dir{entries: entries}, nil
}

type dir struct {
	entries []fs.DirEntry
}

// ReadDir pages like (*os.File).ReadDir: n <= 0 returns the rest.
func (d *dir) ReadDir(n int) ([]fs.DirEntry, error) {
	if n <= 0 {
		rest := d.entries
		d.entries = nil
		return rest, nil
	}
	if len(d.entries) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(d.entries))
	page := d.entries[:n:n]
	d.entries = d.entries[n:]
	return page, nil
}

func (d *dir) Close() error { return nil }

// create adds a new node under name, which must not exist.
func (m *FS) create(op, name string, n *node) error {
	if err := vfs.CheckName(op, name); err != nil {
		return err
	}
	f, err := m.walk(op, name, false)
	if err != nil {
		return err
	}
	if f.n != nil {
		return pathErr(op, name, fs.ErrExist)
	}
	f.parent.kids[f.base] = n
	f.parent.mtime = n.mtime
	return nil
}

// Mkdir creates a directory with perm (0 means 0777) &^ Umask.
func (m *FS) Mkdir(name string, perm fs.FileMode) error {
	if perm == 0 {
		perm = 0o777
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n := &node{mode: fs.ModeDir | perm.Perm()&^m.opts.Umask, mtime: m.opts.Now(), kids: map[string]*node{}}
	return m.create("mkdir", name, n)
}

// Symlink creates name pointing at target; see vfs.CheckLinkTarget.
func (m *FS) Symlink(target, name string) error {
	if err := vfs.CheckLinkTarget(target, name); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.create("symlink", name, &node{mode: fs.ModeSymlink | 0o777, mtime: m.opts.Now(), target: target})
}

// Readlink returns a symlink's target; a non-link gives fs.ErrInvalid.
func (m *FS) Readlink(name string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, err := m.existing("readlink", name, false)
	if err != nil {
		return "", err
	}
	if !f.n.isLink() {
		return "", pathErr("readlink", name, fs.ErrInvalid)
	}
	return f.n.target, nil
}

// Remove removes a file or symlink; a directory gives vfs.ErrIsDir.
func (m *FS) Remove(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, err := m.existing("remove", name, false)
	if err != nil {
		return err
	}
	if f.n.isDir() {
		return pathErr("remove", name, vfs.ErrIsDir)
	}
	m.unlink(f)
	return nil
}

// RemoveDir removes an empty directory.
func (m *FS) RemoveDir(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, err := m.existing("rmdir", name, false)
	switch {
	case err != nil:
		return err
	case f.parent == nil:
		return pathErr("rmdir", name, fs.ErrPermission)
	case !f.n.isDir():
		return pathErr("rmdir", name, vfs.ErrNotDir)
	case len(f.n.kids) > 0:
		return pathErr("rmdir", name, vfs.ErrNotEmpty)
	}
	m.unlink(f)
	return nil
}

func (m *FS) unlink(f found) {
	delete(f.parent.kids, f.base)
	f.parent.mtime = m.opts.Now()
}

// Chmod sets the permission bits (mode.Perm() only, as localfs).
func (m *FS) Chmod(name string, mode fs.FileMode) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, err := m.existing("chmod", name, true)
	if err != nil {
		return err
	}
	f.n.mode = f.n.mode&^fs.ModePerm | mode.Perm()
	return nil
}

// Chtimes sets the modification time; memfs keeps no access time.
func (m *FS) Chtimes(name string, _, mtime time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, err := m.existing("chtimes", name, true)
	if err != nil {
		return err
	}
	f.n.mtime = mtime
	return nil
}
