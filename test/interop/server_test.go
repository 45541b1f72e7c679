package interop

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	loopback4 = "127.0.0.1"
	loopback6 = "::1"
	testUser  = "alice"
)

// serverOpts shape one test server.
type serverOpts struct {
	ipv6  bool     // listen on [::1] instead of 127.0.0.1
	pasvN int      // size of the passive range (default 16)
	extra []string // more key=value lines, after the defaults
	// dataPort: connect_from_port_20=YES with a free high port as
	// ftp_data_port (server.dataPort).
	dataPort bool
}

// server is one running `wharf serve -c` child process.
type server struct {
	t                testing.TB
	host             string // 127.0.0.1 or ::1
	port             int
	pasvMin, pasvMax int
	dataPort         int // ftp_data_port, when opts.dataPort
	user, pass       string
	root             string // the user's home directory
	dir              string // the server's own temporary directory
	confPath         string
	logPath          string
	cmd              *exec.Cmd
	done             chan struct{} // closed when the process has exited
	waitErr          error
}

// addr is host:port of the control listener.
func (s *server) addr() string { return net.JoinHostPort(s.host, strconv.Itoa(s.port)) }

// urlHost is the host as it appears in a URL: 127.0.0.1 or [::1].
func (s *server) urlHost() string {
	if strings.Contains(s.host, ":") {
		return "[" + s.host + "]"
	}
	return s.host
}

// startServer writes a users file (with `wharf user add`, the password on
// stdin), a config, and starts `wharf serve -c` on free ports; it waits
// until the control port answers 220 and stops the process in t.Cleanup.
func startServer(t testing.TB, o serverOpts) *server {
	t.Helper()
	dir := t.TempDir()
	s := &server{t: t, host: loopback4, dir: dir, user: testUser, pass: randomPassword()}
	if o.ipv6 {
		s.host = loopback6
		needIPv6(t)
	}
	s.root = filepath.Join(dir, "data")
	if err := os.Mkdir(s.root, 0o755); err != nil {
		t.Fatal(err)
	}
	addUser(t, filepath.Join(dir, "users"), s.user, s.pass, s.root)
	if o.pasvN == 0 {
		o.pasvN = 16
	}
	var lastErr error
	for attempt := 0; attempt < 6; attempt++ {
		if err := s.pickPorts(o); err != nil {
			lastErr = err
			continue
		}
		s.writeConfig(t, o)
		err := s.start()
		if err == nil {
			t.Cleanup(s.stop)
			return s
		}
		lastErr = err
		if !s.bindFailure() {
			break
		}
		t.Logf("server could not bind (attempt %d), retrying on other ports: %v", attempt+1, err)
	}
	t.Fatalf("starting wharf serve -c %s: %v\n--- server log ---\n%s", s.confPath, lastErr, s.logTail(40))
	return nil
}

func randomPassword() string {
	const letters = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 16)
	for i := range b {
		b[i] = letters[rand.IntN(len(letters))]
	}
	return string(b)
}

// addUser runs `wharf user add -f FILE -home DIR NAME` with the password on
// standard input, as a script would.
func addUser(t testing.TB, file, name, pass, home string) {
	t.Helper()
	cmd := exec.Command(wharfBin, "user", "add", "-f", file, "-home", home, "-perms", "rlw", name)
	cmd.Stdin = strings.NewReader(pass + "\n")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("wharf user add: %v\n%s", err, out)
	}
}

func (s *server) pickPorts(o serverOpts) error {
	var err error
	if s.port, err = freePort(s.host); err != nil {
		return err
	}
	if s.pasvMin, err = freeRange(s.host, o.pasvN, s.port); err != nil {
		return err
	}
	s.pasvMax = s.pasvMin + o.pasvN - 1
	if o.dataPort {
		if s.dataPort, err = freePort(s.host); err != nil {
			return err
		}
	}
	return nil
}

func (s *server) writeConfig(t testing.TB, o serverOpts) {
	t.Helper()
	lines := []string{"# written by the interop tests"}
	if s.host == loopback6 {
		lines = append(lines, "listen=NO", "listen_ipv6=YES", "listen_address6=::1")
	} else {
		lines = append(lines, "listen=YES", "listen_address=127.0.0.1")
	}
	lines = append(lines,
		"listen_port="+strconv.Itoa(s.port),
		"pasv_min_port="+strconv.Itoa(s.pasvMin),
		"pasv_max_port="+strconv.Itoa(s.pasvMax),
		"max_clients="+strconv.Itoa(s.pasvMax-s.pasvMin+1),
		"anonymous_enable=NO",
		"local_enable=YES",
		"write_enable=YES",
		"local_umask=022",
		"users_file="+filepath.Join(s.dir, "users"),
		"state_dir="+filepath.Join(s.dir, "state"),
		"ascii_upload_enable=YES",
		"ascii_download_enable=YES",
		"xferlog_enable=YES",
		"log_ftp_protocol=YES",
		"log_level=debug",
		"log_format=json",
	)
	if o.dataPort {
		lines = append(lines, "connect_from_port_20=YES", "ftp_data_port="+strconv.Itoa(s.dataPort))
	}
	lines = append(lines, o.extra...)
	s.confPath = filepath.Join(s.dir, "wharf.conf")
	if err := os.WriteFile(s.confPath, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// start runs the binary and polls the control port until it answers 220
// (bounded), or the process exits.
func (s *server) start() error {
	s.logPath = filepath.Join(s.dir, "server.log")
	logf, err := os.Create(s.logPath)
	if err != nil {
		return err
	}
	defer logf.Close()
	s.cmd = exec.Command(wharfBin, "serve", "-c", s.confPath)
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		return err
	}
	s.done = make(chan struct{})
	go func() { s.waitErr = s.cmd.Wait(); close(s.done) }()
	if err := waitBanner(s.addr(), s.done, 15*time.Second); err != nil {
		s.kill()
		return err
	}
	return nil
}

// waitBanner polls addr until a connection reads a 220 greeting, the
// process exits (done closed), or the deadline passes.
func waitBanner(addr string, done <-chan struct{}, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	delay := 5 * time.Millisecond
	for {
		select {
		case <-done:
			return errors.New("the server exited before answering")
		default:
		}
		line, err := readBanner(addr)
		if err == nil && strings.HasPrefix(line, "220") {
			return nil
		}
		if err == nil {
			return fmt.Errorf("greeting %q, want 220", line)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no 220 greeting on %s within %v: %v", addr, limit, err)
		}
		select {
		case <-done:
		case <-time.After(delay):
		}
		delay = min(delay*2, 200*time.Millisecond)
	}
}

func readBanner(addr string) (string, error) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(3 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return "", err
	}
	c.Write([]byte("QUIT\r\n"))
	return strings.TrimRight(line, "\r\n"), nil
}

