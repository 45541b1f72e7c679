package listing

import (
	"io"
	"io/fs"
	"strconv"

	"wharf/internal/vfs"
)

// FeatMLST is the FEAT line (without the leading space) announcing the
// MLST facts we emit; a '*' marks a fact that is on by default (RFC 3659
// §7.8). We have no OPTS MLST, so every listed fact is always on.
const FeatMLST = "MLST type*;size*;modify*;perm*;unix.mode*;"

// modifyLayout is RFC 3659's time-val, always in UTC.
const modifyLayout = "20060102150405"

// FactOptions say what the session may do with the entries, for the perm
// fact. They are per listing, not per file: the engine's permissions are
// per user (write_enable, download_enable, ...), not per path.
type FactOptions struct {
	CanRead  bool // RETR (files)
	CanWrite bool // STOR, APPE, DELE, RNFR, MKD, RMD
	CanList  bool // LIST, NLST, MLSD (directories)
}

// WriteMLSD streams RFC 3659 §7 lines "facts name\r\n" for every entry of
// dir. Unlike LIST it includes dot files (MLSD is for programs, which
// decide themselves what to hide), but never in-flight uploads or names
// with CR or LF. Entries deleted between ReadDir and the lstat are skipped.
// The output is flushed before returning; the caller closes dir.
func WriteMLSD(w io.Writer, dir vfs.Dir, fo FactOptions) error {
	bw := bufferFor(w)
	scratch := make([]byte, 0, 256)
	err := eachStat(dir, true, func(name string, st *vfs.EntryStat) error {
		b := appendFacts(scratch[:0], st, fo, false)
		b = append(b, ' ')
		b = append(b, name...)
		b = append(b, '\r', '\n')
		scratch = b
		_, err := bw.Write(b)
		return err
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// MLSTFacts returns the facts of one entry, each ending in ';', without the
// space and name that follow them on the wire. isCdir reports the entry as
// type=cdir: MLST of a directory, or the directory itself at the head of an
// MLSD listing, describes the current directory rather than an entry in it.
func MLSTFacts(fi fs.FileInfo, fo FactOptions, isCdir bool) string {
	st := statOf(fi)
	return string(appendFacts(make([]byte, 0, 128), &st, fo, isCdir))
}

func appendFacts(b []byte, st *vfs.EntryStat, fo FactOptions, isCdir bool) []byte {
	mode := st.Mode
	b = append(b, "type="...)
	b = append(b, factType(mode, isCdir)...)
	b = append(b, ';')
	// RFC 3659 §7.5.7 defines size for files; a directory's "size" is a
	// filesystem detail that clients would misread as content.
	if !mode.IsDir() {
		b = append(b, "size="...)
		b = strconv.AppendInt(b, st.Size, 10)
		b = append(b, ';')
	}
	b = append(b, "modify="...)
	b = st.ModTime.UTC().AppendFormat(b, modifyLayout)
	b = append(b, ";perm="...)
	b = appendPerm(b, mode, fo)
	b = append(b, ";unix.mode="...)
	b = appendOctalMode(b, mode)
	return append(b, ';')
}

// factType names the entry type. Types other than file and dir use the
// RFC's "OS.unix=" form so that clients that do not know them skip them
// instead of trying to download a device or follow a link.
func factType(m fs.FileMode, isCdir bool) string {
	switch {
	case m.IsDir() && isCdir:
		return "cdir"
	case m.IsDir():
		return "dir"
	case m.IsRegular():
		return "file"
	case m&fs.ModeSymlink != 0:
		return "OS.unix=symlink"
	case m&fs.ModeNamedPipe != 0:
		return "OS.unix=fifo"
	case m&fs.ModeSocket != 0:
		return "OS.unix=socket"
	case m&fs.ModeCharDevice != 0:
		return "OS.unix=chr"
	case m&fs.ModeDevice != 0:
		return "OS.unix=blk"
	}
	return "OS.unix=other"
}

// appendPerm writes the RFC 3659 §7.5.5 perm letters, in alphabetical
// order, for what this session may do with the entry:
//
//	files:       a (APPE) d (DELE) f (RNFR) w (STOR) when writable, r (RETR) when readable
//	directories: c (STOR in) d (RMD) f (RNFR) m (MKD in) p (purge contents) when writable,
//	             e (CWD) always, l (LIST) when listable
//
// Other types (symlinks, devices) are treated as files: RETR follows a
// link, and DELE or RNFR act on the link itself.
func appendPerm(b []byte, m fs.FileMode, fo FactOptions) []byte {
	w, r, l := fo.CanWrite, fo.CanRead, fo.CanList
	if m.IsDir() {
		return appendLetters(b, "cdeflmp", []bool{w, w, true, w, l, w, w})
	}
	return appendLetters(b, "adfrw", []bool{w, w, w, r, w})
}

// appendLetters appends letters[i] where on[i]; a table reads more plainly
// than a chain of ifs and keeps the letters in RFC order.
func appendLetters(b []byte, letters string, on []bool) []byte {
	for i := 0; i < len(letters); i++ {
		if on[i] {
			b = append(b, letters[i])
		}
	}
	return b
}

// appendOctalMode writes the permission and special bits as at least four
// octal digits, "0644" or "4755", as chmod(1) would take them.
func appendOctalMode(b []byte, m fs.FileMode) []byte {
	v := uint64(m.Perm())
	if m&fs.ModeSetuid != 0 {
		v |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		v |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		v |= 0o1000
	}
	var digits [8]byte
	d := strconv.AppendUint(digits[:0], v, 8)
	for i := len(d); i < 4; i++ {
		b = append(b, '0')
	}
	return append(b, d...)
}
