package ftp_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wharf/internal/auth"
	"wharf/internal/ftp"
	"wharf/internal/ftp/ftptest"
)

// writeCommands all need the write right; each is answered 550 without it.
var writeCommands = []string{
	"STOR new", "APPE f", "STOU", "MKD d", "XMKD d", "RMD sub", "DELE f", "RNFR f",
	"SITE CHMOD 600 f", "MFMT 20200101000000 f",
}

func TestWriteDisabled(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", func(o *ftp.Options) { o.WriteEnable = false })
	writeFile(t, s.Root, "f", []byte("data"))
	must(t, os.Mkdir(filepath.Join(s.Root, "sub"), 0o755))
	c := ftptest.Login(t, s.Addr)
	for _, cmd := range writeCommands {
		c.Cmd(229, "EPSV")
		if code, msg := c.Do("%s", cmd); code != 550 {
			t.Errorf("%s with write_enable=NO: %d %q, want 550", cmd, code, msg)
		}
	}
	sameBytes(t, "RETR with write_enable=NO", c.Retr(ftptest.EPSV, "f"), []byte("data"))
	checkTree(t, s.Root, "f", "sub")
}

// checkTree fails unless dir holds exactly names.
func checkTree(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	must(t, err)
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Errorf("%s holds %q, want %q", dir, got, names)
	}
}

func TestReadOnlyIdentity(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	ro := start(t, "tcp4", func(o *ftp.Options) {
		o.Auth = ftptest.AuthFunc(func(context.Context, auth.Request) (*auth.Identity, error) {
			return &auth.Identity{Name: "reader", Home: root, Perms: auth.PermRead | auth.PermList, UID: -1, GID: -1}, nil
		})
	})
	writeFile(t, root, "f", []byte("data"))
	must(t, os.Mkdir(filepath.Join(root, "sub"), 0o755))
	c := ftptest.Login(t, ro.Addr)
	for _, cmd := range writeCommands {
		c.Cmd(229, "EPSV")
		if code, msg := c.Do("%s", cmd); code != 550 {
			t.Errorf("%s for a read-only account: %d %q, want 550", cmd, code, msg)
		}
	}
	checkTree(t, root, "f", "sub")
}

func TestDownloadAndListDisabled(t *testing.T) {
	t.Parallel()
	noDown := start(t, "tcp4", func(o *ftp.Options) { o.DownloadEnable = false })
	writeFile(t, noDown.Root, "f", []byte("data"))
	c := ftptest.Login(t, noDown.Addr)
	c.Cmd(229, "EPSV")
	if code, msg := c.Do("RETR f"); code != 550 {
		t.Errorf("RETR with download_enable=NO: %d %q, want 550", code, msg)
	}
	c.Transfer(ftptest.EPSV, "LIST", nil)

	noList := start(t, "tcp4", func(o *ftp.Options) { o.DirlistEnable = false })
	writeFile(t, noList.Root, "f", []byte("data"))
	c = ftptest.Login(t, noList.Addr)
	for _, cmd := range []string{"LIST", "NLST", "MLSD", "STAT /"} {
		c.Cmd(229, "EPSV")
		if code, msg := c.Do("%s", cmd); code != 550 {
			t.Errorf("%s with dirlist_enable=NO: %d %q, want 550", cmd, code, msg)
		}
	}
	sameBytes(t, "RETR with dirlist_enable=NO", c.Retr(ftptest.EPSV, "f"), []byte("data"))
}

func TestAnonymous(t *testing.T) {
	t.Parallel()
	t.Run("read only", func(t *testing.T) {
		t.Parallel()
		s := start(t, "tcp4", func(o *ftp.Options) { o.AnonymousEnable = true })
		s2 := start(t, "tcp4", func(o *ftp.Options) { o.AnonymousEnable, o.AnonRoot = true, s.Root })
		writeFile(t, s.Root, "f", []byte("public"))
		for _, name := range []string{"anonymous", "ftp", "FTP"} {
			c := ftptest.Dial(t, s2.Addr)
			c.Cmd(331, "USER %s", name)
			c.Cmd(230, "PASS someone@example.com")
			sameBytes(t, "anonymous RETR", c.Retr(ftptest.EPSV, "f"), []byte("public"))
			for _, cmd := range writeCommands {
				c.Cmd(229, "EPSV")
				if code, msg := c.Do("%s", cmd); code != 550 {
					t.Errorf("anonymous %s: %d %q, want 550", cmd, code, msg)
				}
			}
		}
		checkTree(t, s.Root, "f")
	})
	t.Run("upload and mkdir", func(t *testing.T) {
		t.Parallel()
		root := t.TempDir()
		s := start(t, "tcp4", func(o *ftp.Options) {
			o.AnonymousEnable, o.AnonRoot, o.NoAnonPassword = true, root, true
			o.AnonUploadEnable, o.AnonMkdirWriteEnable, o.AnonUmask = true, true, 0o077
		})
		c := ftptest.Dial(t, s.Addr)
		c.Cmd(230, "USER anonymous") // no_anon_password: no PASS
		c.Stor(ftptest.EPSV, "STOR", "up", []byte("x"))
		c.Cmd(257, "MKD dir")
		for _, cmd := range []string{"DELE up", "RNFR up", "RMD dir", "SITE CHMOD 644 up"} {
			if code, msg := c.Do("%s", cmd); code != 550 {
				t.Errorf("anonymous %s without anon_other_write_enable: %d %q, want 550", cmd, code, msg)
			}
		}
		checkMode(t, filepath.Join(root, "up"), 0o600)
		checkMode(t, filepath.Join(root, "dir"), 0o700)
	})
	t.Run("disabled", func(t *testing.T) {
		t.Parallel()
		s := start(t, "tcp4", nil)
		c := ftptest.Dial(t, s.Addr)
		if code, msg := c.Do("USER anonymous"); code != 530 {
			t.Errorf("USER anonymous with anonymous_enable=NO: %d %q", code, msg)
		}
		only := start(t, "tcp4", func(o *ftp.Options) { o.LocalEnable, o.AnonymousEnable = false, true })
		c = ftptest.Dial(t, only.Addr)
		if code, msg := c.Do("USER %s", ftptest.User); code != 530 || !strings.Contains(msg, "anonymous") {
			t.Errorf("local user on an anonymous-only server: %d %q", code, msg)
		}
	})
}

