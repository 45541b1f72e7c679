package vsftpdconf

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"wharf/internal/testbin"
)

// needRoot: useradd, /etc/shadow, /etc/pam.d and file ownership need root.
func needRoot(t testing.TB) {
	t.Helper()
	testbin.NeedRoot(t, "useradd, /etc/shadow, /etc/pam.d, chown")
}

// needHelper: the PAM helper built in TestMain.
func needHelper(t testing.TB) {
	t.Helper()
	if helperBin == "" {
		testbin.Unavailable(t, "%s", helperErr)
	}
}

// runCmd runs a command with a deadline and returns its combined output;
// a failure ends the test.
func runCmd(t testing.TB, stdin string, name string, args ...string) string {
	t.Helper()
	out, err := tryCmd(stdin, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

func tryCmd(stdin string, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// The vsftpd package, downloaded and unpacked once per run.
var (
	pkgOnce sync.Once
	pkgRoot string
	pkgErr  string
)

// vsftpdPackage returns the root of the unpacked vsftpd .deb: its
// etc/vsftpd.conf, etc/pam.d/vsftpd and usr/share/doc/vsftpd/examples.
func vsftpdPackage(t testing.TB) string {
	t.Helper()
	testbin.NeedTool(t, "apt-get", "apt")
	testbin.NeedTool(t, "dpkg-deb", "dpkg")
	pkgOnce.Do(func() {
		dl := filepath.Join(workDir, "deb")
		if err := os.Mkdir(dl, 0o755); err != nil {
			pkgErr = err.Error()
			return
		}
		cmd := exec.Command("apt-get", "download", "vsftpd")
		cmd.Dir = dl
		if out, err := cmd.CombinedOutput(); err != nil {
			pkgErr = "apt-get download vsftpd (run apt-get update first?): " + err.Error() + "\n" + string(out)
			return
		}
		debs, _ := filepath.Glob(filepath.Join(dl, "vsftpd_*.deb"))
		if len(debs) != 1 {
			pkgErr = "apt-get download vsftpd left " + strings.Join(debs, ", ")
			return
		}
		root := filepath.Join(workDir, "vsftpd-pkg")
		if out, err := exec.Command("dpkg-deb", "-x", debs[0], root).CombinedOutput(); err != nil {
			pkgErr = "dpkg-deb -x: " + err.Error() + "\n" + string(out)
			return
		}
		pkgRoot = root
	})
	if pkgRoot == "" {
		testbin.Unavailable(t, "%s", pkgErr)
	}
	return pkgRoot
}

// account is a system account made for one test with useradd.
type account struct {
	name, pass, home string
	uid, gid         int
}

// addAccount creates a system account with a home directory (mode 0755) and
// a random password, and removes both (userdel -r) when the test ends.
func addAccount(t testing.TB, shell string) account {
	t.Helper()
	needRoot(t)
	testbin.NeedTool(t, "useradd", "passwd")
	b := make([]byte, 4)
	rand.Read(b)
	a := account{name: "wvc" + hex.EncodeToString(b), pass: "pw-" + hex.EncodeToString(b) + "-Zq9"}
	a.home = "/home/" + a.name
	// useradd and userdel take the passwd lock and give up at once when
	// another test package holds it: retry a few times.
	passwdCmd(t, "useradd", "-m", "-d", a.home, "-s", shell, a.name)
	t.Cleanup(func() {
		if out, err := passwdTry("userdel", "-r", "-f", a.name); err != nil {
			t.Errorf("userdel -r %s: %v\n%s", a.name, err, out)
		}
		os.RemoveAll(a.home) // userdel -r already did, unless it failed
	})
	runCmd(t, a.name+":"+a.pass+"\n", "chpasswd")
	if err := os.Chmod(a.home, 0o755); err != nil {
		t.Fatal(err)
	}
	a.uid = idOf(t, "-u", a.name)
	a.gid = idOf(t, "-g", a.name)
	return a
}

func idOf(t testing.TB, flag, name string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.TrimSpace(runCmd(t, "", "id", flag, name)))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func passwdCmd(t testing.TB, name string, args ...string) {
	t.Helper()
	if out, err := passwdTry(name, args...); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// passwdTry runs a shadow-utils command, retrying (bounded) while another
// process holds the passwd/group lock.
func passwdTry(name string, args ...string) (string, error) {
	var out string
	var err error
	delay := 20 * time.Millisecond
	for range 10 {
		out, err = tryCmd("", name, args...)
		if err == nil || !strings.Contains(out, "lock") {
			return out, err
		}
		time.Sleep(delay) // backing off from a lock held by another process
		delay *= 2
	}
	return out, err
}

// writeFile writes content to path with mode, owned by uid:gid (-1 keeps).
func writeFile(t testing.TB, path, content string, mode os.FileMode, uid, gid int) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // not masked by the umask
		t.Fatal(err)
	}
	if uid >= 0 || gid >= 0 {
		if err := os.Chown(path, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
}

// installPAMService puts content at /etc/pam.d/name for the test, and
// restores what was there (or removes it) afterwards.
func installPAMService(t testing.TB, name string, content []byte) {
	t.Helper()
	needRoot(t)
	path := filepath.Join("/etc/pam.d", name)
	old, err := os.ReadFile(path)
	existed := err == nil
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if existed {
			os.WriteFile(path, old, 0o644)
			return
		}
		if err := os.Remove(path); err != nil {
			t.Errorf("removing %s: %v", path, err)
		}
	})
}

// publicTempDir is t.TempDir made readable by every account (t.TempDir is
// 0700, owned by root).
func publicTempDir(t testing.TB) string {
	t.Helper()
	d := t.TempDir()
	if err := os.Chmod(d, 0o755); err != nil {
		t.Fatal(err)
	}
	// t.TempDir's parent is 0700 as well.
	if err := os.Chmod(filepath.Dir(d), 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}
