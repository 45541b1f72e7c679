package vsftpdconf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wharf/internal/testbin"
)

// systemServer starts wharf on a config for system accounts checked
// against /etc/shadow (no pam_service_name line), with extra lines.
func systemServer(t *testing.T, extra ...string) *server {
	t.Helper()
	conf := writeConf(t, t.TempDir(), "vsftpd.conf", append([]string{
		"# system accounts, /etc/shadow path",
		"anonymous_enable=NO",
		"local_enable=YES",
		"write_enable=YES",
		"local_umask=022",
	}, extra...)...)
	s := startServer(t, serveOpts{conf: conf})
	if !strings.Contains(s.log(), "/etc/shadow") {
		t.Fatalf("the server did not say it checks /etc/shadow:\n%s", s.log())
	}
	return s
}

// refusedAtUSER: USER gets 530 with no 331 (no password asked), and a
// PASS sent anyway does not log in.
func refusedAtUSER(t *testing.T, s *server, a account) {
	t.Helper()
	f, _, _ := dial(t, s)
	f.hide = a.pass
	f.expect(530, "USER %s", a.name)
	if code, _ := f.cmd("PASS %s", a.pass); code == 230 {
		f.errorf("PASS after a refused USER logged in")
	}
}

// refusedAtPASS: USER gets 331, the right password gets 530.
func refusedAtPASS(t *testing.T, s *server, a account) {
	t.Helper()
	f, _, _ := dial(t, s)
	f.hide = a.pass
	f.expect(331, "USER %s", a.name)
	f.expect(530, "PASS %s", a.pass)
}

func loginOK(t *testing.T, s *server, a account) *ftpConn {
	t.Helper()
	f, _, _ := dial(t, s)
	f.login(a.name, a.pass)
	return f
}

// TestUserlist: userlist_enable with userlist_deny=YES refuses the listed
// users at USER, before any password is asked; userlist_deny=NO admits
// only them.
func TestUserlist(t *testing.T) {
	needRoot(t)
	t.Parallel()
	listed, other := addAccount(t, "/bin/bash"), addAccount(t, "/bin/bash")
	list := filepath.Join(t.TempDir(), "user_list")
	writeFile(t, list, "# the users vsftpd's user_list names\n"+listed.name+"\n", 0o644, -1, -1)

	t.Run("userlist_deny=YES", func(t *testing.T) {
		s := systemServer(t, "userlist_enable=YES", "userlist_deny=YES", "userlist_file="+list)
		refusedAtUSER(t, s, listed)
		loginOK(t, s, other).expect(221, "QUIT")
	})
	t.Run("userlist_deny=NO", func(t *testing.T) {
		s := systemServer(t, "userlist_enable=YES", "userlist_deny=NO", "userlist_file="+list)
		loginOK(t, s, listed).expect(221, "QUIT")
		refusedAtUSER(t, s, other)
	})
}

// TestChrootList: chroot_list_enable with chroot_local_user=NO jails only
// the listed users; with chroot_local_user=YES the list names the users
// left free.
func TestChrootList(t *testing.T) {
	needRoot(t)
	t.Parallel()
	listed, other := addAccount(t, "/bin/bash"), addAccount(t, "/bin/bash")
	list := filepath.Join(t.TempDir(), "chroot_list")
	writeFile(t, list, listed.name+"\n", 0o644, -1, -1)
	writeFile(t, filepath.Join(listed.home, "mine.txt"), "in the home\n", 0o644, listed.uid, listed.gid)

	jailed := func(t *testing.T, s *server, a account) {
		f := loginOK(t, s, a)
		if d := f.pwd(); d != "/" {
			f.errorf("%s: PWD %q, want / (jailed in the home directory)", a.name, d)
		}
		if code, data := f.retr("/etc/passwd"); code != 550 || data != "" {
			f.errorf("%s is jailed but RETR /etc/passwd gave %d", a.name, code)
		}
		f.expect(250, "CWD ..")
		if d := f.pwd(); d != "/" {
			f.errorf("%s: PWD after CWD .. is %q, want /", a.name, d)
		}
		f.expect(221, "QUIT")
	}
	free := func(t *testing.T, s *server, a account) {
		f := loginOK(t, s, a)
		if d := f.pwd(); d != a.home {
			f.errorf("%s: PWD %q, want %s", a.name, d, a.home)
		}
		if code, data := f.retr("/etc/passwd"); code != 226 || !strings.Contains(data, "root:") {
			f.errorf("%s is not jailed but RETR /etc/passwd gave %d", a.name, code)
		}
		f.expect(221, "QUIT")
	}
	t.Run("chroot_local_user=NO", func(t *testing.T) {
		s := systemServer(t, "chroot_local_user=NO", "chroot_list_enable=YES", "chroot_list_file="+list)
		jailed(t, s, listed)
		f := loginOK(t, s, listed)
		if code, data := f.retr("mine.txt"); code != 226 || data != "in the home\n" {
			f.errorf("the jailed user's own file: %d %q", code, data)
		}
		free(t, s, other)
	})
	t.Run("chroot_local_user=YES", func(t *testing.T) {
		s := systemServer(t, "chroot_local_user=YES", "chroot_list_enable=YES", "chroot_list_file="+list)
		free(t, s, listed)
		jailed(t, s, other)
	})
}