func (s *server) bindFailure() bool {
	b, _ := os.ReadFile(s.logPath)
	return bytes.Contains(b, []byte("address already in use")) || bytes.Contains(b, []byte("cannot listen"))
}

func (s *server) kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.done
}

// stop sends SIGTERM to the server's PID and waits; SIGKILL after a
// deadline. A server that does not stop on SIGTERM, or exits non-zero, is
// a test failure. The log tail is printed when the test failed.
func (s *server) stop() {
	t := s.t
	select {
	case <-s.done:
		t.Errorf("wharf serve exited during the test: %v\n--- server log ---\n%s", s.waitErr, s.logTail(40))
		return
	default:
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		if s.waitErr != nil {
			t.Errorf("wharf serve after SIGTERM: %v (want exit status 0)", s.waitErr)
		}
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
		t.Errorf("wharf serve (pid %d) did not stop within 15s of SIGTERM; killed", s.cmd.Process.Pid)
	}
	if b, _ := os.ReadFile(s.logPath); bytes.Contains(b, []byte("WARNING: DATA RACE")) {
		i := bytes.Index(b, []byte("WARNING: DATA RACE"))
		t.Errorf("the server (built with -race) reported a data race:\n%s", b[i:min(len(b), i+6000)])
	}
	if t.Failed() {
		t.Logf("--- server log (%s), last lines ---\n%s", s.logPath, s.logTail(60))
	}
}

// logTail is the end of the server's log, its JSON records shown as a
// transcript: "[session] > COMMAND arg", "[session] < code reply", or the
// message with its attributes.
func (s *server) logTail(n int) string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		lines = append(lines, compactLogLine(l))
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// logRecord is one JSON log line of the server (log_format=json).
type logRecord struct {
	Msg  string `json:"msg"`
	Verb string `json:"verb"`
	Arg  string `json:"arg"`
	Code int    `json:"code"`
}

// commands returns the verbs the server logged (log_ftp_protocol=YES at
// log_level=debug), in order, from the from'th on.
func (s *server) commands(from int) []string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		s.t.Errorf("reading server log: %v", err)
		return nil
	}
	var verbs []string
	for _, line := range bytes.Split(b, []byte("\n")) {
		var r logRecord
		if json.Unmarshal(line, &r) != nil || r.Msg != "command" {
			continue
		}
		verbs = append(verbs, r.Verb)
	}
	if from > len(verbs) {
		return nil
	}
	return verbs[from:]
}

// commandMark is the number of commands logged so far, for commands(mark).
func (s *server) commandMark() int { return len(s.commands(0)) }

// freePort finds a TCP port that is free on host now. Ports come from
// 10000-32767, below Linux's ephemeral range, so that the kernel does not
// hand them to some other test's outgoing connection meanwhile.
func freePort(host string) (int, error) {
	for range 200 {
		p := 10000 + rand.IntN(22768)
		if portFree(host, p) {
			return p, nil
		}
	}
	return 0, errors.New("no free port found")
}

// freeRange finds n consecutive free ports, not containing avoid.
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
	return 0, fmt.Errorf("no %d consecutive free ports found", n)
}

func portFree(host string, port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// needIPv6 skips (or, in CI, fails) when ::1 is not usable here.
func needIPv6(t testing.TB) {
	t.Helper()
	l, err := net.Listen("tcp6", "[::1]:0")
	if err == nil {
		l.Close()
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("IPv6 loopback ::1 is not available: %v", err)
	}
	t.Skipf("IPv6 loopback ::1 is not available: %v", err)
}

// compactLogLine renders one JSON log record readably; other lines are
// returned as they are.
func compactLogLine(line string) string {
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(line))
	dec.UseNumber()
	if dec.Decode(&m) != nil {
		return line
	}
	sess := fmt.Sprintf("[%v]", m["session"])
	_, hasCode := m["code"]
	switch {
	case m["msg"] == "command":
		return fmt.Sprintf("%s > %v %v", sess, m["verb"], m["arg"])
	case hasCode:
		return fmt.Sprintf("%s < %v %v", sess, m["code"], strings.ReplaceAll(fmt.Sprint(m["text"]), "\n", " | "))
	}
	var attrs []string
	for k, v := range m {
		switch k {
		case "time", "msg", "session", "level":
			continue
		}
		attrs = append(attrs, fmt.Sprintf("%s=%v", k, v))
	}
	sort.Strings(attrs)
	return fmt.Sprintf("%s %v %v: %s", sess, m["level"], m["msg"], strings.Join(attrs, " "))
}
