package interop

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"wharf/internal/testbin"
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
	proc             *testbin.Process
}

// addr is host:port of the control listener.
func (s *server) addr() string { return net.JoinHostPort(s.host, strconv.Itoa(s.port)) }

// urlHost is the host as it appears in a URL: 127.0.0.1 or [::1].
func (s *server) urlHost() string { return testbin.URLHost(s.host) }

// startServer writes a users file (with `wharf user add`, the password on
// stdin), a config, and starts `wharf serve -c` on free ports; it waits
// until the control port answers 220 and stops the process in t.Cleanup.
func startServer(t testing.TB, o serverOpts) *server {
	t.Helper()
	dir := t.TempDir()
	s := &server{t: t, host: loopback4, dir: dir, user: testUser, pass: testbin.RandomPassword()}
	if o.ipv6 {
		s.host = loopback6
		testbin.NeedIPv6(t)
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

// addUser runs `wharf user add` with the password on standard input, as a
// script would.
func addUser(t testing.TB, file, name, pass, home string) {
	t.Helper()
	if err := testbin.AddUser(wharfBin, file, home, name, pass, "-perms", "rlw"); err != nil {
		t.Fatal(err)
	}
}

func (s *server) pickPorts(o serverOpts) error {
	var err error
	if s.port, err = testbin.FreePort(s.host); err != nil {
		return err
	}
	if s.pasvMin, err = testbin.FreeRange(s.host, o.pasvN, s.port); err != nil {
		return err
	}
	s.pasvMax = s.pasvMin + o.pasvN - 1
	if o.dataPort {
		if s.dataPort, err = testbin.FreePort(s.host); err != nil {
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
		"vsftpd_log_file="+filepath.Join(s.dir, "vsftpd.log"),
		"log_ftp_protocol=YES",
		"log_level=debug",
		"log_format=json",
	)
	if o.dataPort {
		lines = append(lines, "connect_from_port_20=YES", "ftp_data_port="+strconv.Itoa(s.dataPort))
	}
	lines = append(lines, o.extra...)
	s.confPath = filepath.Join(s.dir, "wharf.conf")
	testbin.WriteLines(t, s.confPath, lines...)
}

// start runs the binary and polls the control port until it answers 220
// (bounded), or the process exits.
func (s *server) start() error {
	p, err := testbin.Start(filepath.Join(s.dir, "server.log"), exec.Command(wharfBin, "serve", "-c", s.confPath))
	if s.proc = p; err != nil {
		return err
	}
	p.Format = compactLogLine
	return p.WaitFTP(s.addr(), 15*time.Second)
}

func (s *server) bindFailure() bool {
	return s.proc != nil && (s.proc.LogContains("address already in use") || s.proc.LogContains("cannot listen"))
}

// stop stops the server by PID: see testbin.Process.StopTest.
func (s *server) stop() { s.proc.StopTest(s.t) }

// logTail is the end of the server's log, its JSON records shown as a
// transcript by compactLogLine.
func (s *server) logTail(n int) string {
	if s.proc == nil {
		return "(the server did not start)"
	}
	return s.proc.Tail(n)
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
	log, err := s.proc.Log()
	if err != nil {
		s.t.Errorf("reading server log: %v", err)
		return nil
	}
	var verbs []string
	for _, line := range strings.Split(log, "\n") {
		var r logRecord
		if json.Unmarshal([]byte(line), &r) != nil || r.Msg != "command" {
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
