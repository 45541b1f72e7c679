package ftpsinterop

import (
	"bufio"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	host     = "127.0.0.1"
	host6    = "::1"
	testUser = "alice"
	pasvN    = 8 // passive ports per server: one session at a time, with room
)

// serverOpts shape one test server.
type serverOpts struct {
	tls   string   // "1.2" or "1.3": the only version the server accepts
	ipv6  bool     // listen on ::1 instead of 127.0.0.1
	reuse bool     // require_ssl_reuse
	extra []string // more key=value lines, after the defaults
	// certFile and keyFile replace the test PKI's server pair.
	certFile, keyFile string
}

// server is one running `wharf serve -c` child.
type server struct {
	t                testing.TB
	ip               string // 127.0.0.1 or ::1
	port, implicit   int    // explicit (listen_port) and implicit FTPS ports
	pasvMin, pasvMax int
	user, pass       string
	root             string // the user's home
	dir              string
	confPath         string
	cmd              *exec.Cmd
	log              *logTail
	done             chan struct{} // closed when the process has exited
	waitErr          error
}

// startServer writes a users file (wharf user add, password on stdin) and
// a config, starts the binary, and returns once it logs "serving FTP". It
// retries on other ports when a port was taken meanwhile.
func startServer(t testing.TB, o serverOpts) *server {
	t.Helper()
	dir := t.TempDir()
	s := &server{t: t, ip: host, dir: dir, user: testUser, pass: randomPassword()}
	if o.ipv6 {
		needIPv6(t)
		s.ip = host6
	}
	s.root = filepath.Join(dir, "data")
	if err := os.Mkdir(s.root, 0o755); err != nil {
		t.Fatal(err)
	}
	addUser(t, filepath.Join(dir, "users"), s.user, s.pass, s.root)
	var lastErr error
	for attempt := 0; attempt < 6; attempt++ {
		if err := s.pickPorts(); err != nil {
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
		if !strings.Contains(s.log.text(), "cannot listen") {
			break
		}
	}
	t.Fatalf("starting wharf serve -c %s: %v\n--- server log ---\n%s", s.confPath, lastErr, s.log.lastLines(40))
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

// addUser runs `wharf user add -f FILE -home DIR NAME`, password on stdin.
func addUser(t testing.TB, file, name, pass, home string) {
	t.Helper()
	cmd := exec.Command(wharfBin, "user", "add", "-f", file, "-home", home, "-perms", "rlw", name)
	cmd.Stdin = strings.NewReader(pass + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("wharf user add: %v\n%s", err, out)
	}
}

func (s *server) pickPorts() error {
	var err error
	if s.port, err = freePortOn(s.ip); err != nil {
		return err
	}
	if s.implicit, err = freePortOn(s.ip); err != nil {
		return err
	}
	s.pasvMin, err = freeRange(s.ip, pasvN, s.port, s.implicit)
	s.pasvMax = s.pasvMin + pasvN - 1
	return err
}

func (s *server) writeConfig(t testing.TB, o serverOpts) {
	t.Helper()
	yes := func(b bool) string {
		if b {
			return "YES"
		}
		return "NO"
	}
	lines := []string{
		"# written by test/ftpsinterop",
		"listen_port=" + strconv.Itoa(s.port),
		"implicit_ssl_port=" + strconv.Itoa(s.implicit),
		"pasv_min_port=" + strconv.Itoa(s.pasvMin), "pasv_max_port=" + strconv.Itoa(s.pasvMax),
		"max_clients=" + strconv.Itoa(pasvN),
		"anonymous_enable=NO", "local_enable=YES", "write_enable=YES", "local_umask=022",
		"users_file=" + filepath.Join(s.dir, "users"),
		"state_dir=" + filepath.Join(s.dir, "state"),
		"ssl_enable=YES",
		"rsa_cert_file=" + cmp.Or(o.certFile, pki.Server.CertFile),
		"rsa_private_key_file=" + cmp.Or(o.keyFile, pki.Server.KeyFile),
		"ssl_tlsv1=NO", "ssl_tlsv1_1=NO",
		"ssl_tlsv1_2=" + yes(o.tls != "1.3"), "ssl_tlsv1_3=" + yes(o.tls != "1.2"),
		"require_ssl_reuse=" + yes(o.reuse),
		"force_local_logins_ssl=YES", "force_local_data_ssl=YES", "strict_ssl_read_eof=YES",
		"debug_ssl=YES", "xferlog_enable=YES", "log_ftp_protocol=YES",
		"log_level=debug", "log_format=json",
	}
	if s.ip == host6 {
		lines = append(lines, "listen=NO", "listen_ipv6=YES", "listen_address6="+host6)
	} else {
		lines = append(lines, "listen=YES", "listen_address="+host)
	}
	lines = append(lines, o.extra...)
	s.confPath = filepath.Join(s.dir, "wharf.conf")
	if err := os.WriteFile(s.confPath, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// start runs the binary with its stderr (the log) on a pipe and waits for
// the "serving FTP" line, or the process's exit.
func (s *server) start() error {
	s.cmd = exec.Command(wharfBin, "serve", "-c", s.confPath)
	pr, pw, err := os.Pipe()
	if err != nil {
		return err
	}
	s.cmd.Stdout, s.cmd.Stderr = pw, pw
	s.log = newLogTail(filepath.Join(s.dir, "server.log"))
	if err := s.cmd.Start(); err != nil {
		pr.Close()
		pw.Close()
		return err
	}
	pw.Close()
	go s.log.consume(pr)
	s.done = make(chan struct{})
	go func() { s.waitErr = s.cmd.Wait(); close(s.done) }()
	if _, err := s.log.waitFor(func(r logRecord) bool { return r.Msg == "serving FTP" }, 20*time.Second); err != nil {
		s.kill()
		return err
	}
	return nil
}

func (s *server) kill() {
	s.cmd.Process.Kill()
	<-s.done
	s.log.wait()
}

// stop sends SIGTERM to the server's PID and waits for it to exit (SIGKILL
// after 15 s). It fails the test when the server died early or exits
// non-zero, and prints the log tail when the test failed.
func (s *server) stop() {
	t := s.t
	select {
	case <-s.done:
		s.log.wait()
		t.Errorf("wharf serve exited during the test: %v\n--- server log ---\n%s", s.waitErr, s.log.lastLines(40))
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
	s.log.wait()
	if t.Failed() {
		t.Logf("--- server log (%s), last lines ---\n%s", s.log.path, s.log.lastLines(80))
	}
}

// records returns the server's log so far, parsed.
func (s *server) records() []logRecord { return s.log.records() }

// logRecord is one JSON log line of the server (log_format=json). Only
// the fields the tests look at.
type logRecord struct {
	Msg         string `json:"msg"`
	Level       string `json:"level"`
	Verb        string `json:"verb"`
	Arg         string `json:"arg"`
	Code        int    `json:"code"`
	Session     int    `json:"session"`
	ImplicitTLS bool   `json:"implicit_tls"`
	TLS         string `json:"tls"`     // "control connection secured"
	Version     string `json:"version"` // "TLS handshake" (debug_ssl)
	Resumed     bool   `json:"resumed"`
	Result      string `json:"result"` // "transfer"
	Kind        string `json:"kind"`
	SHA256      string `json:"sha256"` // "reload: certificate re-read"
	Err         string `json:"err"`
	raw         string
	// reply: a "reply" line (log_ftp_protocol). Its text is a second
	// "msg" key, which is what Msg holds after decoding.
	reply bool
}

// logTail copies the server's output to a file and keeps it in memory;
// waitFor blocks until a matching line arrives (no polling: each new line
// closes the channel waiters select on).
type logTail struct {
	path    string
	mu      sync.Mutex
	lines   []string
	changed chan struct{}
	eof     bool
	done    chan struct{}
}

func newLogTail(path string) *logTail {
	return &logTail{path: path, changed: make(chan struct{}), done: make(chan struct{})}
}

func (l *logTail) consume(r io.ReadCloser) {
	defer close(l.done)
	defer r.Close()
	f, _ := os.Create(l.path)
	if f != nil {
		defer f.Close()
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if f != nil {
			fmt.Fprintln(f, line)
		}
		l.mu.Lock()
		l.lines = append(l.lines, line)
		close(l.changed)
		l.changed = make(chan struct{})
		l.mu.Unlock()
	}
	l.mu.Lock()
	l.eof = true
	close(l.changed)
	l.changed = make(chan struct{})
	l.mu.Unlock()
}

// wait returns once the process's output is closed and consumed.
func (l *logTail) wait() { <-l.done }

func (l *logTail) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func (l *logTail) lastLines(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	from := max(0, len(l.lines)-n)
	return strings.Join(l.lines[from:], "\n")
}

func parseRecord(line string) (logRecord, bool) {
	var r logRecord
	if json.Unmarshal([]byte(line), &r) != nil {
		return r, false
	}
	r.raw = line
	r.reply = strings.Contains(line, `"msg":"reply",`)
	return r, true
}

func (l *logTail) records() []logRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []logRecord
	for _, line := range l.lines {
		if r, ok := parseRecord(line); ok {
			out = append(out, r)
		}
	}
	return out
}

// waitFor returns the first record (from the start of the log) matching
// match, waiting up to d for it to be logged.
func (l *logTail) waitFor(match func(logRecord) bool, d time.Duration) (logRecord, error) {
	return l.waitForFrom(0, match, d)
}

// waitForFrom is waitFor over the lines from index from on.
func (l *logTail) waitForFrom(from int, match func(logRecord) bool, d time.Duration) (logRecord, error) {
	var rec logRecord
	_, err := l.waitLine(from, func(line string) bool {
		r, ok := parseRecord(line)
		if ok && match(r) {
			rec = r
		}
		return ok && match(r)
	}, d)
	return rec, err
}

// waitLine waits up to d for a line (from index from on) that match
// accepts, and returns it.
func (l *logTail) waitLine(from int, match func(string) bool, d time.Duration) (string, error) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		l.mu.Lock()
		for ; from < len(l.lines); from++ {
			if line := l.lines[from]; match(line) {
				l.mu.Unlock()
				return line, nil
			}
		}
		eof, changed := l.eof, l.changed
		l.mu.Unlock()
		if eof {
			return "", errors.New("the process exited before logging the expected line")
		}
		select {
		case <-changed:
		case <-timer.C:
			return "", fmt.Errorf("the expected log line did not appear within %v", d)
		}
	}
}

// mark is the number of log lines so far, for waitForFrom.
func (l *logTail) mark() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.lines)
}

