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

// dir pages through the directory, hiding in-flight uploads.
type dir struct {
	f *os.File
	r *direntReader
}

// ReadDir returns up to n entries. A page is empty only at the end: if a
// whole page from the kernel was temp names, it reads on rather than hand
// the caller an empty page it might take for the end.
func (d *dir) ReadDir(n int) ([]fs.DirEntry, error) {
	for {
		entries, err := d.r.ReadDir(n)
		kept := entries[:0]
		for _, e := range entries {
			if !vfs.IsTempName(e.Name()) {
				kept = append(kept, e)
			}
		}
		if len(kept) > 0 || err != nil || n <= 0 {
			return kept, err
		}
	}
}

func (d *dir) Close() error { return d.f.Close() }
