package vsftpdconf

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"wharf/internal/testbin"
)

// installDebianPAM installs the vsftpd package's etc/pam.d/vsftpd as
// /etc/pam.d/vsftpd for the test (pam_service_name=vsftpd in Debian's
// file names it; apt would have installed it with the config).
func installDebianPAM(t testing.TB, pkg string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(pkg, "etc/pam.d/vsftpd"))
	if err != nil {
		t.Fatal(err)
	}
	installPAMService(t, "vsftpd", b)
}

// TestDebianConfigChecks: `wharf check-config -c` on Debian's packaged
// /etc/vsftpd.conf reports no error, with its PAM service installed as the
// package installs it. It needs root as vsftpd does: the file says
// connect_from_port_20=YES (binding port 20) and listens on port 21.
func TestDebianConfigChecks(t *testing.T) {
	needRoot(t)
	needHelper(t)
	pkg := vsftpdPackage(t)
	conf := filepath.Join(pkg, "etc/vsftpd.conf")

	// Without /etc/pam.d/vsftpd (the package not installed), the error
	// names the line and the missing file.
	if _, err := os.Stat("/etc/pam.d/vsftpd"); os.IsNotExist(err) {
		out, code := checkConfig(t, nil, append([]string{"-c", conf}, port21Args(t)...)...)
		want := conf + ":" + strconv.Itoa(lineOf(t, conf, "pam_service_name=")) + ": pam_service_name"
		if code != 1 || !strings.Contains(out, want) || !strings.Contains(out, "/etc/pam.d/vsftpd") {
			t.Errorf("without /etc/pam.d/vsftpd: exit %d, want 1 with %q and the missing file named:\n%s", code, want, out)
		}
	}

	installDebianPAM(t, pkg)
	out, code := checkConfig(t, nil, append([]string{"-c", conf}, port21Args(t)...)...)
	t.Logf("wharf check-config -c %s (exit %d):\n%s", conf, code, out)
	if code != 0 {
		t.Fatalf("Debian's /etc/vsftpd.conf: exit %d, want 0", code)
	}
}

// TestDebianExamples: every vsftpd.conf under the package's
// usr/share/doc/vsftpd/examples loads (anon_max_rate, which two of them
// set, included).
func TestDebianExamples(t *testing.T) {
	needRoot(t) // connect_from_port_20=YES binds port 20; port 21; /etc/shadow
	pkg := vsftpdPackage(t)
	confs, _ := filepath.Glob(filepath.Join(pkg, "usr/share/doc/vsftpd/examples/*/vsftpd.conf"))
	if len(confs) == 0 {
		t.Fatal("the vsftpd package ships no examples/*/vsftpd.conf")
	}
	p21 := port21Args(t)
	for _, conf := range confs {
		example := filepath.Base(filepath.Dir(conf))
		t.Run(example, func(t *testing.T) {
			args := append([]string{"-c", conf}, p21...)
			switch {
			case hasLine(t, conf, "guest_username=virtual"):
				// The example's README has the administrator create the
				// account first: useradd -d /home/ftpsite virtual.
				if _, ok := lookupUser("virtual"); !ok {
					out, code := checkConfig(t, nil, args...)
					t.Logf("without an account named virtual (exit %d):\n%s", code, out)
					want := conf + ":" + strconv.Itoa(lineOf(t, conf, "guest_username=")) + ": guest_username"
					if code != 1 || !strings.Contains(out, want) {
						t.Errorf("exit %d; want 1 and %q", code, want)
					}
				}
				acct := addAccount(t, "/usr/sbin/nologin")
				t.Logf("guest account %s stands for the README's \"virtual\"", acct.name)
				args = append(args, "-o", "guest_username="+acct.name)
			}
			out, code := checkConfig(t, nil, args...)
			t.Logf("wharf check-config %s (exit %d):\n%s", strings.Join(args, " "), code, out)
			if code != 0 {
				t.Errorf("exit %d, want 0", code)
			}
		})
	}
}

