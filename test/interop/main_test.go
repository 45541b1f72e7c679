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
	"testing"

	"wharf/internal/testbin"
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
	// With go test -race, the server is built with -race too, and a data
	// race it reports fails the test that ran it.
	if wharfBin, err = testbin.Build(dir, "wharf/cmd/wharf", testbin.Race); err != nil {
		fmt.Fprintln(os.Stderr, "interop:", err)
		return 1
	}
	code := m.Run()
	matrix.report()
	return code
}
