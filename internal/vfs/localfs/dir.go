package localfs

import (
	"io/fs"
	"os"
	"syscall"

	"wharf/internal/vfs"
)

// OpenDir opens a directory (following a final symlink inside the root) for
// paged reading; a non-directory gives vfs.ErrNotDir.
func (f *FS) OpenDir(name string) (vfs.Dir, error) {
	if err := vfs.CheckName("opendir", name); err != nil {
		return nil, err
	}
	d, err := f.root.OpenFile(name, os.O_RDONLY|syscall.O_DIRECTORY, 0)
	if err != nil {
		return nil, f.wrapErr("opendir", name, err)
	}
	return &dir{f: d, r: newDirentReader(d)}, nil
}

// dir pages through the directory, hiding in-flight uploads. Besides
// ReadDir it is a vfs.StatDir, so listings skip the per-entry DirEntry and
// FileInfo and stat a page in parallel.
type dir struct {
	f *os.File
	r *direntReader
}

func (d *dir) ReadDir(n int) ([]fs.DirEntry, error) { return d.r.ReadDir(n) }

func (d *dir) ReadNames(n int, fn func(name []byte)) (int, error) {
	return d.r.each(n, func(name []byte, _ byte) { fn(name) })
}

func (d *dir) LstatEntry(name string, st *vfs.EntryStat) error { return d.r.lstatEntry(name, st) }

func (d *dir) Close() error { return d.f.Close() }