// TestDebianServe: `wharf serve -c` on Debian's /etc/vsftpd.conf with its
// PAM stack, the ports overridden with -o, and a system account made with
// useradd; curl and lftp log in, upload, and find the chroot jail shut.
func TestDebianServe(t *testing.T) {
	needRoot(t)
	needHelper(t)
	curl := testbin.NeedTool(t, "curl", "curl")
	lftp := testbin.NeedTool(t, "lftp", "lftp")
	pkg := vsftpdPackage(t)
	conf := filepath.Join(pkg, "etc/vsftpd.conf")
	installDebianPAM(t, pkg)
	acct := addAccount(t, "/bin/bash")
	// A way out of the jail, if symlinks were followed.
	if err := os.Symlink("/etc", filepath.Join(acct.home, "etclink")); err != nil {
		t.Fatal(err)
	}
	local := filepath.Join(t.TempDir(), "payload.txt")
	writeFile(t, local, "uploaded through wharf\n", 0o644, -1, -1)
	ipv6 := testbin.HaveIPv6() // Debian's file says listen_ipv6=YES: use listen_address6=::1 when possible

	t.Run("chroot_local_user=YES", func(t *testing.T) {
		// write_enable=YES is commented out in Debian's file; so is
		// local_umask=022, so the default 077 applies.
		s := startServer(t, serveOpts{conf: conf, ipv6: ipv6, o: []string{"chroot_local_user=YES", "write_enable=YES"}})
		if !strings.Contains(strings.ReplaceAll(s.log(), `\"`, `"`), `through PAM service "vsftpd"`) {
			t.Errorf("the server did not say it logs in through PAM service vsftpd:\n%s", s.log())
		}
		base := "ftp://" + s.urlHost() + ":" + strconv.Itoa(s.port) + "/"
		userpw := acct.name + ":" + acct.pass

		out, err := client(t, curl, "-sS", "--user", userpw, "-T", local, base+"curl.txt")
		if err != nil {
			t.Fatalf("curl upload: %v\n%s", err, out)
		}
		checkOwned(t, filepath.Join(acct.home, "curl.txt"), acct, 0o600)
		checkContent(t, filepath.Join(acct.home, "curl.txt"), "uploaded through wharf\n")

		lftpScript := func(cmds ...string) (string, error) {
			return client(t, lftp, "-c", strings.Join(append([]string{
				"set cmd:fail-exit yes", "set cmd:interactive no", "set ftp:ssl-allow no",
				"set net:max-retries 1", "set net:timeout 20", "set xfer:clobber yes",
				"open -u " + acct.name + "," + acct.pass + " " + base,
			}, cmds...), "; "))
		}
		out, err = lftpScript("put "+local+" -o lftp.txt", "cls -1")
		if err != nil {
			t.Fatalf("lftp upload: %v\n%s", err, out)
		}
		if !strings.Contains(out, "curl.txt") || !strings.Contains(out, "lftp.txt") {
			t.Errorf("lftp cls after the uploads:\n%s\nwant curl.txt and lftp.txt", out)
		}
		checkOwned(t, filepath.Join(acct.home, "lftp.txt"), acct, 0o600)
		checkContent(t, filepath.Join(acct.home, "lftp.txt"), "uploaded through wharf\n")

		// The jail: /etc is not reachable by path, by .., or by a symlink.
		for _, what := range []struct {
			name, tool string
			args       []string
		}{
			{"curl /etc/passwd", curl, []string{"-sS", "--user", userpw, base + "%2Fetc/passwd"}},
			{"curl ../../etc/passwd", curl, []string{"-sS", "--path-as-is", "--user", userpw, base + "../../etc/passwd"}},
			{"curl etclink/passwd", curl, []string{"-sS", "--user", userpw, base + "etclink/passwd"}},
		} {
			out, err := client(t, what.tool, what.args...)
			if err == nil || strings.Contains(out, "root:x:0:0") {
				t.Errorf("%s: succeeded from the jail:\n%s", what.name, out)
			}
		}
		// (get, not cat: lftp 4.9's cat does not exit after a failed RETR.)
		got := filepath.Join(t.TempDir(), "got")
		for _, cmds := range [][]string{{"cd /etc", "cls -1"}, {"get /etc/passwd -o " + got}, {"cd ..", "cd ..", "get etc/passwd -o " + got}, {"get etclink/passwd -o " + got}} {
			out, err := lftpScript(cmds...)
			b, _ := os.ReadFile(got)
			if err == nil || strings.Contains(out, "root:x:0:0") || strings.Contains(string(b), "root:") {
				t.Errorf("lftp %q: succeeded from the jail:\n%s", cmds, out)
			}
		}
		f, code, _ := dial(t, s)
		if code != 220 {
			f.fatalf("greeting %d", code)
		}
		f.login(acct.name, acct.pass)
		if d := f.pwd(); d != "/" {
			f.errorf("PWD in the jail = %q, want /", d)
		}
		f.expect(250, "CWD ..")
		if d := f.pwd(); d != "/" {
			f.errorf("PWD after CWD .. = %q, want /", d)
		}
		for _, p := range []string{"/etc", "../etc", "etclink"} {
			if code, _ := f.cmd("CWD %s", p); code/100 == 2 {
				f.errorf("CWD %s from the jail: %d", p, code)
			}
		}
		for _, p := range []string{"/etc/passwd", "../../etc/passwd", "etclink/passwd"} {
			if code, data := f.retr(p); code != 550 || data != "" {
				f.errorf("RETR %s from the jail: %d, want 550", p, code)
			}
		}
		f.expect(221, "QUIT")

		// A wrong password is refused (curl: "login denied", exit 67).
		out, err = client(t, curl, "-sS", "--user", acct.name+":wrong-"+acct.pass, base)
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 67 {
			t.Errorf("curl with a wrong password: %v, want exit status 67 (login denied)\n%s", err, out)
		}
		g, _, _ := dial(t, s)
		g.hide = acct.pass
		g.expect(331, "USER %s", acct.name)
		g.expect(530, "PASS wrong-%s", acct.pass)
	})

	t.Run("chroot_local_user=NO", func(t *testing.T) {
		s := startServer(t, serveOpts{conf: conf, ipv6: ipv6, o: []string{"chroot_local_user=NO", "write_enable=YES", "local_umask=022"}})
		f, _, _ := dial(t, s)
		f.login(acct.name, acct.pass)
		if d := f.pwd(); d != acct.home {
			f.errorf("PWD = %q, want the home directory %s", d, acct.home)
		}
		if code := f.stor("raw.txt", "raw upload\n"); code != 226 {
			f.errorf("STOR raw.txt: %d, want 226", code)
		}
		checkOwned(t, filepath.Join(acct.home, "raw.txt"), acct, 0o644)
		// Not jailed: the rest of the file system is there (as the
		// account's permissions allow).
		if code, data := f.retr("/etc/passwd"); code != 226 || !strings.Contains(data, "root:") {
			f.errorf("RETR /etc/passwd unjailed: %d, want 226 and the file", code)
		}
		f.expect(221, "QUIT")
		// curl's relative path starts in the home directory too.
		out, err := client(t, curl, "-sS", "--user", acct.name+":"+acct.pass, "-T", local,
			"ftp://"+s.urlHost()+":"+strconv.Itoa(s.port)+"/curl-home.txt")
		if err != nil {
			t.Fatalf("curl upload: %v\n%s", err, out)
		}
		checkOwned(t, filepath.Join(acct.home, "curl-home.txt"), acct, 0o644)
	})
}

