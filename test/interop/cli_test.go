package interop

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"wharf/internal/testbin"
)

// TestServeEmbeddedDemo: `wharf serve` with no -c starts the embedded demo,
// prints the demo user and password and its data directory, and curl can
// list and upload with them; SIGTERM stops it and removes the data dir.
func TestServeEmbeddedDemo(t *testing.T) {
	testbin.NeedTool(t, "curl", "curl")
	port, err := testbin.FreePort(loopback4)
	if err != nil {
		t.Fatal(err)
	}
	pasv, err := testbin.FreeRange(loopback4, 10, port)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(wharfBin, "serve",
		"-o", "listen_port="+strconv.Itoa(port),
		"-o", "pasv_min_port="+strconv.Itoa(pasv),
		"-o", "pasv_max_port="+strconv.Itoa(pasv+9))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(t.TempDir(), "demo.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd.Stderr = logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var waitErr error
	// The announcement is read before Wait is called (Wait closes the pipe).
	announce := make(chan demoInfo, 1)
	go func() {
		announce <- readAnnouncement(stdout)
		io.Copy(io.Discard, stdout)
		waitErr = cmd.Wait()
		close(done)
	}()
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("--- wharf serve (embedded demo) log ---\n%s", b)
		}
	})
	var info demoInfo
	select {
	case info = <-announce:
	case <-done:
		t.Fatalf("wharf serve exited before announcing the demo user: %v", waitErr)
	case <-time.After(20 * time.Second):
		t.Fatal("wharf serve printed no demo user and password within 20s")
	}
	if info.user == "" || info.password == "" || info.dataDir == "" {
		t.Fatalf("announcement lacks the user, password or data dir:\n%s", info.text)
	}
	addr := net.JoinHostPort(loopback4, strconv.Itoa(port))
	if err := testbin.WaitFTP(addr, done, 15*time.Second); err != nil {
		t.Fatalf("embedded demo on %s: %v\n%s", addr, err, info.text)
	}
	if !strings.Contains(info.text, strconv.Itoa(port)) {
		t.Errorf("the announcement does not mention the control port %d:\n%s", port, info.text)
	}

	base := "ftp://" + addr + "/"
	auth := []string{"-sS", "--max-time", "30", "-u", info.user + ":" + info.password}
	work := t.TempDir()
	list, err := runTool(t, "curl", append(auth, "--list-only", base), "", work)
	if err != nil {
		t.Fatalf("listing the demo root: %v", err)
	}
	if !strings.Contains(list, "WELCOME.txt") {
		t.Errorf("demo root listing %q lacks WELCOME.txt", list)
	}
	up := filepath.Join(work, "up.txt")
	os.WriteFile(up, []byte("uploaded to the demo\n"), 0o644)
	if _, err := runTool(t, "curl", append(auth, "-T", up, base+"up.txt"), "", work); err != nil {
		t.Fatalf("uploading to the demo: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(info.dataDir, "up.txt")); err != nil || string(b) != "uploaded to the demo\n" {
		t.Errorf("uploaded file in the announced data dir %s: %q, %v", info.dataDir, b, err)
	}
	list, err = runTool(t, "curl", append(auth, "--list-only", base), "", work)
	if err != nil || !strings.Contains(list, "up.txt") {
		t.Errorf("listing after the upload: %q, %v", list, err)
	}
	if _, err := runTool(t, "curl", []string{"-sS", "--max-time", "30", "-u", info.user + ":wrong" + info.password, "--list-only", base}, "", work); err == nil {
		t.Error("a wrong password was accepted by the demo")
	}

	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
		stopped = true
	case <-time.After(15 * time.Second):
		t.Fatal("the demo did not stop within 15s of SIGTERM")
	}
	if waitErr != nil {
		t.Errorf("wharf serve (demo) after SIGTERM: %v, want exit status 0", waitErr)
	}
	if _, err := os.Stat(info.dataDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the demo data dir %s is still there after the demo stopped (stat: %v)", info.dataDir, err)
	}
}

type demoInfo struct {
	user, password, dataDir string
	text                    string
}

var (
	demoUserRE = regexp.MustCompile(`(?m)^\s*user:\s+(\S+)`)
	demoPassRE = regexp.MustCompile(`(?m)^\s*password:\s+(\S+)`)
	demoDirRE  = regexp.MustCompile(`(?m)^\s*data dir:\s+(\S+)`)
)

