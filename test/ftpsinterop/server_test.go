package ftpsinterop

import (
	"cmp"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"wharf/internal/testbin"
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
	proc             *testbin.Process
	log              serverLog // the server's output as it comes
}

// startServer writes a users file (wharf user add, password on stdin) and
// a config, starts the binary, and returns once it logs "serving FTP". It
// retries on other ports when a port was taken meanwhile.
func startServer(t testing.TB, o serverOpts) *server {
	t.Helper()
	dir := t.TempDir()
	s := &server{t: t, ip: host, dir: dir, user: testUser, pass: testbin.RandomPassword()}
	if o.ipv6 {
		testbin.NeedIPv6(t)
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
		if s.proc == nil || !s.proc.LogContains("cannot listen") {
			break
		}
	}
	t.Fatalf("starting wharf serve -c %s: %v\n--- server log ---\n%s", s.confPath, lastErr, s.logTail(40))
	return nil
}

// addUser runs `wharf user add` with the password on standard input.
func addUser(t testing.TB, file, name, pass, home string) {
	t.Helper()
	if err := testbin.AddUser(wharfBin, file, home, name, pass, "-perms", "rlw"); err != nil {
		t.Fatal(err)
	}
}

func (s *server) pickPorts() error {
	var err error
	if s.port, err = testbin.FreePort(s.ip); err != nil {
		return err
	}
	if s.implicit, err = testbin.FreePort(s.ip); err != nil {
		return err
	}
	s.pasvMin, err = testbin.FreeRange(s.ip, pasvN, s.port, s.implicit)
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
		"debug_ssl=YES", "xferlog_enable=YES", "vsftpd_log_file=" + filepath.Join(s.dir, "vsftpd.log"), "log_ftp_protocol=YES",
		"log_level=debug", "log_format=json",
	}
	if s.ip == host6 {
		lines = append(lines, "listen=NO", "listen_ipv6=YES", "listen_address6="+host6)
	} else {
		lines = append(lines, "listen=YES", "listen_address="+host)
	}
	lines = append(lines, o.extra...)
	s.confPath = filepath.Join(s.dir, "wharf.conf")
	testbin.WriteLines(t, s.confPath, lines...)
}

// start runs the binary with its output followed as it comes and waits
// for the "serving FTP" line, or the process's exit.
func (s *server) start() error {
	p, err := testbin.StartFollowed(filepath.Join(s.dir, "server.log"), exec.Command(wharfBin, "serve", "-c", s.confPath))
	if s.proc = p; err != nil {
		return err
	}
	s.log = serverLog{p.Lines()}
	if _, err := s.log.waitFor(func(r logRecord) bool { return r.Msg == "serving FTP" }, 20*time.Second); err != nil {
		p.Kill()
		return err
	}
	return nil
}

// stop stops the server by PID: see testbin.Process.StopTest.
func (s *server) stop() { s.proc.StopTest(s.t) }

// logTail is the end of the server's log.
func (s *server) logTail(n int) string {
	if s.proc == nil {
		return "(the server did not start)"
	}
	return s.proc.Tail(n)
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

// serverLog reads the server's output (testbin.Lines) as JSON records.
type serverLog struct{ *testbin.Lines }

func parseRecord(line string) (logRecord, bool) {
	var r logRecord
	if json.Unmarshal([]byte(line), &r) != nil {
		return r, false
	}
	r.raw = line
	r.reply = strings.Contains(line, `"msg":"reply",`)
	return r, true
}

func (l serverLog) records() []logRecord {
	var out []logRecord
	for _, line := range l.All() {
		if r, ok := parseRecord(line); ok {
			out = append(out, r)
		}
	}
	return out
}

// waitFor returns the first record (from the start of the log) matching
// match, waiting up to d for it to be logged.
func (l serverLog) waitFor(match func(logRecord) bool, d time.Duration) (logRecord, error) {
	return l.waitForFrom(0, match, d)
}

// waitForFrom is waitFor over the lines from index from on (a Mark).
func (l serverLog) waitForFrom(from int, match func(logRecord) bool, d time.Duration) (logRecord, error) {
	var rec logRecord
	_, err := l.WaitLine(from, func(line string) bool {
		r, ok := parseRecord(line)
		if ok && match(r) {
			rec = r
		}
		return ok && match(r)
	}, d)
	return rec, err
}

// urlHost is the server's address as a URL has it: 127.0.0.1 or [::1].
func (s *server) urlHost() string { return testbin.URLHost(s.ip) }