// client runs an FTP client with a deadline; its combined output and error.
func client(t testing.TB, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "HOME="+cmd.Dir, "LC_ALL=C")
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("%s %s: no answer within 60s\n%s", name, strings.Join(args, " "), out)
	}
	return string(out), err
}

// checkOwned requires path to be a regular file owned by acct's uid and
// gid with permission bits mode.
func checkOwned(t testing.TB, path string, acct account, mode os.FileMode) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Errorf("upload not on disk: %v", err)
		return
	}
	st := fi.Sys().(*syscall.Stat_t)
	if int(st.Uid) != acct.uid || int(st.Gid) != acct.gid {
		t.Errorf("%s owned by %d:%d, want %s's %d:%d", path, st.Uid, st.Gid, acct.name, acct.uid, acct.gid)
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm() != mode {
		t.Errorf("%s has mode %v, want a regular file with %v", path, fi.Mode(), mode)
	}
}

func checkContent(t testing.TB, path, want string) {
	t.Helper()
	if b, err := os.ReadFile(path); err != nil || string(b) != want {
		t.Errorf("%s: %q, %v; want %q", path, b, err, want)
	}
}

// lineOf is the number of the last line of file starting with prefix:
// the one that counts, as the last occurrence of a key wins.
func lineOf(t testing.TB, file, prefix string) int {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	last := 0
	for n := 1; sc.Scan(); n++ {
		if strings.HasPrefix(sc.Text(), prefix) {
			last = n
		}
	}
	if last == 0 {
		t.Fatalf("%s has no line starting with %q", file, prefix)
	}
	return last
}

func hasLine(t testing.TB, file, prefix string) bool {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

// lookupUser finds an account in /etc/passwd.
func lookupUser(name string) (string, bool) {
	b, err := os.ReadFile("/etc/passwd")
	if err != nil {
		return "", false
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, name+":") {
			return l, true
		}
	}
	return "", false
}
