package vfs

import (
	"path"
	"strings"
)

// Resolve joins a client-supplied path to the current virtual directory and
// returns the cleaned virtual absolute path ("/" is the user's root). ".."
// never climbs above "/", as under chroot. A path containing NUL, CR or LF
// is refused with ErrInvalidName: such names corrupt listings and logs.
func Resolve(cwd, p string) (string, error) {
	if strings.ContainsAny(p, "\x00\r\n") {
		return "", ErrInvalidName
	}
	if !strings.HasPrefix(p, "/") {
		p = cwd + "/" + p
	}
	return path.Clean("/" + p), nil
}

// Rel turns a virtual absolute path from Resolve into the relative name an FS
// takes: "/" becomes ".", "/a/b" becomes "a/b".
func Rel(virtual string) string {
	if virtual == "/" || virtual == "" {
		return "."
	}
	return strings.TrimPrefix(virtual, "/")
}
