package testbin

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// WaitFTP polls addr until a connection reads an FTP greeting (to its last
// line, for a multi-line one) and says QUIT. It returns nil for a 220, an
// error at once for another reply, and an error when done is closed (the
// server exited) or limit passes first.
func WaitFTP(addr string, done <-chan struct{}, limit time.Duration) error {
	return waitGreeting(addr, done, limit, "220", readFTPGreeting)
}

// WaitSSH is WaitFTP for an SSH server: it waits for the SSH-2.0
// identification line, and sends nothing.
func WaitSSH(addr string, done <-chan struct{}, limit time.Duration) error {
	return waitGreeting(addr, done, limit, "SSH-2.0-", readSSHGreeting)
}

// waitGreeting polls addr, backing off from 5 ms to 200 ms, until read
// returns a line: one starting with want ends the wait, another is an
// error.
func waitGreeting(addr string, done <-chan struct{}, limit time.Duration, want string, read func(*bufio.ReadWriter) (string, error)) error {
	deadline := time.Now().Add(limit)
	delay := 5 * time.Millisecond
	for {
		select {
		case <-done:
			return errors.New("the server exited before answering")
		default:
		}
		line, err := greeting(addr, read)
		if err == nil && strings.HasPrefix(line, want) {
			return nil
		}
		if err == nil {
			return fmt.Errorf("greeting %q, want %s", line, want)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no %s greeting on %s within %v: %v", want, addr, limit, err)
		}
		select {
		case <-done:
		case <-time.After(delay):
		}
		delay = min(delay*2, 200*time.Millisecond)
	}
}

// greeting connects to addr and returns what read makes of the greeting.
func greeting(addr string, read func(*bufio.ReadWriter) (string, error)) (string, error) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	line, err := read(bufio.NewReadWriter(bufio.NewReader(c), bufio.NewWriter(c)))
	return strings.TrimRight(line, "\r\n"), err
}

// readFTPGreeting reads to the last line of the reply ("220 ...", after
// any "220-..." lines) and says QUIT.
func readFTPGreeting(rw *bufio.ReadWriter) (string, error) {
	var line string
	var err error
	for err == nil && !lastReplyLine(line) {
		line, err = rw.ReadString('\n')
	}
	if err != nil {
		return "", err
	}
	rw.WriteString("QUIT\r\n")
	rw.Flush()
	return line, nil
}

func lastReplyLine(line string) bool { return len(line) >= 4 && line[3] == ' ' }

// readSSHGreeting reads the server's first line, its identification.
func readSSHGreeting(rw *bufio.ReadWriter) (string, error) {
	return rw.ReadString('\n')
}
