package daemon

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"wharf/internal/auth"
	"wharf/internal/auth/system"
	"wharf/internal/config"
	"wharf/internal/sftpd"
	"wharf/internal/vfs"
	"wharf/internal/vfs/localfs"
)

func newSigner(t *testing.T) ssh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromSigner(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSFTPSystemAccountKey: a system account (passwd and shadow in a temp
// dir, so no root or useradd is needed) logs in over SFTP with the key in
// its ~/.ssh/authorized_keys, through mappedKeyAuth, so chroot_local_user
// applies to the key login as to a password.
func TestSFTPSystemAccountKey(t *testing.T) {
	dir := t.TempDir()
	home := filepath.Join(dir, "home", "alice")
	if err := os.MkdirAll(filepath.Join(home, ".ssh"), 0o700); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Dir(home), 0o755)
	os.Chmod(home, 0o755)
	key, stranger := newSigner(t), newSigner(t)
	if err := os.WriteFile(filepath.Join(home, system.AuthorizedKeysFile), ssh.MarshalAuthorizedKey(key.PublicKey()), 0o600); err != nil {
		t.Fatal(err)
	}
	uid := os.Geteuid()
	files := map[string]string{
		"passwd":   fmt.Sprintf("alice:x:%d:%d::%s:/bin/bash\n", uid, uid, home),
		"shadow":   "alice:$6$saltsalt$hash:19000::::::\n",
		"ftpusers": "root\n",
		"shells":   "/bin/bash\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	sys, err := system.New(system.Options{Passwd: filepath.Join(dir, "passwd"), Shadow: filepath.Join(dir, "shadow"),
		FTPUsers: filepath.Join(dir, "ftpusers"), Shells: filepath.Join(dir, "shells"), CheckShell: true})
	if err != nil {
		t.Fatal(err)
	}
	cfg, _, err := config.Parse("test.conf", []byte("local_enable=YES\nchroot_local_user=YES\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	chroot, err := newChrootPolicy(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m := mappedAuth{inner: sys, mapID: chroot.apply}
	keys, _ := auth.Authenticator(mappedKeyAuth{mappedAuth: m, keys: sys}).(auth.KeyAuthenticator)
	if keys == nil {
		t.Fatal("mappedKeyAuth is no KeyAuthenticator")
	}
	srv, err := sftpd.NewServer(sftpd.Options{
		Auth: m, Keys: keys, HostKeys: []ssh.Signer{newSigner(t)},
		OpenFS: func(id *auth.Identity) (vfs.FS, error) {
			o := localfs.DefaultOptions()
			o.Umask = 0
			return localfs.New(id.Home, o)
		},
		Logger:      slog.New(slog.DiscardHandler),
		WriteEnable: true, DownloadEnable: true, DirlistEnable: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	dial := func(s ssh.Signer) (*ssh.Client, error) {
		return ssh.Dial("tcp", l.Addr().String(), &ssh.ClientConfig{User: "alice", Auth: []ssh.AuthMethod{ssh.PublicKeys(s)},
			HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second})
	}
	if c, err := dial(stranger); err == nil {
		c.Close()
		t.Fatal("logged in with a key that is not in authorized_keys")
	}
	c, err := dial(key)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sc, err := sftp.NewClient(c)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	// Jailed (chroot_local_user): "/" is the home directory.
	putHello(t, sc, home)
	// The key path is mapped as the password path is: the jail is the
	// home, and the session starts at its top.
	id, err := keys.AuthorizeKey(context.Background(), auth.KeyRequest{User: "alice", Key: key.PublicKey().Marshal()})
	if err != nil || id.Home != home || id.StartDir != "/" {
		t.Fatalf("AuthorizeKey = %+v, %v; want home %s jailed, starting at /", id, err, home)
	}
}
