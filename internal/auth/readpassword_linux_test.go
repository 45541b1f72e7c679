package auth

import (
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY returns a pseudo-terminal pair, so the no-echo branch of
// ReadPassword runs for real: the test types into the master, ReadPassword
// reads the slave.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Skipf("ptsname: %v", err)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("open slave: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return m, s
}

func TestReadPasswordTerminal(t *testing.T) {
	tests := []struct {
		name, typed string
		confirm     bool
		want        string
		err         error
		prompts     string
	}{
		{"single", "s3cret\n", false, "s3cret", nil, "Password: \n"},
		{"confirmed", "s3cret\ns3cret\n", true, "s3cret", nil, "Password: \nRetype password: \n"},
		{"mismatch", "s3cret\nsecret\n", true, "", ErrPasswordMismatch, "Password: \nRetype password: \n"},
		{"empty", "\n", false, "", ErrEmptyPassword, "Password: \n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			master, slave := openPTY(t)
			go io.Copy(io.Discard, master) // drain whatever the tty echoes
			if _, err := io.WriteString(master, tt.typed); err != nil {
				t.Fatal(err)
			}
			var prompt strings.Builder
			got, err := ReadPassword(slave, &prompt, tt.confirm)
			if got != tt.want || !errors.Is(err, tt.err) {
				t.Fatalf("ReadPassword = %q, %v; want %q, %v", got, err, tt.want, tt.err)
			}
			if prompt.String() != tt.prompts {
				t.Errorf("prompts %q, want %q", prompt.String(), tt.prompts)
			}
		})
	}
}
