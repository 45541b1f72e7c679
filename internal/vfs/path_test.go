package vfs

import (
	"errors"
	"io/fs"
	"testing"
)

func TestResolve(t *testing.T) {
	tests := []struct {
		cwd, p, want string
		err          error
	}{
		{"/", "", "/", nil},
		{"/", ".", "/", nil},
		{"/", "a", "/a", nil},
		{"/a/b", "c", "/a/b/c", nil},
		{"/a/b", "..", "/a", nil},
		{"/a/b", "../..", "/", nil},
		{"/", "..", "/", nil},
		{"/", "../../etc/passwd", "/etc/passwd", nil},
		{"/a", "/b", "/b", nil},
		{"/a", "/../b", "/b", nil},
		{"/a", "", "/a", nil},
		{"/a", "./b/./c/", "/a/b/c", nil},
		{"/a", "b//c", "/a/b/c", nil},
		{"/a", "//b", "/b", nil},
		{"/a", "...", "/a/...", nil},
		{"/a", "..b/c..", "/a/..b/c..", nil},
		{"/", "café ü.bin", "/café ü.bin", nil},
		{"/", " x ", "/ x ", nil},
		{"/", "a\x00b", "", ErrInvalidName},
		{"/", "a\rb", "", ErrInvalidName},
		{"/", "a\nb", "", ErrInvalidName},
		{"/a", "\n", "", ErrInvalidName},
	}
	for _, tt := range tests {
		got, err := Resolve(tt.cwd, tt.p)
		if got != tt.want || !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
			t.Errorf("Resolve(%q, %q) = %q, %v; want %q, %v", tt.cwd, tt.p, got, err, tt.want, tt.err)
		}
	}
}

func TestRel(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/", "."},
		{"", "."},
		{"/a", "a"},
		{"/a/b c/d", "a/b c/d"},
		{"/...", "..."},
	}
	for _, tt := range tests {
		if got := Rel(tt.in); got != tt.want {
			t.Errorf("Rel(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCheckName(t *testing.T) {
	tests := []struct {
		name string
		want error // nil: valid
	}{
		{".", nil},
		{"a", nil},
		{"a/b c/ü", nil},
		{"...", nil},
		{"a/..b", nil},
		{TempPrefix + "x/y", nil}, // only the final element is checked
		{"", ErrInvalidName},
		{"a\x00", ErrInvalidName},
		{"a\r", ErrInvalidName},
		{"a/\nb", ErrInvalidName},
		{TempPrefix, ErrInvalidName},
		{TempPrefix + "abc", ErrInvalidName},
		{"d/" + TempPrefix + "abc", ErrInvalidName},
		{"..", ErrEscape},
		{"a/..", ErrEscape},
		{"a/../b", ErrEscape},
		{"/a", ErrEscape},
		{"/", ErrEscape},
	}
	for _, tt := range tests {
		err := CheckName("op", tt.name)
		if (tt.want == nil) != (err == nil) || !errors.Is(err, tt.want) {
			t.Errorf("CheckName(%q) = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestCheckLinkTarget(t *testing.T) {
	tests := []struct {
		target, name string
		want         error
	}{
		{"f", "l", nil},
		{"d/f", "l", nil},
		{"../f", "d/l", nil},
		{"../../f", "d/e/l", nil},
		{"x/../../f", "d/l", nil},
		{"..", "d/l", nil},
		{"../..", "d/l", ErrEscape},
		{"..", "l", ErrEscape},
		{"../f", "l", ErrEscape},
		{"d/../../f", "l", ErrEscape},
		{"/etc/passwd", "l", ErrEscape},
		{"", "l", ErrInvalidName},
		{"f\n", "l", ErrInvalidName},
	}
	for _, tt := range tests {
		err := CheckLinkTarget(tt.target, tt.name)
		if (tt.want == nil) != (err == nil) || !errors.Is(err, tt.want) {
			t.Errorf("CheckLinkTarget(%q, %q) = %v, want %v", tt.target, tt.name, err, tt.want)
		}
	}
}

func TestEscapeErrorMatchesPermission(t *testing.T) {
	err := EscapeError("open", "x")
	if !errors.Is(err, ErrEscape) || !errors.Is(err, fs.ErrPermission) {
		t.Errorf("EscapeError = %v does not match ErrEscape and fs.ErrPermission", err)
	}
}
