// Package vfs is the narrow filesystem interface every protocol front uses.
//
// Names handed to an FS are slash-separated, relative to the user's root and
// already cleaned by Resolve: "." is the root itself, and no name starts with
// "/" or contains a ".." element. Backends must still refuse anything that
// would leave the root (localfs does so with os.Root), because a name may
// reach a symlink that points outside.
package vfs

import (
	"errors"
	"io"
	"io/fs"
	"time"
)

// Sentinel errors that backends return (wrapped or bare) and fronts map to
// protocol replies. The fs package's ErrNotExist, ErrExist and ErrPermission
// are used for their usual meanings.
var (
	ErrQuota       = errors.New("vfs: quota or disk space exhausted")
	ErrInvalidName = errors.New("vfs: invalid file name")
	ErrIsDir       = errors.New("vfs: is a directory")
	ErrNotDir      = errors.New("vfs: not a directory")
	ErrNotEmpty    = errors.New("vfs: directory not empty")
	ErrEscape      = errors.New("vfs: path escapes the root")
)

// FS is a user's view of their files.
type FS interface {
	// Stat follows a final symlink (inside the root); Lstat does not.
	Stat(name string) (fs.FileInfo, error)
	Lstat(name string) (fs.FileInfo, error)
	// Open opens a regular file for reading. localfs returns an *os.File so
	// that io.Copy to a *net.TCPConn reaches sendfile(2).
	Open(name string) (File, error)
	// OpenDir opens a directory for paged reading.
	OpenDir(name string) (Dir, error)
	// Upload starts writing a file; nothing is visible under name as a
	// complete file until Commit returns nil.
	Upload(name string, opts UploadOptions) (Upload, error)
	Mkdir(name string, perm fs.FileMode) error
	// Remove removes a file or symlink, never a directory.
	Remove(name string) error
	// RemoveDir removes an empty directory.
	RemoveDir(name string) error
	Rename(from, to string) error
	Chmod(name string, mode fs.FileMode) error
	Chtimes(name string, atime, mtime time.Time) error
	Symlink(target, name string) error
	Readlink(name string) (string, error)
}

// File is an open file for reading.
type File interface {
	io.Reader
	io.ReaderAt
	io.Seeker
	io.Closer
	Stat() (fs.FileInfo, error)
}

// Dir reads a directory a page at a time.
type Dir interface {
	// ReadDir returns at most n entries (n > 0) and io.EOF at the end, as
	// (*os.File).ReadDir does. Entries come in directory order, unsorted, so
	// that a huge directory never has to be held in memory.
	ReadDir(n int) ([]fs.DirEntry, error)
	Close() error
}

// StatDir is an optional interface of a Dir for listings of huge
// directories. ReadDir costs an fs.DirEntry, a name string and, from Info,
// an fs.FileInfo per entry, and its stats run one after another; with
// StatDir a listing copies names straight out of the backend's buffer and
// spreads the lstats of a page over several goroutines, into storage it
// reuses. Listings fall back to ReadDir for a Dir without it (or wrapped
// in one that filters pages, which hides it).
type StatDir interface {
	Dir
	// ReadNames calls fn with up to n (n > 0) next names in directory
	// order and returns how many; 0 and io.EOF at the end. In-flight
	// uploads are left out, as by ReadDir. name points into the Dir's own
	// buffer and is only valid during the call.
	ReadNames(n int, fn func(name []byte)) (int, error)
	// LstatEntry lstats name, a single entry of this directory as
	// ReadNames gave it, into st, never following a symlink. It may be
	// called from several goroutines at once and alongside ReadNames,
	// never after Close.
	LstatEntry(name string, st *EntryStat) error
}

// EntryStat is what listings show of a directory entry.
type EntryStat struct {
	Mode    fs.FileMode
	Size    int64
	ModTime time.Time
	// Nlink, UID and GID are the lstat's when HasOwner; a backend without
	// Unix owners leaves HasOwner false and Nlink 1.
	Nlink    uint64
	UID, GID uint32
	HasOwner bool
}

// UploadMode says how an upload treats an existing file.
type UploadMode int

const (
	// Truncate replaces the file (STOR). The new content is written to a
	// temporary name and renamed over the target on Commit (atomic).
	Truncate UploadMode = iota
	// Append adds to the end of the file (APPE), in place.
	Append
	// Resume writes from Offset on (REST + STOR), in place; bytes after the
	// written range are cut off on Commit.
	Resume
)

// UploadOptions tune Upload.
type UploadOptions struct {
	Mode   UploadMode
	Offset int64       // with Resume
	Perm   fs.FileMode // for a new file, before the backend's umask
}

// Upload is a file being written.
type Upload interface {
	io.Writer
	// ReadFrom lets io.Copy hand a whole stream to the backend, which for
	// localfs reaches splice(2) from a TCP socket.
	io.ReaderFrom
	// Commit makes the upload visible and complete. After a failed Commit the
	// upload is aborted.
	Commit() error
	// Abort discards a Truncate upload (the old file, if any, is untouched)
	// and, for Append/Resume, leaves what was written (the client asked to
	// modify the file in place) unless the backend was told otherwise.
	Abort() error
}

// IsTempName reports whether a directory entry is an in-flight upload that
// listings must hide. Backends name their temporary files with TempPrefix.
// It takes the bytes of StatDir.ReadNames as well, without a conversion.
func IsTempName[N string | []byte](name N) bool {
	return len(name) > len(TempPrefix) && string(name[:len(TempPrefix)]) == TempPrefix
}

// TempPrefix starts the name of every in-flight upload's temporary file.
const TempPrefix = ".wharf-upload-"
