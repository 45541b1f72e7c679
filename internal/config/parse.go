package config

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
)

// maxFileSize caps what Load reads: a config is a few kilobytes, so anything near this is a wrong path.
const maxFileSize = 1 << 20

// Load reads the config file at path, applies overrides ("key=value", as vsftpd's -okey=value) after it, and
// validates the result. It returns every diagnostic, warnings included; err is non-nil (an Errors) exactly
// when at least one diagnostic is an error, and then the returned config is nil.
func Load(path string, overrides []string) (*Config, []Diagnostic, error) {
	data, err := readFile(path)
	if err != nil {
		diags := []Diagnostic{{File: path, Severity: Error, Msg: "cannot read the config file: " + err.Error()}}
		return nil, diags, errorsIn(diags)
	}
	return Parse(path, data, overrides)
}

func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err == nil && len(data) > maxFileSize {
		err = fmt.Errorf("larger than %d bytes: is this a config file?", maxFileSize)
	}
	return data, err
}

// Parse is Load on a config already read; name is used in diagnostics ("name:line").
//
// The dialect is vsftpd's parseconf.c: one setting per line, split at the first '='; blanks before the key are
// skipped and everything else is kept verbatim (so "listen = YES" names a key "listen " and sets " YES");
// lines starting with '#' and blank lines are ignored; booleans are YES/NO/TRUE/FALSE/1/0 in any case; a
// number with a leading 0 is octal (local_umask=022 is 18, local_umask=22 is 22, listen_port=021 is 17), for
// every numeric key as in vsftpd, with a warning when that is probably not what was meant; an empty string
// value means "none"; the last setting of a key wins, and overrides come after the file.
//
// Where vsftpd is silent or lax, Wharf is strict or kinder:
//   - a trailing '\r' is stripped (vsftpd would reject "YES\r" in a CRLF file) and a leading UTF-8 BOM is skipped;
//   - a comment may be indented (vsftpd reads "  #x" as a key named "#x");
//   - a line without '=' is an error (vsftpd silently resets a string key named by such a line);
//   - a number with trailing garbage, a non-octal digit after a leading 0, or a value over 2^31-1 is an error
//     (vsftpd's atoi and octal reader stop at the first bad character and keep what they read);
//   - control characters in values are errors: they would end up in replies and logs;
//   - a key set twice in the file draws a warning;
//   - overrides always apply after the file (vsftpd applies -o in command-line order, and loads
//     /etc/vsftpd.conf after them when no file is named).
func Parse(name string, data []byte, overrides []string) (*Config, []Diagnostic, error) {
	p := &parser{cfg: newConfig(name), seen: make(map[string]int)}
	p.file(data)
	for _, o := range overrides {
		p.override(o)
	}
	p.checkStatus()
	p.checkDivergences()
	p.diags = append(p.diags, validate(p.cfg)...)
	sortDiagnostics(p.diags)
	if err := errorsIn(p.diags); err != nil {
		return nil, p.diags, err
	}
	return p.cfg, p.diags, nil
}

// Overlay applies the settings of another file on top of c and validates the result, as vsftpd applies a
// user_config_dir file to one user's session. Diagnostics name the overlay file; c itself is unchanged.
func (c *Config) Overlay(name string, data []byte) (*Config, []Diagnostic, error) {
	p := &parser{cfg: newConfig(name), seen: make(map[string]int)}
	for k, s := range c.vals {
		if s.file == "" && !s.override {
			s.file = c.name
		}
		p.cfg.vals[k] = s
	}
	p.file(data)
	p.checkStatus()
	p.diags = append(p.diags, validate(p.cfg)...)
	sortDiagnostics(p.diags)
	if err := errorsIn(p.diags); err != nil {
		return nil, p.diags, err
	}
	return p.cfg, p.diags, nil
}

type parser struct {
	cfg   *Config
	diags []Diagnostic
	seen  map[string]int // key -> the file line that last set it, for duplicate warnings
}

// origin is where a setting comes from: a file line, or an override (line 0).
type origin struct {
	line     int
	override bool
}

