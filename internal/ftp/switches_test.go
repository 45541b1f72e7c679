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
