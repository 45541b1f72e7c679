package permfs

import (
	"errors"
	"io/fs"
	"path"
	"strings"
	"syscall"

	"wharf/internal/vfs"
)

// maxLinks is the kernel's limit on symlinks followed in one lookup
// (MAXSYMLINKS); past it the lookup fails with ELOOP.
const maxLinks = 40

// node is a directory entry met on a walk: its name with every symlink
// resolved, and what the inner FS's Lstat said about it.
type node struct {
	name string
	fi   fs.FileInfo
}

// lookup is the outcome of a walk.
type lookup struct {
	// parent is the directory holding the final entry; nil when the name
	// resolved to the root, which has no parent inside the FS.
	parent *node
	// fi describes the final entry; nil when it does not exist (yet).
	fi fs.FileInfo
}

func (l *lookup) exists() bool { return l.fi != nil }

// resolve walks name as the kernel's path lookup does, checking search
// permission on each directory it passes through. Symlinks in the middle of
// name are followed, component by component, so that the directories on
// the way to their targets are checked too; a final symlink is followed
// only when follow is set. A final entry that does not exist is not an
// error (creating it is what the caller may want).
//
// Errors name the virtual name, never a resolved one.
func (p *permFS) resolve(op, name string, follow bool) (*lookup, error) {
	if err := vfs.CheckName(op, name); err != nil {
		return nil, err
	}
	root, err := p.inner.Lstat(".")
	if err != nil {
		return nil, retarget(op, name, err)
	}
	w := &walker{p: p, op: op, name: name, follow: follow,
		stack: []node{{".", root}}, pending: split(name)}
	for len(w.pending) > 0 {
		c := w.pending[0]
		w.pending = w.pending[1:]
		if l, err := w.step(c); l != nil || err != nil {
			return l, err
		}
	}
	return w.result(), nil
}

// walker is the state of one resolve.
type walker struct {
	p        *permFS
	op, name string
	follow   bool
	stack    []node   // directories walked through, root first; the top is where lookups happen
	pending  []string // components still to resolve
	links    int      // symlinks followed so far
}

// step resolves one component in the directory on top of the stack. It
// returns a lookup when the walk ends early on a missing final entry.
func (w *walker) step(c string) (*lookup, error) {
	cur := w.stack[len(w.stack)-1]
	if !cur.fi.IsDir() {
		return nil, pathErr(w.op, w.name, vfs.ErrNotDir)
	}
	// The kernel checks search on a directory before looking anything up
	// in it, even "." and "..".
	if !w.p.cred.may(cur.fi, search) {
		return nil, denied(w.op, w.name)
	}
	switch c {
	case ".":
		return nil, nil
	case "..":
		return nil, w.up()
	}
	full := path.Join(cur.name, c)
	fi, err := w.p.inner.Lstat(full)
	last := len(w.pending) == 0
	switch {
	case err != nil && last && errors.Is(err, fs.ErrNotExist):
		return &lookup{parent: &cur}, nil
	case err != nil:
		return nil, retarget(w.op, w.name, err)
	case fi.Mode()&fs.ModeSymlink != 0 && (!last || w.follow):
		return nil, w.expand(full)
	}
	w.stack = append(w.stack, node{full, fi})
	return nil, nil
}

// up handles ".." from a symlink's target (clean names have none). Above
// the root is outside the FS: refuse, as the backend would.
func (w *walker) up() error {
	if len(w.stack) == 1 {
		return vfs.EscapeError(w.op, w.name)
	}
	w.stack = w.stack[:len(w.stack)-1]
	return nil
}

// expand replaces a symlink by its target's components, to be resolved from
// the directory holding the link.
func (w *walker) expand(link string) error {
	w.links++
	if w.links > maxLinks {
		return pathErr(w.op, w.name, syscall.ELOOP)
	}
	target, err := w.p.inner.Readlink(link)
	if err != nil {
		return retarget(w.op, w.name, err)
	}
	if strings.HasPrefix(target, "/") {
		// Backends refuse absolute targets as escapes; so do we rather
		// than guess what "/" would mean.
		return vfs.EscapeError(w.op, w.name)
	}
	w.pending = append(split(target), w.pending...)
	return nil
}

// result is the lookup of a walk that consumed every component.
func (w *walker) result() *lookup {
	n := len(w.stack)
	l := &lookup{fi: w.stack[n-1].fi}
	if n > 1 {
		parent := w.stack[n-2]
		l.parent = &parent
	}
	return l
}

// split cuts a name or link target into components; empty ones (from "a//b"
// or a trailing slash) mean nothing to a lookup and are dropped.
func split(name string) []string {
	var out []string
	for c := range strings.SplitSeq(name, "/") {
		if c != "" {
			out = append(out, c)
		}
	}
	return out
}

// existing resolves name and requires that it exist.
func (p *permFS) existing(op, name string, follow bool) (*lookup, error) {
	l, err := p.resolve(op, name, follow)
	if err != nil {
		return nil, err
	}
	if !l.exists() {
		return nil, pathErr(op, name, fs.ErrNotExist)
	}
	return l, nil
}

// retarget points an inner error, which may name a resolved path, at the
// virtual name the caller used.
func retarget(op, name string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return pathErr(op, name, err)
}

func pathErr(op, name string, err error) error {
	return &fs.PathError{Op: op, Path: name, Err: err}
}

// denied is every refusal of this package; it matches fs.ErrPermission.
func denied(op, name string) error {
	return pathErr(op, name, fs.ErrPermission)
}