// TestUserConfigDir: a file named after a user in user_config_dir with
// write_enable=NO makes that user read-only; another user still writes.
func TestUserConfigDir(t *testing.T) {
	needRoot(t)
	t.Parallel()
	ro, rw := addAccount(t, "/bin/bash"), addAccount(t, "/bin/bash")
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, ro.name), "# per-user overrides\nwrite_enable=NO\n", 0o644, -1, -1)
	writeFile(t, filepath.Join(ro.home, "old.txt"), "old\n", 0o644, ro.uid, ro.gid)
	s := systemServer(t, "user_config_dir="+dir)

	f := loginOK(t, s, ro)
	if code := f.stor("new.txt", "x"); code != 550 {
		f.errorf("STOR by %s (write_enable=NO in %s): %d, want 550", ro.name, dir, code)
	}
	if code, _ := f.cmd("DELE old.txt"); code != 550 {
		f.errorf("DELE by the read-only user: %d, want 550", code)
	}
	if code, _ := f.cmd("MKD d"); code != 550 {
		f.errorf("MKD by the read-only user: %d, want 550", code)
	}
	if code, data := f.retr("old.txt"); code != 226 || data != "old\n" {
		f.errorf("RETR by the read-only user: %d %q, want 226", code, data)
	}
	f.expect(221, "QUIT")
	if _, err := os.Stat(filepath.Join(ro.home, "new.txt")); err == nil {
		t.Errorf("the read-only user's upload is on disk")
	}

	g := loginOK(t, s, rw)
	if code := g.stor("new.txt", "x"); code != 226 {
		g.errorf("STOR by %s (no per-user file): %d, want 226", rw.name, code)
	}
	g.expect(221, "QUIT")
	checkOwned(t, filepath.Join(rw.home, "new.txt"), rw, 0o644)
}

// TestCheckShell: with check_shell=YES (the default) and no
// pam_service_name line, an account whose shell is not in /etc/shells
// (/usr/sbin/nologin) is refused; check_shell=NO admits it.
func TestCheckShell(t *testing.T) {
	needRoot(t)
	t.Parallel()
	if b, _ := os.ReadFile("/etc/shells"); strings.Contains(string(b), "/usr/sbin/nologin\n") {
		t.Skip("/usr/sbin/nologin is listed in /etc/shells on this machine")
	}
	a := addAccount(t, "/usr/sbin/nologin")
	t.Run("check_shell=YES", func(t *testing.T) {
		refusedAtPASS(t, systemServer(t, "check_shell=YES"), a)
	})
	t.Run("check_shell=NO", func(t *testing.T) {
		loginOK(t, systemServer(t, "check_shell=NO"), a).expect(221, "QUIT")
	})
}

// TestLockedAccount: `usermod -L` (a "!" before the hash in /etc/shadow)
// refuses the account from the next login on.
func TestLockedAccount(t *testing.T) {
	needRoot(t)
	t.Parallel()
	a := addAccount(t, "/bin/bash")
	s := systemServer(t)
	loginOK(t, s, a).expect(221, "QUIT")
	runCmd(t, "", "usermod", "-L", a.name)
	refusedAtPASS(t, s, a)
}

// TestAnonymous: anonymous_enable=YES with anon_root and
// anon_upload_enable=NO: anonymous users list and download world-readable
// files, not a 0600 one (anon_world_readable_only), and change nothing,
// even with write_enable=YES.
func TestAnonymous(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "pub.txt"), "for everyone\n", 0o644, -1, -1)
	writeFile(t, filepath.Join(root, "private.txt"), "not for anonymous\n", 0o600, -1, -1)
	conf := writeConf(t, t.TempDir(), "vsftpd.conf",
		"anonymous_enable=YES",
		"anon_root="+root,
		"anon_upload_enable=NO",
		"anon_mkdir_write_enable=NO",
		"anon_other_write_enable=NO",
		"anon_world_readable_only=YES",
		"write_enable=YES",
		"local_enable=NO",
	)
	s := startServer(t, serveOpts{conf: conf})
	for _, name := range []string{"anonymous", "ftp"} {
		t.Run(name, func(t *testing.T) {
			f, _, _ := dial(t, s)
			f.expect(331, "USER %s", name)
			f.expect(230, "PASS guest@example.com")
			if d := f.pwd(); d != "/" {
				f.errorf("PWD %q, want / (anon_root)", d)
			}
			code, names := f.nlst("")
			if code != 226 || !contains(names, "pub.txt") {
				f.errorf("NLST: %d %q, want 226 with pub.txt", code, names)
			}
			if code, data := f.retr("pub.txt"); code != 226 || data != "for everyone\n" {
				f.errorf("RETR pub.txt: %d %q, want 226", code, data)
			}
			if code, data := f.retr("private.txt"); code != 550 || data != "" {
				f.errorf("RETR private.txt (0600): %d, want 550", code)
			}
			if code := f.stor("upload.txt", "x"); code != 550 {
				f.errorf("STOR: %d, want 550", code)
			}
			if code, _ := f.cmd("MKD newdir"); code != 550 {
				f.errorf("MKD: %d, want 550", code)
			}
			if code, _ := f.cmd("DELE pub.txt"); code != 550 {
				f.errorf("DELE: %d, want 550", code)
			}
			f.expect(221, "QUIT")
		})
	}
	for _, p := range []string{"upload.txt", "newdir"} {
		if _, err := os.Stat(filepath.Join(root, p)); err == nil {
			t.Errorf("%s was created by an anonymous user", p)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "pub.txt")); err != nil {
		t.Errorf("pub.txt: %v", err)
	}
}

