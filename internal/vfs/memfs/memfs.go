// Package memfs is an in-memory vfs.FS for tests of the protocol fronts. It
// follows localfs's semantics: the same name checks and sentinel errors,
// Truncate uploads invisible until Commit, modes with a umask, modification
// times, and symlinks that are followed only while they stay in the tree.
package memfs

import (
	"errors"
	"io/fs"
	"path"
	"strings"
	"sync"
	"time"

	"wharf/internal/vfs"
)

// Options tune an FS; the zero value is usable (no umask, files 0666).
type Options struct {
	Umask               fs.FileMode
	FileMode            fs.FileMode // mode of a new file when the upload asks for none; 0 means 0666
	DeleteFailedUploads bool        // remove the file when an Append/Resume upload is aborted
	// Now is the clock for modification times; nil means time.Now.
	Now func() time.Time
}

// FS is an in-memory tree guarded by one mutex.
type FS struct {
	mu   sync.Mutex
	root *node
	opts Options
}

var _ vfs.FS = (*FS)(nil)

// node is a file, directory or symlink.
type node struct {
	mode   fs.FileMode // type bits and permissions
	mtime  time.Time
	data   []byte           // files
	kids   map[string]*node // directories
	target string           // symlinks
}

func (n *node) isDir() bool  { return n.mode.IsDir() }
func (n *node) isLink() bool { return n.mode&fs.ModeSymlink != 0 }

// New returns an empty FS whose root directory has mode 0755.
func New(opts Options) *FS {
	if opts.FileMode == 0 {
		opts.FileMode = 0o666
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	m := &FS{opts: opts}
	m.root = &node{mode: fs.ModeDir | 0o755, mtime: opts.Now(), kids: map[string]*node{}}
	return m
}

// maxLinks bounds symlink resolution, like the kernel's ELOOP.
const maxLinks = 8

var errLoop = errors.New("memfs: too many levels of symbolic links")

// found is the result of a walk: the directory holding the final element
// (nil for the root), the element's name, and its node (nil if absent).
type found struct {
	parent *node
	base   string
	n      *node
}

// walk resolves name from the root. Symlinks in intermediate elements are
// always followed, a final one only if follow is set; a link that is
// absolute or climbs above the root gives an escape error, as os.Root does.
func (m *FS) walk(op, name string, follow bool) (found, error) {
	parts := split(name)
	stack, names := []*node{m.root}, []string{"."}
	links := 0
	for len(parts) > 0 {
		p := parts[0]
		parts = parts[1:]
		dir := stack[len(stack)-1]
		if !dir.isDir() {
			return found{}, pathErr(op, name, vfs.ErrNotDir)
		}
		switch p {
		case ".":
			continue
		case "..":
			if len(stack) == 1 {
				return found{}, vfs.EscapeError(op, name)
			}
			stack, names = stack[:len(stack)-1], names[:len(names)-1]
			continue
		}
		child, last := dir.kids[p], len(parts) == 0
		switch {
		case child == nil && last:
			return found{dir, p, nil}, nil
		case child == nil:
			return found{}, pathErr(op, name, fs.ErrNotExist)
		case child.isLink() && (follow || !last):
			if links++; links > maxLinks {
				return found{}, pathErr(op, name, errLoop)
			}
			if strings.HasPrefix(child.target, "/") {
				return found{}, vfs.EscapeError(op, name)
			}
			parts = append(split(child.target), parts...)
		case last:
			return found{dir, p, child}, nil
		default:
			stack, names = append(stack, child), append(names, p)
		}
	}
	// The name ended on a directory reached through ".", ".." or a link.
	top := len(stack) - 1
	if top == 0 {
		return found{nil, ".", m.root}, nil
	}
	return found{stack[top-1], names[top], stack[top]}, nil
}

func split(name string) []string {
	return strings.FieldsFunc(name, func(r rune) bool { return r == '/' })
}

// existing walks name and requires it to exist.
func (m *FS) existing(op, name string, follow bool) (found, error) {
	if err := vfs.CheckName(op, name); err != nil {
		return found{}, err
	}
	f, err := m.walk(op, name, follow)
	if err == nil && f.n == nil {
		err = pathErr(op, name, fs.ErrNotExist)
	}
	return f, err
}

func pathErr(op, name string, err error) error {
	return &fs.PathError{Op: op, Path: name, Err: err}
}

func isRoot(name string) bool { return path.Clean(name) == "." }

// Stat follows a final symlink.
func (m *FS) Stat(name string) (fs.FileInfo, error) { return m.stat("stat", name, true) }

// Lstat describes a final symlink itself.
func (m *FS) Lstat(name string) (fs.FileInfo, error) { return m.stat("lstat", name, false) }

func (m *FS) stat(op, name string, follow bool) (fs.FileInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, err := m.existing(op, name, follow)
	if err != nil {
		return nil, err
	}
	return newInfo(path.Base(name), f.n), nil
}

// info is a snapshot of a node, taken under the lock.
type info struct {
	name  string
	size  int64
	mode  fs.FileMode
	mtime time.Time
}

func newInfo(name string, n *node) *info {
	size := int64(len(n.data))
	if n.isLink() {
		size = int64(len(n.target))
	}
	return &info{name: name, size: size, mode: n.mode, mtime: n.mtime}
}

func (i *info) Name() string       { return i.name }
func (i *info) Size() int64        { return i.size }
func (i *info) Mode() fs.FileMode  { return i.mode }
func (i *info) ModTime() time.Time { return i.mtime }
func (i *info) IsDir() bool        { return i.mode.IsDir() }
func (i *info) Sys() any           { return nil }
