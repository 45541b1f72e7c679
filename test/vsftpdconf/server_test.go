package vsftpdconf

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// server is one running `wharf serve -c FILE -o ...` child.
type server struct {
	t       testing.TB
	host    string // 127.0.0.1 or ::1
	port    int
	conf    string
	args    []string
	logPath string
	cmd     *exec.Cmd
	done    chan struct{}
	waitErr error
	stopped bool
}

func (s *server) addr() string { return net.JoinHostPort(s.host, strconv.Itoa(s.port)) }

// urlHost is the host as written in a URL.
func (s *server) urlHost() string {
	if strings.Contains(s.host, ":") {
		return "[" + s.host + "]"
	}
	return s.host
}

// serveOpts: the config file and its -o overrides. The server always gets
// -o listen_port, pasv_min_port, pasv_max_port (free ports on host) and
// protocol logging; with ipv6 it listens on [::1] through listen_ipv6=YES
// and listen_address6, else on 127.0.0.1 through listen=YES.
type serveOpts struct {
	conf string
	ipv6 bool
	o    []string
}

// startServer starts wharf serve, polls until the control port greets with
// 220 (bounded), and stops it by PID in t.Cleanup.
func startServer(t testing.TB, so serveOpts) *server {
	t.Helper()
	s := &server{t: t, host: "127.0.0.1", conf: so.conf}
	if so.ipv6 {
		s.host = "::1"
	}
	dir := t.TempDir()
	s.logPath = filepath.Join(dir, "server.log")
	var lastErr error
	for attempt := range 6 {
		port, err := freePort(s.host)
		if err != nil {
			t.Fatal(err)
		}
		pasv, err := freeRange(s.host, 8, port)
		if err != nil {
			t.Fatal(err)
		}
		s.port = port
		s.args = []string{"serve", "-c", so.conf}
		listen := []string{"listen=YES", "listen_ipv6=NO", "listen_address=127.0.0.1"}
		if so.ipv6 {
			listen = []string{"listen=NO", "listen_ipv6=YES", "listen_address6=::1"}
		}
		for _, o := range append(append(listen,
			"listen_port="+strconv.Itoa(port),
			"pasv_min_port="+strconv.Itoa(pasv),
			"pasv_max_port="+strconv.Itoa(pasv+7),
			"max_clients=8",
			"log_ftp_protocol=YES",
			"log_level=debug",
		), so.o...) {
			s.args = append(s.args, "-o", o)
		}
		if lastErr = s.start(); lastErr == nil {
			t.Cleanup(s.stop)
			return s
		}
		log, _ := os.ReadFile(s.logPath)
		if !bytes.Contains(log, []byte("address already in use")) {
			break
		}
		t.Logf("attempt %d: port taken meanwhile, retrying: %v", attempt+1, lastErr)
	}
	t.Fatalf("wharf %s: %v\n--- server log ---\n%s", strings.Join(s.args, " "), lastErr, s.log())
	return nil
}

func (s *server) start() error {
	logf, err := os.Create(s.logPath)
	if err != nil {
		return err
	}
	defer logf.Close()
	s.cmd = exec.Command(wharfBin, s.args...)
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		return err
	}
	s.done = make(chan struct{})
	go func() { s.waitErr = s.cmd.Wait(); close(s.done) }()
	if err := waitBanner(s.addr(), s.done, 15*time.Second); err != nil {
		s.cmd.Process.Kill()
		<-s.done
		return err
	}
	return nil
}

// waitBanner polls addr until it greets with 220, the process exits, or
// the deadline passes.
func waitBanner(addr string, done <-chan struct{}, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	delay := 5 * time.Millisecond
	for {
		select {
		case <-done:
			return errors.New("the server exited before answering")
		default:
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.SetDeadline(time.Now().Add(5 * time.Second))
			r := bufio.NewReader(c)
			var line string
			for err == nil && (line == "" || !(len(line) >= 4 && line[3] == ' ')) {
				line, err = r.ReadString('\n')
			}
			c.Write([]byte("QUIT\r\n"))
			c.Close()
			if err == nil && strings.HasPrefix(line, "220") {
				return nil
			}
			if err == nil {
				return fmt.Errorf("greeting %q, want 220", line)
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no 220 greeting on %s within %v: %v", addr, limit, err)
		}
		select {
		case <-done:
		case <-time.After(delay): // bounded poll for the banner
		}
		delay = min(delay*2, 200*time.Millisecond)
	}
}

// stop sends SIGTERM to the server's PID and waits (SIGKILL after 15 s).
func (s *server) stop() {
	if s.stopped {
		return
	}
	s.stopped = true
	select {
	case <-s.done:
		s.t.Errorf("wharf serve exited during the test: %v\n--- server log ---\n%s", s.waitErr, s.log())
		return
	default:
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		if s.waitErr != nil {
			s.t.Errorf("wharf serve after SIGTERM: %v (want exit status 0)", s.waitErr)
		}
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
		s.t.Errorf("wharf serve (pid %d) did not stop within 15s of SIGTERM", s.cmd.Process.Pid)
	}
	if b, _ := os.ReadFile(s.logPath); bytes.Contains(b, []byte("WARNING: DATA RACE")) {
		i := bytes.Index(b, []byte("WARNING: DATA RACE"))
		s.t.Errorf("the server (built with -race) reported a data race:\n%s", b[i:min(len(b), i+6000)])
	}
	if s.t.Failed() {
		s.t.Logf("--- server log (wharf %s) ---\n%s", strings.Join(s.args, " "), s.log())
	}
}

func (s *server) log() string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 80 {
		lines = lines[len(lines)-80:]
	}
	return strings.Join(lines, "\n")
}

// freePort finds a port free on host now, from 10000-32767 (below Linux's
// ephemeral range, so outgoing connections do not take it meanwhile).
func freePort(host string) (int, error) {
	for range 200 {
		p := 10000 + rand.IntN(22768)
		if portFree(host, p) {
			return p, nil
		}
	}
	return 0, errors.New("no free port found")
}

func freeRange(host string, n, avoid int) (int, error) {
next:
	for range 200 {
		base := 10000 + rand.IntN(22768-n)
		if avoid >= base && avoid < base+n {
			continue
		}
		for p := base; p < base+n; p++ {
			if !portFree(host, p) {
				continue next
			}
		}
		return base, nil
	}
	return 0, fmt.Errorf("no %d consecutive free ports", n)
}

func portFree(host string, port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// haveIPv6 tells whether ::1 can be listened on.
func haveIPv6() bool {
	l, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// writeConf writes a config file of lines into dir.
func writeConf(t testing.TB, dir, name string, lines ...string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
