package userfile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/crypto/ssh"

	"wharf/internal/auth"
	"wharf/internal/auth/authtest"
)

func TestSSHKeys(t *testing.T) {
	var f File
	mustOK(t, f.Add(User{Name: "alice", Hash: bcryptRef, Home: "/srv", Perms: auth.PermRead, Options: []Option{{"quota", "1G"}}}))
	k1, k2, stranger := authtest.PublicKey(t), authtest.PublicKey(t), authtest.PublicKey(t)
	if _, err := f.AddSSHKey("alice", authtest.AuthorizedLine(k1, "alice@laptop, work: main;x")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.AddSSHKey("alice", authtest.AuthorizedLine(k2, "")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.AddSSHKey("alice", authtest.AuthorizedLine(k1, "again")); err == nil {
		t.Error("duplicate key accepted")
	}
	for _, bad := range []string{"not a key", `from="10.0.0.1" ` + authtest.AuthorizedLine(k1, ""), authtest.AuthorizedLine(k1, "") + "\n" + authtest.AuthorizedLine(k2, "")} {
		if _, err := f.AddSSHKey("alice", bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
	if _, err := f.AddSSHKey("bob", authtest.AuthorizedLine(k1, "")); !errors.Is(err, ErrNoUser) {
		t.Errorf("unknown user: %v", err)
	}

	// Round trip through the file; the other options stay.
	path := filepath.Join(t.TempDir(), "users")
	mustOK(t, f.Save(path))
	a, err := NewAuthenticator(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := a.file.Load().Lookup("alice")
	keys := u.SSHKeys()
	if len(keys) != 2 || keys[0].Comment != "alice@laptop_ work_ main_x" || u.Options[0] != (Option{"quota", "1G"}) {
		t.Fatalf("after reload: %+v, options %+v", keys, u.Options)
	}
	login := func(k ssh.PublicKey) error {
		_, err := a.AuthorizeKey(context.Background(), auth.KeyRequest{User: "alice", Key: k.Marshal()})
		return err
	}
	if login(k1) != nil || login(k2) != nil {
		t.Fatal("listed key refused")
	}
	if err := login(stranger); !errors.Is(err, auth.ErrUnknownKey) {
		t.Fatalf("stranger's key: %v", err)
	}
	if _, err := a.AuthorizeKey(context.Background(), auth.KeyRequest{User: "nobody", Key: k1.Marshal()}); !errors.Is(err, auth.ErrUnknownUser) {
		t.Fatalf("unknown user: %v", err)
	}

	// Delete by number, fingerprint or comment.
	if _, err := f.DeleteSSHKey("alice", ssh.FingerprintSHA256(k2)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.DeleteSSHKey("alice", "nothing-like-it"); err == nil {
		t.Error("deleting a missing key succeeded")
	}
	if _, err := f.DeleteSSHKey("alice", "1"); err != nil {
		t.Fatal(err)
	}
	u, _ = f.Lookup("alice")
	if len(u.SSHKeys()) != 0 || len(u.Options) != 1 {
		t.Fatalf("after deleting all keys: %+v", u.Options)
	}
	os.Remove(path)
}
