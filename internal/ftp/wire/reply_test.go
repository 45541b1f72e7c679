package wire

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestAppendReply(t *testing.T) {
	tests := []struct {
		code int
		msg  string
		want string
	}{
		{213, "1024", "213 1024\r\n"},
		{200, "", "200 \r\n"},
		{220, "ready\r", "220 ready\r\n"},
		{211, "Features:\nMDTM\nSIZE\nEnd", "211-Features:\r\n MDTM\r\n SIZE\r\n211 End\r\n"},
		{211, "a\r\nb", "211-a\r\n211 b\r\n"},
		{211, "a\n", "211-a\r\n211 \r\n"},
		{211, "\n", "211-\r\n211 \r\n"},
		{214, "help\n211 not an end line\nend", "214-help\r\n 211 not an end line\r\n214 end\r\n"},
		{550, "a\rb\x00c", "550 a b c\r\n"},
		{550, "file\r\n550 injected", "550-file\r\n550 550 injected\r\n"},
		{257, "\"/dir\r\nx\" created", "257-\"/dir\r\n257 x\" created\r\n"},
		{150, "name \xff\xfe", "150 name \xff\xfe\r\n"},
		{100, "x", "100 x\r\n"},
		{599, "x", "599 x\r\n"},
	}
	for _, tt := range tests {
		got := string(AppendReply([]byte("prev"), tt.code, tt.msg))
		if got != "prev"+tt.want {
			t.Errorf("AppendReply(%d, %q) = %q, want %q", tt.code, tt.msg, got, "prev"+tt.want)
		}
	}
}

func TestAppendReplyBadCode(t *testing.T) {
	for _, code := range []int{0, 99, 600, 1000, -200} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("AppendReply(%d) did not panic", code)
				}
			}()
			AppendReply(nil, code, "x")
		}()
	}
}

func TestReadReply(t *testing.T) {
	tests := []struct {
		in   string
		code int
		msg  string
	}{
		{"220 ready\r\n", 220, "ready"},
		{"220 ready\n", 220, "ready"},
		{"200\r\n", 200, ""},
		{"200 \r\n", 200, ""},
		{"211-Features:\r\n MDTM\r\n  SIZE\r\n211 End\r\n", 211, "Features:\nMDTM\n SIZE\nEnd"},
		// RFC 959 allows middle lines in any form, even with the code.
		{"214-a\r\n214-b\r\nc\r\n2140 d\r\n214 e\r\n", 214, "a\n214-b\nc\n2140 d\ne"},
		{"211-a\r\n211\r\n", 211, "a\n"},
		{"230-a\r\n230 b\r\n", 230, "a\nb"},
		{"500 x\r\n", 500, "x"},
		{"550 \xff\r\n", 550, "\xff"},
	}
	for _, tt := range tests {
		br := bufio.NewReaderSize(strings.NewReader(tt.in+"999 next"), 16)
		code, msg, err := ReadReply(br)
		if err != nil || code != tt.code || msg != tt.msg {
			t.Errorf("ReadReply(%q) = %d, %q, %v; want %d, %q", tt.in, code, msg, err, tt.code, tt.msg)
		}
		if rest, _ := io.ReadAll(br); string(rest) != "999 next" {
			t.Errorf("ReadReply(%q) consumed beyond the reply: rest %q", tt.in, rest)
		}
	}
}

func TestReadReplyErrors(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"", io.EOF},
		{"220 rea", io.ErrUnexpectedEOF},
		{"211-a\r\n", io.ErrUnexpectedEOF},
		{"211-a\r\n b\r\n", io.ErrUnexpectedEOF},
		{"211-a\r\n211 b", io.ErrUnexpectedEOF},
		{"hello\r\n", ErrBadReply},
		{"22\r\n", ErrBadReply},
		{"2x0 a\r\n", ErrBadReply},
		{"600 a\r\n", ErrBadReply},
		{"099 a\r\n", ErrBadReply},
		{"220:a\r\n", ErrBadReply},
		{"\r\n", ErrBadReply},
		{strings.Repeat("x", MaxReplySize+10) + "\n", ErrReplyTooLong},
		{"211-a\r\n" + strings.Repeat(" line\r\n", MaxReplySize/7+1) + "211 end\r\n", ErrReplyTooLong},
	}
	for _, tt := range tests {
		_, _, err := ReadReply(bufio.NewReader(strings.NewReader(tt.in)))
		if !errors.Is(err, tt.want) {
			t.Errorf("ReadReply(%.30q) err = %v, want %v", tt.in, err, tt.want)
		}
	}
	boom := errors.New("timeout")
	br := bufio.NewReader(io.MultiReader(strings.NewReader("211-a\r\n"), iotest.ErrReader(boom)))
	if _, _, err := ReadReply(br); !errors.Is(err, boom) {
		t.Errorf("read error = %v, want %v", err, boom)
	}
}

// TestReadReplySequence reads replies back to back from one stream, as a
// client does after pipelining commands, with a tiny buffer so that long
// lines span several fills.
func TestReadReplySequence(t *testing.T) {
	long := strings.Repeat("y", 300)
	var stream []byte
	stream = AppendReply(stream, 220, "welcome\nto\nwharf")
	stream = AppendReply(stream, 331, "password please")
	stream = AppendReply(stream, 230, long+"\n"+long)
	br := bufio.NewReaderSize(iotest.HalfReader(strings.NewReader(string(stream))), 16)
	want := []struct {
		code int
		msg  string
	}{{220, "welcome\nto\nwharf"}, {331, "password please"}, {230, long + "\n" + long}}
	for _, w := range want {
		code, msg, err := ReadReply(br)
		if err != nil || code != w.code || msg != w.msg {
			t.Fatalf("ReadReply = %d, %.40q, %v; want %d, %.40q", code, msg, err, w.code, w.msg)
		}
	}
	if _, _, err := ReadReply(br); err != io.EOF {
		t.Errorf("after the last reply err = %v, want io.EOF", err)
	}
}
