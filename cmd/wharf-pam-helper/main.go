// Command wharf-pam-helper runs one PAM conversation for wharf and exits.
//
// wharf itself is a static, cgo-free binary; PAM needs libpam and loads
// modules that bring their own libc, so PAM lives here, in the one cgo
// program, which the server spawns once per login:
//
//	wharf-pam-helper --service NAME --user NAME [--rhost ADDR] [--confdir DIR]
//
// The password is the first line of standard input (at most 4096 bytes).
// The sequence is vsftpd's: PAM_RHOST = the remote host, PAM_TTY = "ftp",
// PAM_RUSER = the user, pam_authenticate, read back PAM_USER (a module may
// map the name), pam_acct_mgmt, pam_setcred(PAM_ESTABLISH_CRED). On success
// the final user name is printed on standard output. The first line of
// standard error says which step failed and PAM's reason; messages the PAM
// stack sent follow it. The password is never written anywhere.
//
// Exit status: 0 success, 1 wrong password or other authentication failure,
// 2 unknown user, 3 account refused (expired, locked, must change password,
// denied by acct_mgmt), 4 PAM error (no such service, a module failed to
// load, a backend is unreachable), 64 usage. internal/auth/pam maps these to
// wharf's auth errors; keep the two in step.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"strings"
)

// Exit statuses; internal/auth/pam has the same table.
const (
	exitOK          = 0
	exitAuthFailed  = 1
	exitUnknownUser = 2
	exitRefused     = 3
	exitPAMError    = 4
	exitUsage       = 64 // sysexits.h EX_USAGE
)

// maxPassword bounds the password read from stdin, as the FTP control line
// is bounded: a password longer than this is a caller's bug, not a login.
const maxPassword = 4096

// result is the outcome of one conversation.
type result struct {
	code     int
	user     string   // final PAM_USER, on success
	reason   string   // one line: the step and PAM's reason
	messages []string // PAM_TEXT_INFO / PAM_ERROR_MSG from the stack
}

// args are the parsed command line.
type args struct {
	service, user, rhost, confDir string
}

// serviceName is what PAM accepts as a service: a file name under the
// configuration directory, never a path.
var serviceName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]*$`)

func main() {
	// PAM modules are not written for threads that change under them;
	// keep every PAM call of this process on one OS thread.
	runtime.LockOSThread()
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a, err := parseArgs(argv, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "usage:", err)
		return exitUsage
	}
	pw, err := readPassword(stdin)
	if err != nil {
		fmt.Fprintln(stderr, "usage:", err)
		return exitUsage
	}
	res := converse(a, pw)
	fmt.Fprintln(stderr, res.reason)
	for _, m := range res.messages {
		fmt.Fprintln(stderr, "pam message:", m)
	}
	if res.code == exitOK {
		fmt.Fprintln(stdout, res.user)
	}
	return res.code
}

func parseArgs(argv []string, stderr io.Writer) (args, error) {
	var a args
	fs := flag.NewFlagSet("wharf-pam-helper", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&a.service, "service", "", "PAM service name (a file in the PAM configuration directory)")
	fs.StringVar(&a.user, "user", "", "user name to authenticate")
	fs.StringVar(&a.rhost, "rhost", "", "remote host, set as PAM_RHOST")
	fs.StringVar(&a.confDir, "confdir", "", "PAM configuration directory instead of /etc/pam.d (pam_start_confdir)")
	if err := fs.Parse(argv); err != nil {
		return a, err
	}
	switch {
	case fs.NArg() > 0:
		return a, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case !serviceName.MatchString(a.service):
		return a, errors.New("--service must be a plain name such as vsftpd")
	case a.user == "":
		return a, errors.New("--user is required")
	}
	return a, nil
}

// readPassword reads one line: the password, without its newline. A NUL
// would silently cut the password short in C, so it is refused.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReaderSize(r, maxPassword+2).ReadSlice('\n')
	if err != nil && err != io.EOF {
		if errors.Is(err, bufio.ErrBufferFull) {
			return "", fmt.Errorf("password longer than %d bytes", maxPassword)
		}
		return "", fmt.Errorf("reading the password: %v", err)
	}
	pw := strings.TrimSuffix(string(line), "\n")
	switch {
	case len(pw) > maxPassword:
		return "", fmt.Errorf("password longer than %d bytes", maxPassword)
	case strings.IndexByte(pw, 0) >= 0:
		return "", errors.New("password contains a NUL byte")
	}
	return pw, nil
}
