package auth

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

// pipeWith returns the read end of a pipe holding s (then EOF).
func pipeWith(t *testing.T, s string) *os.File {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	go func() {
		io.WriteString(w, s)
		w.Close()
	}()
	return r
}

func TestReadPasswordPipe(t *testing.T) {
	tests := []struct {
		in, want string
		err      error
	}{
		{"s3cret\n", "s3cret", nil},
		{"s3cret\r\n", "s3cret", nil},
		{"s3cret", "s3cret", nil},
		{" spaced pw \n", " spaced pw ", nil},
		{"first\nsecond\n", "first", nil},
		{"\n", "", ErrEmptyPassword},
		{"", "", ErrEmptyPassword},
	}
	for _, tt := range tests {
		var prompt strings.Builder
		got, err := ReadPassword(pipeWith(t, tt.in), &prompt, true)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("ReadPassword(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.err)
		}
		if prompt.Len() != 0 {
			t.Errorf("ReadPassword(%q) prompted %q on a pipe", tt.in, prompt.String())
		}
	}
}

func TestReadPasswordLeavesRest(t *testing.T) {
	in := pipeWith(t, "pw\nrest\n")
	if _, err := ReadPassword(in, nil, false); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(in)
	if string(rest) != "rest\n" {
		t.Fatalf("after the password, %q remains; want %q", rest, "rest\n")
	}
}

func TestReadPasswordTooLong(t *testing.T) {
	_, err := ReadPassword(pipeWith(t, strings.Repeat("x", MaxPasswordLen+1)+"\n"), nil, false)
	if err == nil {
		t.Fatal("over-long password accepted")
	}
}
