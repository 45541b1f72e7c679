package ftp

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"path"
	"strconv"
	"strings"

	"wharf/internal/vfs"
)

// resolve turns a client path into its virtual path and the FS name.
func (s *session) resolve(arg string) (virtual, name string, err error) {
	v, err := vfs.Resolve(s.cwd, s.expandTildeUser(arg))
	if err != nil {
		return "", "", errBadName
	}
	if s.denied(v) {
		return "", "", errPermission
	}
	return v, vfs.Rel(v), nil
}

// expandTildeUser turns "~user" and "~user/rest" into that user's home
// directory (tilde_user_enable), as vsftpd does. Wharf confines a session
// to its root, so the home must lie inside it, as vsftpd needs the user's
// /etc/passwd entry inside its chroot: in practice this works for users
// who are not jailed (chroot_local_user=NO). Anything else is left as it
// is, and then names a file called "~user".
func (s *session) expandTildeUser(arg string) string {
	if s.opts.UserHome == nil || s.ident == nil || len(arg) < 2 || arg[0] != '~' || arg[1] == '/' {
		return arg
	}
	user, rest, _ := strings.Cut(arg[1:], "/")
	home, ok := s.opts.UserHome(user)
	if !ok || !path.IsAbs(home) {
		return arg
	}
	home, root := path.Clean(home), path.Clean(s.ident.Home)
	switch {
	case root == "/":
	case home == root:
		home = "/"
	case strings.HasPrefix(home, root+"/"):
		home = home[len(root):]
	default:
		return arg
	}
	return path.Join(home, rest)
}

// takeRest returns and clears the REST offset: it applies to one transfer.
func (s *session) takeRest() int64 {
	n := s.restOffset
	s.restOffset = 0
	return n
}

func (s *session) modeName() string {
	if s.ascii {
		return "ASCII"
	}
	return "BINARY"
}

func (s *session) cmdRETR(arg string) error {
	offset := s.takeRest()
	if !s.rights.download {
		return reply(550, "Permission denied: downloads are disabled for this account.")
	}
	vpath, name, err := s.resolve(arg)
	if err != nil {
		return err
	}
	if !transferAllowed(s.opts.Policy.DownloadFile, vpath) {
		return errPermission
	}
	f, fi, err := s.openForDownload(name, offset)
	if err != nil {
		return err
	}
	convert := s.ascii && s.opts.ASCIIDownload
	return s.startTransfer(xferJob{
		kind: "RETR", path: vpath,
		opening: fmt.Sprintf("Opening %s mode data connection for %s (%d bytes).", s.modeName(), arg, fi.Size()),
		run: func(x *transfer, data net.Conn) (int64, error) {
			if convert {
				return s.sendASCII(data, f)
			}
			return sendTo(data, f, s.opts.DataTimeout, newPace(x.ctx, s.maxRate()))
		},
		finish: func(err error) error { f.Close(); return err },
	})
}

func (s *session) openForDownload(name string, offset int64) (vfs.File, fs.FileInfo, error) {
	f, err := s.fs.Open(name)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = vfs.ErrIsDir
	}
	if err == nil {
		err = s.worldReadableRefusal(fi)
	}
	if err == nil && offset > fi.Size() {
		err = reply(554, fmt.Sprintf("Restart offset %d is past the end of the file (%d bytes).", offset, fi.Size()))
	}
	if err == nil && offset > 0 {
		_, err = f.Seek(offset, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

func (s *session) sendASCII(data net.Conn, src io.Reader) (int64, error) {
	bw := bufio.NewWriterSize(deadlineWriter{data, s.opts.DataTimeout}, 64<<10)
	n, err := io.Copy(&lfToCRLF{w: bw}, src)
	if err == nil {
		err = bw.Flush()
	}
	return n, err
}

func (s *session) cmdSTOR(arg string) error { return s.store("STOR", arg, vfs.Truncate) }
func (s *session) cmdAPPE(arg string) error { return s.store("APPE", arg, vfs.Append) }

// cmdSTOU stores under a name that does not exist yet, derived from the
// argument (or "file"), as name, name.1, name.2, ...
func (s *session) cmdSTOU(arg string) error {
	base := arg
	if base == "" {
		base = "file"
	}
	for i := 0; i < 1000; i++ {
		cand := base
		if i > 0 {
			cand = base + "." + strconv.Itoa(i)
		}
		_, name, err := s.resolve(cand)
		if err != nil {
			return err
		}
		if _, err := s.fs.Lstat(name); errors.Is(err, fs.ErrNotExist) {
			return s.store("STOU", cand, vfs.Truncate)
		}
	}
	return reply(553, "Could not find a unique file name; give STOU another name.")
}

// store runs an upload. Truncate uploads are atomic: the file appears under
// its name only after every byte arrived; a broken one is discarded and
// reported, never left looking complete.
func (s *session) store(kind, arg string, mode vfs.UploadMode) error {
	offset := s.takeRest()
	if !s.rights.upload {
		return errWriteDisabled
	}
	vpath, name, err := s.resolve(arg)
	if err != nil {
		return err
	}
	if !transferAllowed(s.opts.Policy.UploadFile, vpath) {
		return errPermission
	}
	if offset > 0 && mode == vfs.Truncate {
		mode = vfs.Resume
	}
	up, err := s.fs.Upload(name, vfs.UploadOptions{Mode: mode, Offset: offset, Perm: s.opts.FileOpenMode &^ s.umask})
	if err != nil {
		return err
	}
	convert := s.ascii && s.opts.ASCIIUpload
	opening := fmt.Sprintf("Ok to send data (%s mode).", s.modeName())
	if kind == "STOU" {
		opening = "FILE: " + path.Base(vpath)
	}
	return s.startTransfer(xferJob{
		kind: kind, path: vpath, opening: opening, upload: true,
		run: func(x *transfer, data net.Conn) (int64, error) {
			if convert {
				return io.Copy(up, &crlfToLF{r: deadlineReader{data, s.opts.DataTimeout}})
			}
			return receiveFrom(up, data, s.opts.DataTimeout, s.opts.SpliceUploads, newPace(x.ctx, s.maxRate()))
		},
		finish: func(err error) error { return finishUpload(up, err) },
	})
}

// maxRate is the session's transfer rate limit in bytes per second (0:
// none): anon_max_rate for anonymous sessions, local_max_rate otherwise.
func (s *session) maxRate() int {
	if s.ident != nil && s.ident.Anonymous {
		return s.opts.AnonMaxRate
	}
	return s.opts.LocalMaxRate
}

// finishUpload commits a complete upload or aborts a broken one; a broken
// upload always reports an error, so the client never takes it for done.
func finishUpload(up vfs.Upload, copyErr error) error {
	if copyErr != nil {
		up.Abort()
		if isNetErr(copyErr) {
			return reply(426, "Connection lost during the upload: the file is incomplete and was not stored.")
		}
		return copyErr
	}
	return up.Commit()
}
