package sftpd

import (
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"wharf/internal/auth"
	"wharf/internal/vfs"
)

// rights are what a session may do: the Identity's permissions narrowed by
// write_enable, download_enable and dirlist_enable, as for FTP.
type rights struct {
	download, list, write bool
}

func rightsFor(o *Options, id *auth.Identity) rights {
	return rights{
		download: o.DownloadEnable && id.Perms.Has(auth.PermRead),
		list:     o.DirlistEnable && id.Perms.Has(auth.PermList),
		write:    o.WriteEnable && id.Perms.Has(auth.PermWrite),
	}
}

// handlers adapt one SFTP channel to the connection's vfs.FS. They
// implement pkg/sftp's FileReader, FileWriter (OpenFileWriter), FileCmder
// (PosixRename, StatVFS) and FileLister (Lstat, RealPath, Readlink).
type handlers struct {
	c      *conn
	fs     vfs.FS
	rights rights
	log    *slog.Logger
	start  string // virtual directory relative paths start from

	mu      sync.Mutex
	uploads map[string]*writer // in-flight uploads on this channel, by vfs name
}

func (c *conn) serveSFTP(ch ssh.Channel) {
	h := &handlers{
		c: c, fs: c.fs, rights: rightsFor(&c.srv.opts, c.ident), log: c.log,
		start: vfs.StartDir(c.fs, c.ident.StartDir), uploads: map[string]*writer{},
	}
	c.log.Debug("sftp subsystem started", "start_dir", h.start)
	// WithRSAllocator: without it pkg/sftp allocates every request afresh
	// and every read reply's data too, just over 32 KiB each, past Go's
	// largest size class, so each is a large allocation (heap lock,
	// zeroing); with a live heap of 2 MiB that meant a GC cycle per MiB
	// moved (1151 in a 1 GiB upload) and the sweeper and scavenger handing
	// pages back to the kernel and faulting them in again: half of the
	// server's CPU. The allocator reuses 256 KiB pages, each held from a
	// request's arrival to its reply, as many as requests in flight (pkg/
	// sftp's queues bound them, with or without it): about 15 MiB of live
	// heap while a transfer runs, kept until the session ends. Nothing the
	// handlers keep points into a page: pending writes are copied
	// (upload.go), a deferred setstat keeps the parsed attributes.
	rs := sftp.NewRequestServer(ch, sftp.Handlers{FileGet: h, FilePut: h, FileCmd: h, FileList: h},
		sftp.WithStartDirectory(h.start), sftp.WithRSAllocator())
	err := rs.Serve()
	if err != nil && err != io.EOF {
		c.log.Debug("sftp subsystem ended", "err", err)
	}
	// Like OpenSSH's sftp-server exiting: clients such as scp wait for
	// the exit status and fail without one.
	ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{0}))
	rs.Close()
}

// name turns a path pkg/sftp has already made absolute and cleaned into
// the vfs name, refusing NUL, CR and LF.
func name(p string) (string, error) {
	v, err := vfs.Resolve("/", p)
	if err != nil {
		return "", err
	}
	return vfs.Rel(v), nil
}

func (h *handlers) fail(op string, err error) error { return mapError(h.log, op, err) }

func (h *handlers) opening() error {
	if h.c.shutting.Load() {
		return status(sftp.ErrSSHFxFailure, "Server is shutting down")
	}
	return nil
}

// Fileread opens a file for download (reget reads at any offset).
func (h *handlers) Fileread(r *sftp.Request) (io.ReaderAt, error) {
	if !h.rights.download {
		return nil, errNoPermission
	}
	if err := h.opening(); err != nil {
		return nil, err
	}
	n, err := name(r.Filepath)
	if err != nil {
		return nil, h.fail("open", err)
	}
	f, err := h.fs.Open(n)
	if err != nil {
		return nil, h.fail("open", err)
	}
	h.c.handleOpened()
	return &reader{h: h, f: f, path: r.Filepath, start: time.Now()}, nil
}

