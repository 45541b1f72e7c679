// Package cli implements wharf's subcommands. Each lives in its own file:
// serve.go, checkconfig.go, user.go, version.go.
package cli

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// env is what a subcommand may touch: its arguments and standard streams.
type env struct {
	args   []string
	stdin  *os.File
	stdout io.Writer
	stderr io.Writer
}

type subcommand struct {
	run     func(e env) int
	summary string
}

var subcommands map[string]subcommand

func init() {
	subcommands = map[string]subcommand{
		"serve":        {runServe, "run the server (no -c: the embedded demo configuration)"},
		"check-config": {runCheckConfig, "load a config like serve does, report problems, start nothing"},
		"user":         {runUser, "manage the virtual users file: add, passwd, del, list, key (SSH keys)"},
		"sftp":         {runSFTP, "SFTP tools: host-keys prints the SSH host key fingerprints"},
		"version":      {runVersion, "print the version"},
		"help":         {runHelp, "this text"},
	}
}

// Main runs wharf with args (without the program name) and returns the
// process exit status: 0 ok, 1 failure, 2 usage error.
func Main(args []string, stdin *os.File, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		args = []string{"help"}
	}
	sc, ok := subcommands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "wharf: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	return sc.run(env{args: args[1:], stdin: stdin, stdout: stdout, stderr: stderr})
}

func runHelp(e env) int {
	usage(e.stdout)
	return 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: wharf <command> [flags]\n\ncommands:")
	for _, name := range []string{"serve", "check-config", "user", "sftp", "version", "help"} {
		fmt.Fprintf(w, "  %-13s %s\n", name, subcommands[name].summary)
	}
	fmt.Fprintln(w, "\nRun `wharf <command> -h` for a command's flags.")
}

// overrides collects repeated -o key=value flags, as vsftpd's -o.
type overrides []string

func (o *overrides) String() string { return strings.Join(*o, " ") }
func (o *overrides) Set(v string) error {
	if !strings.Contains(v, "=") {
		return fmt.Errorf("want key=value, got %q", v)
	}
	*o = append(*o, v)
	return nil
}

// configFlags are the flags serve and check-config share.
type configFlags struct {
	file string
	opts overrides
}

func (c *configFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.file, "c", "", "vsftpd-style config `file` (default: the embedded demo configuration)")
	fs.Var(&c.opts, "o", "override one config line, `key=value` (repeatable)")
}

func newFlagSet(name string, e env) *flag.FlagSet {
	fs := flag.NewFlagSet("wharf "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}
