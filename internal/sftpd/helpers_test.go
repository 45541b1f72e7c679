package sftpd

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"wharf/internal/auth"
	"wharf/internal/vfs"
	"wharf/internal/vfs/localfs"
)

// testUser is what fakeAuth knows about a user.
type testUser struct {
	password string
	perms    auth.Perm
	keys     []ssh.PublicKey
}

// fakeAuth checks passwords and keys against a map; homes are root/<name>.
type fakeAuth struct {
	root  string
	users map[string]testUser
}

func (a *fakeAuth) id(name string) *auth.Identity {
	return &auth.Identity{Name: name, Home: filepath.Join(a.root, name), Perms: a.users[name].perms, UID: -1, GID: -1}
}

func (a *fakeAuth) Authenticate(_ context.Context, req auth.Request) (*auth.Identity, error) {
	u, ok := a.users[req.User]
	switch {
	case !ok:
		return nil, auth.ErrUnknownUser
	case u.password != req.Password:
		return nil, auth.ErrBadPassword
	}
	return a.id(req.User), nil
}

func (a *fakeAuth) AuthorizeKey(_ context.Context, req auth.KeyRequest) (*auth.Identity, error) {
	u, ok := a.users[req.User]
	if !ok {
		return nil, auth.ErrUnknownUser
	}
	for _, k := range u.keys {
		if bytes.Equal(k.Marshal(), req.Key) {
			return a.id(req.User), nil
		}
	}
	return nil, auth.ErrUnknownKey
}

var (
	hostKeysOnce sync.Once
	hostKeys     []ssh.Signer
	hostKeysErr  error
)

// testHostKeys generates one set of host keys per test binary (RSA 3072
// takes a while).
func testHostKeys(t *testing.T) []ssh.Signer {
	hostKeysOnce.Do(func() {
		dir, err := os.MkdirTemp("", "wharf-sftpd-hostkeys-")
		if err != nil {
			hostKeysErr = err
			return
		}
		defer os.RemoveAll(dir)
		hostKeys, hostKeysErr = LoadOrCreateHostKeys(dir)
	})
	if hostKeysErr != nil {
		t.Fatal(hostKeysErr)
	}
	return hostKeys
}

// fixture is a running server over localfs homes in a temporary directory.
type fixture struct {
	t    *testing.T
	root string // parent of the users' homes
	auth *fakeAuth
	srv  *Server
	addr string
	log  *syncBuffer
	key  ssh.Signer // alice's client key
}

type syncBuffer struct {
	mu sync.Mutex
	bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Buffer.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Buffer.String()
}

func newFixture(t *testing.T, tune func(*Options)) *fixture {
	t.Helper()
	root := t.TempDir()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	key, err := ssh.NewSignerFromSigner(priv)
	if err != nil {
		t.Fatal(err)
	}
	fa := &fakeAuth{root: root, users: map[string]testUser{
		"alice":  {password: "pw", perms: auth.PermRead | auth.PermList | auth.PermWrite, keys: []ssh.PublicKey{key.PublicKey()}},
		"reader": {password: "pw", perms: auth.PermRead | auth.PermList},
		"drop":   {password: "pw", perms: auth.PermWrite},
	}}
	for name := range fa.users {
		if err := os.Mkdir(filepath.Join(root, name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	logBuf := &syncBuffer{}
	tw := &testWriter{t: t}
	opts := Options{
		Auth: fa, Keys: fa, HostKeys: testHostKeys(t),
		OpenFS: func(id *auth.Identity) (vfs.FS, error) {
			o := localfs.DefaultOptions()
			o.Umask = 0
			return localfs.New(id.Home, o)
		},
		Logger:      slog.New(slog.NewTextHandler(io.MultiWriter(logBuf, tw), &slog.HandlerOptions{Level: slog.LevelDebug})),
		WriteEnable: true, DownloadEnable: true, DirlistEnable: true,
		Umask: 0o022, LogTransfers: true,
	}
	if tune != nil {
		tune(&opts)
	}
	srv, err := NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() {
		srv.Close()
		for i := 0; i < 100 && srv.SessionCount() > 0; i++ {
			time.Sleep(10 * time.Millisecond)
		}
		tw.off.Store(true)
	})
	return &fixture{t: t, root: root, auth: fa, srv: srv, addr: l.Addr().String(), log: logBuf, key: key}
}

// testWriter sends the server log to t.Log (shown with -v or on failure).
// After the test, it drops what connections still unwinding log.
type testWriter struct {
	t   *testing.T
	off atomic.Bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	if !w.off.Load() {
		w.t.Log(string(bytes.TrimRight(p, "\n")))
	}
	return len(p), nil
}

func (f *fixture) home(user string) string { return filepath.Join(f.root, user) }

// dial opens an SSH connection with the given auth methods.
func (f *fixture) dial(user string, methods ...ssh.AuthMethod) (*ssh.Client, error) {
	return ssh.Dial("tcp", f.addr, &ssh.ClientConfig{
		User: user, Auth: methods, HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second,
	})
}

// sftpClient logs in with a password and starts SFTP.
func (f *fixture) sftpClient(user string) *sftp.Client {
	f.t.Helper()
	c, err := f.dial(user, ssh.Password("pw"))
	if err != nil {
		f.t.Fatalf("dial %s: %v", user, err)
	}
	sc, err := sftp.NewClient(c)
	if err != nil {
		c.Close()
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { sc.Close(); c.Close() })
	return sc
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// statusCode is the SFTP status of err, or 0xffffffff.
func statusCode(err error) uint32 {
	var se *sftp.StatusError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0xffffffff
}
