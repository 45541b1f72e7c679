// Package testbin is the harness the end-to-end tests (test/...) share to
// drive built binaries: build them once per run, pick free loopback ports,
// start a child by PID with its output in a log file, wait for its
// greeting, stop it by PID, and skip (or, with CI=true, fail) a test whose
// client program is missing.
//
// It is imported only by tests and imports only the standard library.
package testbin

import (
	"fmt"
	"os/exec"
	"path"
	"path/filepath"
)

// Race is true when this test binary was built with -race (go test -race);
// pass it to Build so that the servers under test are built with -race too,
// and Process.StopTest fails the test when one reports a data race.
const Race = raceEnabled

// Build compiles the main package pkg (an import path such as
// "wharf/cmd/wharf") into dir, named after pkg's last element, and returns
// the binary's path. race adds -race; env is added to the environment
// (CGO_ENABLED=1, ...). A failure's error carries the compiler's output.
func Build(dir, pkg string, race bool, env ...string) (string, error) {
	bin := filepath.Join(dir, path.Base(pkg))
	args := []string{"build", "-o", bin}
	if race {
		args = append(args, "-race")
	}
	cmd := exec.Command("go", append(args, pkg)...)
	cmd.Env = append(cmd.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin, nil
}
