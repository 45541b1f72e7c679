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

// StartDir is a session's first working directory: dir when it is a
// directory the user can reach in fsys, else "/" (vsftpd likewise falls
// back when the home directory cannot be entered).
func StartDir(fsys FS, dir string) string {
	v, err := Resolve("/", dir)
	if err != nil || v == "/" {
		return "/"
	}
	if fi, err := fsys.Stat(Rel(v)); err != nil || !fi.IsDir() {
		return "/"
	}
	return v
}
