package listing

import (
	"io"
	"io/fs"
	"strconv"
	"time"

	"wharf/internal/vfs"
)

// sixMonths is vsftpd's cut-off, in seconds, between "Jan 02 15:04" and
// "Jan 02  2006": 182 days, not calendar months, so the switch happens at
// the same instant whatever the month lengths.
const sixMonths = 60 * 60 * 24 * 182

// Date layouts equal to vsftpd's strftime formats "%b %d %H:%M" and
// "%b %d  %Y" (day zero-padded; two spaces keep the columns of both forms
// the same width).
const (
	recentLayout = "Jan 02 15:04"
	oldLayout    = "Jan 02  2006"
)

// hiddenID is what vsftpd's hide_ids shows for owner and group.
const hiddenID = "ftp"

// longWriter builds `ls -l` lines into a reused scratch buffer, so a
// listing allocates nothing per entry (except for symlink targets).
type longWriter struct {
	opts    Options
	now     int64 // Unix seconds, read once per listing like vsftpd's cached time
	loc     *time.Location
	scratch []byte
	num     [24]byte          // formats one number at a time; copied out at once
	users   map[uint32]string // Names' answers, for this listing
	groups  map[uint32]string
	// The date column of the last mtime second formatted: files written
	// together share it, and formatting a date is the costliest column.
	dateSec int64
	date    []byte
}

func newLongWriter(opts Options) *longWriter {
	return &longWriter{
		opts:    opts,
		now:     opts.now().Unix(),
		loc:     opts.location(),
		scratch: make([]byte, 0, 256),
	}
}

