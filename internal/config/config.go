// Package config reads Wharf's configuration: vsftpd's key=value dialect, with vsftpd's keys and Wharf's own in
// one table (keys.go), and validation shared by `wharf serve` and `wharf check-config`.
//
// The dialect is vsftpd's (parseconf.c), with the differences listed on Parse. Every diagnostic names the
// file, the line and the key. Keys are implemented, accepted but not needed, not implemented yet, or
// refused; see Key and Status.
package config

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Severity of a diagnostic. An Error stops the config from being used; a Warning does not.
type Severity int

const (
	Error Severity = iota
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one finding about a config. File is the config's name, or "-o" for a command-line override;
// Line is 0 for findings about the config as a whole or about a key left at its default.
type Diagnostic struct {
	File     string
	Line     int
	Key      string
	Severity Severity
	Msg      string
}

// String renders "file:line: error: key: message", leaving out the line when it is 0 and the key when empty.
func (d Diagnostic) String() string {
	var b strings.Builder
	if d.File != "" {
		b.WriteString(d.File)
		if d.Line > 0 {
			b.WriteString(":" + strconv.Itoa(d.Line))
		}
		b.WriteString(": ")
	}
	b.WriteString(d.Severity.String() + ": ")
	if d.Key != "" {
		b.WriteString(printable(d.Key) + ": ")
	}
	b.WriteString(d.Msg)
	return b.String()
}

// Errors is the error Load and Parse return: its Error-severity diagnostics, one per line.
type Errors []Diagnostic

func (e Errors) Error() string {
	var lines []string
	for _, d := range e {
		if d.Severity == Error {
			lines = append(lines, d.String())
		}
	}
	return strings.Join(lines, "\n")
}

// errorsIn returns the Error-severity diagnostics as an Errors, or nil when there are none.
func errorsIn(diags []Diagnostic) error {
	var errs Errors
	for _, d := range diags {
		if d.Severity == Error {
			errs = append(errs, d)
		}
	}
	if errs == nil {
		return nil
	}
	return errs
}

// value is a parsed value; only the field matching the key's type is used, so values compare with ==.
type value struct {
	b bool
	n int
	s string
}

// setting is a value a config sets explicitly, and where.
type setting struct {
	v        value
	line     int    // line in the config file; 0 for an override
	override bool   // set by -o
	file     string // the file it comes from when not the config's own (an Overlay's base)
}

// Config is a loaded, validated configuration. Keys it does not set have their table default.
//
// The getters panic when the key is not in the table or has another type: that is a programming error, which
// the daemon's tests catch, not a configuration error.
type Config struct {
	name string
	vals map[string]setting
}

func newConfig(name string) *Config {
	return &Config{name: name, vals: make(map[string]setting)}
}

// info returns the table entry for key, panicking on an unknown key.
func info(key string) *keyInfo {
	k, ok := byName[key]
	if !ok {
		panic(fmt.Sprintf("config: unknown key %q", key))
	}
	return k
}

// get returns the effective value of key, checking its type with ok.
func (c *Config) get(key, getter string, ok func(Type) bool) value {
	k := info(key)
	if !ok(k.Type) {
		panic(fmt.Sprintf("config: %s(%q): the key is of type %s", getter, key, k.Type))
	}
	if s, set := c.vals[key]; set {
		return s.v
	}
	return k.def
}

// Bool returns a bool key's value.
func (c *Config) Bool(key string) bool {
	return c.get(key, "Bool", func(t Type) bool { return t == TypeBool }).b
}

// Int returns the value of an int, octal or seconds key.
func (c *Config) Int(key string) int {
	return c.get(key, "Int", Type.numeric).n
}

// Str returns a string key's value ("" when unset and without a default).
func (c *Config) Str(key string) string {
	return c.get(key, "Str", func(t Type) bool { return t == TypeString }).s
}

// Where says where key's value comes from: "file:line", "-o", or "default".
func (c *Config) Where(key string) string {
	info(key)
	s, set := c.vals[key]
	switch {
	case !set:
		return "default"
	case s.override:
		return "-o"
	case s.file != "":
		return s.file + ":" + strconv.Itoa(s.line)
	}
	return c.name + ":" + strconv.Itoa(s.line)
}

// IsSet reports whether the file or an override sets key, even to its default value.
func (c *Config) IsSet(key string) bool {
	info(key)
	_, set := c.vals[key]
	return set
}

// Normalize renders the effective configuration as "key=value" lines sorted by key: every implemented key
// whose value differs from its default, and always the keys whose Wharf default differs from vsftpd's (so the
// output means the same to both). Booleans are YES/NO, octal keys have a leading 0. Parse(Normalize()) gives
// an equal configuration.
func (c *Config) Normalize() []byte {
	var b strings.Builder
	for _, k := range sorted {
		if k.Status != Implemented {
			continue
		}
		v := c.get(k.Name, "Normalize", func(Type) bool { return true })
		if v == byName[k.Name].def && !c.alwaysWritten(k.Name) {
			continue
		}
		b.WriteString(k.Name + "=" + render(k.Type, v) + "\n")
	}
	return []byte(b.String())
}

// alwaysWritten reports a divergence that Normalize writes even at Wharf's default, so the output means
// the same to vsftpd; a guarded one only while its guard key is on.
func (c *Config) alwaysWritten(name string) bool {
	if _, diverges := divergences[name]; !diverges {
		return false
	}
	guard, guarded := divergenceGuards[name]
	return !guarded || c.Bool(guard)
}

// render writes v the way Normalize and the key table write values.
func render(t Type, v value) string {
	switch t {
	case TypeBool:
		if v.b {
			return "YES"
		}
		return "NO"
	case TypeOctal:
		if v.n == 0 {
			return "0"
		}
		return "0" + strconv.FormatInt(int64(v.n), 8)
	case TypeString:
		return v.s
	}
	return strconv.Itoa(v.n)
}

// printable quotes s when it holds blanks at either end or anything a terminal could misrender.
func printable(s string) string {
	if s == "" || strings.TrimSpace(s) != s || strings.ContainsFunc(s, func(r rune) bool {
		return !unicode.IsPrint(r) || r == utf8.RuneError || r == '"'
	}) {
		return strconv.Quote(s)
	}
	return s
}
