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
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"wharf/internal/auth/authtest"
	"wharf/internal/testbin"
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
	proc       *testbin.Process
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
	if err := w.tearDown(); err != nil {
		fmt.Fprintln(os.Stderr, "sftpinterop:", err)
		code = 1
	}
	os.Exit(code)
}

func setUp() (*world, error) {
	dir, err := os.MkdirTemp("", "wharf-sftpinterop-")
	if err != nil {
		return nil, err
	}
	w := &world{dir: dir, data: filepath.Join(dir, "data"),
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

// build builds wharf, with -race under go test -race.
func (w *world) build() error {
	var err error
	w.bin, err = testbin.Build(w.dir, "wharf/cmd/wharf", testbin.Race)
	return err
}

// makeUsers creates alice (password and an ed25519 key) with the CLI, as
// an administrator would.
func (w *world) makeUsers() error {
	if err := os.Mkdir(w.data, 0o755); err != nil {
		return err
	}
	users := filepath.Join(w.dir, "users")
	if err := testbin.AddUser(w.bin, users, w.data, user, password); err != nil {
		return err
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
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		return err
	}
	line := authtest.AuthorizedLine(sshPub, "interop@test")
	if out, err := exec.Command(w.bin, "user", "key", "add", "-f", users, user, line).CombinedOutput(); err != nil {
		return fmt.Errorf("user key add: %v\n%s", err, out)
	}
	return nil
}

func (w *world) writeConfig() error {
	ftpPort, err := testbin.FreePort("127.0.0.1")
	if err != nil {
		return err
	}
	if w.port, err = testbin.FreePort("127.0.0.1"); err != nil {
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
vsftpd_log_file=%s
sftp_enable=YES
sftp_listen_address=127.0.0.1
sftp_listen_port=%d
`, ftpPort, filepath.Join(w.dir, "users"), filepath.Join(w.dir, "state"), filepath.Join(w.dir, "vsftpd.log"), w.port)
	return os.WriteFile(w.conf, []byte(conf), 0o644)
}

// start runs `wharf serve` and waits (bounded) for the SFTP port to
// greet with its SSH identification.
func (w *world) start() error {
	var err error
	if w.proc, err = testbin.Start(w.log, exec.Command(w.bin, "serve", "-c", w.conf)); err != nil {
		return err
	}
	if err := w.proc.WaitSSH("127.0.0.1:"+strconv.Itoa(w.port), 30*time.Second); err != nil {
		return fmt.Errorf("server did not start: %v\n%s", err, w.proc.Tail(80))
	}
	return nil
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

// tearDown stops the server by its PID (SIGTERM, then SIGKILL after 40 s)
// and removes the scratch directory. A data race the server reported (a
// -race build) is an error; how the server exited is only shown.
func (w *world) tearDown() error {
	var race string
	if w.proc != nil {
		if err := w.proc.Stop(40 * time.Second); err != nil {
			fmt.Fprintf(os.Stderr, "sftpinterop: %s: %v\n", w.proc.Name(), err)
		}
		race = w.proc.RaceReport()
	}
	if os.Getenv("WHARF_KEEP") == "" {
		os.RemoveAll(w.dir)
	}
	if race != "" {
		return fmt.Errorf("the server (built with -race) reported a data race:\n%s", race)
	}
	return nil
}
