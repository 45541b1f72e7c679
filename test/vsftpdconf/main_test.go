// Package vsftpdconf runs the built wharf binary on vsftpd configurations:
// Debian's packaged /etc/vsftpd.conf and the examples the vsftpd package
// ships (taken from the package with apt-get download + dpkg-deb -x at test
// time, never copied into the repository), `wharf check-config` on broken
// configs, and the vsftpd policy keys (userlist, chroot list, per-user
// config, check_shell, locked accounts, anonymous, deny/hide_file,
// cmds_denied, messages, banner) through a real server with real system
// accounts.
//
// TestMain builds ./cmd/wharf and ./cmd/wharf-pam-helper (cgo: gcc and
// libpam0g-dev) into one temporary directory, where wharf finds the helper
// next to itself. Tests that need root (useradd, /etc/shadow, /etc/pam.d) or
// a package (apt-get, curl, lftp) skip with a message, except with CI=true,
// where they fail: CI runs as root with the packages installed.
//
// Every server is a `wharf serve` child on loopback, started and stopped by
// PID; every account, file and /etc/pam.d entry a test creates is removed in
// t.Cleanup.
package vsftpdconf

import (
	"fmt"
	"os"
	"testing"

	"wharf/internal/testbin"
)

var (
	wharfBin  string // the built wharf
	helperBin string // the built wharf-pam-helper, next to wharfBin; "" when it did not build
	helperErr string // why the helper did not build
	workDir   string // this run's temporary directory (binaries, the unpacked vsftpd package)
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "wharf-vsftpdconf-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "vsftpdconf:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	// Other users (nobody, for the unprivileged check; the test accounts)
	// run or read things in here.
	if err := os.Chmod(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "vsftpdconf:", err)
		return 1
	}
	workDir = dir
	// With go test -race, wharf is built with -race too, and a data race a
	// server reports fails the test that ran it.
	if wharfBin, err = testbin.Build(dir, "wharf/cmd/wharf", testbin.Race); err != nil {
		fmt.Fprintln(os.Stderr, "vsftpdconf:", err)
		return 1
	}
	helper, err := testbin.Build(dir, "wharf/cmd/wharf-pam-helper", false, "CGO_ENABLED=1")
	if err != nil {
		helperErr = fmt.Sprintf("%v (cgo: needs gcc and libpam0g-dev)", err)
	} else {
		helperBin = helper
	}
	return m.Run()
}
