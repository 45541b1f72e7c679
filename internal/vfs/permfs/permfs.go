// Package permfs makes a vfs.FS refuse what the kernel would refuse a given
// system account, for a server that does the actual I/O as someone else.
//
// # Why
//
// Wharf is one Go process, usually root, serving many users at once. The
// kernel checks every access against the calling thread's credentials, and
// a Go program cannot give one goroutine another user's: goroutines move
// between threads, and syscall.Setuid changes every thread of the process.
// So a session's file operations run with the server's credentials, and
// without a check of our own a user logged in over FTP could read
// /etc/shadow through a root server. vsftpd forks a process per session
// and drops to the user's uid; Wharf does not.
//
// # What
//
// permfs closes that gap in user space. Before each operation it reads the
// mode and ownership of every entry the kernel would check (through the
// inner FS's Lstat, each time: nothing is cached, the tree can change
// between calls) and applies the kernel's rules for the session's Cred:
//
//   - search (x) on every directory a lookup passes through, from the root
//     down, following symlinks component by component as path lookup does;
//   - the owner class if the uid matches, else the group class if any of
//     the user's gids matches, else other, with no fall-through: a group
//     that is denied is denied even where "other" would be allowed;
//   - create, delete and rename need w+x on the parent; in a sticky
//     directory only the entry's owner or the directory's may delete or
//     replace an entry; moving a directory to another parent needs w on it;
//   - chmod and setting explicit times are for the owner only;
//   - uid 0 is not checked at all (New returns the inner FS), as the kernel
//     lets root past permission bits; its one exception, execute on a
//     file, never arises here.
//
// Two rules are stricter than a single syscall, because Wharf's operations
// are not single syscalls: listing a directory needs r and x (a listing
// stats every entry, as ls -l does), and a Truncate upload, which writes a
// temporary file and renames it over the target, needs both w on an
// existing target (what open(O_TRUNC) would ask) and w+x on its directory
// (what the rename asks).
//
// Ownership of new files is the backend's job: localfs chowns what it
// creates to Options.UID/GID and applies the session's umask, so permfs
// only decides.
//
// # Limits
//
// It reads permission bits and ownership only: POSIX ACLs, LSMs (SELinux,
// AppArmor), immutable and append-only attributes and the fs.protected_*
// sysctls are not emulated, and directories above the FS root are not
// checked (the daemon picks the root). Checking and acting are two steps,
// so a local user who can rewrite the tree can race a check; os.Root in
// localfs still keeps every access inside the root. Backends whose FileInfo
// carries no *syscall.Stat_t (memfs, object stores) have no ownership to
// check, and permfs allows what they allow.
package permfs

import (
	"io"
	"io/fs"
	"slices"
	"time"

	"wharf/internal/vfs"
)

// Cred is who the checks are made for.
type Cred struct {
	UID uint32
	// GIDs are the primary group first, then the supplementary groups (see
	// GroupsOf). Order does not change any decision.
	GIDs []uint32
}

// New returns inner seen through the permissions of cred. For uid 0 it
// returns inner itself: root passes every check the kernel makes here.
//
// The result forwards Close to inner when inner has one, and Statfs when
// inner has one (the SFTP front looks for both with type assertions).
func New(inner vfs.FS, cred Cred) vfs.FS {
	if cred.UID == 0 {
		return inner
	}
	cred.GIDs = slices.Clone(cred.GIDs) // the caller's slice may change later
	p := &permFS{inner: inner, cred: cred}
	if _, ok := inner.(statfser); ok {
		return statfsFS{p}
	}
	return p
}

// permFS checks, then delegates to inner. It holds no state besides its
// configuration, so it is as safe for concurrent use as inner.
type permFS struct {
	inner vfs.FS
	cred  Cred
}

var _ vfs.FS = (*permFS)(nil)

// Close closes inner if it can be closed (localfs holds a directory
// descriptor open).
func (p *permFS) Close() error {
	if c, ok := p.inner.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// Stat needs search on the directories up to name and, through a symlink,
// up to its target.
func (p *permFS) Stat(name string) (fs.FileInfo, error) {
	if _, err := p.existing("stat", name, true); err != nil {
		return nil, err
	}
	return p.inner.Stat(name)
}

// Lstat needs search on the directories up to name.
func (p *permFS) Lstat(name string) (fs.FileInfo, error) {
	if _, err := p.existing("lstat", name, false); err != nil {
		return nil, err
	}
	return p.inner.Lstat(name)
}

// Readlink needs search on the directories up to the link.
func (p *permFS) Readlink(name string) (string, error) {
	if _, err := p.existing("readlink", name, false); err != nil {
		return "", err
	}
	return p.inner.Readlink(name)
}

// Open needs read on the file. The inner File is returned as it is, so
// that localfs's *os.File still reaches sendfile(2).
func (p *permFS) Open(name string) (vfs.File, error) {
	l, err := p.existing("open", name, true)
	if err != nil {
		return nil, err
	}
	if err := p.need("open", name, l.fi, read); err != nil {
		return nil, err
	}
	return p.inner.Open(name)
}

// OpenDir needs read and search on the directory.
func (p *permFS) OpenDir(name string) (vfs.Dir, error) {
	l, err := p.existing("opendir", name, true)
	if err != nil {
		return nil, err
	}
	if !l.fi.IsDir() {
		return nil, pathErr("opendir", name, vfs.ErrNotDir)
	}
	if err := p.need("opendir", name, l.fi, read|search); err != nil {
		return nil, err
	}
	return p.inner.OpenDir(name)
}

// Chmod is for the owner only; it follows a final symlink, as chmod(2).
func (p *permFS) Chmod(name string, mode fs.FileMode) error {
	if err := p.ownerOnly("chmod", name); err != nil {
		return err
	}
	return p.inner.Chmod(name, mode)
}

// Chtimes is for the owner only: the kernel lets others with write access
// set the times to "now", but never to explicit times, which is all that
// Chtimes does.
func (p *permFS) Chtimes(name string, atime, mtime time.Time) error {
	if err := p.ownerOnly("chtimes", name); err != nil {
		return err
	}
	return p.inner.Chtimes(name, atime, mtime)
}

func (p *permFS) ownerOnly(op, name string) error {
	l, err := p.existing(op, name, true)
	if err != nil {
		return err
	}
	if !p.cred.owns(l.fi) {
		return denied(op, name)
	}
	return nil
}

// statfser is the optional method the SFTP front asks for.
type statfser interface {
	Statfs() (total, free uint64, err error)
}

// statfsFS is a permFS over an inner FS that can report its size. It is a
// separate type so that a type assertion on the result of New answers as
// one on inner would.
type statfsFS struct{ *permFS }

// Statfs needs search on the root, as statfs(2) on it would.
func (s statfsFS) Statfs() (total, free uint64, err error) {
	if _, err := s.existing("statfs", ".", true); err != nil {
		return 0, 0, err
	}
	return s.inner.(statfser).Statfs()
}
