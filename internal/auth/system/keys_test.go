package system

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"wharf/internal/auth"
	"wharf/internal/auth/authtest"
)

// keyTree is a passwd/shadow pair and a home per account under a temp dir.
type keyTree struct {
	dir  string
	auth *Authenticator
}

// keyAccount is one account of a keyTree: its shadow hash field, shell,
// uid and authorized_keys text ("" = no file).
type keyAccount struct {
	name, hash, shell, keys string
	uid                     int
	shadowExtra             string // fields after the hash, "" = aging off
}

func newKeyTree(t *testing.T, accts []keyAccount, opts func(*Options)) *keyTree {
	t.Helper()
	kt := &keyTree{dir: t.TempDir()}
	var passwd, shadow strings.Builder
	for _, a := range accts {
		home := filepath.Join(kt.dir, "home", a.name)
		if err := os.MkdirAll(filepath.Join(home, ".ssh"), 0o755); err != nil {
			t.Fatal(err)
		}
		os.Chmod(home, 0o755)
		os.Chmod(filepath.Join(home, ".ssh"), 0o700)
		if a.keys != "" {
			if err := os.WriteFile(filepath.Join(home, AuthorizedKeysFile), []byte(a.keys), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		fmt.Fprintf(&passwd, "%s:x:%d:%d::%s:%s\n", a.name, a.uid, a.uid, home, a.shell)
		extra := a.shadowExtra
		if extra == "" {
			extra = "19000:0:99999:7:::"
		}
		fmt.Fprintf(&shadow, "%s:%s:%s\n", a.name, a.hash, extra)
	}
	files := map[string]string{"passwd": passwd.String(), "shadow": shadow.String(), "ftpusers": "root\nbanned\n", "shells": shellsText}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(kt.dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	o := Options{
		Passwd: filepath.Join(kt.dir, "passwd"), Shadow: filepath.Join(kt.dir, "shadow"),
		FTPUsers: filepath.Join(kt.dir, "ftpusers"), Shells: filepath.Join(kt.dir, "shells"),
		CheckShell: true,
		Now:        func() time.Time { return time.Unix(today*86400+12*3600, 0) },
	}
	if opts != nil {
		opts(&o)
	}
	a, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	kt.auth = a
	return kt
}

func (kt *keyTree) home(name string) string { return filepath.Join(kt.dir, "home", name) }

func TestAuthorizeKey(t *testing.T) {
	me := os.Geteuid()
	good, other := authtest.PublicKey(t), authtest.PublicKey(t)
	gl := authtest.AuthorizedLine(good, "")
	accts := []keyAccount{
		{name: "alice", hash: sha512Horse, shell: "/bin/bash", uid: me,
			keys: "# keys\n\nnot a key at all\n" + authtest.AuthorizedLine(other, "") + " other\n" + gl + " alice@laptop\n"},
		{name: "nofile", hash: sha512Horse, shell: "/bin/bash", uid: me},
		{name: "groupw", hash: sha512Horse, shell: "/bin/bash", uid: me, keys: gl + "\n"},
		{name: "sshdirw", hash: sha512Horse, shell: "/bin/bash", uid: me, keys: gl + "\n"},
		{name: "homew", hash: sha512Horse, shell: "/bin/bash", uid: me, keys: gl + "\n"},
		{name: "owner", hash: sha512Horse, shell: "/bin/bash", uid: 54320, keys: gl + "\n"},
		{name: "from", hash: sha512Horse, shell: "/bin/bash", uid: me, keys: `from="10.0.0.0/8" ` + gl + "\n" + gl + "\n"},
		{name: "command", hash: sha512Horse, shell: "/bin/bash", uid: me, keys: `command="internal-sftp",no-pty ` + gl + "\n"},
		{name: "certauth", hash: sha512Horse, shell: "/bin/bash", uid: me, keys: `cert-authority ` + gl + "\n"},
		{name: "restricted", hash: sha512Horse, shell: "/bin/bash", uid: me, keys: `restrict,no-pty,permitopen="host:22" ` + gl + "\n"},
		{name: "locked", hash: "!" + sha512Horse, shell: "/bin/bash", uid: me, keys: gl + "\n"},
		{name: "star", hash: "*", shell: "/bin/bash", uid: me, keys: gl + "\n"},
		{name: "nopass", hash: "", shell: "/bin/bash", uid: me, keys: gl + "\n"},
		{name: "expired", hash: sha512Horse, shell: "/bin/bash", uid: me, keys: gl + "\n", shadowExtra: "19000:0:99999:7::19999:"},
		{name: "banned", hash: sha512Horse, shell: "/bin/bash", uid: me, keys: gl + "\n"},
		{name: "noshell", hash: sha512Horse, shell: "/usr/sbin/nologin", uid: me, keys: gl + "\n"},
		{name: "huge", hash: sha512Horse, shell: "/bin/bash", uid: me, keys: strings.Repeat("#\n", maxAuthorizedKeys/2) + gl + "\n"},
		{name: "fifo", hash: sha512Horse, shell: "/bin/bash", uid: me},
	}
	kt := newKeyTree(t, accts, nil)
	os.Chmod(filepath.Join(kt.home("groupw"), AuthorizedKeysFile), 0o620)
	os.Chmod(filepath.Join(kt.home("sshdirw"), ".ssh"), 0o770)
	os.Chmod(kt.home("homew"), 0o777)
	if me == 0 { // root's files are always acceptable: give them to someone else
		if err := os.Chown(filepath.Join(kt.home("owner"), AuthorizedKeysFile), 54321, 54321); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(kt.home("fifo"), AuthorizedKeysFile), 0o600); err != nil {
		t.Fatal(err)
	}
	all := auth.PermRead | auth.PermList | auth.PermWrite
	idOf := func(name string) *auth.Identity {
		return &auth.Identity{Name: name, Home: kt.home(name), Perms: all, UID: me, GID: me}
	}
	tests := []struct {
		user string
		key  ssh.PublicKey
		want *auth.Identity
		err  error
		why  string
	}{
		{"alice", good, idOf("alice"), nil, ""},
		{"alice", other, idOf("alice"), nil, ""},
		{"alice", authtest.PublicKey(t), nil, auth.ErrUnknownKey, ""},
		{"mallory", good, nil, auth.ErrUnknownUser, ""},
		{"nofile", good, nil, auth.ErrUnknownKey, "no "},
		{"groupw", good, nil, auth.ErrUnknownKey, "writable by group or others"},
		{"sshdirw", good, nil, auth.ErrUnknownKey, ".ssh is writable"},
		{"homew", good, nil, auth.ErrUnknownKey, "homew is writable"},
		{"owner", good, nil, auth.ErrUnknownKey, "is owned by uid"},
		{"from", good, nil, auth.ErrUnknownKey, "from, which Wharf cannot enforce"},
		{"command", good, nil, auth.ErrUnknownKey, "with command,"},
		{"certauth", good, nil, auth.ErrUnknownKey, "cert-authority"},
		{"restricted", good, idOf("restricted"), nil, ""},
		{"locked", good, nil, auth.ErrDenied, "locked"},
		{"star", good, nil, auth.ErrDenied, "locked"},
		{"nopass", good, idOf("nopass"), nil, ""},
		{"expired", good, nil, auth.ErrDenied, "expired"},
		{"banned", good, nil, auth.ErrDenied, "ftpusers"},
		{"noshell", good, nil, auth.ErrDenied, "check_shell"},
		{"huge", good, nil, auth.ErrUnknownKey, "larger than"},
		{"fifo", good, nil, auth.ErrUnknownKey, "not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			id, err := kt.auth.AuthorizeKey(context.Background(), auth.KeyRequest{User: tt.user, Key: tt.key.Marshal(), Protocol: "sftp"})
			if tt.err == nil && err != nil {
				t.Fatalf("err = %v; want a login", err)
			}
			if tt.err != nil && !errors.Is(err, tt.err) {
				t.Fatalf("err = %v; want %v", err, tt.err)
			}
			if tt.why != "" && !strings.Contains(err.Error(), tt.why) {
				t.Errorf("err = %v; want it to say %q", err, tt.why)
			}
			if (tt.want == nil) != (id == nil) || (id != nil && *id != *tt.want) {
				t.Errorf("identity = %+v; want %+v", id, tt.want)
			}
		})
	}
}

func TestAuthorizeKeyGuest(t *testing.T) {
	me := os.Geteuid()
	k := authtest.PublicKey(t)
	kt := newKeyTree(t, []keyAccount{
		{name: "alice", hash: sha512Horse, shell: "/bin/bash", uid: me, keys: authtest.AuthorizedLine(k, "") + "\n"},
		{name: "ftpvirt", hash: "*", shell: "/usr/sbin/nologin", uid: 2000},
	}, func(o *Options) { o.Guest, o.GuestUser = true, "ftpvirt" })
	id, err := kt.auth.AuthorizeKey(context.Background(), auth.KeyRequest{User: "alice", Key: k.Marshal()})
	if err != nil {
		t.Fatal(err)
	}
	want := auth.Identity{Name: "alice", Home: kt.home("ftpvirt"), Perms: auth.PermRead | auth.PermList | auth.PermWrite, UID: 2000, GID: 2000}
	if *id != want {
		t.Fatalf("identity = %+v; want %+v", id, want)
	}
}

func TestAuthorizeKeyCanceled(t *testing.T) {
	k := authtest.PublicKey(t)
	kt := newKeyTree(t, []keyAccount{{name: "alice", hash: sha512Horse, shell: "/bin/bash", uid: os.Geteuid(), keys: authtest.AuthorizedLine(k, "") + "\n"}}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if id, err := kt.auth.AuthorizeKey(ctx, auth.KeyRequest{User: "alice", Key: k.Marshal()}); id != nil || err == nil {
		t.Fatal("authorized with a canceled context")
	}
}
