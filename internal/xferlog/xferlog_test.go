package xferlog

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var when = time.Date(2026, time.November, 4, 9, 5, 7, 0, time.UTC)

func TestXferlogLine(t *testing.T) {
	tests := []struct {
		name string
		r    Record
		want string
	}{
		{"download by a real user", Record{Time: when, Duration: 2600 * time.Millisecond,
			Remote: netip.MustParseAddr("192.0.2.7"), Bytes: 1048576, Path: "/pub/a b.iso", User: "alice", Complete: true},
			"Wed Nov  4 09:05:07 2026 3 192.0.2.7 1048576 /pub/a_b.iso b _ o r alice ftp 0 * c"},
		{"quick ascii upload, incomplete", Record{Time: when, Duration: 20 * time.Millisecond,
			Remote: netip.MustParseAddr("2001:db8::1"), Bytes: 10, Path: "/in/x.txt", ASCII: true, Upload: true,
			User: "bob"},
			"Wed Nov  4 09:05:07 2026 1 2001:db8::1 10 /in/x.txt a _ i r bob ftp 0 * i"},
		{"anonymous: the e-mail address identifies", Record{Time: when, Duration: time.Second,
			Remote: netip.MustParseAddr("198.51.100.1"), Bytes: 0, Path: "/f", Anonymous: true, User: "anonymous",
			AnonPassword: "me@example.org", Complete: true},
			"Wed Nov  4 09:05:07 2026 1 198.51.100.1 0 /f b _ o a me@example.org ftp 0 * c"},
		{"guest", Record{Time: when, Duration: 90 * time.Second, Remote: netip.MustParseAddr("192.0.2.8"),
			Bytes: 5, Path: "/g", Anonymous: true, Guest: true, User: "virt", Complete: true},
			"Wed Nov  4 09:05:07 2026 90 192.0.2.8 5 /g b _ o g virt ftp 0 * c"},
	}
	for _, tt := range tests {
		if got := string(AppendXferlog(nil, tt.r)); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}

func TestVsftpdLine(t *testing.T) {
	r := Record{Time: when, Duration: 2 * time.Second, Remote: netip.MustParseAddr("192.0.2.7"), Bytes: 4096,
		Path: "/pub/a b", User: "alice", Complete: true}
	want := `Wed Nov  4 09:05:07 2026 [pid 42] [alice] OK DOWNLOAD: Client "192.0.2.7", "/pub/a b", 4096 bytes, 2.00Kbyte/sec`
	if got := string(AppendVsftpd(nil, r, 42, true)); got != want {
		t.Errorf("\n got %q\nwant %q", got, want)
	}
	r.Upload, r.Complete, r.Bytes, r.Duration = true, false, 0, 0
	want = `[alice] FAIL UPLOAD: Client "192.0.2.7", "/pub/a b", 0.00Kbyte/sec`
	if got := string(AppendVsftpd(nil, r, 42, false)); got != want {
		t.Errorf("syslog form:\n got %q\nwant %q", got, want)
	}
}

// TestLoggerFiles: both files get their line, a control character in a
// name cannot start a new line, and Reopen follows a rename (logrotate).
func TestLoggerFiles(t *testing.T) {
	dir := t.TempDir()
	xf, vf := filepath.Join(dir, "xferlog"), filepath.Join(dir, "vsftpd.log")
	l, sysErr, err := Open(Config{XferlogFile: xf, VsftpdFile: vf})
	if err != nil || sysErr != nil {
		t.Fatal(err, sysErr)
	}
	defer l.Close()
	r := Record{Time: when, Duration: time.Second, Remote: netip.MustParseAddr("192.0.2.7"), Bytes: 3,
		Path: "/evil\nWed fake line", User: "alice", Complete: true}
	l.Log(r)
	for _, f := range []string{xf, vf} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Count(string(b), "\n") != 1 || !strings.Contains(string(b), "/evil?Wed") {
			t.Errorf("%s: %q", f, b)
		}
		if fi, _ := os.Stat(f); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", f, fi.Mode())
		}
	}
	if err := os.Rename(xf, xf+".1"); err != nil {
		t.Fatal(err)
	}
	if err := l.Reopen(); err != nil {
		t.Fatal(err)
	}
	r.Path = "/after"
	l.Log(r)
	if b, _ := os.ReadFile(xf); !strings.Contains(string(b), " /after ") || strings.Count(string(b), "\n") != 1 {
		t.Errorf("after Reopen the new file has %q", b)
	}
	if b, _ := os.ReadFile(xf + ".1"); strings.Contains(string(b), "/after") {
		t.Errorf("the rotated file got the new line: %q", b)
	}
}

type fakeSyslog struct{ lines []string }

func (f *fakeSyslog) Info(s string) error { f.lines = append(f.lines, s); return nil }
func (f *fakeSyslog) Close() error        { return nil }

// TestLoggerSyslog: syslog gets the vsftpd-format line without date and
// pid (syslog adds its own).
func TestLoggerSyslog(t *testing.T) {
	fs := &fakeSyslog{}
	l := &Logger{sys: fs, pid: 1}
	l.Log(Record{Time: when, Duration: time.Second, Remote: netip.MustParseAddr("192.0.2.7"), Bytes: 1024,
		Path: "/f", User: "alice", Complete: true})
	want := `[alice] OK DOWNLOAD: Client "192.0.2.7", "/f", 1024 bytes, 1.00Kbyte/sec`
	if len(fs.lines) != 1 || fs.lines[0] != want {
		t.Errorf("syslog got %q, want %q", fs.lines, want)
	}
}
