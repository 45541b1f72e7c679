package localfs

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"wharf/internal/vfs"
)

// direntReader reads a directory opened through os.Root with getdents64
// on its descriptor. os.File.ReadDir cannot be used for this: for a file
// opened in a Root it lstats every entry up front (os.newUnixDirent), which
// made NLST of 100,000 names six times slower than the bare syscalls. Here
// an entry is stat'ed only when Info or lstatEntry is called, with fstatat
// relative to the directory and AT_SYMLINK_NOFOLLOW: a single name, never
// followed, so it cannot leave the root.
type direntReader struct {
	f    *os.File
	fd   int
	buf  []byte
	data []byte // unparsed part of buf
	eof  bool
}

func newDirentReader(f *os.File) *direntReader {
	return &direntReader{f: f, fd: int(f.Fd()), buf: make([]byte, 32<<10)}
}

// ReadDir returns up to n entries, io.EOF at the end.
func (r *direntReader) ReadDir(n int) ([]fs.DirEntry, error) {
	var out []fs.DirEntry
	_, err := r.each(n, func(name []byte, typ byte) {
		out = append(out, &dirent{r: r, name: string(name), typ: direntType(typ)})
	})
	return out, err
}

// each calls fn with up to n names and their d_type, reading from the
// kernel as needed, and returns how many; 0 and io.EOF at the end. name
// points into r.buf, valid until the next fill. ".", ".." and in-flight
// uploads are skipped here, so that a page is empty only at the end.
func (r *direntReader) each(n int, fn func(name []byte, typ byte)) (int, error) {
	count := 0
	for count < n {
		if len(r.data) == 0 {
			if r.eof {
				break
			}
			if err := r.fill(); err != nil {
				return count, err
			}
			continue
		}
		if name, typ, ok := r.next(); ok {
			fn(name, typ)
			count++
		}
	}
	if count == 0 && r.eof {
		return 0, io.EOF
	}
	return count, nil
}

func (r *direntReader) fill() error {
	n, err := syscall.ReadDirent(r.fd, r.buf)
	runtime.KeepAlive(r.f)
	if err != nil {
		return &fs.PathError{Op: "readdirent", Path: ".", Err: err}
	}
	r.data = r.buf[:n]
	r.eof = n == 0
	return nil
}

// linux_dirent64: ino u64, off s64, reclen u16, type u8, name NUL-terminated.
const direntNameOff = 19

// next parses one record from r.data; ok is false for a record to skip.
func (r *direntReader) next() (name []byte, typ byte, ok bool) {
	reclen := int(*(*uint16)(unsafe.Pointer(&r.data[16])))
	if reclen < direntNameOff || reclen > len(r.data) {
		r.data = nil // a corrupt record: stop this buffer rather than misparse
		return nil, 0, false
	}
	rec := r.data[:reclen]
	r.data = r.data[reclen:]
	name = rec[direntNameOff:]
	if i := bytes.IndexByte(name, 0); i >= 0 {
		name = name[:i]
	}
	if string(name) == "." || string(name) == ".." || vfs.IsTempName(name) {
		return nil, 0, false
	}
	return name, rec[18], true
}

func direntType(t byte) fs.FileMode {
	switch t {
	case syscall.DT_DIR:
		return fs.ModeDir
	case syscall.DT_LNK:
		return fs.ModeSymlink
	case syscall.DT_FIFO:
		return fs.ModeNamedPipe
	case syscall.DT_SOCK:
		return fs.ModeSocket
	case syscall.DT_CHR:
		return fs.ModeDevice | fs.ModeCharDevice
	case syscall.DT_BLK:
		return fs.ModeDevice
	case syscall.DT_REG:
		return 0
	}
	return ^fs.FileMode(0) // DT_UNKNOWN: ask Info
}

// dirent is one entry; Info stats it on demand.
type dirent struct {
	r    *direntReader
	name string
	typ  fs.FileMode
}

func (d *dirent) Name() string { return d.name }
func (d *dirent) IsDir() bool  { return d.Type().IsDir() }

func (d *dirent) Type() fs.FileMode {
	if d.typ == ^fs.FileMode(0) {
		if fi, err := d.Info(); err == nil {
			d.typ = fi.Mode().Type()
		} else {
			return 0
		}
	}
	return d.typ
}

