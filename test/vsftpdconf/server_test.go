package vsftpdconf

import (
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"wharf/internal/testbin"
)

// server is one running `wharf serve -c FILE -o ...` child.
type server struct {
	host string // 127.0.0.1 or ::1
	port int
	conf string
	args []string
	proc *testbin.Process
}

func (s *server) addr() string { return net.JoinHostPort(s.host, strconv.Itoa(s.port)) }

// urlHost is the host as written in a URL.
func (s *server) urlHost() string { return testbin.URLHost(s.host) }

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
	s := &server{host: "127.0.0.1", conf: so.conf}
	if so.ipv6 {
		s.host = "::1"
	}
	logPath := filepath.Join(t.TempDir(), "server.log")
	var lastErr error
	for attempt := range 6 {
		port, err := testbin.FreePort(s.host)
		if err != nil {
			t.Fatal(err)
		}
		pasv, err := testbin.FreeRange(s.host, 8, port)
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
		if lastErr = s.start(logPath); lastErr == nil {
			t.Cleanup(func() { s.proc.StopTest(t) })
			return s
		}
		if s.proc == nil || !s.proc.LogContains("address already in use") {
			break
		}
		t.Logf("attempt %d: port taken meanwhile, retrying: %v", attempt+1, lastErr)
	}
	t.Fatalf("wharf %s: %v\n--- server log ---\n%s", strings.Join(s.args, " "), lastErr, s.log())
	return nil
}

// start runs the server and polls until its control port greets with 220
// (bounded), or the process exits.
func (s *server) start(logPath string) error {
	p, err := testbin.Start(logPath, exec.Command(wharfBin, s.args...))
	if s.proc = p; err != nil {
		return err
	}
	return p.WaitFTP(s.addr(), 15*time.Second)
}

// log is the end of the server's log.
func (s *server) log() string {
	if s.proc == nil {
		return "(the server did not start)"
	}
	return s.proc.Tail(80)
}

// writeConf writes a config file of lines into dir.
func writeConf(t testing.TB, dir, name string, lines ...string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	testbin.WriteLines(t, p, lines...)
	return p
}