// Filecmd runs the path commands.
func (h *handlers) Filecmd(r *sftp.Request) error {
	if !h.rights.write {
		return errNoPermission
	}
	var err error
	switch r.Method {
	case "Setstat":
		err = h.setstat(r)
	case "Rename":
		err = h.rename(r.Filepath, r.Target, false)
	case "Remove":
		err = h.pathOp(r.Filepath, h.fs.Remove)
	case "Rmdir":
		err = h.pathOp(r.Filepath, h.fs.RemoveDir)
	case "Mkdir":
		err = h.pathOp(r.Filepath, func(n string) error { return h.fs.Mkdir(n, 0o777&^h.c.srv.opts.Umask) })
	case "Symlink":
		err = h.symlink(r.Filepath, r.Target)
	default: // "Link": vfs has no hard links
		return errUnsupported
	}
	return h.fail(r.Method, err)
}

// PosixRename replaces an existing target (posix-rename@openssh.com).
func (h *handlers) PosixRename(r *sftp.Request) error {
	if !h.rights.write {
		return errNoPermission
	}
	return h.fail("posix-rename", h.rename(r.Filepath, r.Target, true))
}

func (h *handlers) pathOp(p string, op func(string) error) error {
	n, err := name(p)
	if err != nil {
		return err
	}
	return op(n)
}

// rename follows SFTP version 3 (and OpenSSH's server): plain rename never
// replaces an existing target; posix-rename does.
func (h *handlers) rename(from, to string, replace bool) error {
	f, err := name(from)
	if err != nil {
		return err
	}
	t, err := name(to)
	if err != nil {
		return err
	}
	if !replace {
		if _, err := h.fs.Lstat(t); err == nil {
			return errTargetExists
		}
	}
	return h.fs.Rename(f, t)
}

// symlink creates link pointing at target. A target that is absolute in
// the client's view ("/docs/a") is stored relative to the link's
// directory, so it means the same inside the root; the backend refuses
// any target that leaves the root.
func (h *handlers) symlink(target, link string) error {
	l, err := name(link)
	if err != nil {
		return err
	}
	if path.IsAbs(target) {
		abs, err := vfs.Resolve("/", target)
		if err != nil {
			return err
		}
		target = relativeTo(path.Dir("/"+l), abs)
	}
	return h.fs.Symlink(target, l)
}

// relativeTo is the path from directory dir to target, both virtual,
// absolute and clean.
func relativeTo(dir, target string) string {
	d, t := elems(dir), elems(target)
	i := 0
	for i < len(d) && i < len(t) && d[i] == t[i] {
		i++
	}
	var parts []string
	for range d[i:] {
		parts = append(parts, "..")
	}
	parts = append(parts, t[i:]...)
	if len(parts) == 0 {
		return "."
	}
	return strings.Join(parts, "/")
}

func elems(p string) []string {
	if p == "/" {
		return nil
	}
	return strings.Split(strings.TrimPrefix(p, "/"), "/")
}

// setstat changes mode and times. A size change is not supported (vfs has
// no truncate); ownership can only be "set" to what it already is. While
// this channel uploads the file, the change is kept and applied after the
// upload is committed, so `put -p` works on atomic uploads.
func (h *handlers) setstat(r *sftp.Request) error {
	n, err := name(r.Filepath)
	if err != nil {
		return err
	}
	flags, attrs := r.AttrFlags(), r.Attributes()
	if w := h.upload(n); w != nil && w.deferSetstat(flags, attrs) {
		return nil
	}
	return h.applySetstat(n, flags, attrs)
}

func (h *handlers) applySetstat(n string, flags sftp.FileAttrFlags, attrs *sftp.FileStat) error {
	if flags.Size || flags.UidGid {
		fi, err := h.fs.Stat(n)
		if err != nil {
			return err
		}
		if flags.Size && uint64(fi.Size()) != attrs.Size {
			return errUnsupported
		}
		if flags.UidGid && !sameOwner(fi, attrs.UID, attrs.GID) {
			return errNoPermission
		}
	}
	if flags.Permissions {
		if err := h.fs.Chmod(n, fs.FileMode(attrs.Mode).Perm()); err != nil {
			return err
		}
	}
	if flags.Acmodtime {
		return h.fs.Chtimes(n, time.Unix(int64(attrs.Atime), 0), time.Unix(int64(attrs.Mtime), 0))
	}
	return nil
}

