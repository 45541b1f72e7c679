package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"wharf/bench/loadgen/proctree"
)

// SFTP workloads: OpenSSH's sftp client (the C client most people use, and
// the same one for every server: the servers are Wharf's Go SSH/SFTP code
// and OpenSSH's sftp-server), one session per cipher, key authentication.
// The time is the whole `sftp -b` run: SSH handshake, key login and the
// transfer; the first two take some 20-50 ms here, 1-3% of a 1 GiB
// transfer, alike for both servers. sftp's defaults are kept (32 KiB
// requests, 64 outstanding).

// sftpOneGiB uploads big.bin (up) or downloads it to /dev/null (down),
// once per cipher of sftpCiphers.
func sftpOneGiB(up bool) runFunc {
	return func(e *env) ([]Record, error) {
		if e.sshKey == "" {
			return nil, errors.New("SFTP workloads need -ssh-key")
		}
		m := map[string]float64{}
		for _, c := range sftpCiphers {
			remote := bigName
			if up {
				remote = e.upName("sftp-"+c.key, 0)
			}
			d, cpuS, clientS, err := e.sftpOnce(c.name, up, remote)
			if up {
				if err == nil && e.data != "" {
					if fi, serr := os.Stat(filepath.Join(e.data, remote)); serr != nil || fi.Size() != bigSize {
						err = fmt.Errorf("%s: the server's file is not %d bytes (%v)", c.name, bigSize, serr)
					}
				}
				e.removeLocal(remote)
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", c.name, err)
			}
			m["MBps_"+c.key] = mbPerSec(bigSize, d)
			m["cpu_s_"+c.key] = cpuS
			m["client_cpu_s_"+c.key] = clientS
		}
		return one(m), nil
	}
}

// sftpArgs is the sftp command line for one session against addr
// ("127.0.0.1:2222"), commands read from standard input.
func sftpArgs(addr, user, key, cipher string) ([]string, error) {
	host, port, ok := strings.Cut(addr, ":")
	if !ok || host == "" || port == "" {
		return nil, fmt.Errorf("SFTP address %q is not HOST:PORT", addr)
	}
	return []string{"-q", "-F", "/dev/null", // no user or system ssh_config
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "LogLevel=ERROR", "-o", "BatchMode=yes",
		"-o", "IdentitiesOnly=yes", "-i", key,
		"-c", cipher, "-P", port, "-b", "-", user + "@" + host}, nil
}

// sftpBatch is the one command of a session.
func sftpBatch(up bool, local, remote string) string {
	if up {
		return fmt.Sprintf("put %s %s\n", local, remote)
	}
	return fmt.Sprintf("get %s %s\n", remote, local)
}

// sftpOnce runs one sftp session and returns its wall time, the server's
// CPU time meanwhile and the client's (sftp and the ssh it runs).
func (e *env) sftpOnce(cipher string, up bool, remote string) (time.Duration, float64, float64, error) {
	args, err := sftpArgs(e.addr, e.user, e.sshKey, cipher)
	if err != nil {
		return 0, 0, 0, err
	}
	local := os.DevNull
	if up {
		local = filepath.Join(e.data, bigName)
		syscall.Sync()
	}
	cmd := exec.Command("sftp", args...)
	cmd.Stdin = strings.NewReader(sftpBatch(up, local, remote))
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = nil, &stderr
	procs := e.treeSize()
	cpu := e.cpuMeter()
	start := time.Now()
	err = cmd.Run()
	d := time.Since(start)
	// sshd's per-connection processes exit just after the client: their
	// time reaches the listener's cutime only once they are reaped, and
	// while they are zombies it is nowhere. Wait for the tree to shrink
	// back (at most 5 s) before reading the CPU time.
	e.waitTreeSize(procs, 5*time.Second)
	cpuS := cpu()
	if err != nil {
		return 0, 0, 0, fmt.Errorf("sftp: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	var clientS float64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		// wait4's figures include the children sftp reaped (its ssh).
		clientS = time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	}
	return d, cpuS, clientS, nil
}

// treeSize is the number of processes in the server's tree (0 without -pid).
func (e *env) treeSize() int {
	if e.pid == 0 {
		return 0
	}
	pids, _ := proctree.Tree(e.pid)
	return len(pids)
}

// waitTreeSize polls until the server's tree has at most n processes.
func (e *env) waitTreeSize(n int, limit time.Duration) {
	if e.pid == 0 {
		return
	}
	for end := time.Now().Add(limit); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if e.treeSize() <= n {
			return
		}
	}
}
