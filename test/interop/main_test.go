// Package interop drives the real, built wharf binary with real FTP
// clients (curl, lftp, Python ftplib, tnftp) and with raw control
// connections, on 127.0.0.1 and [::1] only.
//
// TestMain builds ./cmd/wharf once into a temporary directory; each test
// starts its own `wharf serve -c` child on free ports and stops it by PID.
// The client matrix (TestClientMatrix) prints a client x mode x address
// table at the end of the run; set WHARF_INTEROP_MATRIX=FILE to also write
// it to FILE (the CI script does, and prints it).
package interop

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

var (
	wharfBin string // the built binary
	workDir  string // shared temporary directory of this run (binary, fixtures)
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "wharf-interop-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "interop:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	workDir = dir
	wharfBin = filepath.Join(dir, "wharf")
	args := []string{"build", "-o", wharfBin}
	if raceEnabled {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, "wharf/cmd/wharf")...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "interop: go build wharf/cmd/wharf:", err)
		return 1
	}
	code := m.Run()
	matrix.report()
	return code
}

// needTool returns the path of a client program. A missing client fails
// the test in CI (CI=true) and skips it elsewhere.
func needTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not found in PATH: install %s (.ci/run installs it with apt-get)", name, name)
	}
	t.Skipf("%s not found in PATH: install %s to run this test (in CI, with CI=true, this is a failure)", name, name)
	return ""
}
