package pam

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"wharf/internal/auth"
	"wharf/internal/testbin"
)

// debianStack builds a conf dir holding the vsftpd package's own
// /etc/pam.d/vsftpd (pam_listfile on /etc/ftpusers, pam_shells, and the
// common-* includes) plus this machine's common-* files, which its
// @include lines resolve inside the same directory.
func debianStack(t *testing.T) string {
	t.Helper()
	testbin.NeedTool(t, "apt-get", "apt")
	testbin.NeedTool(t, "dpkg-deb", "dpkg")
	work := t.TempDir()
	cmd := exec.Command("apt-get", "download", "vsftpd")
	cmd.Dir = work
	if out, err := cmd.CombinedOutput(); err != nil {
		testbin.Unavailable(t, "apt-get download vsftpd: %v\n%s", err, out)
	}
	debs, _ := filepath.Glob(filepath.Join(work, "vsftpd_*.deb"))
	if len(debs) != 1 {
		t.Fatalf("apt-get download left %v", debs)
	}
	run(t, nil, "dpkg-deb", "-x", debs[0], filepath.Join(work, "root"))
	conf := t.TempDir()
	copyFile(t, filepath.Join(work, "root/etc/pam.d/vsftpd"), filepath.Join(conf, "vsftpd"))
	commons, _ := filepath.Glob("/etc/pam.d/common-*")
	for _, c := range commons {
		copyFile(t, c, filepath.Join(conf, filepath.Base(c)))
	}
	return conf
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// denyInFTPUsers appends name to /etc/ftpusers and takes just that line out
// again when the test ends (removing the file if the test created it), so a
// concurrent edit by someone else survives.
func denyInFTPUsers(t *testing.T, name string) {
	t.Helper()
	const path = "/etc/ftpusers"
	_, statErr := os.Stat(path)
	existed := statErr == nil
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(name + "\n")
	f.Close()
	t.Cleanup(func() {
		b, _ := os.ReadFile(path)
		rest := strings.Replace(string(b), name+"\n", "", 1)
		if !existed && rest == "" {
			os.Remove(path)
			return
		}
		os.WriteFile(path, []byte(rest), 0o644)
	})
}

// TestPAMDebianStack: the stock Debian stack for vsftpd refuses a nologin
// shell and a name in /etc/ftpusers, and accepts the same kind of account
// otherwise (so the refusals are not an artefact of a broken stack).
func TestPAMDebianStack(t *testing.T) {
	requireRoot(t)
	a := newReal(t, Options{Service: "vsftpd", ConfDir: debianStack(t)})
	ok, _ := addUser(t, "/bin/bash", "right pw")
	nologin, _ := addUser(t, "/usr/sbin/nologin", "right pw")
	listed, _ := addUser(t, "/bin/bash", "right pw")
	denyInFTPUsers(t, listed)
	// Debian's common-auth says nullok; the helper still refuses an empty
	// password (PAM_DISALLOW_NULL_AUTHTOK).
	nopw, _ := addUser(t, "/bin/bash", "x", []string{"passwd", "-d"})
	tests := []struct {
		name, user, pw string
		ok             bool
	}{
		{"bash account", ok, "right pw", true},
		{"bash account, wrong password", ok, "wrong pw", false},
		{"nologin shell", nologin, "right pw", false},
		{"listed in /etc/ftpusers", listed, "right pw", false},
		{"empty password field", nopw, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // each refusal waits out pam_unix's fail delay
			id, err := login(a, tt.user, tt.pw)
			if tt.ok && (err != nil || id == nil || id.Name != tt.user) {
				t.Fatalf("login = %+v, %v; want success", id, err)
			}
			// The stack reports these as authentication failures (pam_shells
			// and pam_listfile fail the auth phase), like a wrong password.
			if !tt.ok && (id != nil || !(errors.Is(err, auth.ErrBadPassword) || errors.Is(err, auth.ErrDenied))) {
				t.Fatalf("login = %+v, %v; want a refusal", id, err)
			}
			t.Logf("%v", err)
		})
	}
}
