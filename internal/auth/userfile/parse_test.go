package userfile

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"wharf/internal/auth"
)

var cheap = auth.Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func hashOf(t testing.TB, pw string) string {
	t.Helper()
	h, err := auth.HashPasswordWith(pw, cheap)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

const bcryptRef = "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW" // "U*U"

func TestParse(t *testing.T) {
	h := hashOf(t, "pw")
	text := "\ufeff# users\n\n" +
		"alice:" + h + ":/srv/ftp/alice/:lwr\r\n" +
		"  # indented comment\n" +
		"bob@example.com:" + bcryptRef + ":/srv/ftp:rl:\n" +
		"drop_box-1:" + h + ":/srv/in:w:quota=10G,sshkey=ssh-ed25519 AAAA= me\n"
	f, err := Parse(strings.NewReader(text), "users")
	if err != nil {
		t.Fatal(err)
	}
	want := []User{
		{Name: "alice", Hash: h, Home: "/srv/ftp/alice", Perms: auth.PermRead | auth.PermList | auth.PermWrite},
		{Name: "bob@example.com", Hash: bcryptRef, Home: "/srv/ftp", Perms: auth.PermRead | auth.PermList},
		{Name: "drop_box-1", Hash: h, Home: "/srv/in", Perms: auth.PermWrite,
			Options: []Option{{"quota", "10G"}, {"sshkey", "ssh-ed25519 AAAA= me"}}},
	}
	if got := f.Users(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Users() =\n%+v\nwant\n%+v", got, want)
	}
	if _, ok := f.Lookup("Alice"); ok {
		t.Error("Lookup is not case-sensitive")
	}
}

func TestParseErrors(t *testing.T) {
	h := hashOf(t, "pw")
	ok := "alice:" + h + ":/srv:rl\n"
	tests := []struct {
		name, text string
		line       int
		msg        string
	}{
		{"too few fields", "alice:" + h + ":/srv\n", 1, "got 3 fields"},
		{"too many fields", "alice:" + h + ":/srv:rl:a=b:x\n", 1, "got 6 fields"},
		{"empty name", ":" + h + ":/srv:rl\n", 1, "1 to 64"},
		{"long name", strings.Repeat("a", 65) + ":" + h + ":/srv:rl\n", 1, "1 to 64"},
		{"dash name", "-alice:" + h + ":/srv:rl\n", 1, "must not start"},
		{"dot name", ".alice:" + h + ":/srv:rl\n", 1, "must not start"},
		{"space in name", "al ice:" + h + ":/srv:rl\n", 1, "only letters"},
		{"unicode name", "élise:" + h + ":/srv:rl\n", 1, "only letters"},
		{"duplicate", ok + "# x\n" + ok, 3, "defined twice"},
		{"plain password", "alice:secret:/srv:rl\n", 1, "unsupported password hash"},
		{"crypt malformed", "alice:$6$salt$x:/srv:rl\n", 1, "malformed"}, // crypt(3) families: auth/crypt.go
		{"bad argon2", "alice:$argon2id$v=19$m=64,t=1,p=1$x$y:/srv:rl\n", 1, "malformed"},
		{"relative home", "alice:" + h + ":srv:rl\n", 1, "absolute"},
		{"empty home", "alice:" + h + "::rl\n", 1, "absolute"},
		{"empty perms", "alice:" + h + ":/srv:\n", 1, "permissions are empty"},
		{"bad perm", "alice:" + h + ":/srv:rx\n", 1, "unknown letter"},
		{"dup perm", "alice:" + h + ":/srv:rr\n", 1, "given twice"},
		{"perm with space", "alice:" + h + ":/srv:rl \n", 1, "unknown letter"},
		{"option no =", "alice:" + h + ":/srv:rl:quota\n", 1, "want key=value"},
		{"option bad key", "alice:" + h + ":/srv:rl:Quota=1\n", 1, "option key"},
		{"option dup", "alice:" + h + ":/srv:rl:a=1,a=2\n", 1, "given twice"},
		{"bad utf8", ok + "# \xff\n", 2, "UTF-8"},
		{"long line", ok + "#" + strings.Repeat("x", maxLine) + "\n", 2, "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.text), "users")
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *ParseError", err)
			}
			if pe.File != "users" || pe.Line != tt.line || !strings.Contains(pe.Msg, tt.msg) {
				t.Fatalf("err = %q, want users:%d: ...%s...", err, tt.line, tt.msg)
			}
			if !strings.HasPrefix(err.Error(), "users:") {
				t.Fatalf("err = %q does not start with file:line", err)
			}
		})
	}
}

func TestPerms(t *testing.T) {
	tests := []struct {
		in, canon string
		p         auth.Perm
	}{
		{"r", "r", auth.PermRead},
		{"l", "l", auth.PermList},
		{"w", "w", auth.PermWrite},
		{"wr", "rw", auth.PermRead | auth.PermWrite},
		{"wlr", "rlw", auth.PermRead | auth.PermList | auth.PermWrite},
	}
	for _, tt := range tests {
		p, err := ParsePerms(tt.in)
		if err != nil || p != tt.p {
			t.Errorf("ParsePerms(%q) = %v, %v; want %v", tt.in, p, err, tt.p)
		}
		if s := FormatPerms(p); s != tt.canon {
			t.Errorf("FormatPerms(%v) = %q, want %q", p, s, tt.canon)
		}
	}
}

func TestCheckName(t *testing.T) {
	for _, ok := range []string{"a", "A9", "first.last", "u@example.org", "x-y_z", strings.Repeat("n", 64)} {
		if err := CheckName(ok); err != nil {
			t.Errorf("CheckName(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "-x", ".x", "a:b", "a/b", "a b", "a\x00", strings.Repeat("n", 65)} {
		if CheckName(bad) == nil {
			t.Errorf("CheckName(%q) accepted", bad)
		}
	}
}
