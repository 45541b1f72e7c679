package system

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"wharf/internal/auth"
)

// Hashes made with mkpasswd / openssl passwd on Debian 12.
const (
	sha512Horse = "$6$saltsalt$hRM5XZ86KXEw9UOmjigeVqFgULtFB2sgpC9lXQDfMib3Zgw7mEiUvBJI2EplzfAqxL5Vvwp2scFtv/uamSo5z0" // "correct horse"
	yesPass     = "$y$j75$dNK.2xv4./lob2x6tWuWJ.$Fncqr.9xbAR9I7M8QBTyp2psl2SfTYxEU3xdFJeLyM9"                          // "pässwörd"
	desHash     = "abJnggxhB/yWI"                                                                                      // descrypt: unsupported
)

// today is day 20000 since the epoch (2024-10-04); shadow fields below are
// relative to it.
const today = 20000

const passwdText = `# a comment
root:x:0:0:root:/root:/bin/bash
+nis
alice:x:1001:1001:Alice:/home/alice/:/bin/bash
alice:x:9999:9999:shadowed duplicate:/nowhere:/bin/bash
bob:x:1002:1002::/home/ftp/./bob:/bin/sh
noshell:x:1003:1003::/home/noshell:/usr/sbin/nologin
emptyshell:x:1004:1004::/home/emptyshell:
locked:x:1005:1005::/home/locked:/bin/bash
locked2:x:1006:1006::/home/locked2:/bin/bash
star:x:1007:1007::/:/bin/bash
empty:x:1008:1008::/home/empty:/bin/bash
expired:x:1009:1009::/home/expired:/bin/bash
expiretoday:x:1010:1010::/home/e:/bin/bash
expiretomorrow:x:1011:1011::/home/e:/bin/bash
mustchange:x:1012:1012::/home/m:/bin/bash
pwexpired:x:1013:1013::/home/p:/bin/bash
pwlastday:x:1014:1014::/home/p:/bin/bash
noaging:x:1015:1015::/home/n:/bin/bash
future:x:1016:1016::/home/f:/bin/bash
noshadow:x:1017:1017::/home/ns:/bin/bash
legacy:` + sha512Horse + `:1018:1018::/home/legacy:/bin/bash
badshadow:x:1019:1019::/home/b:/bin/bash
des:x:1020:1020::/home/d:/bin/bash
nohome:x:1021:1021:::/bin/bash
ftpvirt:x:2000:2000::/srv/ftp/virtual:/usr/sbin/nologin
`

const shadowText = `root:` + sha512Horse + `:19000:0:99999:7:::
alice:` + sha512Horse + `:19000:0:99999:7:::
bob:` + yesPass + `:19000::::::
noshell:` + sha512Horse + `:19000:0:99999:7:::
emptyshell:` + sha512Horse + `:19000:0:99999:7:::
locked:!` + sha512Horse + `:19000:0:99999:7:::
locked2:!!:19000:0:99999:7:::
star:*:19000:0:99999:7:::
empty::19000:0:99999:7:::
expired:` + sha512Horse + `:19000:0:99999:7::19999:
expiretoday:` + sha512Horse + `:19000:0:99999:7::20000:
expiretomorrow:` + sha512Horse + `:19000:0:99999:7::20001:
mustchange:` + sha512Horse + `:0:0:99999:7:::
pwexpired:` + sha512Horse + `:19000:0:999:7:::
pwlastday:` + sha512Horse + `:19000:0:1000:7:::
noaging:` + sha512Horse + `::0::7:::
future:` + sha512Horse + `:20005:0:1:7:::
badshadow:` + sha512Horse + `:soon:0:99999:7:::
des:` + desHash + `:19000:0:99999:7:::
nohome:` + sha512Horse + `:19000:0:99999:7:::
`

const shellsText = "# /etc/shells\n/bin/sh\n/bin/bash\n"

// fixture writes the account files to a temp dir; opts may change Options.
type fixture struct {
	dir   string
	calls atomic.Int64 // verifications, real or dummy
	auth  *Authenticator
}