func checkMode(t *testing.T, p string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(p)
	must(t, err)
	if fi.Mode().Perm() != want {
		t.Errorf("%s has mode %v, want %v", filepath.Base(p), fi.Mode().Perm(), want)
	}
}

func TestUmaskAndFileMode(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", nil)
	c := ftptest.Login(t, s.Addr)
	c.Stor(ftptest.EPSV, "STOR", "a", []byte("x"))
	c.Cmd(257, "MKD da")
	c.Cmd(200, "SITE UMASK 077")
	c.Stor(ftptest.EPSV, "STOR", "b", []byte("x"))
	c.Cmd(257, "MKD db")
	checkMode(t, filepath.Join(s.Root, "a"), 0o644)
	checkMode(t, filepath.Join(s.Root, "da"), 0o755)
	checkMode(t, filepath.Join(s.Root, "b"), 0o600)
	checkMode(t, filepath.Join(s.Root, "db"), 0o700)

	s = start(t, "tcp4", func(o *ftp.Options) { o.FileOpenMode = 0o640 })
	c = ftptest.Login(t, s.Addr)
	c.Stor(ftptest.EPSV, "STOR", "c", []byte("x"))
	checkMode(t, filepath.Join(s.Root, "c"), 0o640)
	// A replaced file keeps its mode.
	must(t, os.Chmod(filepath.Join(s.Root, "c"), 0o604))
	c.Stor(ftptest.EPSV, "STOR", "c", []byte("y"))
	checkMode(t, filepath.Join(s.Root, "c"), 0o604)
}

func TestMaxLoginFails(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", func(o *ftp.Options) { o.MaxLoginFails = 2 })
	c := ftptest.Dial(t, s.Addr)
	c.Cmd(331, "USER %s", ftptest.User)
	c.Cmd(530, "PASS bad")
	c.Cmd(331, "USER %s", ftptest.User)
	if code, msg := c.Do("PASS bad"); code != 530 || !strings.Contains(msg, "closing") {
		t.Errorf("last allowed failure: %d %q", code, msg)
	}
	c.ExpectClosed(ftptest.ReplyTimeout)
}

// TestReinLogsInAsSomeoneElse: after REIN another user logs in, with that
// user's files and nothing of the first user left in the session or logs.
func TestReinLogsInAsSomeoneElse(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	rootA, rootB := t.TempDir(), t.TempDir()
	writeFile(t, rootA, "a-file", []byte("a"))
	writeFile(t, rootB, "b-file", []byte("b"))
	s := start(t, "tcp4", func(o *ftp.Options) {
		a, b := ftptest.StaticAuth("alice", "pa", rootA), ftptest.StaticAuth("bob", "pb", rootB)
		o.Auth = ftptest.AuthFunc(func(ctx context.Context, req auth.Request) (*auth.Identity, error) {
			if req.User == "bob" {
				return b.Authenticate(ctx, req)
			}
			return a.Authenticate(ctx, req)
		})
		o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	c := ftptest.Dial(t, s.Addr)
	c.Login("alice", "pa")
	c.Cmd(257, "MKD x")
	c.Cmd(250, "CWD x")
	c.Cmd(200, "TYPE A")
	c.Cmd(220, "REIN")
	c.Login("bob", "pb")
	if msg := c.Cmd(257, "PWD"); !strings.HasPrefix(msg, `"/"`) {
		t.Errorf("PWD after REIN and a new login: %q", msg)
	}
	if msg := c.Cmd(211, "STAT"); !strings.Contains(msg, "Logged in as bob") || !strings.Contains(msg, "TYPE: ASCII") {
		t.Errorf("STAT after REIN: %q", msg)
	}
	_, nlst := c.Transfer(ftptest.EPSV, "NLST", nil)
	if string(nlst) != "b-file\r\n" {
		t.Errorf("bob sees %q", nlst)
	}
	c.Cmd(221, "QUIT")
	c.ExpectClosed(ftptest.ReplyTimeout)
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "user=bob") && strings.Contains(line, "user=alice") {
			t.Errorf("a log line names both users: %s", line)
		}
	}
}