// WriteLIST streams one `ls -l` line per entry of dir in vsftpd's format
// ("%s %4d %-8s %-8s %8lld %s %s\r\n": mode, links, owner, group, size,
// date, name). Each entry is lstat'ed (see eachStat); entries that vanished
// meanwhile are skipped, any other stat error ends the listing. Dot files
// are skipped unless opts.ShowDotFiles; names containing CR or LF are
// always skipped. The output is flushed before returning; the caller closes
// dir.
func WriteLIST(w io.Writer, dir vfs.Dir, opts Options) error {
	bw := bufferFor(w)
	lw := newLongWriter(opts)
	err := eachStat(dir, opts.ShowDotFiles, func(name string, st *vfs.EntryStat) error {
		_, err := bw.Write(lw.line(name, st))
		return err
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// WriteLongEntry writes the single `ls -l` line for one file, as for "LIST
// file" or "STAT file". The name is shown as given; dot files are shown
// (the client named the file), but a name with CR or LF writes nothing.
func WriteLongEntry(w io.Writer, name string, fi fs.FileInfo, opts Options) error {
	if !safeName(name) {
		return nil
	}
	st := statOf(fi)
	_, err := w.Write(newLongWriter(opts).line(name, &st))
	return err
}

// line returns the "\r\n"-terminated line for one entry. The slice is only
// valid until the next call.
func (lw *longWriter) line(name string, st *vfs.EntryStat) []byte {
	b := lw.scratch[:0]
	b = appendMode(b, st.Mode)
	b = append(b, ' ')
	b = appendPadLeft(b, strconv.AppendUint(lw.numBuf(), st.Nlink, 10), 4)
	b = append(b, ' ')
	if lw.opts.HideIDs || !st.HasOwner {
		b = appendPadRight(b, hiddenID, 8)
		b = append(b, ' ')
		b = appendPadRight(b, hiddenID, 8)
	} else if lw.opts.Names != nil {
		user, group := lw.names(st.UID, st.GID)
		b = appendPadRight(b, lw.idOr(user, st.UID), 8)
		b = append(b, ' ')
		b = appendPadRight(b, lw.idOr(group, st.GID), 8)
	} else {
		b = appendPadRight(b, strconv.AppendUint(lw.numBuf(), uint64(st.UID), 10), 8)
		b = append(b, ' ')
		b = appendPadRight(b, strconv.AppendUint(lw.numBuf(), uint64(st.GID), 10), 8)
	}
	b = append(b, ' ')
	b = appendPadLeft(b, strconv.AppendInt(lw.numBuf(), st.Size, 10), 8)
	b = append(b, ' ')
	b = lw.appendDate(b, st.ModTime)
	b = append(b, ' ')
	b = append(b, name...)
	if st.Mode&fs.ModeSymlink != 0 {
		b = lw.appendTarget(b, name)
	}
	b = append(b, '\r', '\n')
	lw.scratch = b
	return b
}

// appendDate appends the date column of mt. Both the layout and the text
// depend only on mt's second (and the listing's now and location), so the
// last one formatted is reused for every entry of the same second.
func (lw *longWriter) appendDate(b []byte, mt time.Time) []byte {
	if sec := mt.Unix(); lw.date == nil || sec != lw.dateSec {
		lw.date = appendDate(lw.date[:0], mt, lw.now, lw.loc)
		lw.dateSec = sec
	}
	return append(b, lw.date...)
}

// names returns the user and group names of uid and gid, asking
// opts.Names only for ids this listing has not met yet.
func (lw *longWriter) names(uid, gid uint32) (string, string) {
	user, uok := lw.users[uid]
	group, gok := lw.groups[gid]
	if uok && gok {
		return user, group
	}
	u, g := lw.opts.Names(uid, gid)
	if lw.users == nil {
		lw.users, lw.groups = map[uint32]string{}, map[uint32]string{}
	}
	if !uok {
		user, lw.users[uid] = u, u
	}
	if !gok {
		group, lw.groups[gid] = g, g
	}
	return user, group
}

// idOr is name, or id in decimal when name is empty.
func (lw *longWriter) idOr(name string, id uint32) []byte {
	if name == "" {
		return strconv.AppendUint(lw.numBuf(), uint64(id), 10)
	}
	return append(lw.numBuf(), name...)
}

// numBuf returns the empty number buffer; each use is copied into the line
// before the next, so one buffer serves every column.
func (lw *longWriter) numBuf() []byte { return lw.num[:0] }

// appendTarget adds " -> target" when the target can be read and is safe to
// send; like vsftpd, an unreadable or empty target just drops the arrow.
func (lw *longWriter) appendTarget(b []byte, name string) []byte {
	if lw.opts.Readlink == nil {
		return b
	}
	target, err := lw.opts.Readlink(name)
	if err != nil || target == "" || !safeName(target) {
		return b
	}
	b = append(b, " -> "...)
	return append(b, target...)
}

// appendMode writes the 10-character ls mode string, e.g. "drwxr-sr-t".
func appendMode(b []byte, m fs.FileMode) []byte {
	const rwx = "rwxrwxrwx"
	var s [10]byte
	s[0] = typeLetter(m)
	for i := 0; i < 9; i++ {
		s[i+1] = '-'
		if m&(1<<uint(8-i)) != 0 {
			s[i+1] = rwx[i]
		}
	}
	// A special bit shows in the execute column: lower case when execute is
	// also set, upper case when it is not (an odd, usually mistaken mode).
	setSpecial(&s[3], m&fs.ModeSetuid != 0, 's', 'S')
	setSpecial(&s[6], m&fs.ModeSetgid != 0, 's', 'S')
	setSpecial(&s[9], m&fs.ModeSticky != 0, 't', 'T')
	return append(b, s[:]...)
}

func setSpecial(c *byte, on bool, withX, withoutX byte) {
	if !on {
		return
	}
	if *c == 'x' {
		*c = withX
	} else {
		*c = withoutX
	}
}

func typeLetter(m fs.FileMode) byte {
	switch {
	case m&fs.ModeDir != 0:
		return 'd'
	case m&fs.ModeSymlink != 0:
		return 'l'
	case m&fs.ModeNamedPipe != 0:
		return 'p'
	case m&fs.ModeSocket != 0:
		return 's'
	case m&fs.ModeCharDevice != 0:
		return 'c'
	case m&fs.ModeDevice != 0:
		return 'b'
	}
	return '-'
}

// appendDate writes vsftpd's date column: time of day for dates in the last
// 182 days, the year for older ones and for dates in the future (a clock
// skew or a touch -d should not look recent).
func appendDate(b []byte, mt time.Time, now int64, loc *time.Location) []byte {
	layout := recentLayout
	age := now - mt.Unix()
	if age < 0 || age > sixMonths {
		layout = oldLayout
	}
	return mt.In(loc).AppendFormat(b, layout)
}

func appendPadLeft[T string | []byte](b []byte, field T, width int) []byte {
	for i := len(field); i < width; i++ {
		b = append(b, ' ')
	}
	return append(b, field...)
}

func appendPadRight[T string | []byte](b []byte, field T, width int) []byte {
	b = append(b, field...)
	for i := len(field); i < width; i++ {
		b = append(b, ' ')
	}
	return b
}
