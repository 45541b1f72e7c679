package testbin

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Process is a child program started by PID, its standard output and
// standard error captured to one log file.
type Process struct {
	// Format renders one log line for Tail (nil: as it is); set it before
	// the process's log is shown.
	Format func(line string) string

	cmd     *exec.Cmd
	logPath string
	lines   *Lines        // StartFollowed only
	done    chan struct{} // closed once the process has exited (and its output is consumed)
	err     error         // Wait's result, once done is closed
	stopped bool
}

// Errors of Stop.
var (
	ErrExitedEarly = errors.New("exited before it was stopped")
	ErrKilled      = errors.New("did not stop on SIGTERM; killed")
)

// Start runs cmd, its standard output and standard error to a new file at
// logPath.
func Start(logPath string, cmd *exec.Cmd) (*Process, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return started(cmd, logPath, nil), nil
}

// StartFollowed is Start with the output also kept as it comes, through a
// pipe: see Lines. Done then also waits (up to 10 s) for the output to be
// consumed, so that the log is whole once the process has exited.
func StartFollowed(logPath string, cmd *exec.Cmd) (*Process, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		logf.Close()
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = pw, pw
	err = cmd.Start()
	pw.Close()
	if err != nil {
		pr.Close()
		logf.Close()
		return nil, err
	}
	lines := newLines()
	go lines.consume(pr, logf)
	return started(cmd, logPath, lines), nil
}

func started(cmd *exec.Cmd, logPath string, lines *Lines) *Process {
	p := &Process{cmd: cmd, logPath: logPath, lines: lines, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		if lines != nil {
			lines.wait(10 * time.Second)
		}
		close(p.done)
	}()
	return p
}

// Lines is the output as it comes; nil unless StartFollowed started p.
func (p *Process) Lines() *Lines { return p.lines }

// Signal sends sig to the process (SIGHUP: reload).
func (p *Process) Signal(sig os.Signal) error { return p.cmd.Process.Signal(sig) }

// PID is the process's id.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// Done is closed once the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Name is the program's base name and its first argument: "wharf serve".
func (p *Process) Name() string {
	name := filepath.Base(p.cmd.Path)
	if len(p.cmd.Args) > 1 {
		name += " " + p.cmd.Args[1]
	}
	return name
}

// CommandLine is the whole command, for messages.
func (p *Process) CommandLine() string { return strings.Join(p.cmd.Args, " ") }

// LogPath is the file that holds the process's output.
func (p *Process) LogPath() string { return p.logPath }

// WaitFTP is the function WaitFTP until p exits; p is killed when it
// fails.
func (p *Process) WaitFTP(addr string, limit time.Duration) error {
	return p.killOnError(WaitFTP(addr, p.done, limit))
}

// WaitSSH is the function WaitSSH until p exits; p is killed when it
// fails.
func (p *Process) WaitSSH(addr string, limit time.Duration) error {
	return p.killOnError(WaitSSH(addr, p.done, limit))
}

func (p *Process) killOnError(err error) error {
	if err != nil {
		p.Kill()
	}
	return err
}

// Kill sends SIGKILL to the process and waits for it to exit.
func (p *Process) Kill() {
	p.cmd.Process.Kill()
	<-p.done
}

// Stop sends SIGTERM to the process's PID and waits up to grace for it to
// exit, then sends SIGKILL. It returns the exit's error (nil for status 0),
// ErrKilled when SIGKILL was needed, or ErrExitedEarly (wrapping the exit's
// error) when the process had exited before. Only the first call stops the
// process; later ones return nil.
func (p *Process) Stop(grace time.Duration) error {
	if p.stopped {
		return nil
	}
	p.stopped = true
	select {
	case <-p.done:
		return fmt.Errorf("%w: %v", ErrExitedEarly, p.err)
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return p.err
	case <-time.After(grace):
		p.Kill()
		return fmt.Errorf("%w after %v", ErrKilled, grace)
	}
}

// StopTest stops a server at the end of its test (Stop, with 15 s of
// grace) and fails t when it had exited during the test, exits non-zero,
// needs SIGKILL or reported a data race (a -race build). When t has
// failed, it logs the end of the server's log.
func (p *Process) StopTest(t testing.TB) {
	t.Helper()
	err := p.Stop(15 * time.Second)
	switch {
	case errors.Is(err, ErrExitedEarly):
		t.Errorf("%s %v\n--- log ---\n%s", p.Name(), err, p.Tail(40))
		return
	case errors.Is(err, ErrKilled):
		t.Errorf("%s (pid %d) %v", p.Name(), p.PID(), err)
	case err != nil:
		t.Errorf("%s after SIGTERM: %v (want exit status 0)", p.Name(), err)
	}
	if race := p.RaceReport(); race != "" {
		t.Errorf("%s (built with -race) reported a data race:\n%s", p.Name(), race)
	}
	if t.Failed() {
		t.Logf("--- log of %s (%s), last lines ---\n%s", p.CommandLine(), p.logPath, p.Tail(80))
	}
}

// Log is everything the process has written so far.
func (p *Process) Log() (string, error) {
	b, err := os.ReadFile(p.logPath)
	return string(b), err
}

// LogContains tells whether the process's output contains s.
func (p *Process) LogContains(s string) bool {
	log, _ := p.Log()
	return strings.Contains(log, s)
}

// Tail is the last n lines of the log, through Format.
func (p *Process) Tail(n int) string {
	log, err := p.Log()
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(log, "\n"), "\n")
	lines = lines[max(0, len(lines)-n):]
	if p.Format != nil {
		for i, l := range lines {
			lines[i] = p.Format(l)
		}
	}
	return strings.Join(lines, "\n")
}

// RaceReport is the first data race report in the log (a binary built
// with -race writes one per race), or "" when there is none.
func (p *Process) RaceReport() string {
	b, _ := os.ReadFile(p.logPath)
	i := bytes.Index(b, []byte("WARNING: DATA RACE"))
	if i < 0 {
		return ""
	}
	return string(b[i:min(len(b), i+6000)])
}
