package ftp_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"wharf/internal/ftp"
	"wharf/internal/ftp/ftptest"
)

// TestSiteSwitches: chmod_enable and mdtm_write turn SITE CHMOD and MFMT
// off, and delay_successful_login holds the 230 back.
func TestSiteSwitches(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", func(o *ftp.Options) {
		o.ChmodEnable, o.MdtmWrite = false, false
		o.LoginWait = 300 * time.Millisecond
	})
	must(t, os.WriteFile(filepath.Join(s.Root, "f"), []byte("x"), 0o644))
	begin := time.Now()
	c := ftptest.Login(t, s.Addr)
	if d := time.Since(begin); d < 300*time.Millisecond {
		t.Errorf("login answered after %v, want at least delay_successful_login", d)
	}
	c.Cmd(550, "SITE CHMOD 600 f")
	c.Cmd(550, "MFMT 20200102030405 f")
	fi, err := os.Stat(filepath.Join(s.Root, "f"))
	must(t, err)
	if fi.Mode().Perm() != 0o644 || fi.ModTime().Year() == 2020 {
		t.Errorf("a refused command changed the file: %v %v", fi.Mode(), fi.ModTime())
	}
}

// TestRateLimit: local_max_rate paces a download. 1 MiB at 2 MiB/s with a
// 256 KiB burst cannot arrive in less than 0.375 s; unpaced it takes a few
// milliseconds on loopback.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", func(o *ftp.Options) { o.LocalMaxRate = 2 << 20 })
	data := make([]byte, 1<<20)
	must(t, os.WriteFile(filepath.Join(s.Root, "f"), data, 0o644))
	c := ftptest.Login(t, s.Addr)
	begin := time.Now()
	got := c.Retr(ftptest.EPSV, "f")
	if d := time.Since(begin); d < 350*time.Millisecond {
		t.Errorf("1 MiB at local_max_rate=2 MiB/s took %v", d)
	}
	if len(got) != len(data) {
		t.Errorf("got %d bytes, want %d", len(got), len(data))
	}
}
