package testbin

import (
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Unavailable skips t because something it needs is missing here. With
// CI=true it fails t instead: CI provides everything (.ci/run).
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI must run this test, but: "+format, args...)
	}
	t.Skipf(format+" (with CI=true this is a failure)", args...)
}

// NeedRoot calls Unavailable unless the test runs as root; why says
// what needs root.
func NeedRoot(t testing.TB, why string) {
	t.Helper()
	if os.Geteuid() != 0 {
		Unavailable(t, "needs root (%s)", why)
	}
}

// NeedTool returns the path of the program name, or calls Unavailable;
// pkg is the Debian package that holds it.
func NeedTool(t testing.TB, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Unavailable(t, "%s not found in PATH: apt-get install %s", name, pkg)
	}
	return p
}

// HaveIPv6 tells whether the IPv6 loopback ::1 can be listened on.
func HaveIPv6() bool { return ipv6Error() == nil }

// NeedIPv6 calls Unavailable when ::1 cannot be listened on.
func NeedIPv6(t testing.TB) {
	t.Helper()
	if err := ipv6Error(); err != nil {
		Unavailable(t, "IPv6 loopback ::1 is not available: %v", err)
	}
}

// WriteLines writes lines, each ended by a newline, to a new file at path
// (a config file, ...).
func WriteLines(t testing.TB, path string, lines ...string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func ipv6Error() error {
	l, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		return err
	}
	return l.Close()
}