func newFixture(t *testing.T, opts func(*Options)) *fixture {
	t.Helper()
	fx := &fixture{dir: t.TempDir()}
	files := map[string]string{"passwd": passwdText, "shadow": shadowText, "ftpusers": "# no root\nroot\n", "shells": shellsText}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(fx.dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	o := Options{
		Passwd: fx.path("passwd"), Shadow: fx.path("shadow"), FTPUsers: fx.path("ftpusers"), Shells: fx.path("shells"),
		CheckShell: true,
		Now:        func() time.Time { return time.Unix(today*86400+12*3600, 0) },
		// Count calls; answer the argon2id dummy at once so refusals stay cheap.
		Verifier: auth.NewVerifier(auth.VerifierOptions{CacheTTL: -1, Verify: func(h, pw string) (bool, error) {
			fx.calls.Add(1)
			if strings.HasPrefix(h, "$argon2id$") {
				return false, nil
			}
			return auth.VerifyPassword(h, pw)
		}}),
	}
	if opts != nil {
		opts(&o)
	}
	a, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	fx.auth = a
	return fx
}

func (fx *fixture) path(name string) string { return filepath.Join(fx.dir, name) }

func (fx *fixture) login(user, pw string) (*auth.Identity, error) {
	return fx.auth.Authenticate(context.Background(), auth.Request{User: user, Password: pw, Protocol: "ftp"})
}

var errOther = errors.New("any error that is none of the auth sentinels")

func TestAuthenticate(t *testing.T) {
	all := auth.PermRead | auth.PermList | auth.PermWrite
	tests := []struct {
		user, pw string
		want     *auth.Identity
		err      error
		why      string // in the error text
	}{
		{"alice", "correct horse", &auth.Identity{Name: "alice", Home: "/home/alice/", Perms: all, UID: 1001, GID: 1001}, nil, ""},
		{"alice", "correct horsE", nil, auth.ErrBadPassword, ""},
		{"alice", "", nil, auth.ErrBadPassword, ""},
		{"bob", "pässwörd", &auth.Identity{Name: "bob", Home: "/home/ftp/./bob", Perms: all, UID: 1002, GID: 1002}, nil, ""}, // "/./" kept for passwd_chroot_enable
		{"Alice", "correct horse", nil, auth.ErrUnknownUser, ""},
		{"mallory", "x", nil, auth.ErrUnknownUser, ""},
		{"", "", nil, auth.ErrUnknownUser, ""},
		{"+nis", "x", nil, auth.ErrUnknownUser, ""},
		{"alice:x", "correct horse", nil, auth.ErrUnknownUser, ""},
		{"root", "correct horse", nil, auth.ErrDenied, "ftpusers"},
		{"noshell", "correct horse", nil, auth.ErrDenied, "check_shell"},
		{"emptyshell", "correct horse", &auth.Identity{Name: "emptyshell", Home: "/home/emptyshell", Perms: all, UID: 1004, GID: 1004}, nil, ""},
		{"locked", "correct horse", nil, auth.ErrDenied, "locked"},
		{"locked2", "", nil, auth.ErrDenied, "locked"},
		{"star", "", nil, auth.ErrDenied, "locked"},
		{"empty", "", nil, auth.ErrDenied, "no password"},
		{"expired", "correct horse", nil, auth.ErrDenied, "expired on day 19999"},
		{"expiretoday", "correct horse", nil, auth.ErrDenied, "expired on day 20000"},
		{"expiretomorrow", "correct horse", &auth.Identity{Name: "expiretomorrow", Home: "/home/e", Perms: all, UID: 1011, GID: 1011}, nil, ""},
		{"mustchange", "correct horse", nil, auth.ErrDenied, "must change"},
		{"pwexpired", "correct horse", nil, auth.ErrDenied, "expired password"},
		{"pwlastday", "correct horse", &auth.Identity{Name: "pwlastday", Home: "/home/p", Perms: all, UID: 1014, GID: 1014}, nil, ""},
		{"noaging", "correct horse", &auth.Identity{Name: "noaging", Home: "/home/n", Perms: all, UID: 1015, GID: 1015}, nil, ""},
		{"future", "correct horse", &auth.Identity{Name: "future", Home: "/home/f", Perms: all, UID: 1016, GID: 1016}, nil, ""},
		{"noshadow", "correct horse", nil, auth.ErrDenied, "no entry in"},
		{"legacy", "correct horse", &auth.Identity{Name: "legacy", Home: "/home/legacy", Perms: all, UID: 1018, GID: 1018}, nil, ""},
		{"badshadow", "correct horse", nil, errOther, "bad day count"},
		{"des", "correct horse", nil, auth.ErrUnknownHash, ""},
		{"nohome", "correct horse", &auth.Identity{Name: "nohome", Home: "/", Perms: all, UID: 1021, GID: 1021}, nil, ""},
	}
	fx := newFixture(t, nil)
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			before := fx.calls.Load()
			id, err := fx.login(tt.user, tt.pw)
			checkLogin(t, id, err, tt.want, tt.err, tt.why)
			// Every refusal but a broken file costs one hash, so timing does
			// not tell an unknown or locked name from a wrong password.
			if tt.err != nil && tt.err != errOther && fx.calls.Load() != before+1 {
				t.Errorf("ran %d hashes, want 1", fx.calls.Load()-before)
			}
		})
	}
}

