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
// (or, echoed on the control connection, replies). It takes the bytes of
// vfs.StatDir.ReadNames too, so NLST needs no string per name.
func safeName[N string | []byte](name N) bool {
	for i := 0; i < len(name); i++ {
		if name[i] == '\r' || name[i] == '\n' {
			return false
		}
	}
	return true
}

// visible applies the rules shared by every listing: never in-flight
// uploads, never unsafe names, dot files only when asked.
func visible[N string | []byte](name N, dotFiles bool) bool {
	if len(name) == 0 || vfs.IsTempName(name) || !safeName(name) {
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

// eachPage calls read, which reads and handles one page of a directory
// and returns how many entries it read, until the end of the directory
// (io.EOF) or an error.
func eachPage(read func() (int, error)) error {
	for {
		n, err := read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if n == 0 {
			// A Dir that returns neither entries nor EOF would loop forever.
			return io.ErrNoProgress
		}
	}
}

// eachEntry reads dir page by page and calls fn for every entry. It stops at
// the first error from dir or fn. Nothing of a page is kept after fn.
func eachEntry(dir vfs.Dir, fn func(fs.DirEntry) error) error {
	return eachPage(func() (int, error) {
		page, err := dir.ReadDir(PageSize)
		for _, e := range page {
			if ferr := fn(e); ferr != nil {
				return 0, ferr
			}
		}
		return len(page), err
	})
}

// eachStat calls fn, in directory order, with the name and lstat of every
// visible entry of dir. A vfs.StatDir is read by statPages, in parallel;
// any other Dir through ReadDir and DirEntry.Info, one entry at a time. st
// is only valid during fn.
func eachStat(dir vfs.Dir, dotFiles bool, fn func(name string, st *vfs.EntryStat) error) error {
	if sd, ok := dir.(vfs.StatDir); ok {
		return statPages(sd, dotFiles, fn)
	}
	var st vfs.EntryStat // one for the listing: fn's pointer must not cost an allocation per entry
	return eachEntry(dir, func(e fs.DirEntry) error {
		name := e.Name()
		if !visible(name, dotFiles) {
			return nil
		}
		fi, err := e.Info()
		if gone(err) {
			return nil
		}
		if err != nil {
			return err
		}
		st = statOf(fi)
		return fn(name, &st)
	})
}

// gone reports an lstat error of an entry deleted since its name was read:
// such entries are skipped, as vsftpd does.
func gone(err error) bool { return errors.Is(err, fs.ErrNotExist) }

// statOf is what a listing shows of fi.
func statOf(fi fs.FileInfo) vfs.EntryStat {
	nlink, uid, gid, ok := ownerOf(fi)
	return vfs.EntryStat{Mode: fi.Mode(), Size: fi.Size(), ModTime: fi.ModTime(),
		Nlink: nlink, UID: uid, GID: gid, HasOwner: ok}
}

// WriteNLST streams bare names, one per "\r\n"-terminated line, without a
// directory prefix. It never stats an entry, which is what keeps NLST fast
// on huge or remote directories; from a vfs.StatDir the names go from the
// backend's buffer to the write buffer without an allocation. The same
// dot-file, upload and CR/LF rules as WriteLIST apply. The caller closes
// dir.
func WriteNLST(w io.Writer, dir vfs.Dir, opts Options) error {
	bw := bufferFor(w)
	var err error
	if sd, ok := dir.(vfs.StatDir); ok {
		err = writeNames(bw, sd, opts.ShowDotFiles)
	} else {
		err = eachEntry(dir, func(e fs.DirEntry) error {
			if name := e.Name(); visible(name, opts.ShowDotFiles) {
				bw.WriteString(name)
				_, werr := bw.WriteString("\r\n")
				return werr
			}
			return nil
		})
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

// writeNames is WriteNLST's loop over a StatDir.
func writeNames(bw *bufio.Writer, dir vfs.StatDir, dotFiles bool) error {
	var werr error
	return eachPage(func() (int, error) {
		n, err := dir.ReadNames(PageSize, func(name []byte) {
			if werr == nil && visible(name, dotFiles) {
				bw.Write(name)
				_, werr = bw.WriteString("\r\n")
			}
		})
		if werr != nil {
			return 0, werr
		}
		return n, err
	})
}