// TestAccessFilesAndMessages: deny_file, hide_file, cmds_denied,
// dirmessage_enable and banner_file, for a user of a users file (none of
// this is about system accounts).
func TestAccessFilesAndMessages(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(filepath.Join(home, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(home, "a.secret"), "denied\n", 0o644, -1, -1)
	writeFile(t, filepath.Join(home, "a.txt"), "plain\n", 0o644, -1, -1)
	writeFile(t, filepath.Join(home, "b.hidden"), "hidden but there\n", 0o644, -1, -1)
	writeFile(t, filepath.Join(home, "sub", ".message"), "Welcome to sub: read the rules.\n", 0o644, -1, -1)
	writeFile(t, filepath.Join(dir, "banner"), "Wharf test site banner\nSecond banner line\n", 0o644, -1, -1)
	users := filepath.Join(dir, "users")
	user, pass := "carol", "pw-carol-Zq9-2024"
	if err := testbin.AddUser(wharfBin, users, home, user, pass, "-perms", "rlw"); err != nil {
		t.Fatal(err)
	}
	conf := writeConf(t, dir, "vsftpd.conf",
		"anonymous_enable=NO",
		"local_enable=YES",
		"write_enable=YES",
		"users_file="+users,
		"deny_file={*.secret}",
		"hide_file={*.hidden}",
		"cmds_denied=DELE",
		"dirmessage_enable=YES",
		"banner_file="+filepath.Join(dir, "banner"),
	)
	s := startServer(t, serveOpts{conf: conf})
	f, code, greeting := dial(t, s)
	f.hide = pass

	t.Run("banner_file", func(t *testing.T) {
		if code != 220 || !strings.Contains(greeting, "Wharf test site banner") || !strings.Contains(greeting, "Second banner line") {
			f.errorf("greeting %d %q, want 220 with banner_file's two lines", code, greeting)
		}
	})
	f.login(user, pass)
	t.Run("deny_file", func(t *testing.T) {
		if code, data := f.retr("a.secret"); code != 550 || data != "" {
			f.errorf("RETR a.secret: %d, want 550", code)
		}
		if code, data := f.retr("a.txt"); code != 226 || data != "plain\n" {
			f.errorf("RETR a.txt: %d %q, want 226", code, data)
		}
	})
	t.Run("hide_file", func(t *testing.T) {
		code, names := f.nlst("")
		if code != 226 || contains(names, "b.hidden") || !contains(names, "a.txt") {
			f.errorf("NLST: %d %q, want 226 with a.txt and without b.hidden", code, names)
		}
		if code, text := f.list(""); code != 226 || strings.Contains(text, "b.hidden") || !strings.Contains(text, "a.txt") {
			f.errorf("LIST: %d %q, want 226 with a.txt and without b.hidden", code, text)
		}
		if code, data := f.retr("b.hidden"); code != 226 || data != "hidden but there\n" {
			f.errorf("RETR b.hidden: %d %q, want 226", code, data)
		}
	})
	t.Run("cmds_denied", func(t *testing.T) {
		if code, _ := f.cmd("DELE a.txt"); code != 550 {
			f.errorf("DELE with cmds_denied=DELE: %d, want 550", code)
		}
		if _, err := os.Stat(filepath.Join(home, "a.txt")); err != nil {
			t.Errorf("a.txt after a denied DELE: %v", err)
		}
	})
	t.Run("dirmessage_enable", func(t *testing.T) {
		text := f.expect(250, "CWD sub")
		if !strings.Contains(text, "Welcome to sub: read the rules.") {
			f.errorf("CWD sub: %q, want .message's text", text)
		}
		text = f.expect(250, "CWD ..")
		if strings.Contains(text, "Welcome") {
			f.errorf("CWD .. (no .message): %q", text)
		}
	})
	f.expect(221, "QUIT")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
