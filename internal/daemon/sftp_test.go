package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"wharf/internal/auth"
	"wharf/internal/auth/userfile"
	"wharf/internal/config"
)

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// sftpConfig is a config serving FTP and SFTP on free loopback ports for
// one user, alice/pw, whose home is returned.
func sftpConfig(t *testing.T, state string, extra ...string) (*config.Config, string) {
	t.Helper()
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	os.Mkdir(home, 0o755)
	h, err := auth.HashPasswordWith("pw", auth.Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	if err != nil {
		t.Fatal(err)
	}
	var f userfile.File
	if err := f.Add(userfile.User{Name: "alice", Hash: h, Home: home, Perms: auth.PermRead | auth.PermList | auth.PermWrite}); err != nil {
		t.Fatal(err)
	}
	users := filepath.Join(dir, "users")
	if err := f.Save(users); err != nil {
		t.Fatal(err)
	}
	text := fmt.Sprintf("listen=YES\nlisten_address=127.0.0.1\nlisten_port=%d\npasv_min_port=40000\npasv_max_port=40100\n"+
		"max_clients=100\nlocal_enable=YES\nwrite_enable=YES\nanonymous_enable=NO\nusers_file=%s\nstate_dir=%s\n"+
		"sftp_enable=YES\nsftp_listen_address=127.0.0.1\nsftp_listen_port=%d\n%s",
		freePort(t), users, state, freePort(t), strings.Join(extra, "\n"))
	cfg, _, err := config.Parse("test.conf", []byte(text), nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, home
}

// TestSFTPServed: the daemon serves SFTP beside FTP for the users file's
// users, with host keys kept in state_dir across restarts.
func TestSFTPServed(t *testing.T) {
	state := t.TempDir()
	var fps []string
	for range 2 {
		cfg, home := sftpConfig(t, state)
		d, stop := runDaemon(t, cfg)
		var seen string
		c, err := ssh.Dial("tcp", d.SFTPAddr().String(), &ssh.ClientConfig{
			User: "alice", Auth: []ssh.AuthMethod{ssh.Password("pw")}, Timeout: 10 * time.Second,
			HostKeyCallback: func(_ string, _ net.Addr, k ssh.PublicKey) error { seen = ssh.FingerprintSHA256(k); return nil },
		})
		if err != nil {
			t.Fatal(err)
		}
		sc, err := sftp.NewClient(c)
		if err != nil {
			t.Fatal(err)
		}
		putHello(t, sc, home)
		sc.Close()
		c.Close()
		fps = append(fps, seen)
		if len(d.SFTPHostKeyFingerprints()) != 2 {
			t.Errorf("offered host keys: %v", d.SFTPHostKeyFingerprints())
		}
		stop()
	}
	if fps[0] == "" || fps[0] != fps[1] {
		t.Fatalf("host key changed across restarts: %v", fps)
	}
}

func TestSFTPCheck(t *testing.T) {
	for _, tc := range []struct{ extra, want string }{
		{"sftp_ciphers=aes128-cbc", "sftp_ciphers"},
		{"sftp_kex=diffie-hellman-group14-sha1", "sftp_kex"},
		{"sftp_macs=hmac-sha1", "sftp_macs"},
		{"sftp_host_key_files=/nonexistent/key", "sftp_host_key_files"},
		// Restrictions only the FTP engine applies: SFTP would bypass them.
		{"deny_file={*.exe}", "deny_file is applied to FTP sessions only"},
		{"hide_file={.*}", "hide_file"},
		{"upload_file={*.jpg}", "upload_file"},
		{"download_file={*.pdf}", "download_file"},
		{"cmds_denied=DELE", "cmds_denied"},
		{"cmds_allowed=USER,PASS,RETR", "cmds_allowed"},
		{"user_config_dir=" + t.TempDir(), "user_config_dir"},
	} {
		cfg, _ := sftpConfig(t, t.TempDir(), tc.extra)
		if err := Check(cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Check = %v", tc.extra, err)
		}
	}
	cfg, _ := sftpConfig(t, t.TempDir(), "local_enable=NO", "users_file=")
	if err := Check(cfg); err == nil || !strings.Contains(err.Error(), "sftp_enable") {
		t.Errorf("SFTP without local users: %v", err)
	}
}

// TestSFTPUserList: a user refused by the user list cannot log in over
// SFTP either.
func TestSFTPUserList(t *testing.T) {
	list := filepath.Join(t.TempDir(), "user_list")
	os.WriteFile(list, []byte("alice\n"), 0o644)
	cfg, _ := sftpConfig(t, t.TempDir(), "userlist_enable=YES", "userlist_file="+list)
	d, stop := runDaemon(t, cfg)
	defer stop()
	c, err := ssh.Dial("tcp", d.SFTPAddr().String(), &ssh.ClientConfig{
		User: "alice", Auth: []ssh.AuthMethod{ssh.Password("pw")}, Timeout: 10 * time.Second,
		HostKeyCallback: ssh.InsecureIgnoreHostKey(),
	})
	if err == nil {
		c.Close()
		t.Fatal("a user on the deny list logged in")
	}
}

// runDaemon starts a daemon on cfg; stop ends it and fails t if Run
// returned an error.
func runDaemon(t *testing.T, cfg *config.Config) (d *Daemon, stop func()) {
	t.Helper()
	d, err := New(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	return d, func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// putHello uploads "hi" to /hello.txt over sc and checks it landed in
// home (the session's root).
func putHello(t *testing.T, sc *sftp.Client, home string) {
	t.Helper()
	w, err := sc.Create("/hello.txt")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("hi"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(home, "hello.txt")); string(b) != "hi" {
		t.Fatalf("uploaded %q", b)
	}
}
