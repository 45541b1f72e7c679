package ftp_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"wharf/internal/access"
	"wharf/internal/ftp"
	"wharf/internal/ftp/ftptest"
)

// TestTransferLogHook: RETR and STOR each give one TransferRecord with the
// session's facts; listings give none.
func TestTransferLogHook(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var recs []ftp.TransferRecord
	s := start(t, "tcp4", func(o *ftp.Options) {
		o.TransferLog = func(r ftp.TransferRecord) {
			mu.Lock()
			recs = append(recs, r)
			mu.Unlock()
		}
	})
	must(t, os.WriteFile(filepath.Join(s.Root, "down.txt"), []byte("hello\n"), 0o644))
	c := ftptest.Login(t, s.Addr)
	c.Cmd(200, "TYPE I")
	c.Retr(ftptest.PASV, "down.txt")
	c.Transfer(ftptest.PASV, "LIST", nil)
	c.Cmd(200, "TYPE A")
	c.Stor(ftptest.PASV, "STOR", "up load.txt", []byte("abc\r\n"))
	mu.Lock()
	defer mu.Unlock()
	if len(recs) != 2 {
		t.Fatalf("got %d records, want 2 (RETR, STOR): %+v", len(recs), recs)
	}
	down, up := recs[0], recs[1]
	if down.Path != "/down.txt" || down.Bytes != 6 || down.Upload || down.ASCII || !down.Complete ||
		down.User != ftptest.User || down.Anonymous || down.Remote != c.ClientIP() || down.Time.IsZero() {
		t.Errorf("RETR record: %+v", down)
	}
	if up.Path != "/up load.txt" || !up.Upload || !up.ASCII || !up.Complete || up.User != ftptest.User {
		t.Errorf("STOR record: %+v", up)
	}
}

// TestDownloadUploadFile: download_file and upload_file allow only
// matching names.
func TestDownloadUploadFile(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", func(o *ftp.Options) {
		var err error
		o.Policy.DownloadFile, err = access.ParseNameFilter("*.txt")
		must(t, err)
		o.Policy.UploadFile, err = access.ParseNameFilter("{*.zip,*.tgz}")
		must(t, err)
	})
	must(t, os.WriteFile(filepath.Join(s.Root, "a.txt"), []byte("a"), 0o644))
	must(t, os.WriteFile(filepath.Join(s.Root, "b.bin"), []byte("b"), 0o644))
	c := ftptest.Login(t, s.Addr)
	c.Retr(ftptest.PASV, "a.txt")
	c.Cmd(227, "PASV")
	c.Cmd(550, "RETR b.bin")
	c.Stor(ftptest.PASV, "STOR", "ok.zip", []byte("z"))
	c.Cmd(227, "PASV")
	c.Cmd(550, "STOR no.txt")
	if _, err := os.Stat(filepath.Join(s.Root, "no.txt")); err == nil {
		t.Error("a refused upload created its file")
	}
}

// TestTildeUser: "~user/..." names the user's home when it lies inside the
// session's root, and is an ordinary name otherwise.
func TestTildeUser(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(root, "home", "bob"), 0o755))
	must(t, os.WriteFile(filepath.Join(root, "home", "bob", "f"), []byte("bob's"), 0o644))
	opts := ftptest.Options(root)
	opts.UserHome = func(name string) (string, bool) {
		switch name {
		case "bob":
			return filepath.Join(root, "home", "bob"), true
		case "eve":
			return "/elsewhere/eve", true
		}
		return "", false
	}
	s := ftptest.Start(t, "tcp4", opts)
	c := ftptest.Login(t, s.Addr)
	if got := string(c.Retr(ftptest.PASV, "~bob/f")); got != "bob's" {
		t.Errorf("RETR ~bob/f: %q", got)
	}
	c.Cmd(250, "CWD ~bob")
	if msg := c.Cmd(257, "PWD"); !strings.Contains(msg, `"/home/bob"`) {
		t.Errorf("PWD after CWD ~bob: %q", msg)
	}
	c.Cmd(550, "CWD ~eve")    // outside the root: a name, which does not exist
	c.Cmd(550, "CWD ~nobody") // no such user
}
