package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestParseArgs(t *testing.T) {
	tests := []struct {
		argv []string
		want args
		err  string
	}{
		{[]string{"--service", "vsftpd", "--user", "alice", "--rhost", "192.0.2.1"}, args{"vsftpd", "alice", "192.0.2.1", ""}, ""},
		{[]string{"--service=ftp", "--user=-alice", "--rhost=", "--confdir=/tmp/pam.d"}, args{"ftp", "-alice", "", "/tmp/pam.d"}, ""},
		{[]string{"--user", "alice"}, args{}, "--service"},
		{[]string{"--service", "../etc/x", "--user", "alice"}, args{}, "--service"},
		{[]string{"--service", "ftp"}, args{}, "--user"},
		{[]string{"--service", "ftp", "--user", "a", "extra"}, args{}, "unexpected argument"},
		{[]string{"--password", "x"}, args{}, "not defined"},
	}
	for _, tt := range tests {
		got, err := parseArgs(tt.argv, io.Discard)
		if (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) || (err == nil && got != tt.want) {
			t.Errorf("parseArgs(%q) = %+v, %v; want %+v, %q", tt.argv, got, err, tt.want, tt.err)
		}
	}
}

func TestReadPassword(t *testing.T) {
	long := strings.Repeat("x", maxPassword)
	tests := []struct {
		in, want string
		err      bool
	}{
		{"s3cret\n", "s3cret", false},
		{"s3cret\nignored\n", "s3cret", false},
		{"no newline", "no newline", false},
		{"", "", false},
		{"\n", "", false},
		{" spaced \r\n", " spaced \r", false}, // bytes are the password's own
		{long + "\n", long, false},
		{long, long, false},
		{long + "x\n", "", true},
		{"a\x00b\n", "", true},
	}
	for _, tt := range tests {
		got, err := readPassword(strings.NewReader(tt.in))
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("readPassword(%q) = %q, %v; want %q, err %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

// TestRunUsage: bad input exits 64 before any PAM call, and the password
// never appears in the output.
func TestRunUsage(t *testing.T) {
	tests := []struct {
		argv  []string
		stdin string
	}{
		{nil, "s3cret\n"},
		{[]string{"--service", "ftp"}, "s3cret\n"},
		{[]string{"--service", "ftp", "--user", "a"}, "s3cret\x00\n"},
		{[]string{"--service", "ftp", "--user", "a"}, "s3cret" + strings.Repeat("x", maxPassword)},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		if code := run(tt.argv, strings.NewReader(tt.stdin), &out, &errOut); code != exitUsage {
			t.Errorf("run(%q) = %d; want %d", tt.argv, code, exitUsage)
		}
		if out.Len() != 0 || strings.Contains(errOut.String(), "s3cret") {
			t.Errorf("run(%q) wrote stdout %q, stderr %q", tt.argv, out.String(), errOut.String())
		}
	}
}
