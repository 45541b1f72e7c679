package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"wharf/internal/auth/userfile"
)

// runUserKey manages a virtual user's SSH public keys (SFTP logins):
//
//	wharf user key add  -f FILE NAME 'ssh-ed25519 AAAA... comment'
//	wharf user key add  -f FILE -k ~/.ssh/id_ed25519.pub NAME   (every key in the file; - for stdin)
//	wharf user key del  -f FILE NAME SHA256:...|NUMBER|COMMENT
//	wharf user key list -f FILE NAME
//
// e.args starts with "key". A running server picks changes up on SIGHUP.
func runUserKey(e env) int {
	if len(e.args) < 2 {
		fmt.Fprintln(e.stderr, "usage: wharf user key add|del|list -f FILE NAME [KEY|WHICH]")
		return 2
	}
	action := e.args[1]
	fset := newFlagSet("user key "+action, e)
	file := fset.String("f", "/etc/wharf/users", "the users `file`")
	keyFile := fset.String("k", "", "with add: read the keys from this `file` (authorized_keys or .pub format; - for stdin)")
	if fset.Parse(e.args[2:]) != nil {
		return 2
	}
	k := keyCmd{env: e, file: *file}
	var err error
	switch action {
	case "add":
		err = k.add(fset.Arg(0), strings.Join(fset.Args()[min(1, fset.NArg()):], " "), *keyFile)
	case "del":
		err = k.del(fset.Arg(0), fset.Arg(1))
	case "list":
		err = k.list(fset.Arg(0))
	default:
		fmt.Fprintf(e.stderr, "wharf user key: unknown action %q (use add, del or list)\n", action)
		return 2
	}
	if err != nil {
		fmt.Fprintln(e.stderr, "wharf user key "+action+":", err)
		return 1
	}
	return 0
}

type keyCmd struct {
	env
	file string
}

func (k keyCmd) add(name, line, keyFile string) error {
	if name == "" || (line == "") == (keyFile == "") {
		return errors.New("usage: wharf user key add -f FILE NAME 'ssh-ed25519 AAAA... comment' (or -k KEYFILE NAME)")
	}
	lines := []string{line}
	if keyFile != "" {
		var err error
		if lines, err = k.readKeyLines(keyFile); err != nil {
			return err
		}
	}
	f, err := userfile.Load(k.file)
	if err != nil {
		return err
	}
	var added []userfile.AuthorizedKey
	for _, l := range lines {
		ak, err := f.AddSSHKey(name, l)
		if err != nil {
			return err
		}
		added = append(added, ak)
	}
	if err := f.Save(k.file); err != nil {
		return err
	}
	for _, ak := range added {
		fmt.Fprintf(k.stdout, "added %s %s to %s\n", ak.Key.Type(), ak.Fingerprint(), name)
	}
	return nil
}

// readKeyLines returns the non-blank, non-comment lines of a key file.
func (k keyCmd) readKeyLines(path string) ([]string, error) {
	var r io.Reader = k.stdin
	if path != "-" {
		fh, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer fh.Close()
		r = fh
	}
	var lines []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 64<<10)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(lines) == 0 {
		return nil, fmt.Errorf("%s holds no key", path)
	}
	return lines, nil
}

func (k keyCmd) del(name, which string) error {
	if name == "" || which == "" {
		return errors.New("usage: wharf user key del -f FILE NAME SHA256:...|NUMBER|COMMENT")
	}
	f, err := userfile.Load(k.file)
	if err != nil {
		return err
	}
	removed, err := f.DeleteSSHKey(name, which)
	if err != nil {
		return err
	}
	if err := f.Save(k.file); err != nil {
		return err
	}
	for _, ak := range removed {
		fmt.Fprintf(k.stdout, "deleted %s %s from %s\n", ak.Key.Type(), ak.Fingerprint(), name)
	}
	return nil
}

func (k keyCmd) list(name string) error {
	if name == "" {
		return errors.New("usage: wharf user key list -f FILE NAME")
	}
	f, err := userfile.Load(k.file)
	if err != nil {
		return err
	}
	u, ok := f.Lookup(name)
	if !ok {
		return fmt.Errorf("no user %q in %s", name, k.file)
	}
	for i, ak := range u.SSHKeys() {
		fmt.Fprintf(k.stdout, "%d  %-20s %s  %s\n", i+1, ak.Key.Type(), ak.Fingerprint(), ak.Comment)
	}
	return nil
}