func (d *dirent) Info() (fs.FileInfo, error) {
	var st syscall.Stat_t
	err := fstatat(d.r.fd, d.name, &st)
	runtime.KeepAlive(d.r.f)
	if err != nil {
		return nil, &fs.PathError{Op: "lstat", Path: d.name, Err: err}
	}
	return newFileInfo(d.name, &st), nil
}

// lstatEntry lstats one entry into st.
func (r *direntReader) lstatEntry(name string, st *vfs.EntryStat) error {
	if !isEntryName(name) {
		return &fs.PathError{Op: "lstat", Path: name, Err: vfs.ErrInvalidName}
	}
	var sys syscall.Stat_t
	err := fstatat(r.fd, name, &sys)
	runtime.KeepAlive(r.f)
	if err != nil {
		return &fs.PathError{Op: "lstat", Path: name, Err: err}
	}
	*st = vfs.EntryStat{Mode: unixMode(sys.Mode), Size: sys.Size, ModTime: time.Unix(sys.Mtim.Unix()),
		Nlink: uint64(sys.Nlink), UID: sys.Uid, GID: sys.Gid, HasOwner: true}
	return nil
}

// isEntryName accepts only what getdents could have returned (bar "." and
// ".."), and no in-flight upload: a slash or a dot-dot would let a caller
// reach outside the directory, and ".." outside the root.
func isEntryName(name string) bool {
	return name != "" && name != "." && name != ".." && !vfs.IsTempName(name) &&
		strings.IndexByte(name, '/') < 0 && strings.IndexByte(name, 0) < 0
}

// fstatat lstats name in the directory dirfd. x/sys/unix has the call
// for every architecture; its Stat_t is generated from the same kernel
// struct as syscall's, so the result is read as a syscall.Stat_t, which is
// what the rest of Wharf (listings, permfs) expects from Sys().
func fstatat(dirfd int, name string, st *syscall.Stat_t) error {
	for {
		err := unix.Fstatat(dirfd, name, (*unix.Stat_t)(unsafe.Pointer(st)), unix.AT_SYMLINK_NOFOLLOW)
		if err != unix.EINTR {
			return err
		}
	}
}

// The cast above is only sound while the two structs have one layout.
var _ [unsafe.Sizeof(unix.Stat_t{}) - unsafe.Sizeof(syscall.Stat_t{})]struct{}
var _ [unsafe.Sizeof(syscall.Stat_t{}) - unsafe.Sizeof(unix.Stat_t{})]struct{}

// fileInfo is an fs.FileInfo from a Stat_t, as os.Lstat builds one.
type fileInfo struct {
	name  string
	size  int64
	mode  fs.FileMode
	mtime time.Time
	sys   syscall.Stat_t
}

func newFileInfo(name string, st *syscall.Stat_t) *fileInfo {
	return &fileInfo{name: name, size: st.Size, mode: unixMode(st.Mode), mtime: time.Unix(st.Mtim.Unix()), sys: *st}
}

func (fi *fileInfo) Name() string       { return fi.name }
func (fi *fileInfo) Size() int64        { return fi.size }
func (fi *fileInfo) Mode() fs.FileMode  { return fi.mode }
func (fi *fileInfo) ModTime() time.Time { return fi.mtime }
func (fi *fileInfo) IsDir() bool        { return fi.mode.IsDir() }
func (fi *fileInfo) Sys() any           { return &fi.sys }

// unixMode converts st_mode as os does (os.fillFileStatFromSys).
func unixMode(m uint32) fs.FileMode {
	mode := fs.FileMode(m & 0o777)
	switch m & syscall.S_IFMT {
	case syscall.S_IFBLK:
		mode |= fs.ModeDevice
	case syscall.S_IFCHR:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	case syscall.S_IFDIR:
		mode |= fs.ModeDir
	case syscall.S_IFIFO:
		mode |= fs.ModeNamedPipe
	case syscall.S_IFLNK:
		mode |= fs.ModeSymlink
	case syscall.S_IFSOCK:
		mode |= fs.ModeSocket
	}
	if m&syscall.S_ISGID != 0 {
		mode |= fs.ModeSetgid
	}
	if m&syscall.S_ISUID != 0 {
		mode |= fs.ModeSetuid
	}
	if m&syscall.S_ISVTX != 0 {
		mode |= fs.ModeSticky
	}
	return mode
}
