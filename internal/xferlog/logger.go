package xferlog

import (
	"errors"
	"os"
	"sync"
)

// Config says where a Logger writes. The daemon derives it from vsftpd's
// keys (see the daemon's transferLog for the rules).
type Config struct {
	XferlogFile string // "" writes no xferlog-format file
	VsftpdFile  string // "" writes no vsftpd-format file
	Syslog      bool   // the vsftpd-format line to syslog (facility FTP)
}

// Logger writes each Record to the configured logs. Write errors (a full
// disk) are counted and reported once through OnError, as vsftpd ignores
// them; the transfer itself is not affected.
type Logger struct {
	xfer, vs *File
	sys      syslogWriter
	pid      int
	OnError  func(error)

	mu     sync.Mutex
	failed bool // OnError was called since the last Reopen
}

// syslogWriter is log/syslog's Writer where there is one.
type syslogWriter interface {
	Info(string) error
	Close() error
}

// Open opens the configured logs. A syslog that cannot be reached (no
// /dev/log in a container) is not an error: sysErr says why, and the
// Logger writes no syslog lines.
func Open(c Config) (l *Logger, sysErr error, err error) {
	l = &Logger{pid: os.Getpid()}
	if c.XferlogFile != "" {
		if l.xfer, err = OpenFile(c.XferlogFile); err != nil {
			return nil, nil, err
		}
	}
	if c.VsftpdFile != "" {
		if l.vs, err = OpenFile(c.VsftpdFile); err != nil {
			l.Close()
			return nil, nil, err
		}
	}
	if c.Syslog {
		l.sys, sysErr = openSyslog()
	}
	return l, sysErr, nil
}

// Log writes r to every configured log.
func (l *Logger) Log(r Record) {
	var buf [512]byte
	if l.xfer != nil {
		l.report(l.xfer.WriteLine(AppendXferlog(buf[:0], r)))
	}
	if l.vs != nil {
		l.report(l.vs.WriteLine(AppendVsftpd(buf[:0], r, l.pid, true)))
	}
	if l.sys != nil {
		l.report(l.sys.Info(string(printable(AppendVsftpd(buf[:0], r, l.pid, false)))))
	}
}

func (l *Logger) report(err error) {
	if err == nil {
		return
	}
	l.mu.Lock()
	first := !l.failed
	l.failed = true
	l.mu.Unlock()
	if first && l.OnError != nil {
		l.OnError(err)
	}
}

// Reopen reopens the log files (after logrotate). A file that cannot be
// reopened keeps its old descriptor.
func (l *Logger) Reopen() error {
	l.mu.Lock()
	l.failed = false
	l.mu.Unlock()
	var errs []error
	for _, f := range []*File{l.xfer, l.vs} {
		if f != nil {
			errs = append(errs, f.Reopen())
		}
	}
	return errors.Join(errs...)
}

// Close closes the logs.
func (l *Logger) Close() error {
	var errs []error
	for _, f := range []*File{l.xfer, l.vs} {
		if f != nil {
			errs = append(errs, f.Close())
		}
	}
	if l.sys != nil {
		errs = append(errs, l.sys.Close())
	}
	return errors.Join(errs...)
}
