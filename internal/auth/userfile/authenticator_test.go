package userfile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"wharf/internal/auth"
)

// fixture is a users file on disk and an Authenticator over it whose
// verifier counts hash calls.
type fixture struct {
	path  string
	auth  *Authenticator
	calls atomic.Int64
}

func newFixture(t *testing.T, text string) *fixture {
	t.Helper()
	fx := &fixture{path: filepath.Join(t.TempDir(), "users")}
	if err := os.WriteFile(fx.path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	v := auth.NewVerifier(auth.VerifierOptions{Verify: func(h, pw string) (bool, error) {
		fx.calls.Add(1)
		return auth.VerifyPassword(h, pw)
	}})
	a, err := NewAuthenticator(fx.path, v)
	if err != nil {
		t.Fatal(err)
	}
	fx.auth = a
	return fx
}

func (fx *fixture) login(user, pw string) (*auth.Identity, error) {
	return fx.auth.Authenticate(context.Background(), auth.Request{User: user, Password: pw, Protocol: "ftp"})
}

func TestAuthenticate(t *testing.T) {
	fx := newFixture(t, "alice:"+hashOf(t, "pw")+":/srv/alice:rl\nbob:"+bcryptRef+":/srv/bob:w\n")
	tests := []struct {
		user, pw string
		want     *auth.Identity
		err      error
	}{
		{"alice", "pw", &auth.Identity{Name: "alice", Home: "/srv/alice", Perms: auth.PermRead | auth.PermList, UID: -1, GID: -1}, nil},
		{"bob", "U*U", &auth.Identity{Name: "bob", Home: "/srv/bob", Perms: auth.PermWrite, UID: -1, GID: -1}, nil},
		{"alice", "PW", nil, auth.ErrBadPassword},
		{"alice", "", nil, auth.ErrBadPassword},
		{"Alice", "pw", nil, auth.ErrUnknownUser},
		{"mallory", "pw", nil, auth.ErrUnknownUser},
		{"", "", nil, auth.ErrUnknownUser},
	}
	for _, tt := range tests {
		before := fx.calls.Load()
		id, err := fx.login(tt.user, tt.pw)
		if !errors.Is(err, tt.err) || (tt.want == nil) != (id == nil) || (id != nil && *id != *tt.want) {
			t.Errorf("login(%q, %q) = %+v, %v; want %+v, %v", tt.user, tt.pw, id, err, tt.want, tt.err)
		}
		// Every failure, including an unknown name, costs a hash.
		if tt.err != nil && fx.calls.Load() != before+1 {
			t.Errorf("login(%q, %q) ran %d hashes, want 1", tt.user, tt.pw, fx.calls.Load()-before)
		}
	}
}

func TestAuthenticateContextCanceled(t *testing.T) {
	fx := newFixture(t, "alice:"+hashOf(t, "pw")+":/srv:r\n")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// Canceled before a hashing slot: either the slot or ctx wins the select,
	// so accept both outcomes but never a login.
	id, err := fx.auth.Authenticate(ctx, auth.Request{User: "nobody", Password: "x"})
	if id != nil || err == nil {
		t.Fatalf("got %+v, %v", id, err)
	}
}

func TestReload(t *testing.T) {
	fx := newFixture(t, "alice:"+hashOf(t, "old")+":/srv:r\n")
	if _, err := fx.login("alice", "old"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, fx.path, "alice:"+hashOf(t, "new")+":/srv:rl\n")
	if _, err := fx.login("alice", "new"); !errors.Is(err, auth.ErrBadPassword) {
		t.Fatalf("before Reload: err = %v", err)
	}
	mustOK(t, fx.auth.Reload())
	if _, err := fx.login("alice", "old"); !errors.Is(err, auth.ErrBadPassword) {
		t.Fatalf("old password after Reload (cache must miss): err = %v", err)
	}
	id, err := fx.login("alice", "new")
	if err != nil || id.Perms != auth.PermRead|auth.PermList {
		t.Fatalf("new password after Reload: %+v, %v", id, err)
	}

	// A broken file is reported and the old users stay.
	writeFile(t, fx.path, "alice:plaintext:/srv:r\n")
	var pe *ParseError
	if err := fx.auth.Reload(); !errors.As(err, &pe) || pe.Line != 1 {
		t.Fatalf("Reload of a bad file: %v", err)
	}
	if _, err := fx.login("alice", "new"); err != nil {
		t.Fatalf("after a failed Reload: %v", err)
	}
}

func TestNewAuthenticatorMissingFile(t *testing.T) {
	_, err := NewAuthenticator(filepath.Join(t.TempDir(), "nope"), nil)
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want ErrNotExist", err)
	}
}

// TestAuthenticateDuringReload is for -race: logins and reloads interleave.
func TestAuthenticateDuringReload(t *testing.T) {
	h := hashOf(t, "pw")
	fx := newFixture(t, "alice:"+h+":/srv:r\n")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if _, err := fx.login("alice", "pw"); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 20 {
			var f File
			err := f.Add(User{Name: "alice", Hash: h, Home: "/srv", Perms: auth.PermRead})
			if err == nil && i%2 == 0 {
				err = f.Add(User{Name: "bob", Hash: h, Home: "/srv", Perms: auth.PermRead})
			}
			if err == nil {
				err = f.Save(fx.path)
			}
			if err == nil {
				err = fx.auth.Reload()
			}
			if err != nil {
				t.Error(err) // not Fatal: this is not the test's goroutine
				return
			}
		}
	})
	wg.Wait()
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}
