// Package sftpinterop runs real SFTP clients (OpenSSH sftp and scp, curl,
// lftp, rclone) and ssh-audit against the wharf binary, built once by
// TestMain and started as a child process on loopback ports.
//
// A missing client skips its test, except under CI=true, where it fails:
// CI installs them all (.ci/run).
package sftpinterop

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// world is the running server and everything a client needs to reach it.
type world struct {
	dir        string // scratch root
	bin        string // the wharf binary
	data       string // alice's home on the server
	conf       string
	port       int    // SFTP port
	knownHosts string // known_hosts pinning the server's keys
	ed25519FP  string // base64 SHA256 of the ed25519 host key (curl --hostpubsha256)
	key        string // alice's private key file (OpenSSH format)
	log        string // the server's stderr
	cmd        *exec.Cmd
}

const (
	user     = "alice"
	password = "pw"
)

var w *world

func TestMain(m *testing.M) {
	var err error
	w, err = setUp()
	if err != nil {
		fmt.Fprintln(os.Stderr, "sftpinterop: setup:", err)
		if w != nil {
			w.tearDown()
		}
		os.Exit(1)
	}
	code := m.Run()
	w.tearDown()
	os.Exit(code)
}

func setUp() (*world, error) {
	dir, err := os.MkdirTemp("", "wharf-sftpinterop-")
	if err != nil {
		return nil, err
	}
	w := &world{dir: dir, bin: filepath.Join(dir, "wharf"), data: filepath.Join(dir, "data"),
		conf: filepath.Join(dir, "wharf.conf"), log: filepath.Join(dir, "server.log"),
		knownHosts: filepath.Join(dir, "known_hosts"), key: filepath.Join(dir, "id_ed25519")}
	steps := []func() error{w.build, w.makeUsers, w.writeConfig, w.start, w.pinHostKeys}
	for _, step := range steps {
		if err := step(); err != nil {
			return w, err
		}
	}
	return w, nil
}

func (w *world) build() error {
	out, err := exec.Command("go", "build", "-o", w.bin, "../../cmd/wharf").CombinedOutput()
	if err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	return nil
}

// makeUsers creates alice (password and an ed25519 key) with the CLI, as
// an administrator would.
func (w *world) makeUsers() error {
	if err := os.Mkdir(w.data, 0o755); err != nil {
		return err
	}
	users := filepath.Join(w.dir, "users")
	add := exec.Command(w.bin, "user", "add", "-f", users, "-home", w.data, user)
	add.Stdin = strings.NewReader(password + "\n")
	if out, err := add.CombinedOutput(); err != nil {
		return fmt.Errorf("user add: %v\n%s", err, out)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	block, err := ssh.MarshalPrivateKey(priv, "interop")
	if err != nil {
		return err
	}
	if err := os.WriteFile(w.key, pem.EncodeToMemory(block), 0o600); err != nil {
		return err
	}
	sshPub, _ := ssh.NewPublicKey(pub)
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sshPub))) + " interop@test"
	if out, err := exec.Command(w.bin, "user", "key", "add", "-f", users, user, line).CombinedOutput(); err != nil {
		return fmt.Errorf("user key add: %v\n%s", err, out)
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (w *world) writeConfig() error {
	ftpPort, err := freePort()
	if err != nil {
		return err
	}
	if w.port, err = freePort(); err != nil {
		return err
	}
	conf := fmt.Sprintf(`listen=YES
listen_address=127.0.0.1
listen_port=%d
pasv_min_port=40000
pasv_max_port=40100
max_clients=100
local_enable=YES
write_enable=YES
local_umask=022
anonymous_enable=NO
users_file=%s
state_dir=%s
xferlog_enable=YES
sftp_enable=YES
sftp_listen_address=127.0.0.1
sftp_listen_port=%d
`, ftpPort, filepath.Join(w.dir, "users"), filepath.Join(w.dir, "state"), w.port)
	return os.WriteFile(w.conf, []byte(conf), 0o644)
}

// start runs `wharf serve` and waits for the SFTP port to accept.
func (w *world) start() error {
	logf, err := os.Create(w.log)
	if err != nil {
		return err
	}
	w.cmd = exec.Command(w.bin, "serve", "-c", w.conf)
	w.cmd.Stdout, w.cmd.Stderr = logf, logf
	if err := w.cmd.Start(); err != nil {
		return err
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(w.port)); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	b, _ := os.ReadFile(w.log)
	return fmt.Errorf("server did not start:\n%s", b)
}

// pinHostKeys writes known_hosts from `wharf sftp host-keys`, so every
// client checks the real key instead of trusting it blindly.
func (w *world) pinHostKeys() error {
	out, err := exec.Command(w.bin, "sftp", "host-keys", "-c", w.conf,
		"-known-hosts", "127.0.0.1:"+strconv.Itoa(w.port)).Output()
	if err != nil {
		return fmt.Errorf("sftp host-keys: %v", err)
	}
	if err := os.WriteFile(w.knownHosts, out, 0o644); err != nil {
		return err
	}
	fps, err := exec.Command(w.bin, "sftp", "host-keys", "-c", w.conf).Output()
	if err != nil {
		return err
	}
	for _, line := range strings.Split(string(fps), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "ssh-ed25519" {
			w.ed25519FP = strings.TrimPrefix(f[1], "SHA256:")
		}
	}
	if w.ed25519FP == "" {
		return fmt.Errorf("no ed25519 fingerprint in %q", fps)
	}
	return nil
}

// tearDown stops the server by its PID (SIGTERM, then SIGKILL) and removes
// the scratch directory.
func (w *world) tearDown() {
	if w.cmd != nil && w.cmd.Process != nil {
		w.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { w.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(40 * time.Second):
			w.cmd.Process.Kill()
			<-done
		}
	}
	if os.Getenv("WHARF_KEEP") == "" {
		os.RemoveAll(w.dir)
	}
}
