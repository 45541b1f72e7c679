package sftpinterop

import (
	"context"
	"errors"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSSHAudit runs ssh-audit against the server and fails on any
// failure-level finding. Warnings are logged: with Debian 12's ssh-audit
// (2.5.0) they are the encrypt-and-MAC hmac-sha2-256/512 (kept for
// libssh2 before 1.11, see sftp_macs) and algorithms newer than that
// ssh-audit (mlkem768x25519-sha256, kex-strict-s-v00@openssh.com).
func TestSSHAudit(t *testing.T) {
	need(t, "ssh-audit")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ssh-audit", "-n", "-p", strconv.Itoa(w.port), "127.0.0.1").CombinedOutput()
	text := string(out)
	t.Logf("ssh-audit:\n%s", text)
	// Exit codes: 0 good, 1 connection error, 2 warnings, 3 failures.
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if code == 1 || code == 3 || strings.Contains(text, "[fail]") {
		var fails []string
		for _, line := range strings.Split(text, "\n") {
			if strings.Contains(line, "[fail]") {
				fails = append(fails, strings.TrimSpace(line))
			}
		}
		t.Fatalf("ssh-audit exit %d; failures:\n%s", code, strings.Join(fails, "\n"))
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, "[warn]") {
			t.Log("warning:", strings.TrimSpace(line))
		}
	}
}
