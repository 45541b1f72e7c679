// Package listing formats FTP directory listings: LIST (vsftpd's `ls -l`
// format, which clients parse with regular expressions), NLST (bare names)
// and MLSD/MLST (RFC 3659 machine-readable facts).
//
// Every listing is streamed: the directory is read PageSize entries at a
// time and each line goes straight to a buffered writer, so a directory of
// a million entries costs no more memory than one of a hundred. The price is
// that listings are unsorted (directory order); clients sort for display.
package listing

import (
	"bufio"
	"errors"
	"io"
	"io/fs"
	"strings"
	"time"

	"wharf/internal/vfs"
)

// PageSize is how many entries are read from a vfs.Dir at a time. It bounds
// the memory a listing holds, whatever the size of the directory.
const PageSize = 512

// bufSize is the write buffer wrapped around a writer that is not already a
// *bufio.Writer: large enough that a data connection sees few, full writes.
const bufSize = 32 << 10

// Flags are the ls-style options a client put before the path in LIST/NLST
// ("LIST -la /dir", "LIST -a").
type Flags struct {
	All       bool // -a or -A: show dot files
	Long      bool // -l
	Recursive bool // -R (the engine refuses it unless allowed)
}

// SplitArgs separates leading option words from the path: "-la /dir" gives
// Flags{All, Long} and "/dir"; "-l" gives Flags{Long} and ""; "my -file" is
// all path. An option word is '-' followed by one or more ASCII letters or
// digits; letters we do not implement (t, r, h, F, 1, ...) are ignored, as
// vsftpd ignores them, because clients send them out of habit. A lone "-",
// or a word such as "-my.file", starts the path. Only words before the path
// are options; the path itself is returned verbatim (it may hold spaces).
func SplitArgs(arg string) (Flags, string) {
	var f Flags
	rest := arg
	for {
		word, after, _ := strings.Cut(rest, " ")
		if !isOptionWord(word) {
			return f, rest
		}
		f.apply(word[1:])
		rest = strings.TrimLeft(after, " ")
	}
}

func isOptionWord(w string) bool {
	if len(w) < 2 || w[0] != '-' {
		return false
	}
	for i := 1; i < len(w); i++ {
		c := w[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func (f *Flags) apply(letters string) {
	for i := 0; i < len(letters); i++ {
		switch letters[i] {
		case 'a', 'A': // we never list "." and "..", so -A is -a
			f.All = true
		case 'l':
			f.Long = true
		case 'R':
			f.Recursive = true
		}
	}
}

// Options tune LIST and NLST output.
type Options struct {
	// HideIDs (vsftpd hide_ids) shows "ftp ftp" as owner and group of
	// every entry instead of numeric ids.
	HideIDs bool
	// Names, when set (vsftpd text_userdb_names), gives the user and group
	// names shown instead of numeric ids; an empty name shows the number.
	// A listing asks once per distinct id.
	Names func(uid, gid uint32) (user, group string)
	// ShowDotFiles (force_dot_files, or the client's -a) lists names that
	// start with '.'. In-flight uploads (vfs.IsTempName) are never listed.
	ShowDotFiles bool
	// Now is the reference for the recent/old date format; nil means
	// time.Now. It is read once per listing.
	Now func() time.Time
	// Location is the time zone of LIST dates; nil means UTC, as vsftpd's
	// default use_localtime=NO.
	Location *time.Location
	// Readlink returns a symlink's target for the " -> target" suffix. It
	// gets the entry's name as it appears in the listing (a base name for
	// WriteLIST, the given name for WriteLongEntry), so the engine resolves
	// it against the listed directory. nil means no suffix.
	Readlink func(name string) (string, error)
}

func (o *Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o *Options) location() *time.Location {
	if o.Location != nil {
		return o.Location
	}
	return time.UTC
}

// safeName reports whether a name may go on the wire. A CR or LF inside a
// name would end the line early and let a file name forge listing lines
// (or, echoed on the control connection, replies).
func safeName(name string) bool {
	return strings.IndexByte(name, '\r') < 0 && strings.IndexByte(name, '\n') < 0
}

// visible applies the rules shared by every listing: never in-flight
// uploads, never unsafe names, dot files only when asked.
func visible(name string, dotFiles bool) bool {
	if name == "" || vfs.IsTempName(name) || !safeName(name) {
		return false
	}
	return dotFiles || name[0] != '.'
}

// bufferFor returns w itself when it is already buffered, so that a caller
// writing several things to one data connection keeps a single buffer.
func bufferFor(w io.Writer) *bufio.Writer {
	if bw, ok := w.(*bufio.Writer); ok {
		return bw
	}
	return bufio.NewWriterSize(w, bufSize)
}

// eachEntry reads dir page by page and calls fn for every entry. It stops at
// the first error from dir or fn. Nothing of a page is kept after fn.
func eachEntry(dir vfs.Dir, fn func(fs.DirEntry) error) error {
	for {
		page, err := dir.ReadDir(PageSize)
		for _, e := range page {
			if ferr := fn(e); ferr != nil {
				return ferr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if len(page) == 0 {
			// A Dir that returns neither entries nor EOF would loop forever.
			return io.ErrNoProgress
		}
	}
}

// info lstats an entry. gone is true when the entry was deleted between
// ReadDir and the stat: such entries are skipped, as vsftpd does.
func info(e fs.DirEntry) (fi fs.FileInfo, gone bool, err error) {
	fi, err = e.Info()
	if errors.Is(err, fs.ErrNotExist) {
		return nil, true, nil
	}
	return fi, false, err
}

// WriteNLST streams bare names, one per "\r\n"-terminated line, without a
// directory prefix. It uses only DirEntry.Name(), never a stat per entry,
// which is what keeps NLST fast on huge or remote directories. The same
// dot-file, upload and CR/LF rules as WriteLIST apply. The caller closes dir.
func WriteNLST(w io.Writer, dir vfs.Dir, opts Options) error {
	bw := bufferFor(w)
	err := eachEntry(dir, func(e fs.DirEntry) error {
		name := e.Name()
		if !visible(name, opts.ShowDotFiles) {
			return nil
		}
		bw.WriteString(name)
		_, err := bw.WriteString("\r\n")
		return err
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}
