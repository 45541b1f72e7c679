package sftpd

import (
	"errors"
	"io"
	"io/fs"
	"log/slog"

	"github.com/pkg/sftp"

	"wharf/internal/vfs"
)

// statusError is what every handler returns to pkg/sftp instead of a raw
// error: pkg/sftp sends Error() to the client as the status message and
// finds the status code by unwrapping to one of its ErrSSHFx* values. So
// the client sees our fixed text, never a host path or Go error text.
type statusError struct {
	code error // one of sftp.ErrSSHFx*
	msg  string
}

func (e *statusError) Error() string { return e.msg }
func (e *statusError) Unwrap() error { return e.code }

func status(code error, msg string) error { return &statusError{code: code, msg: msg} }

// Errors the handlers produce themselves.
var (
	errNoPermission  = status(sftp.ErrSSHFxPermissionDenied, "Permission denied")
	errUnsupported   = status(sftp.ErrSSHFxOpUnsupported, "Operation not supported")
	errBadMessage    = status(sftp.ErrSSHFxBadMessage, "Bad message")
	errNonSequential = status(sftp.ErrSSHFxFailure, "Writes to this file must be sequential (no holes or rewrites)")
	errUploadFailed  = status(sftp.ErrSSHFxFailure, "Upload failed; the file was not saved")
	errTargetExists  = status(sftp.ErrSSHFxFailure, "Target exists (use posix-rename to replace it)")
	errGeneric       = status(sftp.ErrSSHFxFailure, "Failure")
)

// errorTable maps domain errors (matched with errors.Is, in order) to SFTP
// status codes and messages. SFTP version 3, which every client speaks,
// has only the codes 0 to 8; the message tells the finer reason.
var errorTable = []struct {
	err  error
	code error
	msg  string
}{
	{vfs.ErrEscape, sftp.ErrSSHFxPermissionDenied, "Permission denied (outside your root)"},
	{fs.ErrNotExist, sftp.ErrSSHFxNoSuchFile, "No such file or directory"},
	{fs.ErrPermission, sftp.ErrSSHFxPermissionDenied, "Permission denied"},
	{fs.ErrExist, sftp.ErrSSHFxFailure, "File exists"},
	{vfs.ErrNotEmpty, sftp.ErrSSHFxFailure, "Directory not empty"},
	{vfs.ErrIsDir, sftp.ErrSSHFxFailure, "Is a directory"},
	{vfs.ErrNotDir, sftp.ErrSSHFxFailure, "Not a directory"},
	{vfs.ErrQuota, sftp.ErrSSHFxFailure, "Quota exceeded or disk full"},
	{vfs.ErrInvalidName, sftp.ErrSSHFxFailure, "Invalid file name"},
	{vfs.ErrInvalidOffset, sftp.ErrSSHFxFailure, "Invalid offset (beyond the end of the file)"},
	{fs.ErrInvalid, sftp.ErrSSHFxBadMessage, "Invalid argument"},
}

// mapError turns any error into one safe to hand to pkg/sftp. io.EOF stays
// as it is: pkg/sftp compares it by identity to end reads and listings.
// Errors that are not in the table are logged (with the session's logger,
// so the session id is there) and answered with a bare "Failure".
func mapError(log *slog.Logger, op string, err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	var se *statusError
	if errors.As(err, &se) {
		return se
	}
	for _, row := range errorTable {
		if errors.Is(err, row.err) {
			log.Debug("sftp operation refused", "op", op, "err", err)
			return status(row.code, row.msg)
		}
	}
	log.Warn("sftp operation failed", "op", op, "err", err)
	return errGeneric
}
