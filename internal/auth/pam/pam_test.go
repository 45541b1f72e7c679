package pam

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"wharf/internal/auth"
	"wharf/internal/auth/system"
)

// fakeHelper writes a shell script that stands in for wharf-pam-helper: it
// saves its arguments, environment and stdin under dir, then runs body.
func fakeHelper(t *testing.T, dir, body string) string {
	t.Helper()
	p := filepath.Join(dir, HelperName)
	script := fmt.Sprintf("#!/bin/sh\nprintf '%%s\\n' \"$@\" > %[1]s/args\nenv > %[1]s/env\ncat > %[1]s/stdin\n%[2]s\n", dir, body)
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// fakeSetup returns Options for a fake helper with body, a conf dir with a
// "ftp" service, and a passwd file with alice and the guest account.
func fakeSetup(t *testing.T, body string) (Options, string) {
	t.Helper()
	dir := t.TempDir()
	conf := filepath.Join(dir, "pam.d")
	os.Mkdir(conf, 0o755)
	os.WriteFile(filepath.Join(conf, "ftp"), []byte("auth required pam_permit.so\n"), 0o644)
	passwd := filepath.Join(dir, "passwd")
	os.WriteFile(passwd, []byte("alice:x:1001:1002::/home/alice:/bin/bash\nftpvirt:x:2000:2000::/srv/virt:/usr/sbin/nologin\n"), 0o644)
	return Options{Service: "ftp", Helper: fakeHelper(t, dir, body), ConfDir: conf, Accounts: system.Accounts{Passwd: passwd}}, dir
}

var req = auth.Request{User: "alice", Password: "s3cret pw", Remote: netip.MustParseAddrPort("[::ffff:192.0.2.7]:4242"), Protocol: "ftp"}

func TestOutcome(t *testing.T) {
	all := auth.PermRead | auth.PermList | auth.PermWrite
	tests := []struct {
		name  string
		body  string
		guest bool
		want  *auth.Identity
		err   error
		text  string // in the error
	}{
		{"ok", "echo alice; echo ok >&2; exit 0", false, &auth.Identity{Name: "alice", Home: "/home/alice", Perms: all, UID: 1001, GID: 1002}, nil, ""},
		{"ok mapped name", "echo ALICE; exit 0", false, nil, auth.ErrDenied, `"ALICE" has no entry`},
		{"ok guest", "echo vuser; exit 0", true, &auth.Identity{Name: "vuser", Home: "/srv/virt", Perms: all, UID: 2000, GID: 2000}, nil, ""},
		{"ok without name", "exit 0", false, nil, errOther, "named no user"},
		{"bad password", "echo 'pam_authenticate: Authentication failure' >&2; exit 1", false, nil, auth.ErrBadPassword, "Authentication failure"},
		{"unknown user", "echo 'pam_authenticate: User not known' >&2; exit 2", false, nil, auth.ErrUnknownUser, "User not known"},
		{"refused", "echo 'pam_acct_mgmt: User account has expired' >&2; echo 'pam message: later' >&2; exit 3", false, nil, auth.ErrDenied, "has expired)"},
		{"pam error", "echo 'pam_start: Critical error' >&2; exit 4", false, nil, errOther, "PAM error for service ftp: pam_start: Critical error"},
		{"usage", "echo 'usage: bad' >&2; exit 64", false, nil, errOther, "status 64: usage: bad"},
		{"killed", "kill -9 $$", false, nil, errOther, "status -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, _ := fakeSetup(t, tt.body)
			o.Accounts.Guest, o.Accounts.GuestUser = tt.guest, "ftpvirt"
			a, err := New(o)
			if err != nil {
				t.Fatal(err)
			}
			id, err := a.Authenticate(context.Background(), req)
			checkLogin(t, id, err, tt.want, tt.err, tt.text)
		})
	}
}

var errOther = errors.New("an error that is none of the auth sentinels")

func checkLogin(t *testing.T, id *auth.Identity, err error, want *auth.Identity, wantErr error, text string) {
	t.Helper()
	sentinel := errors.Is(err, auth.ErrBadPassword) || errors.Is(err, auth.ErrUnknownUser) || errors.Is(err, auth.ErrDenied)
	switch {
	case wantErr == errOther && (err == nil || sentinel):
		t.Errorf("err = %v; want a plain error", err)
	case wantErr != errOther && !errors.Is(err, wantErr):
		t.Errorf("err = %v; want %v", err, wantErr)
	}
	if text != "" && (err == nil || !strings.Contains(err.Error(), text)) {
		t.Errorf("err = %v; want it to contain %q", err, text)
	}
	if (want == nil) != (id == nil) || (id != nil && *id != *want) {
		t.Errorf("identity = %+v; want %+v", id, want)
	}
	if err != nil && strings.Contains(err.Error(), req.Password) {
		t.Errorf("error %q leaks the password", err)
	}
}

// TestHelperInvocation checks what the helper is given: flags in --k=v form,
// the password as one line on stdin, a fixed environment.
func TestHelperInvocation(t *testing.T) {
	t.Setenv("WHARF_SECRET", "must-not-leak")
	o, dir := fakeSetup(t, "echo alice")
	a, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	r := req
	r.User = "-alice" // a name that looks like a flag stays a value
	a.Authenticate(context.Background(), r)
	read := func(name string) string { b, _ := os.ReadFile(filepath.Join(dir, name)); return string(b) }
	wantArgs := "--service=ftp\n--user=-alice\n--rhost=192.0.2.7\n--confdir=" + o.ConfDir + "\n"
	if got := read("args"); got != wantArgs {
		t.Errorf("args = %q; want %q", got, wantArgs)
	}
	if got := read("stdin"); got != req.Password+"\n" {
		t.Errorf("stdin = %q", got)
	}
	if env := read("env"); strings.Contains(env, "WHARF_SECRET") || !strings.Contains(env, "LC_ALL=C") {
		t.Errorf("environment = %q; want a fixed one", env)
	}
}

func TestRefusedWithoutSpawning(t *testing.T) {
	o, dir := fakeSetup(t, "echo alice")
	a, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		user, pw string
		err      error
	}{
		{"", "pw", auth.ErrUnknownUser},
		{"al\x00ice", "pw", auth.ErrUnknownUser},
		{"al\nice", "pw", auth.ErrUnknownUser},
		{"alice", "pw\x00rest", auth.ErrBadPassword},
		{"alice", "pw\nrest", auth.ErrBadPassword},
		{"alice", strings.Repeat("x", maxPassword+1), auth.ErrBadPassword},
	}
	for _, tt := range tests {
		if _, err := a.Authenticate(context.Background(), auth.Request{User: tt.user, Password: tt.pw}); !errors.Is(err, tt.err) {
			t.Errorf("(%q, %q): err = %v; want %v", tt.user, tt.pw, err, tt.err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "args")); err == nil {
		t.Error("the helper ran")
	}
}

// TestContextCancelKillsHelper: a hung PAM stack must not hold a login
// forever. The fake helper signals through a FIFO once it runs, then hangs.
func TestContextCancelKillsHelper(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "started")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	o, _ := fakeSetup(t, "echo started > "+fifo+"; exec tail -f /dev/null")
	a, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		os.ReadFile(fifo) // returns when the helper has written and closed
		cancel()
	}()
	if _, err := a.Authenticate(ctx, req); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; want context.Canceled", err)
	}
}
