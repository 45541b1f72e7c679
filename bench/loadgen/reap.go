package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
)

// cmdReap runs a server as `loadgen reap -- CMD ARGS...`: it becomes a
// child subreaper, starts CMD, passes SIGTERM and SIGINT on to it, and
// waits for every descendant that is left to it until none remain.
//
// Why: the server CPU column sums a process tree's time plus what its
// processes reaped. sshd's per-connection monitor exits without waiting
// for its session process (and sftp-server under it), so their time went
// to init and OpenSSH's rows read about 0.01 s. Under reap those orphans
// come to this process, and their time to its cutime, which run.sh
// measures by giving this process's PID as the server's.
func cmdReap(args []string) error {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		return errors.New("usage: loadgen reap -- CMD [ARGS...]")
	}
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("PR_SET_CHILD_SUBREAPER: %w", err)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	path, err := exec.LookPath(args[0])
	if err != nil {
		return err
	}
	p, err := os.StartProcess(path, args, &os.ProcAttr{Files: []*os.File{os.Stdin, os.Stdout, os.Stderr}})
	if err != nil {
		return err
	}
	go func() {
		for s := range sigs {
			p.Signal(s)
		}
	}()
	return reapAll(p.Pid)
}

// reapAll waits for every child until there are none, and reports how the
// main one ended.
func reapAll(main int) error {
	var mainErr error
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, 0, nil)
		switch {
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.ECHILD):
			return mainErr
		case err != nil:
			return err
		case pid == main && !(ws.Exited() && ws.ExitStatus() == 0):
			mainErr = fmt.Errorf("process %d: exit status %d, signal %v", main, ws.ExitStatus(), ws.Signal())
		}
	}
}
