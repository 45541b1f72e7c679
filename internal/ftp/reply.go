package ftp

import (
	"errors"
	"io/fs"
	"syscall"

	"wharf/internal/auth"
	"wharf/internal/vfs"
)

// Reply is an error that carries its own FTP reply. Handlers return it for
// protocol-level refusals; domain errors go through replyFor's table.
type Reply struct {
	Code int
	Msg  string
}

func (r *Reply) Error() string { return r.Msg }

func reply(code int, msg string) *Reply { return &Reply{code, msg} }

// Replies used from several handlers.
var (
	errNotLoggedIn   = reply(530, "Please log in with USER and PASS first.")
	errNeedArg       = reply(501, "This command needs an argument.")
	errNoArg         = reply(501, "This command takes no argument.")
	errPermission    = reply(550, "Permission denied.")
	errNoDataSetup   = reply(425, "Use PORT, EPRT, PASV or EPSV first.")
	errBadName       = reply(553, "File name not allowed: it contains CR, LF or NUL, or a reserved name.")
	errWriteDisabled = reply(550, "Permission denied: this server or account is read-only.")
)

// errorTable maps domain errors to replies. The first match wins, so the
// more specific errors come first. Messages never carry a host path or Go
// error text.
var errorTable = []struct {
	err  error
	code int
	msg  string
}{
	{vfs.ErrInvalidName, 553, "File name not allowed: it contains CR, LF or NUL, or a reserved name."},
	{vfs.ErrEscape, 550, "Permission denied: the path leads outside your directory."},
	{vfs.ErrQuota, 552, "Requested file action aborted: exceeded storage allocation (disk or quota full)."},
	{syscall.ENOSPC, 552, "Requested file action aborted: no space left on the server's disk."},
	{syscall.EDQUOT, 552, "Requested file action aborted: quota exceeded."},
	{vfs.ErrInvalidOffset, 554, "Restart offset not valid for this file: it is past the end, or the file does not exist."},
	{vfs.ErrIsDir, 550, "That is a directory."},
	{vfs.ErrNotDir, 550, "That is not a directory."},
	{vfs.ErrNotEmpty, 550, "Directory not empty."},
	{syscall.ENOTEMPTY, 550, "Directory not empty."},
	{syscall.EISDIR, 550, "That is a directory."},
	{syscall.ENOTDIR, 550, "A component of the path is not a directory."},
	{syscall.ENAMETOOLONG, 553, "File name too long."},
	{fs.ErrNotExist, 550, "No such file or directory."},
	{fs.ErrExist, 550, "File or directory already exists."},
	{fs.ErrPermission, 550, "Permission denied."},
	{auth.ErrDenied, 530, "Login incorrect."},
}

// replyFor turns any handler error into a reply. Unknown errors become a
// generic 451; the caller logs them with the session id.
func replyFor(err error) (int, string) {
	var r *Reply
	if errors.As(err, &r) {
		return r.Code, r.Msg
	}
	for _, e := range errorTable {
		if errors.Is(err, e.err) {
			return e.code, e.msg
		}
	}
	return 451, "Requested action aborted: local error in processing (logged on the server)."
}