// readAnnouncement reads what `wharf serve` prints on stdout until it has
// the user, the password and the data dir (or stdout ends).
func readAnnouncement(r io.Reader) demoInfo {
	var info demoInfo
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		info.text += sc.Text() + "\n"
		if m := demoUserRE.FindStringSubmatch(info.text); m != nil {
			info.user = m[1]
		}
		if m := demoPassRE.FindStringSubmatch(info.text); m != nil {
			info.password = m[1]
		}
		if m := demoDirRE.FindStringSubmatch(info.text); m != nil {
			info.dataDir = m[1]
		}
		if info.user != "" && info.password != "" && info.dataDir != "" && strings.Contains(info.text, "ports:") {
			break
		}
	}
	return info
}

// TestCheckConfig: `wharf check-config -c` exits 0 on a good file and 1 on
// a bad one, naming file:line for each bad line.
func TestCheckConfig(t *testing.T) {
	dir := t.TempDir()
	addUser(t, filepath.Join(dir, "users"), testUser, testbin.RandomPassword(), dir)
	// check-config may try the ports: give it free ones.
	port, err := testbin.FreePort(loopback4)
	if err != nil {
		t.Fatal(err)
	}
	pasv, err := testbin.FreeRange(loopback4, 10, port)
	if err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.conf")
	os.WriteFile(good, []byte(strings.Join([]string{
		"# a good configuration",
		"listen=YES",
		"listen_address=127.0.0.1",
		"listen_port=" + strconv.Itoa(port),
		"anonymous_enable=NO",
		"local_enable=YES",
		"write_enable=YES",
		"users_file=" + filepath.Join(dir, "users"),
		"pasv_min_port=" + strconv.Itoa(pasv),
		"pasv_max_port=" + strconv.Itoa(pasv+9),
		"max_clients=10",
	}, "\n")+"\n"), 0o644)
	bad := filepath.Join(dir, "bad.conf")
	os.WriteFile(bad, []byte(strings.Join([]string{
		"# a bad configuration",                     // 1
		"listen=YES",                                // 2
		"listen_port=twenty-one",                    // 3: not a number
		"anonymous_enable=NO",                       // 4
		"no_such_key=YES",                           // 5: unknown key
		"tcp_wrappers=YES",                          // 6: refused key
		"local_enable=YES",                          // 7
		"users_file=" + filepath.Join(dir, "users"), // 8
	}, "\n")+"\n"), 0o644)

	t.Run("good", func(t *testing.T) {
		out, code := runWharf(t, "check-config", "-c", good)
		if code != 0 {
			t.Errorf("check-config on a good file: exit %d, want 0\n%s", code, out)
		}
		if !strings.Contains(out, "ok") {
			t.Errorf("check-config on a good file does not say ok:\n%s", out)
		}
	})
	t.Run("bad", func(t *testing.T) {
		out, code := runWharf(t, "check-config", "-c", bad)
		if code != 1 {
			t.Errorf("check-config on a bad file: exit %d, want 1\n%s", code, out)
		}
		for _, line := range []int{3, 5, 6} {
			want := bad + ":" + strconv.Itoa(line) + ":"
			if !strings.Contains(out, want) {
				t.Errorf("check-config output does not name %s (the bad line):\n%s", want, out)
			}
		}
		for _, key := range []string{"listen_port", "no_such_key", "tcp_wrappers"} {
			if !strings.Contains(out, key) {
				t.Errorf("check-config output does not name the key %s:\n%s", key, out)
			}
		}
	})
	t.Run("bad-override", func(t *testing.T) {
		out, code := runWharf(t, "check-config", "-c", good, "-o", "listen_port=abc")
		if code != 1 {
			t.Errorf("check-config -o listen_port=abc: exit %d, want 1\n%s", code, out)
		}
		if !strings.Contains(out, "listen_port") {
			t.Errorf("check-config -o listen_port=abc does not name the key:\n%s", out)
		}
	})
	t.Run("missing-file", func(t *testing.T) {
		out, code := runWharf(t, "check-config", "-c", filepath.Join(dir, "nope.conf"))
		if code == 0 {
			t.Errorf("check-config on a missing file: exit 0\n%s", out)
		}
	})
}

// runWharf runs the binary and returns its combined output and exit code.
func runWharf(t *testing.T, args ...string) (string, int) {
	t.Helper()
	out, err := exec.Command(wharfBin, args...).CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &ee):
		return string(out), ee.ExitCode()
	}
	t.Fatalf("wharf %s: %v", strings.Join(args, " "), err)
	return "", -1
}
