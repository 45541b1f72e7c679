package system

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLookupAccount(t *testing.T) {
	p := writeFile(t, passwdText+"short:x:1\nbaduid:x:-1:0::/:/bin/sh\n")
	tests := []struct {
		name string
		want Account
		ok   bool
		err  string
	}{
		{"alice", Account{"alice", "x", 1001, 1001, "Alice", "/home/alice/", "/bin/bash"}, true, ""},
		{"emptyshell", Account{"emptyshell", "x", 1004, 1004, "", "/home/emptyshell", ""}, true, ""},
		{"nobody", Account{}, false, ""},
		{"", Account{}, false, ""},
		{"a\nb", Account{}, false, ""},
		{"short", Account{}, false, "want 7 fields"},
		{"baduid", Account{}, false, `bad uid/gid "-1"`},
	}
	for _, tt := range tests {
		got, ok, err := LookupAccount(p, tt.name)
		if got != tt.want || ok != tt.ok || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("LookupAccount(%q) = %+v, %v, %v; want %+v, %v, %q", tt.name, got, ok, err, tt.want, tt.ok, tt.err)
		}
	}
	if _, _, err := LookupAccount(p+".missing", "alice"); err == nil {
		t.Error("missing file: no error")
	}
}

func TestLookupAccountLongLine(t *testing.T) {
	p := writeFile(t, "x:"+strings.Repeat("a", maxLine)+"\nalice:x:1:1::/:/bin/sh\n")
	if _, _, err := LookupAccount(p, "alice"); err == nil {
		t.Fatal("a line over maxLine was accepted")
	}
}

func TestLookupShadow(t *testing.T) {
	p := writeFile(t, "full:h:1:2:3:4:5:6:\nempty:h:::::::\nshort:h\nlong:h:1:2:3:4:5:6:7:8\nneg:h:-2::::::\n")
	tests := []struct {
		name string
		want Shadow
		err  bool
	}{
		{"full", Shadow{"full", "h", 1, 2, 3, 4, 5, 6}, false},
		{"empty", Shadow{"empty", "h", -1, -1, -1, -1, -1, -1}, false},
		{"short", Shadow{"short", "h", -1, -1, -1, -1, -1, -1}, false},
		{"long", Shadow{}, true},
		{"neg", Shadow{}, true},
	}
	for _, tt := range tests {
		got, ok, err := LookupShadow(p, tt.name)
		if (err != nil) != tt.err || (!tt.err && (!ok || got != tt.want)) {
			t.Errorf("LookupShadow(%q) = %+v, %v, %v; want %+v, err %v", tt.name, got, ok, err, tt.want, tt.err)
		}
	}
}

func TestAgingRefusal(t *testing.T) {
	s := func(last, max, expire int64) Shadow {
		return Shadow{LastChange: last, Max: max, Expire: expire, Min: -1, Warn: -1, Inactive: -1}
	}
	tests := []struct {
		s       Shadow
		refused bool
	}{
		{s(19000, 99999, -1), false},
		{s(19000, 99999, 19999), true}, // expired yesterday
		{s(19000, 99999, 20000), true}, // pam_unix: expired on the day itself
		{s(19000, 99999, 20001), false},
		{s(19000, 99999, 0), true}, // pam_unix reads 0 as 1970-01-01
		{s(0, 99999, -1), true},    // must change
		{s(0, -1, -1), true},       // must change even without aging
		{s(19000, 999, -1), true},  // 1000 days since change > 999
		{s(19000, 1000, -1), false},
		{s(-1, 1, -1), false},     // empty last change: aging off
		{s(19000, -1, -1), false}, // empty max: never expires
		{s(20005, 1, -1), false},  // changed "in the future"
	}
	for _, tt := range tests {
		if why := agingRefusal(tt.s, today); (why != "") != tt.refused {
			t.Errorf("agingRefusal(%+v) = %q; want refused %v", tt.s, why, tt.refused)
		}
	}
}

func TestHashRefusal(t *testing.T) {
	for hash, refused := range map[string]bool{"": true, "!": true, "!!": true, "!$6$x": true, "*": true, "*LK*": true, sha512Horse: false, "x": false} {
		if why := hashRefusal(hash); (why != "") != refused {
			t.Errorf("hashRefusal(%q) = %q; want refused %v", hash, why, refused)
		}
	}
}
