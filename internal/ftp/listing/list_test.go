package listing

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"wharf/internal/vfs"
)

// now is the fixed reference time of these tests.
var now = time.Date(2026, 11, 24, 13, 7, 22, 0, time.UTC)

func fixedOpts() Options { return Options{Now: func() time.Time { return now }} }

func TestAppendMode(t *testing.T) {
	tests := []struct {
		mode fs.FileMode
		want string
	}{
		{0o644, "-rw-r--r--"},
		{0, "----------"},
		{0o777, "-rwxrwxrwx"},
		{fs.ModeDir | 0o755, "drwxr-xr-x"},
		{fs.ModeSymlink | 0o777, "lrwxrwxrwx"},
		{fs.ModeNamedPipe | 0o600, "prw-------"},
		{fs.ModeSocket | 0o755, "srwxr-xr-x"},
		{fs.ModeDevice | fs.ModeCharDevice | 0o666, "crw-rw-rw-"},
		{fs.ModeDevice | 0o660, "brw-rw----"},
		{fs.ModeIrregular | 0o400, "-r--------"},
		{fs.ModeSetuid | 0o755, "-rwsr-xr-x"},
		{fs.ModeSetuid | 0o644, "-rwSr--r--"},
		{fs.ModeSetgid | 0o755, "-rwxr-sr-x"},
		{fs.ModeSetgid | 0o745, "-rwxr-Sr-x"},
		{fs.ModeDir | fs.ModeSticky | 0o777, "drwxrwxrwt"},
		{fs.ModeDir | fs.ModeSticky | 0o776, "drwxrwxrwT"},
		{fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky | 0o000, "---S--S--T"},
		{fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky | 0o777, "-rwsrwsrwt"},
	}
	for _, tt := range tests {
		if got := string(appendMode(nil, tt.mode)); got != tt.want {
			t.Errorf("appendMode(%v) = %q, want %q", tt.mode, got, tt.want)
		}
	}
}

