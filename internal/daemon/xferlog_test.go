package daemon

import (
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"wharf/internal/config"
	"wharf/internal/ftp/ftptest"
)

// TestTransferLogFiles: with dual_log_enable a RETR and a STOR each append
// one xferlog line to xferlog_file and one vsftpd-format line to
// vsftpd_log_file; Reload reopens both (logrotate).
func TestTransferLogFiles(t *testing.T) {
	logs := t.TempDir()
	xf, vf := filepath.Join(logs, "xferlog"), filepath.Join(logs, "vsftpd.log")
	cfg, home := sftpConfig(t, t.TempDir(), "xferlog_enable=YES", "xferlog_std_format=YES", "dual_log_enable=YES",
		"xferlog_file="+xf, "vsftpd_log_file="+vf, "text_userdb_names=YES")
	if err := os.WriteFile(filepath.Join(home, "down.bin"), []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, stop := runDaemon(t, cfg)
	defer stop()
	c := ftptest.Dial(t, d.Addrs()[0].String())
	c.Login("alice", "pw")
	c.Cmd(200, "TYPE I")
	if got := string(c.Retr(ftptest.PASV, "down.bin")); got != "0123456789" {
		t.Fatalf("RETR: %q", got)
	}
	c.Stor(ftptest.PASV, "STOR", "my upload.txt", []byte("abc"))
	_, list := c.Transfer(ftptest.PASV, "LIST", nil) // listings are not logged
	if me := parseIDFile("/etc/passwd")[uint32(os.Getuid())]; me != "" && !strings.Contains(string(list), " "+me+" ") {
		t.Errorf("text_userdb_names=YES: LIST does not show the owner %q:\n%s", me, list)
	}

	xfer := readLines(t, xf)
	want := []*regexp.Regexp{
		regexp.MustCompile(`^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} 1 127\.0\.0\.1 10 /down\.bin b _ o r alice ftp 0 \* c$`),
		regexp.MustCompile(`^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} 1 127\.0\.0\.1 3 /my_upload\.txt b _ i r alice ftp 0 \* c$`),
	}
	if len(xfer) != 2 || !want[0].MatchString(xfer[0]) || !want[1].MatchString(xfer[1]) {
		t.Errorf("xferlog:\n%s", strings.Join(xfer, "\n"))
	}
	vs := readLines(t, vf)
	if len(vs) != 2 || !strings.Contains(vs[0], `[alice] OK DOWNLOAD: Client "127.0.0.1", "/down.bin", 10 bytes, `) ||
		!strings.Contains(vs[1], `[alice] OK UPLOAD: Client "127.0.0.1", "/my upload.txt", 3 bytes, `) {
		t.Errorf("vsftpd log:\n%s", strings.Join(vs, "\n"))
	}

	if err := os.Rename(xf, xf+".1"); err != nil {
		t.Fatal(err)
	}
	d.Reload()
	c.Retr(ftptest.PASV, "down.bin")
	if got := readLines(t, xf); len(got) != 1 || !strings.Contains(got[0], " /down.bin ") {
		t.Errorf("after Reload the new xferlog has %q", got)
	}
}

func readLines(t *testing.T, name string) []string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// TestTransferLogRules: which logs each combination of keys opens.
func TestTransferLogRules(t *testing.T) {
	dir := t.TempDir()
	xf, vf := filepath.Join(dir, "x"), filepath.Join(dir, "v")
	base := "anonymous_enable=NO\nxferlog_file=" + xf + "\nvsftpd_log_file=" + vf + "\n"
	for _, tc := range []struct {
		keys           string
		xferlog, vsftp bool
	}{
		{"", false, false},
		{"xferlog_std_format=YES", false, false},
		{"xferlog_enable=YES", false, true},
		{"xferlog_enable=YES\nxferlog_std_format=YES", true, false},
		{"dual_log_enable=YES", true, true},
		{"xferlog_enable=YES\nsyslog_enable=YES", false, false},
	} {
		os.Remove(xf)
		os.Remove(vf)
		cfg, _, err := config.Parse("t.conf", []byte(base+tc.keys), nil)
		if err != nil {
			t.Fatal(err)
		}
		l, err := openTransferLog(cfg, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatalf("%q: %v", tc.keys, err)
		}
		if l != nil {
			l.Close()
		}
		_, xerr := os.Stat(xf)
		_, verr := os.Stat(vf)
		if (xerr == nil) != tc.xferlog || (verr == nil) != tc.vsftp {
			t.Errorf("%q: xferlog_file opened %v, vsftpd_log_file opened %v; want %v, %v", tc.keys,
				xerr == nil, verr == nil, tc.xferlog, tc.vsftp)
		}
	}
	cfg, _, err := config.Parse("t.conf", []byte(base+"xferlog_enable=YES\nvsftpd_log_file="+dir+"/no/such/dir/v"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := openTransferLog(cfg, slog.New(slog.DiscardHandler)); err == nil {
		t.Error("an explicit vsftpd_log_file that cannot be opened: no error")
	}
}

// TestUserDB: text_userdb_names' lookups follow edits of the files.
func TestUserDB(t *testing.T) {
	dir := t.TempDir()
	pw, gr := filepath.Join(dir, "passwd"), filepath.Join(dir, "group")
	os.WriteFile(pw, []byte("root:x:0:0:root:/root:/bin/sh\nalice:x:1000:100::/home/alice:/bin/sh\ndup:x:1000:1::/:/bin/sh\n"), 0o644)
	os.WriteFile(gr, []byte("root:x:0:\nusers:x:100:alice\n"), 0o644)
	db := newUserDB(pw, gr)
	db.interval = 0
	if u, g := db.Names(1000, 100); u != "alice" || g != "users" {
		t.Errorf("1000/100: %q %q", u, g)
	}
	if u, g := db.Names(7, 7); u != "" || g != "" {
		t.Errorf("unknown ids: %q %q", u, g)
	}
	os.WriteFile(pw, []byte("bob:x:7:7::/home/bob:/bin/sh\nbobby:x:8:8::/:/bin/sh\n"), 0o644)
	if u, _ := db.Names(7, 7); u != "bob" {
		t.Errorf("after an edit of passwd: %q", u)
	}
}
