package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// parseOK parses a config that must have no errors.
func parseOK(t *testing.T, text string, overrides ...string) *Config {
	t.Helper()
	c, diags, err := Parse("t.conf", []byte(text), overrides)
	if err != nil {
		t.Fatalf("Parse(%q): %v", text, err)
	}
	for _, d := range diags {
		t.Logf("%s", d)
	}
	return c
}

// firstError parses text and returns its first error diagnostic.
func firstError(t *testing.T, text string, overrides ...string) Diagnostic {
	t.Helper()
	c, diags, err := Parse("t.conf", []byte(text), overrides)
	if err == nil || c != nil {
		t.Fatalf("Parse(%q): no error (config %v)", text, c)
	}
	var errs Errors
	if !errors.As(err, &errs) || len(errs) == 0 {
		t.Fatalf("err is %T, want Errors", err)
	}
	for _, d := range diags {
		if d.Severity == Error {
			return d
		}
	}
	t.Fatal("err without an error diagnostic")
	return Diagnostic{}
}

func TestDialectValues(t *testing.T) {
	const base = "anonymous_enable=NO\n"
	for _, tc := range []struct {
		line string
		key  string
		want any
	}{
		{"write_enable=YES", "write_enable", true},
		{"write_enable=yes", "write_enable", true},
		{"write_enable=True", "write_enable", true},
		{"write_enable=1", "write_enable", true},
		{"download_enable=no", "download_enable", false},
		{"download_enable=FALSE", "download_enable", false},
		{"download_enable=0", "download_enable", false},
		{"local_umask=022", "local_umask", 0o22},
		{"local_umask=22", "local_umask", 22}, // decimal, as in vsftpd (with a warning)
		{"local_umask=0", "local_umask", 0},
		{"local_umask=0000", "local_umask", 0},
		{"file_open_mode=0644", "file_open_mode", 0o644},
		{"listen_port=2121", "listen_port", 2121},
		{"listen_port=021", "listen_port", 17}, // octal, as in vsftpd (with a warning)
		{"idle_session_timeout=0", "idle_session_timeout", 0},
		{"ftpd_banner=Welcome = to  here", "ftpd_banner", "Welcome = to  here"}, // split at the first '='
		{"ftpd_banner=  indented", "ftpd_banner", "  indented"},                 // value verbatim
		{"ftpd_banner=trailing  ", "ftpd_banner", "trailing  "},                 // kept, with a warning
		{"ftpd_banner=tab\there", "ftpd_banner", "tab\there"},
		{"ftpd_banner=# not a comment", "ftpd_banner", "# not a comment"},
		{"ftp_username=", "ftp_username", ""}, // empty string: none
		{"   \t listen_port=2000", "listen_port", 2000},
		{"listen_port=2000\r", "listen_port", 2000}, // CRLF
		{"\uFEFFlisten_port=2000", "listen_port", 2000},
	} {
		c := parseOK(t, tc.line+"\n"+base)
		var got any
		switch tc.want.(type) {
		case bool:
			got = c.Bool(tc.key)
		case int:
			got = c.Int(tc.key)
		case string:
			got = c.Str(tc.key)
		}
		if got != tc.want {
			t.Errorf("%q: %s = %#v, want %#v", tc.line, tc.key, got, tc.want)
		}
		if !c.IsSet(tc.key) {
			t.Errorf("%q: IsSet(%s) = false", tc.line, tc.key)
		}
	}
}

func TestDialectIgnoredLines(t *testing.T) {
	c := parseOK(t, "# comment\n\n   \n\t\n  # indented comment\r\n#write_enable=YES\nanonymous_enable=NO")
	if c.IsSet("write_enable") || c.Bool("write_enable") {
		t.Error("a commented-out line took effect")
	}
	if got := c.Where("anonymous_enable"); got != "t.conf:7" {
		t.Errorf("Where = %q, want t.conf:7 (a last line without newline)", got)
	}
}

