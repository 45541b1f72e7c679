package vsftpdconf

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"wharf/internal/testbin"
)

// checkConfig runs `wharf check-config ARGS` and returns its output and
// exit status. prefix, when given, runs it through another program first
// (setpriv, to drop root).
func checkConfig(t testing.TB, prefix []string, args ...string) (string, int) {
	t.Helper()
	return runCheck(t, append(append(append([]string{}, prefix...), wharfBin, "check-config"), args...))
}

// runCheck runs argv and returns its combined output and exit status.
func runCheck(t testing.TB, argv []string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &exit):
		return out.String(), exit.ExitCode()
	}
	t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out.String())
	return "", 0
}

// port21Args keeps check-config's "control port in use" check from failing
// a config on this machine's own FTP server: when something already
// listens on port 21, the check runs with -o listen_port=<a free port>.
func port21Args(t testing.TB) []string {
	t.Helper()
	if testbin.PortFree("::", 21) || (!testbin.HaveIPv6() && testbin.PortFree("0.0.0.0", 21)) {
		return nil
	}
	p, err := testbin.FreePort("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("port 21 is in use on this machine: checking with -o listen_port=%d", p)
	return []string{"-o", "listen_port=" + strconv.Itoa(p)}
}