func checkLogin(t *testing.T, id *auth.Identity, err error, want *auth.Identity, wantErr error, why string) {
	t.Helper()
	switch {
	case wantErr == errOther:
		if err == nil || errors.Is(err, auth.ErrDenied) || errors.Is(err, auth.ErrBadPassword) || errors.Is(err, auth.ErrUnknownUser) {
			t.Errorf("err = %v; want a plain error", err)
		}
	case !errors.Is(err, wantErr):
		t.Errorf("err = %v; want %v", err, wantErr)
	}
	if why != "" && (err == nil || !strings.Contains(err.Error(), why)) {
		t.Errorf("err = %v; want it to say %q", err, why)
	}
	if (want == nil) != (id == nil) || (id != nil && *id != *want) {
		t.Errorf("identity = %+v; want %+v", id, want)
	}
	if err != nil && strings.Contains(err.Error(), "horse") {
		t.Errorf("error %q leaks the password", err)
	}
}

func TestAuthenticateOptions(t *testing.T) {
	all := auth.PermRead | auth.PermList | auth.PermWrite
	guest := &auth.Identity{Name: "alice", Home: "/srv/ftp/virtual", Perms: all, UID: 2000, GID: 2000}
	tests := []struct {
		name     string
		opts     func(*Options)
		user, pw string
		want     *auth.Identity
		err      error
	}{
		{"check_shell off", func(o *Options) { o.CheckShell = false }, "noshell", "correct horse",
			&auth.Identity{Name: "noshell", Home: "/home/noshell", Perms: all, UID: 1003, GID: 1003}, nil},
		{"ftpusers off", func(o *Options) { o.NoFTPUsers = true }, "root", "correct horse",
			&auth.Identity{Name: "root", Home: "/root", Perms: all, UID: 0, GID: 0}, nil},
		{"ftpusers missing", func(o *Options) { o.FTPUsers = o.FTPUsers + ".missing" }, "root", "correct horse",
			&auth.Identity{Name: "root", Home: "/root", Perms: all, UID: 0, GID: 0}, nil},
		{"shells missing: glibc's /bin/sh", func(o *Options) { o.Shells = o.Shells + ".missing" }, "bob", "pässwörd",
			&auth.Identity{Name: "bob", Home: "/home/ftp/./bob", Perms: all, UID: 1002, GID: 1002}, nil},
		{"shells missing: bash refused", func(o *Options) { o.Shells = o.Shells + ".missing" }, "alice", "correct horse", nil, auth.ErrDenied},
		{"guest mapping", func(o *Options) { o.Guest, o.GuestUser = true, "ftpvirt" }, "alice", "correct horse", guest, nil},
		{"guest wrong password", func(o *Options) { o.Guest, o.GuestUser = true, "ftpvirt" }, "alice", "x", nil, auth.ErrBadPassword},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := newFixture(t, tt.opts).login(tt.user, tt.pw)
			checkLogin(t, id, err, tt.want, tt.err, "")
		})
	}
}

func TestNewRefuses(t *testing.T) {
	dir := t.TempDir()
	passwd := filepath.Join(dir, "passwd")
	os.WriteFile(passwd, []byte(passwdText), 0o600)
	os.WriteFile(filepath.Join(dir, "shadow"), []byte(shadowText), 0o600)
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"shadow unreadable", Options{Passwd: passwd, Shadow: filepath.Join(dir, "nope")}, "nope"},
		{"passwd unreadable", Options{Passwd: filepath.Join(dir, "nope"), Shadow: passwd}, "nope"},
		{"guest account missing", Options{Passwd: passwd, Shadow: passwd, Guest: true}, `guest_username "ftp"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.o); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New = %v; want an error naming %q", err, tt.want)
			}
		})
	}
}

func TestAuthenticateContextCanceled(t *testing.T) {
	fx := newFixture(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// Canceled before a hashing slot: the slot or ctx may win the select,
	// so the refusals may come back as ctx.Err(); never as a login.
	for _, user := range []string{"mallory", "locked", "root"} {
		if id, err := fx.auth.Authenticate(ctx, auth.Request{User: user, Password: "correct horse"}); id != nil || err == nil {
			t.Errorf("%s: logged in with a canceled context", user)
		}
	}
}
