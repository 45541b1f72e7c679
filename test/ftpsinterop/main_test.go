// Package ftpsinterop drives the built wharf binary over FTPS with real
// clients (curl, lftp, Python ftplib, rclone) on 127.0.0.1 (and ::1, where
// a client sends EPRT only over IPv6).
//
// TestMain builds ./cmd/wharf once, makes a test PKI (a CA, a server
// certificate for 127.0.0.1, client certificates) and the transfer
// fixtures. Each cell starts its own `wharf serve -c` child on free ports
// (explicit FTPS on listen_port, implicit FTPS on implicit_ssl_port), waits
// for its "serving FTP" log line, and stops it by PID with SIGTERM.
//
// TestFTPSMatrix prints a client x FTPS kind x TLS version x mode table at
// the end of the run; WHARF_FTPS_MATRIX=FILE also writes it to FILE. Cells
// run in parallel: unless -parallel is given, TestMain raises it to 6, since
// most of a cell's time is spent waiting on client programs, not on CPU.
//
// The throughput benchmark (bench_test.go) is behind the ftpsbench build
// tag: go test -tags ftpsbench -run TestFTPSThroughput -v ./test/ftpsinterop
package ftpsinterop

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"wharf/internal/certs/certstest"
	"wharf/internal/testbin"
)

var (
	wharfBin string         // the built binary
	workDir  string         // this run's shared temporary directory
	pki      *certstest.PKI // CA, server and client certificates
)

// defaultParallel is -parallel when the command line does not set it.
const defaultParallel = "6"

func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		flag.Set("test.parallel", defaultParallel)
	}
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "wharf-ftpsinterop-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "ftpsinterop:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	workDir = dir
	// With go test -race, the server is built with -race too, and a data
	// race it reports fails the test that ran it.
	if wharfBin, err = testbin.Build(dir, "wharf/cmd/wharf", testbin.Race); err != nil {
		fmt.Fprintln(os.Stderr, "ftpsinterop:", err)
		return 1
	}
	pkiDir := filepath.Join(dir, "pki")
	if err := os.Mkdir(pkiDir, 0o700); err != nil {
		fmt.Fprintln(os.Stderr, "ftpsinterop:", err)
		return 1
	}
	if pki, err = certstest.New(pkiDir, "wharf"); err != nil {
		fmt.Fprintln(os.Stderr, "ftpsinterop: test PKI:", err)
		return 1
	}
	if err := makeFixtures(filepath.Join(dir, "fixtures")); err != nil {
		fmt.Fprintln(os.Stderr, "ftpsinterop: fixtures:", err)
		return 1
	}
	code := m.Run()
	matrix.Report("WHARF_FTPS_MATRIX", writeMatrix)
	return code
}

// clientTimeout bounds one client run (a cell's 20 transfers), so that a
// hung client fails its cell instead of the whole run's timeout.
const clientTimeout = 3 * time.Minute

// clientCommand is exec.Command, killed after clientTimeout.
func clientCommand(name string, args ...string) (*exec.Cmd, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
	return exec.CommandContext(ctx, name, args...), cancel
}