func sameOwner(fi fs.FileInfo, uid, gid uint32) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && st.Uid == uid && st.Gid == gid
}

// StatVFS answers statvfs@openssh.com (df) when the backend can tell.
func (h *handlers) StatVFS(r *sftp.Request) (*sftp.StatVFS, error) {
	sfs, ok := h.fs.(interface {
		Statfs() (total, free uint64, err error)
	})
	if !ok {
		return nil, errUnsupported
	}
	total, free, err := sfs.Statfs()
	if err != nil {
		return nil, h.fail("statvfs", err)
	}
	const bs = 4096
	return &sftp.StatVFS{Bsize: bs, Frsize: bs, Blocks: total / bs, Bfree: free / bs, Bavail: free / bs, Namemax: 255}, nil
}

// RealPath makes a client path absolute ("/" is the user's root; a
// relative path starts from the start directory). Like pkg/sftp's default
// it does not resolve symlinks.
func (h *handlers) RealPath(p string) (string, error) {
	v, err := vfs.Resolve(h.start, p)
	if err != nil {
		return "", h.fail("realpath", err)
	}
	return v, nil
}

// Readlink returns a link's target as stored (always relative).
func (h *handlers) Readlink(p string) (string, error) {
	if !h.rights.list {
		return "", errNoPermission
	}
	n, err := name(p)
	if err != nil {
		return "", h.fail("readlink", err)
	}
	t, err := h.fs.Readlink(n)
	return t, h.fail("readlink", err)
}

// Filelist opens a directory listing ("List") or stats a path ("Stat").
func (h *handlers) Filelist(r *sftp.Request) (sftp.ListerAt, error) {
	n, err := name(r.Filepath)
	if err != nil {
		return nil, h.fail(r.Method, err)
	}
	switch r.Method {
	case "List":
		return h.list(n)
	case "Stat":
		return h.stat(n, h.fs.Stat)
	}
	return nil, errUnsupported
}

// Lstat stats a path without following a final symlink.
func (h *handlers) Lstat(r *sftp.Request) (sftp.ListerAt, error) {
	n, err := name(r.Filepath)
	if err != nil {
		return nil, h.fail("lstat", err)
	}
	return h.stat(n, h.fs.Lstat)
}

// stat is allowed without the list permission: clients stat the target
// directory before an upload, which drop boxes (write only) need.
func (h *handlers) stat(n string, st func(string) (fs.FileInfo, error)) (sftp.ListerAt, error) {
	if w := h.upload(n); w != nil && w.mode == vfs.Truncate {
		return oneInfo{w.info()}, nil
	}
	fi, err := st(n)
	if err != nil {
		return nil, h.fail("stat", err)
	}
	return oneInfo{fi}, nil
}

type oneInfo struct{ fi fs.FileInfo }

func (o oneInfo) ListAt(buf []os.FileInfo, off int64) (int, error) {
	if off > 0 || len(buf) == 0 {
		return 0, io.EOF
	}
	buf[0] = o.fi
	return 1, nil
}

// reader is a download: the vfs.File with errors mapped and bytes counted.
type reader struct {
	h     *handlers
	f     vfs.File
	path  string
	start time.Time
	mu    sync.Mutex
	n     int64
	once  sync.Once
}

func (r *reader) ReadAt(p []byte, off int64) (int, error) {
	n, err := r.f.ReadAt(p, off)
	r.mu.Lock()
	r.n += int64(n)
	r.mu.Unlock()
	if err != nil && err != io.EOF {
		err = r.h.fail("read", err)
	}
	return n, err
}

func (r *reader) Close() error {
	var err error
	r.once.Do(func() {
		err = r.f.Close()
		r.h.c.handleClosed()
		if r.h.c.srv.opts.LogTransfers {
			r.h.log.Info("transfer", "kind", "download", "path", r.path, "bytes", r.n,
				"duration", time.Since(r.start).Round(time.Microsecond).String(), "result", "ok")
		}
	})
	return r.h.fail("close", err)
}
