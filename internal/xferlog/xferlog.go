// Package xferlog writes vsftpd's transfer logs: the wu-ftpd xferlog(5)
// format (xferlog_std_format=YES, to xferlog_file), vsftpd's own format
// (to vsftpd_log_file), and the same vsftpd-format line to syslog
// (syslog_enable). Files are opened O_APPEND|O_CREATE with mode 0600, as
// vsftpd opens them, and reopened by Reopen (SIGHUP, after logrotate).
package xferlog

import (
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"time"
)

// Record is one file transfer. It has the fields of ftp.TransferRecord,
// so that one converts to the other.
type Record struct {
	Time         time.Time
	Duration     time.Duration
	Remote       netip.Addr
	Bytes        int64
	Path         string
	ASCII        bool
	Upload       bool
	Anonymous    bool
	Guest        bool
	User         string
	AnonPassword string
	Complete     bool
}

// dateLayout is vsftpd's "%a %b %e %H:%M:%S %Y" (day padded with a space).
const dateLayout = "Mon Jan _2 15:04:05 2006"

// AppendXferlog appends r's line in the wu-ftpd xferlog format, without the
// newline: current-time transfer-time remote-host bytes filename a|b _
// o|i a|g|r identity ftp 0 * c|i. As in vsftpd the transfer time is whole
// seconds, at least 1; spaces in the file name become '_'; an anonymous
// user is identified by the password given (the e-mail address).
func AppendXferlog(b []byte, r Record) []byte {
	b = r.Time.AppendFormat(b, dateLayout)
	b = append(b, ' ')
	secs := int64(r.Duration.Round(time.Second) / time.Second)
	if secs <= 0 {
		secs = 1
	}
	b = strconv.AppendInt(b, secs, 10)
	b = append(b, ' ')
	b = append(b, r.Remote.String()...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, r.Bytes, 10)
	b = append(b, ' ')
	for i := 0; i < len(r.Path); i++ {
		c := r.Path[i]
		if c == ' ' {
			c = '_'
		}
		b = append(b, c)
	}
	b = append(b, ' ')
	b = append(b, pick(r.ASCII, "a", "b")...)
	b = append(b, " _ "...)
	b = append(b, pick(r.Upload, "i", "o")...)
	b = append(b, ' ')
	switch {
	case r.Anonymous && !r.Guest:
		b = append(b, "a "...)
		b = append(b, r.AnonPassword...)
	case r.Guest:
		b = append(b, "g "...)
		b = append(b, r.User...)
	default:
		b = append(b, "r "...)
		b = append(b, r.User...)
	}
	b = append(b, " ftp 0 * "...)
	return append(b, pick(r.Complete, "c", "i")...)
}

// AppendVsftpd appends r's line in vsftpd's own log format, without the
// newline: `Tue Nov 24 14:40:28 2026 [pid 42] [alice] OK DOWNLOAD: Client
// "192.0.2.7", "/pub/a.iso", 1048576 bytes, 2048.00Kbyte/sec`. withHeader
// false drops the date and pid, as vsftpd does for syslog.
func AppendVsftpd(b []byte, r Record, pid int, withHeader bool) []byte {
	if withHeader {
		b = r.Time.AppendFormat(b, dateLayout)
		b = append(b, " [pid "...)
		b = strconv.AppendInt(b, int64(pid), 10)
		b = append(b, "] "...)
	}
	if r.User != "" {
		b = append(b, '[')
		b = append(b, r.User...)
		b = append(b, "] "...)
	}
	b = append(b, pick(r.Complete, "OK ", "FAIL ")...)
	b = append(b, pick(r.Upload, "UPLOAD", "DOWNLOAD")...)
	b = append(b, ": Client \""...)
	b = append(b, r.Remote.String()...)
	b = append(b, "\", \""...)
	b = append(b, r.Path...)
	b = append(b, '"')
	if r.Bytes != 0 {
		b = append(b, ", "...)
		b = strconv.AppendInt(b, r.Bytes, 10)
		b = append(b, " bytes"...)
	}
	secs := r.Duration.Seconds()
	if secs <= 0 {
		secs = 0.1
	}
	b = append(b, ", "...)
	b = strconv.AppendFloat(b, float64(r.Bytes)/secs/1024, 'f', 2, 64)
	return append(b, "Kbyte/sec"...)
}

func pick(c bool, yes, no string) string {
	if c {
		return yes
	}
	return no
}

// printable replaces the bytes vsftpd calls unprintable (control
// characters and DEL) with '?', so that a file name cannot forge lines.
func printable(b []byte) []byte {
	for i, c := range b {
		if c < 0x20 || c == 0x7f {
			b[i] = '?'
		}
	}
	return b
}

// File is a log file opened for appending. Its methods are safe for
// concurrent use.
type File struct {
	path string
	mu   sync.Mutex
	f    *os.File
}

// OpenFile opens (creating it 0600 if needed) path for appending.
func OpenFile(path string) (*File, error) {
	lf := &File{path: path}
	if err := lf.Reopen(); err != nil {
		return nil, err
	}
	return lf, nil
}

// Reopen opens the path again and swaps it in, so that lines go to the new
// file after logrotate renamed the old one. On error the old file is kept.
func (lf *File) Reopen() error {
	f, err := os.OpenFile(lf.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("log file: %w", err)
	}
	lf.mu.Lock()
	old := lf.f
	lf.f = f
	lf.mu.Unlock()
	if old != nil {
		old.Close()
	}
	return nil
}

// WriteLine writes line plus a newline in one write(2), so that lines of
// concurrent writers (even other processes) never interleave.
func (lf *File) WriteLine(line []byte) error {
	lf.mu.Lock()
	defer lf.mu.Unlock()
	if lf.f == nil {
		return os.ErrClosed
	}
	_, err := lf.f.Write(append(printable(line), '\n'))
	return err
}

// Close closes the file.
func (lf *File) Close() error {
	lf.mu.Lock()
	defer lf.mu.Unlock()
	if lf.f == nil {
		return nil
	}
	err := lf.f.Close()
	lf.f = nil
	return err
}
