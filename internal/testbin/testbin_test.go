package testbin

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// greeter serves one greeting per connection on loopback and reports what
// the client sent after it.
func greeter(t *testing.T, greeting string) (addr string, said <-chan string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	ch := make(chan string, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.Write([]byte(greeting))
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		line, _ := bufio.NewReader(c).ReadString('\n')
		ch <- line
	}()
	return l.Addr().String(), ch
}

func TestWaitFTPMultiLine(t *testing.T) {
	addr, said := greeter(t, "220-Welcome\r\n220-second line\r\n220 ready\r\n")
	if err := WaitFTP(addr, nil, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := <-said; got != "QUIT\r\n" {
		t.Errorf("after the greeting the client sent %q, want QUIT", got)
	}
}

func TestWaitFTPRefused(t *testing.T) {
	addr, _ := greeter(t, "421 Too many users\r\n")
	err := WaitFTP(addr, nil, 5*time.Second)
	if err == nil || !strings.Contains(err.Error(), "421 Too many users") {
		t.Errorf("WaitFTP on a 421 greeting: %v, want an error naming it", err)
	}
}

func TestWaitSSH(t *testing.T) {
	addr, _ := greeter(t, "SSH-2.0-Wharf\r\n")
	if err := WaitSSH(addr, nil, 5*time.Second); err != nil {
		t.Fatal(err)
	}
}

func TestWaitEndsWhenTheServerExits(t *testing.T) {
	port, err := FreePort("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	close(done)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	if err := WaitFTP(addr, done, time.Minute); err == nil {
		t.Error("WaitFTP returned nil for a server that has exited")
	}
}

func TestWaitDeadline(t *testing.T) {
	port, err := FreePort("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := WaitFTP(net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), nil, 100*time.Millisecond); err == nil {
		t.Error("WaitFTP returned nil with nothing listening")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("WaitFTP took %v with a 100ms limit", d)
	}
}

func TestFreeRangeAvoids(t *testing.T) {
	for range 20 {
		base, err := FreeRange("127.0.0.1", 4, 20000)
		if err != nil {
			t.Fatal(err)
		}
		if base < portLow || base+4 > portLow+portCount {
			t.Fatalf("range %d-%d outside %d-%d", base, base+3, portLow, portLow+portCount-1)
		}
		if 20000 >= base && 20000 < base+4 {
			t.Fatalf("range %d-%d holds the port to avoid", base, base+3)
		}
	}
}

func startShell(t *testing.T, script string) *Process {
	t.Helper()
	p, err := Start(filepath.Join(t.TempDir(), "log"), exec.Command("/bin/sh", "-c", script))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Stop(time.Second) })
	return p
}

// waitLog waits (bounded) until p has logged s: the shells below set
// their trap before they print "ready".
func waitLog(t *testing.T, p *Process, s string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !p.LogContains(s) {
		if time.Now().After(deadline) {
			t.Fatalf("the process did not log %q", s)
		}
		select {
		case <-p.Done():
			t.Fatalf("the process exited before logging %q", s)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func TestStopClean(t *testing.T) {
	p := startShell(t, `trap 'exit 0' TERM; echo ready; while :; do sleep 0.05; done`)
	waitLog(t, p, "ready")
	if err := p.Stop(10 * time.Second); err != nil {
		t.Errorf("Stop: %v, want nil", err)
	}
	if err := p.Stop(10 * time.Second); err != nil {
		t.Errorf("second Stop: %v, want nil", err)
	}
}

func TestStopNonZero(t *testing.T) {
	p := startShell(t, `trap 'exit 3' TERM; echo ready; while :; do sleep 0.05; done`)
	waitLog(t, p, "ready")
	if err := p.Stop(10 * time.Second); err == nil || errors.Is(err, ErrKilled) || errors.Is(err, ErrExitedEarly) {
		t.Errorf("Stop: %v, want exit status 3", err)
	}
}

func TestStopKills(t *testing.T) {
	p := startShell(t, `trap '' TERM; echo ready; while :; do sleep 0.05; done`)
	waitLog(t, p, "ready")
	if err := p.Stop(200 * time.Millisecond); !errors.Is(err, ErrKilled) {
		t.Errorf("Stop: %v, want ErrKilled", err)
	}
}

func TestStopExitedEarly(t *testing.T) {
	p := startShell(t, `echo WARNING: DATA RACE; echo in f; exit 0`)
	<-p.Done()
	if err := p.Stop(time.Second); !errors.Is(err, ErrExitedEarly) {
		t.Errorf("Stop: %v, want ErrExitedEarly", err)
	}
	if r := p.RaceReport(); !strings.HasPrefix(r, "WARNING: DATA RACE\nin f") {
		t.Errorf("RaceReport: %q", r)
	}
	if p.Name() != "sh -c" {
		t.Errorf("Name: %q, want \"sh -c\"", p.Name())
	}
}

func TestTailFormats(t *testing.T) {
	p := startShell(t, `printf 'a\nb\nc\n'`)
	<-p.Done()
	p.Format = strings.ToUpper
	if got := p.Tail(2); got != "B\nC" {
		t.Errorf("Tail(2): %q, want \"B\\nC\"", got)
	}
}

func TestStartFollowed(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "log")
	p, err := StartFollowed(logPath, exec.Command("/bin/sh", "-c", `echo one; read x; echo "$x"; echo three`))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Stop(time.Second) })
	if _, err := p.Lines().WaitLine(0, func(l string) bool { return l == "one" }, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Lines().WaitLine(p.Lines().Mark(), func(l string) bool { return l == "one" }, 50*time.Millisecond); err == nil {
		t.Error("WaitLine from the mark found a line from before it")
	}
	<-p.Done() // read x gets EOF: stdin is /dev/null
	if got := p.Lines().Text(); got != "one\n\nthree" {
		t.Errorf("Lines: %q", got)
	}
	if log, _ := p.Log(); log != "one\n\nthree\n" {
		t.Errorf("the log file once the process exited: %q", log)
	}
	if _, err := p.Lines().WaitLine(0, func(l string) bool { return l == "four" }, 10*time.Second); err == nil || !strings.Contains(err.Error(), "exited") {
		t.Errorf("WaitLine after the end: %v, want an error saying the process exited", err)
	}
}

func TestSummary(t *testing.T) {
	var s Summary[string]
	s.Note("b %d", 1)
	s.Note("a")
	s.Note("b %d", 1)
	if got := strings.Join(s.Notes(), "|"); got != "a|b 1" {
		t.Errorf("Notes: %q, want \"a|b 1\"", got)
	}
	s.Set("x", "pass")
	if s.Result("x") != "pass" || s.Result("y") != "not run" {
		t.Errorf("Result: x %q, y %q; want pass, not run", s.Result("x"), s.Result("y"))
	}
	path := filepath.Join(t.TempDir(), "report")
	t.Setenv("TESTBIN_REPORT", path)
	s.Report("TESTBIN_REPORT", func(w io.Writer) { io.WriteString(w, "x: "+s.Result("x")+"\n") })
	if b, err := os.ReadFile(path); err != nil || string(b) != "x: pass\n" {
		t.Errorf("report file: %q, %v", b, err)
	}
}
