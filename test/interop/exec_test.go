package interop

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// clientTimeout bounds one client run (the 200 MiB transfers included).
const clientTimeout = 3 * time.Minute

// runToolEnv runs a client program with a deadline, in dir, with stdin and
// extra environment, and returns its combined output. A non-zero exit or a
// timeout is an error that carries the output.
func runToolEnv(t *testing.T, name string, args []string, stdin, dir string, env []string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "HOME="+dir)
	cmd.Env = append(cmd.Env, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		err = ctx.Err()
	}
	if err != nil {
		return out.String(), describeFailure(name, args, err, out.String())
	}
	return out.String(), nil
}

// toolError is a client failure with the client's own protocol log.
type toolError struct {
	err        error
	transcript string
}

func (e *toolError) Error() string {
	return e.err.Error() + "\n--- client protocol log ---\n" + e.transcript
}

func (e *toolError) Unwrap() error { return e.err }

// redact hides the password in a client's log.
func redact(s, pass string) string {
	return strings.ReplaceAll(s, pass, "<password>")
}
