package wire

import (
	"bufio"
	"errors"
	"strings"
	"testing"
)

func TestParseCommand(t *testing.T) {
	tests := []struct {
		line string
		want Command
	}{
		{"NOOP", Command{Verb: "NOOP"}},
		{"noop", Command{Verb: "NOOP"}},
		{"UsEr anna", Command{Verb: "USER", Arg: "anna"}},
		{"RETR my file.txt", Command{Verb: "RETR", Arg: "my file.txt"}},
		{"RETR  leading space", Command{Verb: "RETR", Arg: " leading space"}},
		{"RETR trailing space ", Command{Verb: "RETR", Arg: "trailing space "}},
		{"RETR ", Command{Verb: "RETR"}},
		{"   PWD", Command{Verb: "PWD"}},
		{"  CWD /a b", Command{Verb: "CWD", Arg: "/a b"}},
		{"QUIT\r", Command{Verb: "QUIT"}},
		{"STOR a\r", Command{Verb: "STOR", Arg: "a"}},
		{"STOR a\r\r", Command{Verb: "STOR", Arg: "a\r"}},
		{"STOR a\rb", Command{Verb: "STOR", Arg: "a\rb"}},
		{"STOR a\x00b", Command{Verb: "STOR", Arg: "a\x00b"}},
		{"STOR \xff\xfe", Command{Verb: "STOR", Arg: "\xff\xfe"}},
		{"SITE CHMOD 755 x", Command{Verb: "SITE", Arg: "CHMOD 755 x"}},
		{"ABCDEFGH x", Command{Verb: "ABCDEFGH", Arg: "x"}},
		{"A", Command{Verb: "A"}},
	}
	for _, tt := range tests {
		got, err := ParseCommand([]byte(tt.line))
		if err != nil || got != tt.want {
			t.Errorf("ParseCommand(%q) = %+v, %v; want %+v", tt.line, got, err, tt.want)
		}
	}
}

func TestParseCommandRejects(t *testing.T) {
	bad := []string{
		"",
		"\r",
		"   ",
		" \r",
		"ABCDEFGHI",   // verb of 9 letters
		"ABCDEFGHI x", // ditto, with argument
		"RETR\tfile",  // tab is not the separator
		"RET1 x",      // digit in verb
		"1RETR",
		"RE-TR",
		"RETR\x00",
		"\x00RETR",
		"\xffRETR",
		"R\xc3\xa9TR x", // non-ASCII letter
		"\tRETR x",      // only spaces may lead
		"RETR:x",
		"RETR\n",
		"?",
	}
	for _, line := range bad {
		if got, err := ParseCommand([]byte(line)); !errors.Is(err, ErrBadCommand) {
			t.Errorf("ParseCommand(%q) = %+v, %v; want ErrBadCommand", line, got, err)
		}
	}
}

// TestParseCommandAfterReadLine runs the two together on the sequence a
// client sends to abort a transfer.
func TestParseCommandAfterReadLine(t *testing.T) {
	br := bufio.NewReader(strings.NewReader(IAC + IP + IAC + DM + "ABOR\r\n" + "retr \xff\xffname \r\n"))
	want := []Command{{Verb: "ABOR"}, {Verb: "RETR", Arg: "\xffname "}}
	for _, w := range want {
		line, err := ReadLine(br, 4096)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := ParseCommand(line); err != nil || got != w {
			t.Errorf("got %+v, %v; want %+v", got, err, w)
		}
	}
}

func TestParseCommandAllocs(t *testing.T) {
	line := []byte("retr file.txt")
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := ParseCommand(line); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 2 { // the verb and the argument strings
		t.Errorf("ParseCommand: %v allocs, want <= 2", allocs)
	}
}