func (p *parser) report(at origin, key string, sev Severity, format string, args ...any) {
	file := p.cfg.name
	if at.override {
		file = "-o"
	}
	p.diags = append(p.diags, Diagnostic{File: file, Line: at.line, Key: key, Severity: sev,
		Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) file(data []byte) {
	text := strings.TrimPrefix(string(data), "\uFEFF")
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimLeft(strings.TrimSuffix(line, "\r"), spaces)
		if line == "" || line[0] == '#' {
			continue
		}
		p.setting(line, origin{line: i + 1})
	}
}

// spaces are the characters C's isspace() accepts, which vsftpd skips before a key.
const spaces = " \t\n\v\f\r"

func (p *parser) override(o string) {
	at := origin{override: true}
	if strings.ContainsAny(o, "\r\n") {
		p.report(at, shorten(o), Error, "an override is a single key=value setting, without line breaks")
		return
	}
	o = strings.TrimLeft(o, spaces)
	if o == "" {
		p.report(at, "", Error, "empty override: write -o key=value")
		return
	}
	p.setting(o, at)
}

// setting handles one "key=value" line.
func (p *parser) setting(text string, at origin) {
	key, raw, ok := strings.Cut(text, "=")
	if !ok {
		p.report(at, shorten(text), Error, "no '=' on this line: settings are key=value, comments start with #")
		return
	}
	k, known := byName[key]
	if !known {
		p.unknown(key, at)
		return
	}
	v, err := parseValue(k.Type, raw)
	if err != nil {
		p.report(at, key, Error, "%v", err)
		return
	}
	p.warnValue(k, raw, v, at)
	if !at.override {
		if prev, dup := p.seen[key]; dup {
			p.report(at, key, Warning, "also set on line %d; this later line wins (as in vsftpd)", prev)
		}
		p.seen[key] = at.line
	}
	p.cfg.vals[key] = setting{v: v, line: at.line, override: at.override}
}

func (p *parser) unknown(key string, at origin) {
	if key == "" {
		p.report(at, "", Error, "the line starts with '=': write key=value")
		return
	}
	if t := strings.TrimSpace(key); t != key {
		if _, ok := byName[t]; ok {
			p.report(at, key, Error, "blanks around the key are part of its name in vsftpd's dialect: "+
				"write %s=value with no blanks around '='", t)
			return
		}
	}
	key = shorten(key)
	if s := suggest(key); s != "" {
		p.report(at, key, Error, "unknown key; did you mean %s?", s)
		return
	}
	p.report(at, key, Error, "unknown key: README.md lists every key Wharf knows")
}

// shorten keeps diagnostics readable when a long line is not a setting at all.
func shorten(s string) string {
	const max = 60
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}

// warnValue flags values that are valid but are probably not what was meant.
func (p *parser) warnValue(k *keyInfo, raw string, v value, at origin) {
	switch {
	case k.Type == TypeOctal && !strings.HasPrefix(raw, "0") && v.n >= 8:
		p.report(at, k.Name, Warning, "%s without a leading 0 is decimal %d, which is octal %s (vsftpd reads it "+
			"the same way): write 0%s if you meant octal", raw, v.n, render(TypeOctal, v), raw)
	case (k.Type == TypeInt || k.Type == TypeSeconds) && strings.HasPrefix(raw, "0") && v.n != 0:
		p.report(at, k.Name, Warning, "%s has a leading 0, so it is octal: decimal %d (vsftpd reads it the same "+
			"way); drop the leading 0 if you meant decimal", raw, v.n)
	case k.Type == TypeString && strings.TrimRight(raw, " \t") != raw:
		p.report(at, k.Name, Warning, "the value ends with blanks, which are kept (as in vsftpd): remove them "+
			"unless they are meant")
	}
}

// parseValue reads raw as a value of type t. Errors say what to write instead.
func parseValue(t Type, raw string) (value, error) {
	if i := strings.IndexFunc(raw, isControl); i >= 0 {
		return value{}, fmt.Errorf("the value contains a control character (byte 0x%02x at offset %d): "+
			"values are plain text", raw[i], i)
	}
	if t == TypeString {
		return value{s: raw}, nil
	}
	if raw == "" {
		return value{}, fmt.Errorf("missing value after '=' (an empty value only means \"none\" for string keys)")
	}
	if t == TypeBool {
		return parseBool(raw)
	}
	n, err := parseNumber(raw)
	return value{n: n}, err
}

func isControl(r rune) bool { return (r < 0x20 && r != '\t') || r == 0x7f }

func parseBool(raw string) (value, error) {
	switch strings.ToUpper(raw) {
	case "YES", "TRUE", "1":
		return value{b: true}, nil
	case "NO", "FALSE", "0":
		return value{b: false}, nil
	}
	return value{}, fmt.Errorf("%q is not a boolean: write YES or NO (TRUE/FALSE/1/0 also work)%s",
		raw, hint(raw, func(s string) bool { _, err := parseBool(s); return err == nil }))
}

// parseNumber reads a non-negative or negative integer the vsftpd way: a leading 0 makes it octal.
func parseNumber(raw string) (int, error) {
	digits := strings.TrimPrefix(raw, "-")
	base := 10
	if len(digits) > 1 && digits[0] == '0' {
		base = 8
	}
	valid := func(s string) bool { _, err := parseNumber(s); return err == nil }
	if digits == "" || strings.ContainsFunc(digits, func(r rune) bool { return r < '0' || r > '9' }) {
		return 0, fmt.Errorf("%q is not a number%s", raw, hint(raw, valid))
	}
	n, err := strconv.ParseInt(digits, base, 32)
	if err != nil && base == 8 && strings.ContainsAny(digits, "89") {
		return 0, fmt.Errorf("%q is not an octal number: a leading 0 makes a number octal (as in vsftpd), "+
			"so only digits 0-7 may follow; drop the leading 0 for a decimal number", raw)
	}
	if err != nil {
		return 0, fmt.Errorf("%q is too large (at most 2147483647)", raw)
	}
	if digits != raw {
		n = -n
	}
	return int(n), nil
}

// hint explains a value that would be valid without its surrounding blanks or a trailing comment.
func hint(raw string, valid func(string) bool) string {
	if t := strings.TrimSpace(raw); t != raw && t != "" && valid(t) {
		return "; remove the blanks around the value"
	}
	if before, _, ok := strings.Cut(raw, "#"); ok && valid(strings.TrimSpace(before)) {
		return "; comments must be on a line of their own"
	}
	return ""
}

// checkStatus reports Refused keys whose final value is not their default. Checking the final value
// rather than each line lets an override put such a key back to its default.
func (p *parser) checkStatus() {
	for _, k := range sorted {
		s, set := p.cfg.vals[k.Name]
		info := byName[k.Name]
		if !set || s.v == info.def || k.Status != Refused {
			continue
		}
		at := origin{line: s.line, override: s.override}
		def := render(k.Type, info.def)
		if def == "" {
			def = "empty"
		}
		p.report(at, k.Name, Error, "%s is not supported: %s (only the default, %s, is accepted)",
			printable(render(k.Type, s.v)), k.Reason, def)
	}
}

// checkDivergences warns about keys whose Wharf default differs from vsftpd's when the config leaves them
// unset: the same file would behave differently under the two servers.
func (p *parser) checkDivergences() {
	names := make([]string, 0, len(divergences))
	for name := range divergences {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if guard, ok := divergenceGuards[name]; ok && !p.cfg.Bool(guard) {
			continue
		}
		if _, set := p.cfg.vals[name]; !set {
			p.report(origin{}, name, Warning, "vsftpd defaults %s to %s; Wharf defaults to %s: set it explicitly",
				name, divergences[name], byName[name].Default)
		}
	}
}

// sortDiagnostics orders diagnostics as a reader meets them: file lines in order, then overrides, then
// findings about the config as a whole. The sort is stable, so each group keeps the order it was found in.
func sortDiagnostics(diags []Diagnostic) {
	rank := func(d Diagnostic) int {
		switch {
		case d.File == "-o" && d.Line == 0:
			return 1 << 30
		case d.Line == 0:
			return 1<<30 + 1
		}
		return d.Line
	}
	sort.SliceStable(diags, func(i, j int) bool { return rank(diags[i]) < rank(diags[j]) })
}
