package userfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"wharf/internal/auth"
)

// maxLine bounds one line; options such as SSH keys make lines long, but
// nothing legitimate comes near this.
const maxLine = 64 << 10

// ParseError locates a problem in a users file.
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// Load reads and parses the users file at path.
func Load(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("userfile: %w", err)
	}
	defer fh.Close()
	return Parse(fh, path)
}

// Parse reads a users file from r; name is used in error messages. The whole
// file is checked: the first error is returned and nothing is loaded.
func Parse(r io.Reader, name string) (*File, error) {
	f := &File{index: make(map[string]int)}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), maxLine)
	for n := 1; sc.Scan(); n++ {
		if err := f.parseLine(sc.Text(), n == 1); err != nil {
			return nil, &ParseError{File: name, Line: n, Msg: err.Error()}
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			err = fmt.Errorf("line longer than %d bytes", maxLine)
		}
		return nil, &ParseError{File: name, Line: len(f.lines) + 1, Msg: err.Error()}
	}
	return f, nil
}

func (f *File) parseLine(text string, first bool) error {
	if first {
		text = strings.TrimPrefix(text, "\ufeff") // editors on some systems add a BOM
	}
	text = strings.TrimSuffix(text, "\r")
	if !utf8.ValidString(text) {
		return errors.New("not valid UTF-8")
	}
	if t := strings.TrimSpace(text); t == "" || t[0] == '#' {
		f.lines = append(f.lines, line{raw: text})
		return nil
	}
	u, err := parseUser(text)
	if err != nil {
		return err
	}
	if _, dup := f.index[u.Name]; dup {
		return fmt.Errorf("user %q defined twice", u.Name)
	}
	f.append(u)
	return nil
}

// parseUser parses name:hash:home:perms[:options].
func parseUser(text string) (User, error) {
	fields := strings.Split(text, ":")
	if len(fields) < 4 || len(fields) > 5 {
		return User{}, fmt.Errorf("want name:hash:home:perms[:options], got %d fields", len(fields))
	}
	u := User{Name: fields[0], Hash: fields[1], Home: fields[2]}
	var err error
	if u.Perms, err = ParsePerms(fields[3]); err != nil {
		return User{}, err
	}
	if len(fields) == 5 {
		if u.Options, err = parseOptions(fields[4]); err != nil {
			return User{}, err
		}
	}
	return u, u.normalize()
}

// normalize checks every field of u and cleans its home.
func (u *User) normalize() error {
	if err := CheckName(u.Name); err != nil {
		return err
	}
	if err := auth.CheckHash(u.Hash); err != nil {
		return fmt.Errorf("user %q: %w", u.Name, err)
	}
	if err := checkHome(u.Home); err != nil {
		return fmt.Errorf("user %q: %w", u.Name, err)
	}
	u.Home = filepath.Clean(u.Home)
	if u.Perms == 0 || u.Perms&^(auth.PermRead|auth.PermList|auth.PermWrite) != 0 {
		return fmt.Errorf("user %q: permissions must be a non-empty set of r, l, w", u.Name)
	}
	return checkOptions(u.Options)
}

// CheckName reports whether name is a valid user name: 1 to 64 characters of
// [A-Za-z0-9._@-], not starting with '-' (it would read as a flag) or '.'.
func CheckName(name string) error {
	if name == "" || len(name) > 64 {
		return fmt.Errorf("user name %q must be 1 to 64 characters", name)
	}
	if name[0] == '-' || name[0] == '.' {
		return fmt.Errorf("user name %q must not start with '-' or '.'", name)
	}
	for _, c := range []byte(name) {
		if !nameByte(c) {
			return fmt.Errorf("user name %q: only letters, digits and . _ @ - are allowed", name)
		}
	}
	return nil
}

func nameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '.' || c == '_' || c == '@' || c == '-'
}

func checkHome(home string) error {
	switch {
	case !filepath.IsAbs(home):
		return fmt.Errorf("home %q must be an absolute path", home)
	case strings.ContainsRune(home, ':'):
		return fmt.Errorf("home %q must not contain ':'", home)
	case hasControl(home):
		return fmt.Errorf("home %q contains control characters", home)
	}
	return nil
}

var permLetters = []struct {
	c byte
	p auth.Perm
}{{'r', auth.PermRead}, {'l', auth.PermList}, {'w', auth.PermWrite}}

// ParsePerms parses a permission word such as "rlw" or "w".
func ParsePerms(s string) (auth.Perm, error) {
	var p auth.Perm
	for _, c := range []byte(s) {
		q := letterPerm(c)
		if q == 0 {
			return 0, fmt.Errorf("permissions %q: unknown letter %q (want r, l, w)", s, c)
		}
		if p.Has(q) {
			return 0, fmt.Errorf("permissions %q: %q given twice", s, c)
		}
		p |= q
	}
	if p == 0 {
		return 0, errors.New("permissions are empty (want one or more of r, l, w)")
	}
	return p, nil
}

func letterPerm(c byte) auth.Perm {
	for _, l := range permLetters {
		if l.c == c {
			return l.p
		}
	}
	return 0
}

// FormatPerms writes p in the canonical order "rlw".
func FormatPerms(p auth.Perm) string {
	var b []byte
	for _, l := range permLetters {
		if p.Has(l.p) {
			b = append(b, l.c)
		}
	}
	return string(b)
}

func parseOptions(s string) ([]Option, error) {
	if s == "" {
		return nil, nil
	}
	var opts []Option
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("option %q: want key=value", kv)
		}
		opts = append(opts, Option{Key: k, Value: v})
	}
	return opts, nil
}

func checkOptions(opts []Option) error {
	seen := make(map[string]bool, len(opts))
	for _, o := range opts {
		if o.Key == "" || len(o.Key) > 32 || strings.TrimFunc(o.Key, optionKeyRune) != "" {
			return fmt.Errorf("option key %q: want 1 to 32 of [a-z0-9_-]", o.Key)
		}
		if strings.ContainsAny(o.Value, ",:") || hasControl(o.Value) {
			return fmt.Errorf("option %s: value must not contain ',', ':' or control characters", o.Key)
		}
		if seen[o.Key] {
			return fmt.Errorf("option %s given twice", o.Key)
		}
		seen[o.Key] = true
	}
	return nil
}

func optionKeyRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-'
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}
