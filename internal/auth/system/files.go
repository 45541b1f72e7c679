// Package system authenticates local system accounts the way vsftpd does
// with local_enable=YES: users from /etc/passwd, passwords from /etc/shadow,
// plus the deny lists Debian's PAM stack for vsftpd applies (/etc/ftpusers,
// /etc/shells). It parses the files itself rather than calling getpwnam, so
// wharf stays pure Go and the tests can point it at temporary files. The
// price: accounts that exist only through NSS (LDAP, sssd) are not seen;
// those sites authenticate through PAM (package pam) instead.
package system

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// Default locations; Options and Accounts fields left empty use them.
const (
	DefaultPasswd   = "/etc/passwd"
	DefaultShadow   = "/etc/shadow"
	DefaultFTPUsers = "/etc/ftpusers"
	DefaultShells   = "/etc/shells"
)

// maxLine bounds one line of an account file; passwd(5) lines are short, and
// a runaway line must not become a runaway allocation.
const maxLine = 64 << 10

// Account is one /etc/passwd entry.
type Account struct {
	Name     string
	Password string // "x" when the hash is in /etc/shadow
	UID, GID int
	Gecos    string
	Home     string
	Shell    string // "" means /bin/sh, as passwd(5) says
}

// Shadow is one /etc/shadow entry. Day counts are days since 1970-01-01;
// -1 marks an empty field.
type Shadow struct {
	Name       string
	Hash       string
	LastChange int64 // 0 = the password must be changed at next login
	Min, Max   int64 // Max: the password is valid for this many days after LastChange
	Warn       int64
	Inactive   int64
	Expire     int64 // the account expires on this day
}

// LookupAccount returns the first passwd entry named name, as getpwnam does.
// ok is false when there is none.
func LookupAccount(path, name string) (a Account, ok bool, err error) {
	err = scanEntries(path, name, func(f []string) error {
		if len(f) != 7 {
			return fmt.Errorf("want 7 fields, got %d", len(f))
		}
		uid, err1 := parseID(f[2])
		gid, err2 := parseID(f[3])
		if err := errors.Join(err1, err2); err != nil {
			return err
		}
		a, ok = Account{Name: f[0], Password: f[1], UID: uid, GID: gid, Gecos: f[4], Home: f[5], Shell: f[6]}, true
		return nil
	})
	return a, ok, err
}

// LookupShadow returns the first shadow entry named name. A malformed entry
// for that name is an error, not "no entry": refusing is the safe reading.
func LookupShadow(path, name string) (s Shadow, ok bool, err error) {
	err = scanEntries(path, name, func(f []string) error {
		if len(f) < 2 || len(f) > 9 {
			return fmt.Errorf("want 9 fields, got %d", len(f))
		}
		f = append(f, make([]string, 9-len(f))...)
		s = Shadow{Name: f[0], Hash: f[1]}
		for i, p := range []*int64{&s.LastChange, &s.Min, &s.Max, &s.Warn, &s.Inactive, &s.Expire} {
			v, err := parseDays(f[2+i])
			if err != nil {
				return err
			}
			*p = v
		}
		ok = true
		return nil
	})
	return s, ok, err
}

// scanEntries calls parse with the ':'-separated fields of the first line
// whose first field is name. Blank lines, '#' comments and NIS compat lines
// ('+', '-') are skipped, as glibc's files backend does.
func scanEntries(path, name string, parse func([]string) error) error {
	if name == "" || strings.ContainsAny(name, ":\n") {
		return nil // cannot name an entry
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 4096), maxLine)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.IndexByte("#+-", line[0]) >= 0 {
			continue
		}
		if first, _, _ := strings.Cut(line, ":"); first != name {
			continue
		}
		if err := parse(strings.Split(line, ":")); err != nil {
			return fmt.Errorf("%s:%d: entry for %q: %w", path, n, name, err)
		}
		return nil
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func parseID(s string) (int, error) {
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("bad uid/gid %q", s)
	}
	return int(n), nil
}

func parseDays(s string) (int64, error) {
	if s == "" {
		return -1, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < -1 {
		return 0, fmt.Errorf("bad day count %q", s)
	}
	return n, nil
}

// readList reads a file of one item per line (ftpusers, shells, user_list),
// ignoring blank lines and '#' comments. A missing file gives ok == false and
// no error so each caller can apply its own rule for that case.
func readList(path string) (items map[string]bool, ok bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	items = make(map[string]bool)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 4096), maxLine)
	for sc.Scan() {
		if item := strings.TrimSpace(sc.Text()); item != "" && item[0] != '#' {
			items[item] = true
		}
	}
	if err := sc.Err(); err != nil {
		return nil, false, fmt.Errorf("%s: %w", path, err)
	}
	return items, true, nil
}

func orDefault(path, def string) string {
	if path == "" {
		return def
	}
	return path
}