func TestDialectErrors(t *testing.T) {
	for _, tc := range []struct {
		text, key, msg string
		line           int
	}{
		{"listen", "listen", "no '='", 1},
		{"\nlisten=maybe", "listen", "not a boolean", 2},
		{"listen=YES ", "listen", "remove the blanks", 1},
		{"listen=YES # on", "listen", "comments must be on a line of their own", 1},
		{"listen=", "listen", "missing value", 1},
		{"listen_port=", "listen_port", "missing value", 1},
		{"listen_port=21a", "listen_port", "not a number", 1},
		{"listen_port=0x15", "listen_port", "not a number", 1},
		{"listen_port=+21", "listen_port", "not a number", 1},
		{"listen_port=99999999999", "listen_port", "too large", 1},
		{"local_umask=089", "local_umask", "not an octal number", 1},
		{"listen_prot=21", "listen_prot", "did you mean listen_port?", 1},
		{"frobnicate=1", "frobnicate", "unknown key", 1},
		{"listen =YES", "listen ", "no blanks around '='", 1},
		{"=YES", "", "starts with '='", 1},
		{"ftpd_banner=a\x00b", "ftpd_banner", "control character", 1},
		{"ftpd_banner=a\rb", "ftpd_banner", "control character", 1},
		{"session_support=YES", "session_support", "is not supported", 1},
		{"dsa_cert_file=/etc/dsa.pem", "dsa_cert_file", "DSA keys are obsolete", 1},
		{"tcp_wrappers=YES", "tcp_wrappers", "IP access lists", 1},
	} {
		d := firstError(t, "anonymous_enable=NO\n"+tc.text)
		if d.Key != tc.key || d.Line != tc.line+1 || d.File != "t.conf" || !strings.Contains(d.Msg, tc.msg) {
			t.Errorf("%q: got %s; want line %d, key %q, message containing %q", tc.text, d, tc.line+1, tc.key, tc.msg)
		}
	}
}

func TestStatusRules(t *testing.T) {
	// Refused keys at their default are accepted, in any spelling of the default.
	parseOK(t, "anonymous_enable=NO\nsession_support=no\nchown_upload_mode=00600\npam_service_name=ftp\n"+
		"dsa_cert_file=\ntcp_wrappers=0\nftp_enable=TRUE")
	// Not-needed keys take any valid value.
	c := parseOK(t, "anonymous_enable=NO\nseccomp_sandbox=NO\nisolate=NO\nbackground=YES\nnopriv_user=ftpsecure")
	if c.Bool("seccomp_sandbox") {
		t.Error("seccomp_sandbox: the value read is lost")
	}
	// The final value counts: an override can put a Refused key back to its default.
	parseOK(t, "anonymous_enable=NO\ntcp_wrappers=YES", "tcp_wrappers=NO")
	d := firstError(t, "anonymous_enable=NO\n", "tcp_wrappers=YES")
	if d.File != "-o" || d.Line != 0 || !strings.HasPrefix(d.String(), "-o: error: tcp_wrappers: YES is not supported: ") {
		t.Errorf("override error: %s", d)
	}
}

func TestOverrides(t *testing.T) {
	c := parseOK(t, "anonymous_enable=NO\nlisten_port=2121\nmax_clients=10", "listen_port=2150", " max_per_ip=3")
	if c.Int("listen_port") != 2150 || c.Int("max_per_ip") != 3 || c.Int("max_clients") != 10 {
		t.Errorf("overrides not applied: %d %d %d", c.Int("listen_port"), c.Int("max_per_ip"), c.Int("max_clients"))
	}
	for key, want := range map[string]string{"listen_port": "-o", "max_clients": "t.conf:3", "max_per_ip": "-o",
		"pasv_enable": "default"} {
		if got := c.Where(key); got != want {
			t.Errorf("Where(%s) = %q, want %q", key, got, want)
		}
	}
	for _, o := range []string{"", "listen_port", "listen_port=1\nlisten=NO", "listn_port=1"} {
		if d := firstError(t, "anonymous_enable=NO", o); d.File != "-o" {
			t.Errorf("override %q: error %s not attributed to -o", o, d)
		}
	}
}

