package pam

// Tests through the real wharf-pam-helper and real PAM modules. They need
// gcc, libpam0g-dev (to build the helper), libpam-modules (pam_unix,
// pam_userdb, pam_shells, pam_listfile), db-util (db_load) and, for the
// system-account cases, root. Outside CI a missing piece skips the test; in
// CI (CI=true) it fails, so a green CI means these really ran.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"wharf/internal/auth"
	"wharf/internal/auth/system"
	"wharf/internal/testbin"
)

func requireRoot(t testing.TB) {
	t.Helper()
	testbin.NeedRoot(t, "useradd, /etc/shadow")
}

var (
	helperOnce sync.Once
	helperPath string
	helperErr  error
)

// realHelper builds cmd/wharf-pam-helper with cgo once per test binary.
func realHelper(t testing.TB) string {
	t.Helper()
	helperOnce.Do(func() {
		dir, err := os.MkdirTemp("", "wharf-pam-helper")
		if err == nil {
			helperPath, err = testbin.Build(dir, "wharf/cmd/"+HelperName, false, "CGO_ENABLED=1")
		}
		helperErr = err
	})
	if helperPath == "" {
		testbin.Unavailable(t, "building the helper failed (gcc and libpam0g-dev needed): %v", helperErr)
	}
	return helperPath
}

// service writes a PAM service file into a fresh conf dir.
func service(t testing.TB, name, text string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func newReal(t testing.TB, o Options) *Authenticator {
	t.Helper()
	o.Helper = realHelper(t)
	a, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func login(a *Authenticator, user, pw string) (*auth.Identity, error) {
	return a.Authenticate(context.Background(), auth.Request{User: user, Password: pw, Remote: req.Remote, Protocol: "ftp"})
}

// addUser creates a system account with shell and password and removes it
// when the test ends. Setup adjusts it further (chage, usermod) if given.
func addUser(t testing.TB, shell, password string, setup ...[]string) (name string, uid int) {
	t.Helper()
	requireRoot(t)
	testbin.NeedTool(t, "useradd", "passwd")
	b := make([]byte, 4)
	rand.Read(b)
	name = "wpam" + hex.EncodeToString(b)
	run(t, nil, "useradd", "-M", "-d", "/nonexistent/"+name, "-s", shell, name)
	t.Cleanup(func() {
		if out, err := exec.Command("userdel", "-f", name).CombinedOutput(); err != nil {
			t.Errorf("userdel %s: %v: %s", name, err, out)
		}
	})
	run(t, strings.NewReader(name+":"+password+"\n"), "chpasswd")
	for _, cmd := range setup {
		run(t, nil, cmd[0], append(cmd[1:], name)...)
	}
	out := run(t, nil, "id", "-u", name)
	uid, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil {
		t.Fatal(err)
	}
	return name, uid
}

func run(t testing.TB, stdin *strings.Reader, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	if stdin != nil {
		cmd.Stdin = stdin
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out.String())
	}
	return out.String()
}

// TestPAMUnix: a test account through pam_unix. "nodelay" keeps pam_unix's
// 2 s fail delay out of the functional test; TestPAMCost measures it.
func TestPAMUnix(t *testing.T) {
	const stack = "auth required pam_unix.so nodelay\naccount required pam_unix.so\n"
	a := newReal(t, Options{Service: "wharf-test", ConfDir: service(t, "wharf-test", stack)})
	user, uid := addUser(t, "/bin/bash", "right pw")
	expired, _ := addUser(t, "/bin/bash", "right pw", []string{"chage", "-E", "0"})
	mustChange, _ := addUser(t, "/bin/bash", "right pw", []string{"chage", "-d", "0"})
	locked, _ := addUser(t, "/bin/bash", "right pw", []string{"usermod", "-L"})
	all := auth.PermRead | auth.PermList | auth.PermWrite
	tests := []struct {
		name, user, pw string
		want           *auth.Identity
		err            error
	}{
		{"right password", user, "right pw", &auth.Identity{Name: user, Home: "/nonexistent/" + user, Perms: all, UID: uid, GID: uid}, nil},
		{"wrong password", user, "wrong pw", nil, auth.ErrBadPassword},
		{"empty password", user, "", nil, auth.ErrBadPassword},
		{"unknown user", "wpam-nobody", "right pw", nil, auth.ErrUnknownUser},
		{"expired account", expired, "right pw", nil, auth.ErrDenied},
		{"must change password", mustChange, "right pw", nil, auth.ErrDenied},
		{"locked", locked, "right pw", nil, auth.ErrBadPassword}, // pam_unix fails auth on a '!' hash
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			id, err := login(a, tt.user, tt.pw)
			if tt.want != nil && id != nil {
				// GID is the user's primary group, which useradd may not
				// number like the uid.
				tt.want.GID = id.GID
			}
			checkLogin(t, id, err, tt.want, tt.err, "")
		})
	}
}