// freePort finds a TCP port free on 127.0.0.1 now, in 10000-32767 (below
// Linux's ephemeral range, so no outgoing connection takes it meanwhile).
func freePort() (int, error) { return freePortOn(host) }

// freePortOn is freePort on ip.
func freePortOn(ip string) (int, error) {
	for range 200 {
		if p := 10000 + rand.IntN(22768); portFree(ip, p) {
			return p, nil
		}
	}
	return 0, errors.New("no free port found")
}

// freeRange finds n consecutive free ports on ip containing none of avoid.
func freeRange(ip string, n int, avoid ...int) (int, error) {
next:
	for range 200 {
		base := 10000 + rand.IntN(22768-n)
		for _, a := range avoid {
			if a >= base && a < base+n {
				continue next
			}
		}
		for p := base; p < base+n; p++ {
			if !portFree(ip, p) {
				continue next
			}
		}
		return base, nil
	}
	return 0, fmt.Errorf("no %d consecutive free ports found", n)
}

func portFree(ip string, port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// urlHost is the server's address as a URL has it: 127.0.0.1 or [::1].
func (s *server) urlHost() string {
	if s.ip == host6 {
		return "[" + host6 + "]"
	}
	return s.ip
}

// needIPv6 skips (in CI: fails) when ::1 cannot be used here.
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
