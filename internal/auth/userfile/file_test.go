package userfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wharf/internal/auth"
)

func TestEditAndSaveRoundTrip(t *testing.T) {
	h := hashOf(t, "pw")
	orig := "# Wharf users\n\nalice:" + h + ":/srv/a:rl\n# bob below\nbob:" + h + ":/srv/b:rlw:x=1\n"
	path := filepath.Join(t.TempDir(), "users")
	if err := os.WriteFile(path, []byte(orig), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	mustOK(t, f.Add(User{Name: "carol", Hash: bcryptRef, Home: "/srv/c/", Perms: auth.PermWrite}))
	mustOK(t, f.Delete("alice"))
	mustOK(t, f.SetHash("bob", bcryptRef))
	mustOK(t, f.Save(path))

	want := "# Wharf users\n\n# bob below\nbob:" + bcryptRef + ":/srv/b:rlw:x=1\ncarol:" + bcryptRef + ":/srv/c:w\n"
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("saved file:\n%s\nwant:\n%s", got, want)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	if ents, _ := os.ReadDir(filepath.Dir(path)); len(ents) != 1 {
		t.Errorf("temporary files left behind: %v", ents)
	}
	if _, err := Load(path); err != nil {
		t.Fatalf("saved file does not load: %v", err)
	}
}

func TestEditErrors(t *testing.T) {
	h := hashOf(t, "pw")
	var f File // the zero File is usable
	mustOK(t, f.Add(User{Name: "alice", Hash: h, Home: "/srv", Perms: auth.PermRead}))
	tests := []struct {
		name string
		err  error
		want error // nil: just any error
	}{
		{"add twice", f.Add(User{Name: "alice", Hash: h, Home: "/x", Perms: auth.PermRead}), ErrUserExists},
		{"add bad name", f.Add(User{Name: "a:b", Hash: h, Home: "/x", Perms: auth.PermRead}), nil},
		{"add no perms", f.Add(User{Name: "b", Hash: h, Home: "/x"}), nil},
		{"add bad option", f.Add(User{Name: "b", Hash: h, Home: "/x", Perms: auth.PermRead, Options: []Option{{"k", "a,b"}}}), nil},
		{"update missing", f.Update(User{Name: "zed", Hash: h, Home: "/x", Perms: auth.PermRead}), ErrNoUser},
		{"set hash missing", f.SetHash("zed", h), ErrNoUser},
		{"set bad hash", f.SetHash("alice", "plain"), auth.ErrUnknownHash},
		{"set password missing", f.SetPassword("zed", "pw"), ErrNoUser},
		{"set empty password", f.SetPassword("alice", ""), auth.ErrEmptyPassword},
		{"delete missing", f.Delete("zed"), ErrNoUser},
	}
	for _, tt := range tests {
		if tt.err == nil || (tt.want != nil && !errors.Is(tt.err, tt.want)) {
			t.Errorf("%s: err = %v, want %v", tt.name, tt.err, tt.want)
		}
	}
	if u, _ := f.Lookup("alice"); u.Hash != h || len(f.Users()) != 1 {
		t.Errorf("failed edits changed the file: %+v", f.Users())
	}
}

func TestSetPasswordHashesWithDefaults(t *testing.T) {
	var f File
	mustOK(t, f.Add(User{Name: "alice", Hash: bcryptRef, Home: "/srv", Perms: auth.PermRead}))
	mustOK(t, f.SetPassword("alice", "new pw"))
	u, _ := f.Lookup("alice")
	if !strings.HasPrefix(u.Hash, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Fatalf("hash %q", u.Hash)
	}
	if ok, err := auth.VerifyPassword(u.Hash, "new pw"); !ok || err != nil {
		t.Fatalf("VerifyPassword = %v, %v", ok, err)
	}
}

func TestLookupReturnsCopy(t *testing.T) {
	var f File
	mustOK(t, f.Add(User{Name: "a", Hash: bcryptRef, Home: "/srv", Perms: auth.PermRead, Options: []Option{{"k", "v"}}}))
	u, _ := f.Lookup("a")
	u.Options[0].Value = "changed"
	if u2, _ := f.Lookup("a"); u2.Options[0].Value != "v" {
		t.Fatal("Lookup shares the Options slice with the File")
	}
}

func TestSaveIntoMissingDir(t *testing.T) {
	var f File
	if err := f.Save(filepath.Join(t.TempDir(), "no", "users")); err == nil {
		t.Fatal("Save into a missing directory succeeded")
	}
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