func TestAppendDate(t *testing.T) {
	const day = 24 * time.Hour
	tests := []struct {
		name  string
		mtime time.Time
		loc   *time.Location
		want  string
	}{
		{"an hour ago", now.Add(-time.Hour), time.UTC, "Nov 24 12:07"},
		{"now", now, time.UTC, "Nov 24 13:07"},
		{"single-digit day zero-padded", time.Date(2026, 11, 3, 9, 5, 0, 0, time.UTC), time.UTC, "Nov 03 09:05"},
		{"exactly 182 days", now.Add(-182 * day), time.UTC, "May 26 13:07"},
		{"182 days and a second", now.Add(-182*day - time.Second), time.UTC, "May 26  2026"},
		{"years ago", time.Date(2001, 1, 9, 0, 0, 0, 0, time.UTC), time.UTC, "Jan 09  2001"},
		{"a second in the future", now.Add(time.Second), time.UTC, "Nov 24  2026"},
		{"sub-second future is still now", now.Add(500 * time.Millisecond), time.UTC, "Nov 24 13:07"},
		{"Location shifts the clock", now.Add(-time.Hour), time.FixedZone("X", 2*3600), "Nov 24 14:07"},
		{"Location shifts the day", time.Date(2026, 11, 23, 23, 30, 0, 0, time.UTC), time.FixedZone("X", 3600), "Nov 24 00:30"},
	}
	for _, tt := range tests {
		if got := string(appendDate(nil, tt.mtime, now.Unix(), tt.loc)); got != tt.want {
			t.Errorf("%s: appendDate = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestDateReuse: a listing formats the date once per mtime second and
// reuses it, which must never show one entry's date for another.
func TestDateReuse(t *testing.T) {
	base := time.Date(2026, 11, 24, 12, 7, 59, 0, time.UTC)
	mtimes := []time.Time{
		base,
		base.Add(300 * time.Millisecond),        // same second: reused
		base.Add(time.Second),                   // next minute
		base.Add(-183 * 24 * time.Hour),         // the year layout
		base.Add(-183*24*time.Hour + time.Hour), // same layout, other day
		base,                                    // back again
		time.Unix(0, 0),                         // second 0, the cache's zero value
		now.Add(time.Second),                    // the future shows the year
	}
	lw := newLongWriter(fixedOpts())
	for _, mt := range mtimes {
		st := vfs.EntryStat{Mode: 0o644, ModTime: mt, Nlink: 1}
		want := string(appendDate(nil, mt, now.Unix(), time.UTC))
		if got := string(lw.line("f", &st)); !strings.Contains(got, " "+want+" f\r\n") {
			t.Errorf("mtime %v: line %q, want date %q", mt, got, want)
		}
	}
}

// printfLine is vsftpd's format as C's printf would render it; Go's fmt
// pads the same way, so it serves as an independent oracle.
func printfLine(mode string, links int, owner, group string, size int64, date, name string) string {
	return fmt.Sprintf("%s %4d %-8s %-8s %8d %s %s\r\n", mode, links, owner, group, size, date, name)
}

func TestWriteLongEntry(t *testing.T) {
	recent := now.Add(-time.Hour)
	tests := []struct {
		name string
		fi   fakeInfo
		opts Options
		want string
	}{
		{"file without Stat_t shows ftp ftp", fakeInfo{size: 1234, mode: 0o644, mtime: recent}, fixedOpts(),
			"-rw-r--r--    1 ftp      ftp          1234 Nov 24 12:07 f\r\n"},
		{"HideIDs", fakeInfo{size: 0, mode: fs.ModeDir | 0o755, mtime: recent}, Options{HideIDs: true, Now: fixedOpts().Now},
			printfLine("drwxr-xr-x", 1, "ftp", "ftp", 0, "Nov 24 12:07", "f")},
		{"huge size widens its column", fakeInfo{size: 123456789012, mode: 0o600, mtime: recent}, fixedOpts(),
			printfLine("-rw-------", 1, "ftp", "ftp", 123456789012, "Nov 24 12:07", "f")},
		{"old file", fakeInfo{size: 7, mode: 0o644, mtime: time.Date(2020, 2, 29, 1, 2, 3, 0, time.UTC)}, fixedOpts(),
			printfLine("-rw-r--r--", 1, "ftp", "ftp", 7, "Feb 29  2020", "f")},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		if err := WriteLongEntry(&buf, "f", tt.fi, tt.opts); err != nil {
			t.Fatal(err)
		}
		if buf.String() != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, buf.String(), tt.want)
		}
	}
}

func TestWriteLongEntryNames(t *testing.T) {
	fi := fakeInfo{size: 1, mode: 0o644, mtime: now}
	for _, name := range []string{".hidden", "spaced name", "ünïcødé 名前"} {
		var buf bytes.Buffer
		if err := WriteLongEntry(&buf, name, fi, fixedOpts()); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(buf.String(), " "+name+"\r\n") {
			t.Errorf("name %q not written verbatim: %q", name, buf.String())
		}
	}
	for _, name := range []string{"a\r\nb", "a\nb", "a\rb"} {
		var buf bytes.Buffer
		if err := WriteLongEntry(&buf, name, fi, fixedOpts()); err != nil || buf.Len() != 0 {
			t.Errorf("name %q: wrote %q, err %v; want nothing", name, buf.String(), err)
		}
	}
}

func TestSymlinkArrow(t *testing.T) {
	link := fakeInfo{size: 6, mode: fs.ModeSymlink | 0o777, mtime: now}
	targets := map[string]string{"good": "target", "crlf": "evil\r\n226 forged", "empty": ""}
	readlink := func(name string) (string, error) {
		if t, ok := targets[name]; ok {
			return t, nil
		}
		return "", fs.ErrPermission
	}
	tests := []struct {
		name     string
		readlink func(string) (string, error)
		suffix   string
	}{
		{"good", readlink, " good -> target\r\n"},
		{"crlf", readlink, " crlf\r\n"},
		{"empty", readlink, " empty\r\n"},
		{"unreadable", readlink, " unreadable\r\n"},
		{"good", nil, " good\r\n"},
	}
	for _, tt := range tests {
		opts := fixedOpts()
		opts.Readlink = tt.readlink
		var buf bytes.Buffer
		if err := WriteLongEntry(&buf, tt.name, link, opts); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(buf.String(), "lrwxrwxrwx") || !strings.HasSuffix(buf.String(), tt.suffix) {
			t.Errorf("%s: got %q, want suffix %q", tt.name, buf.String(), tt.suffix)
		}
	}
	// A regular file is never readlink'ed.
	opts := fixedOpts()
	opts.Readlink = func(string) (string, error) { t.Error("Readlink called for a regular file"); return "", nil }
	WriteLongEntry(&bytes.Buffer{}, "f", fakeInfo{mode: 0o644, mtime: now}, opts)
}

func listNames(t *testing.T, write func(*bytes.Buffer, vfs.Dir) error, d vfs.Dir) []string {
	t.Helper()
	var buf bytes.Buffer
	if err := write(&buf, d); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, line := range strings.SplitAfter(buf.String(), "\r\n") {
		if line == "" {
			continue
		}
		if !strings.HasSuffix(line, "\r\n") || strings.Count(line, "\n") != 1 || strings.Count(line, "\r") != 1 {
			t.Fatalf("malformed line %q", line)
		}
		line = strings.TrimSuffix(line, "\r\n")
		names = append(names, line[strings.LastIndexByte(line, ' ')+1:])
	}
	return names
}

// filterDir has one entry for every rule a listing applies to names.
func filterDir() *sliceDir {
	return dirOf(
		entry("visible", 1, 0o644, now),
		entry(".dot", 1, 0o644, now),
		entry(".wharf-upload-123", 1, 0o600, now),
		entry("cr\rname", 1, 0o644, now),
		entry("lf\nname", 1, 0o644, now),
		entry("sub", 0, fs.ModeDir|0o755, now),
		fakeEntry{info: fakeInfo{name: "deleted"}, err: fmt.Errorf("lstat: %w", fs.ErrNotExist)},
	)
}

func TestListingFilters(t *testing.T) {
	list := func(o Options) func(*bytes.Buffer, vfs.Dir) error {
		return func(b *bytes.Buffer, d vfs.Dir) error { return WriteLIST(b, d, o) }
	}
	nlst := func(o Options) func(*bytes.Buffer, vfs.Dir) error {
		return func(b *bytes.Buffer, d vfs.Dir) error { return WriteNLST(b, d, o) }
	}
	mlsd := func(b *bytes.Buffer, d vfs.Dir) error { return WriteMLSD(b, d, FactOptions{}) }
	dots := fixedOpts()
	dots.ShowDotFiles = true
	tests := []struct {
		name  string
		write func(*bytes.Buffer, vfs.Dir) error
		want  string
	}{
		{"LIST", list(fixedOpts()), "visible sub"},
		{"LIST -a", list(dots), "visible .dot sub"},
		{"NLST", nlst(fixedOpts()), "visible sub deleted"}, // NLST does not stat
		{"NLST -a", nlst(dots), "visible .dot sub deleted"},
		{"MLSD", mlsd, "visible .dot sub"},
	}
	for _, kind := range dirKinds {
		for _, tt := range tests {
			got := strings.Join(listNames(t, tt.write, kind.dir(filterDir())), " ")
			if got != tt.want {
				t.Errorf("%s %s: names %q, want %q", kind.name, tt.name, got, tt.want)
			}
		}
	}
}

func TestListingErrors(t *testing.T) {
	errBoom := errors.New("boom")
	statFails := func() *sliceDir {
		return dirOf(entry("a", 1, 0o644, now), fakeEntry{info: fakeInfo{name: "b"}, err: errBoom}, entry("c", 1, 0o644, now))
	}
	readFails := func() *sliceDir {
		return &sliceDir{entries: []fs.DirEntry{entry("a", 1, 0o644, now)}, err: errBoom}
	}
	tests := []struct {
		name  string
		dir   func() *sliceDir
		write func(io.Writer, vfs.Dir) error
		want  string // what was written before the error
	}{
		{"LIST, failing lstat", statFails, func(w io.Writer, d vfs.Dir) error { return WriteLIST(w, d, fixedOpts()) }, "a"},
		{"MLSD, failing lstat", statFails, func(w io.Writer, d vfs.Dir) error { return WriteMLSD(w, d, FactOptions{}) }, "a"},
		{"LIST, failing read", readFails, func(w io.Writer, d vfs.Dir) error { return WriteLIST(w, d, fixedOpts()) }, "a"},
		{"NLST, failing read", readFails, func(w io.Writer, d vfs.Dir) error { return WriteNLST(w, d, fixedOpts()) }, "a"},
	}
	for _, kind := range dirKinds {
		for _, tt := range tests {
			// The caller's buffer, flushed afterwards, shows what was written
			// before the error.
			var out bytes.Buffer
			bw := bufio.NewWriter(&out)
			err := tt.write(bw, kind.dir(tt.dir()))
			bw.Flush()
			if !errors.Is(err, errBoom) {
				t.Errorf("%s %s: err %v, want %v", kind.name, tt.name, err, errBoom)
			}
			if got := strings.Join(namesOf(out.String()), " "); got != tt.want {
				t.Errorf("%s %s: wrote %q before the error, want %q", kind.name, tt.name, got, tt.want)
			}
		}
	}
	for _, d := range []vfs.Dir{stuckDir{}, stuckStatDir{}} {
		if err := WriteNLST(&bytes.Buffer{}, d, fixedOpts()); err == nil {
			t.Errorf("WriteNLST on a %T that never progresses: no error", d)
		}
		if err := WriteLIST(&bytes.Buffer{}, d, fixedOpts()); err == nil {
			t.Errorf("WriteLIST on a %T that never progresses: no error", d)
		}
	}
}

// namesOf returns the last word of every line of a listing.
func namesOf(listing string) []string {
	var names []string
	for line := range strings.SplitSeq(strings.TrimSuffix(listing, "\r\n"), "\r\n") {
		if line != "" {
			names = append(names, line[strings.LastIndexByte(line, ' ')+1:])
		}
	}
	return names
}

// stuckDir returns no entries and no error forever.
type stuckDir struct{}

func (stuckDir) ReadDir(int) ([]fs.DirEntry, error) { return nil, nil }
func (stuckDir) Close() error                       { return nil }

// stuckStatDir is stuckDir's StatDir: no names and no error forever.
type stuckStatDir struct{ stuckDir }

func (stuckStatDir) ReadNames(int, func([]byte)) (int, error) { return 0, nil }
func (stuckStatDir) LstatEntry(string, *vfs.EntryStat) error  { return nil }

// lsLine is the kind of regular expression FTP clients use to parse a Unix
// LIST line: type, permissions, links, owner, group, size, date, name.
var lsLine = regexp.MustCompile(`^([-dlpscb])([-rwxsStT]{9})\s+(\d+)\s+(\S+)\s+(\S+)\s+(\d+)\s+` +
	`([A-Z][a-z]{2})\s+(\d{1,2})\s+(\d{1,2}:\d{2}|\d{4})\s(.+)$`)

func TestLISTParsesLikeAClient(t *testing.T) {
	old := time.Date(2019, 7, 4, 8, 0, 0, 0, time.UTC)
	d := dirOf(
		entry("report 2026.pdf", 98765, 0o644, now.Add(-48*time.Hour)),
		entry("archive", 4096, fs.ModeDir|fs.ModeSetgid|0o775, old),
		entry("run.sh", 12, fs.ModeSetuid|0o755, old),
		entry("link", 6, fs.ModeSymlink|0o777, now),
	)
	opts := fixedOpts()
	opts.Readlink = func(string) (string, error) { return "run.sh", nil }
	var buf bytes.Buffer
	if err := WriteLIST(&buf, d, opts); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		typ, perm, size, month, day, timeOrYear, name string
	}{
		{"-", "rw-r--r--", "98765", "Nov", "22", "13:07", "report 2026.pdf"},
		{"d", "rwxrwsr-x", "4096", "Jul", "04", "2019", "archive"},
		{"-", "rwsr-xr-x", "12", "Jul", "04", "2019", "run.sh"},
		{"l", "rwxrwxrwx", "6", "Nov", "24", "13:07", "link -> run.sh"},
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\r\n"), "\r\n")
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), buf.String())
	}
	for i, line := range lines {
		m := lsLine.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("line %q does not parse", line)
			continue
		}
		w := want[i]
		got := [...]string{m[1], m[2], m[6], m[7], m[8], m[9], m[10]}
		exp := [...]string{w.typ, w.perm, w.size, w.month, w.day, w.timeOrYear, w.name}
		if got != exp {
			t.Errorf("line %q parsed as %q, want %q", line, got, exp)
		}
		if n, _ := strconv.Atoi(m[3]); n != 1 {
			t.Errorf("line %q: links %q, want 1", line, m[3])
		}
	}
}