// TestPAMUserdb: virtual users in a Berkeley DB made by db_load, plain and
// crypt=crypt, mapped to a guest account as vsftpd's virtual-user setups do.
func TestPAMUserdb(t *testing.T) {
	dbLoad := testbin.NeedTool(t, "db_load", "db-util")
	dir := t.TempDir()
	passwd := filepath.Join(dir, "passwd")
	os.WriteFile(passwd, []byte("ftpvirt:x:2000:2000::/srv/virt:/usr/sbin/nologin\n"), 0o644)
	// sha512crypt of "correct horse" (openssl passwd -6 -salt saltsalt).
	const horse = "$6$saltsalt$hRM5XZ86KXEw9UOmjigeVqFgULtFB2sgpC9lXQDfMib3Zgw7mEiUvBJI2EplzfAqxL5Vvwp2scFtv/uamSo5z0"
	variants := []struct{ name, records, opt string }{
		{"plain", "vuser\ncorrect horse\nother\nx\n", ""},
		{"crypt", "vuser\n" + horse + "\nother\nx\n", " crypt=crypt"},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "virtual")
			run(t, strings.NewReader(v.records), dbLoad, "-T", "-t", "hash", db+".db")
			stack := "auth required pam_userdb.so db=" + db + v.opt + "\naccount required pam_userdb.so db=" + db + v.opt + "\n"
			conf := service(t, "vsftpd-virtual", stack)
			guest := newReal(t, Options{Service: "vsftpd-virtual", ConfDir: conf,
				Accounts: system.Accounts{Passwd: passwd, Guest: true, GuestUser: "ftpvirt"}})
			noGuest := newReal(t, Options{Service: "vsftpd-virtual", ConfDir: conf, Accounts: system.Accounts{Passwd: passwd}})
			all := auth.PermRead | auth.PermList | auth.PermWrite
			tests := []struct {
				name, user, pw string
				a              *Authenticator
				want           *auth.Identity
				err            error
			}{
				{"right password", "vuser", "correct horse", guest, &auth.Identity{Name: "vuser", Home: "/srv/virt", Perms: all, UID: 2000, GID: 2000}, nil},
				{"wrong password", "vuser", "correct horsE", guest, nil, auth.ErrBadPassword},
				{"unknown user", "nobody", "correct horse", guest, nil, auth.ErrUnknownUser},
				{"no guest mapping", "vuser", "correct horse", noGuest, nil, auth.ErrDenied},
			}
			for _, tt := range tests {
				id, err := login(tt.a, tt.user, tt.pw)
				t.Run(tt.name, func(t *testing.T) { checkLogin(t, id, err, tt.want, tt.err, "") })
			}
		})
	}
}

// TestPAMModuleError: a stack that cannot load is a PAM error naming the
// service, not a wrong password.
func TestPAMModuleError(t *testing.T) {
	a := newReal(t, Options{Service: "broken", ConfDir: service(t, "broken", "auth required pam_wharf_no_such_module.so\n")})
	_, err := login(a, "root", "x")
	checkLogin(t, nil, err, nil, errOther, "PAM error for service broken: pam_authenticate: Module is unknown")
}

// Benchmarks for the cost of a PAM login; run as root with
//
//	go test -run '^$' -bench Login -benchtime 20x ./internal/auth/pam
//
// Permit is the helper's own overhead (fork, exec, libpam start-up, one
// conversation); Unix adds pam_unix verifying /etc/shadow; UnixWrong is a
// wrong password with pam_unix's default fail delay.
func BenchmarkLoginPermit(b *testing.B) {
	a := newReal(b, Options{Service: "permit", ConfDir: service(b, "permit", "auth required pam_permit.so\naccount required pam_permit.so\n"),
		Accounts: system.Accounts{Guest: true, GuestUser: "root"}})
	benchLogin(b, a, "anyone", "pw", true)
}

func BenchmarkLoginUnix(b *testing.B) {
	a := newReal(b, Options{Service: "unix", ConfDir: service(b, "unix", "auth required pam_unix.so\naccount required pam_unix.so\n")})
	user, _ := addUser(b, "/bin/bash", "right pw")
	benchLogin(b, a, user, "right pw", true)
}

func BenchmarkLoginUnixWrong(b *testing.B) {
	a := newReal(b, Options{Service: "unix", ConfDir: service(b, "unix", "auth required pam_unix.so\naccount required pam_unix.so\n")})
	user, _ := addUser(b, "/bin/bash", "right pw")
	benchLogin(b, a, user, "wrong pw", false)
}

func benchLogin(b *testing.B, a *Authenticator, user, pw string, ok bool) {
	for b.Loop() {
		if _, err := login(a, user, pw); (err == nil) != ok {
			b.Fatalf("login: %v", err)
		}
	}
}