func TestDuplicateLastWins(t *testing.T) {
	c, diags, err := Parse("t.conf", []byte("anonymous_enable=NO\nlisten_port=21\nlisten_port=2121\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Int("listen_port") != 2121 || c.Where("listen_port") != "t.conf:3" {
		t.Errorf("listen_port = %d from %s", c.Int("listen_port"), c.Where("listen_port"))
	}
	if len(diags) != 1 || diags[0].Severity != Warning || diags[0].Line != 3 {
		t.Errorf("diagnostics: %v", diags)
	}
}

func TestAnonymousDivergenceWarning(t *testing.T) {
	c, diags, err := Parse("t.conf", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Bool("anonymous_enable") {
		t.Error("anonymous_enable defaults to YES")
	}
	want := "t.conf: warning: anonymous_enable: vsftpd defaults anonymous_enable to YES; Wharf defaults to NO: " +
		"set it explicitly"
	if len(diags) != 1 || diags[0].String() != want {
		t.Errorf("diagnostics %v, want [%s]", diags, want)
	}
	if _, diags, _ := Parse("t.conf", nil, []string{"anonymous_enable=YES"}); len(diags) != 0 {
		t.Errorf("an override setting anonymous_enable still warns: %v", diags)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "wharf.conf")
	if err := os.WriteFile(path, []byte("anonymous_enable=NO\nlisten_port=2121\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _, err := Load(path, []string{"max_clients=5"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Where("listen_port") != path+":2" || c.Int("max_clients") != 5 {
		t.Errorf("Load: %s, %d", c.Where("listen_port"), c.Int("max_clients"))
	}
	c, diags, err := Load(filepath.Join(dir, "missing.conf"), nil)
	if err == nil || c != nil || len(diags) != 1 || !strings.Contains(err.Error(), "missing.conf: error: cannot read") {
		t.Errorf("Load(missing) = %v, %v, %v", c, diags, err)
	}
}

func TestDiagnosticString(t *testing.T) {
	for _, tc := range []struct {
		d    Diagnostic
		want string
	}{
		{Diagnostic{"a.conf", 3, "listen", Error, "bad"}, "a.conf:3: error: listen: bad"},
		{Diagnostic{"a.conf", 0, "listen", Warning, "hm"}, "a.conf: warning: listen: hm"},
		{Diagnostic{"-o", 0, "listen", Error, "bad"}, "-o: error: listen: bad"},
		{Diagnostic{"a.conf", 0, "", Error, "unreadable"}, "a.conf: error: unreadable"},
		{Diagnostic{"a.conf", 1, "listen ", Error, "x"}, `a.conf:1: error: "listen ": x`},
	} {
		if got := tc.d.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
	errs := Errors{{"a", 1, "k", Warning, "w"}, {"a", 2, "k", Error, "e1"}, {"a", 3, "k", Error, "e2"}}
	if got := errs.Error(); got != "a:2: error: k: e1\na:3: error: k: e2" {
		t.Errorf("Errors.Error() = %q", got)
	}
}

func TestGettersPanicOnMisuse(t *testing.T) {
	c := parseOK(t, "anonymous_enable=NO")
	for name, f := range map[string]func(){
		"unknown key":   func() { c.Bool("no_such_key") },
		"Int on bool":   func() { c.Int("listen") },
		"Bool on int":   func() { c.Bool("listen_port") },
		"Str on int":    func() { c.Str("listen_port") },
		"Where unknown": func() { c.Where("no_such_key") },
		"IsSet unknown": func() { c.IsSet("no_such_key") },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
	if c.Int("local_umask") != 0o77 || c.Int("accept_timeout") != 60 || c.Str("log_level") != "info" {
		t.Error("defaults")
	}
}

func TestNormalize(t *testing.T) {
	c := parseOK(t, "anonymous_enable=no\nlisten_port=2121\nlocal_umask=022\nwrite_enable=true\npasv_enable=YES\n"+
		"ftpd_banner=Hi there \nseccomp_sandbox=NO\n", "max_clients=0")
	want := "anonymous_enable=NO\nftpd_banner=Hi there \nlisten_port=2121\nlocal_umask=022\nmax_clients=0\n" +
		"write_enable=YES\n"
	if got := string(c.Normalize()); got != want {
		t.Errorf("Normalize:\n%s\nwant:\n%s", got, want)
	}
	again := parseOK(t, want)
	if string(again.Normalize()) != want {
		t.Error("Normalize does not round-trip")
	}
}

func TestOverlay(t *testing.T) {
	base, _, err := Parse("base.conf", []byte("anonymous_enable=NO\nwrite_enable=NO\nlocal_umask=022\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	user, diags, err := base.Overlay("users/alice", []byte("write_enable=YES\n"))
	if err != nil || len(diags) != 0 {
		t.Fatalf("Overlay: %v %v", err, diags)
	}
	if !user.Bool("write_enable") || base.Bool("write_enable") {
		t.Error("the overlay did not apply, or changed the base")
	}
	if got := user.Where("write_enable"); got != "users/alice:1" {
		t.Errorf("Where(write_enable) = %q", got)
	}
	if got := user.Where("local_umask"); got != "base.conf:3" {
		t.Errorf("Where(local_umask) = %q", got)
	}
	if _, _, err := base.Overlay("users/bob", []byte("no_such_key=1\n")); err == nil || !strings.Contains(err.Error(), "users/bob:1") {
		t.Errorf("a bad overlay line: %v", err)
	}
}
