package listing

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"testing"
	"time"

	"wharf/internal/vfs"
)

// bigDir has n entries over several pages: every 7th a dot file, every 11th
// deleted before its lstat, the rest files and directories of distinct
// sizes and dates.
func bigDir(n int) *sliceDir {
	d := &sliceDir{}
	for i := range n {
		name := fmt.Sprintf("f%05d", i)
		switch {
		case i%7 == 0:
			name = "." + name
		case i%11 == 0:
			d.entries = append(d.entries, fakeEntry{info: fakeInfo{name: name}, err: fs.ErrNotExist})
			continue
		}
		mode := fs.FileMode(0o644)
		if i%5 == 0 {
			mode = fs.ModeDir | 0o755
		}
		d.entries = append(d.entries, entry(name, int64(i), mode, now.Add(-time.Duration(i)*time.Hour)))
	}
	return d
}

// TestStatPagesMatchReadDir: through a StatDir, listings are the very
// bytes of the one-entry-at-a-time path: same order, same skipped entries,
// whatever the number of pages and their split into chunks.
func TestStatPagesMatchReadDir(t *testing.T) {
	dots := fixedOpts()
	dots.ShowDotFiles = true
	writers := []struct {
		name  string
		write func(io.Writer, vfs.Dir) error
	}{
		{"LIST", func(w io.Writer, d vfs.Dir) error { return WriteLIST(w, d, fixedOpts()) }},
		{"LIST -a", func(w io.Writer, d vfs.Dir) error { return WriteLIST(w, d, dots) }},
		{"MLSD", func(w io.Writer, d vfs.Dir) error { return WriteMLSD(w, d, FactOptions{CanRead: true}) }},
		{"NLST", func(w io.Writer, d vfs.Dir) error { return WriteNLST(w, d, fixedOpts()) }},
	}
	for _, n := range []int{0, 1, 100, PageSize, 5*PageSize + 3} {
		for _, w := range writers {
			var want, got bytes.Buffer
			if err := w.write(&want, bigDir(n)); err != nil {
				t.Fatal(err)
			}
			if err := w.write(&got, statDirOf(bigDir(n))); err != nil {
				t.Fatalf("%s of %d through a StatDir: %v", w.name, n, err)
			}
			if got.String() != want.String() {
				t.Errorf("%s of %d: StatDir wrote %d bytes, ReadDir %d; they differ", w.name, n, got.Len(), want.Len())
			}
		}
	}
}

// TestStatPagesStatOnlyShown: a dot file that LIST hides costs no lstat.
func TestStatPagesStatOnlyShown(t *testing.T) {
	const n = 3 * PageSize
	dots := fixedOpts()
	dots.ShowDotFiles = true
	tests := []struct {
		opts Options
		want int64
	}{
		{fixedOpts(), n - (n+6)/7}, // every 7th is a dot file
		{dots, n},
	}
	for _, tt := range tests {
		d := statDirOf(bigDir(n))
		if err := WriteLIST(io.Discard, d, tt.opts); err != nil {
			t.Fatal(err)
		}
		if got := d.lstats.Load(); got != tt.want {
			t.Errorf("ShowDotFiles=%v: %d lstats, want %d", tt.opts.ShowDotFiles, got, tt.want)
		}
	}
}

// failAfter fails every write after the first n bytes.
type failAfter struct{ n int }

var errWrite = errors.New("connection reset")

func (w *failAfter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		return 0, errWrite
	}
	w.n -= len(p)
	return len(p), nil
}

// TestStatPagesEndBeforeReturn: however a listing ends, no goroutine reads
// or stats the directory once WriteLIST or WriteNLST has returned, because
// the caller closes it then (and its descriptor may be reused).
func TestStatPagesEndBeforeReturn(t *testing.T) {
	errBoom := errors.New("boom")
	const n = 40 * PageSize
	statFails := bigDir(n)
	statFails.entries[3*PageSize+5] = fakeEntry{info: fakeInfo{name: "f-boom"}, err: errBoom}
	readFails := bigDir(n)
	readFails.err, readFails.entries = errBoom, readFails.entries[:4*PageSize]
	tests := []struct {
		name             string
		dir              *sliceDir
		w                io.Writer
		listErr, nlstErr error // NLST does not stat
	}{
		{"complete", bigDir(n), io.Discard, nil, nil},
		{"client gone", bigDir(n), &failAfter{n: 100}, errWrite, errWrite},
		{"lstat fails", statFails, io.Discard, errBoom, nil},
		{"read fails", readFails, io.Discard, errBoom, errBoom},
	}
	for _, tt := range tests {
		writers := []struct {
			name    string
			write   func(io.Writer, vfs.Dir) error
			wantErr error
		}{
			{"LIST", func(w io.Writer, d vfs.Dir) error { return WriteLIST(w, d, fixedOpts()) }, tt.listErr},
			{"NLST", func(w io.Writer, d vfs.Dir) error { return WriteNLST(w, d, fixedOpts()) }, tt.nlstErr},
		}
		for _, wr := range writers {
			tt.dir.pos = 0
			d := statDirOf(tt.dir)
			err := wr.write(bufio.NewWriterSize(tt.w, 4096), d)
			d.Close()
			if !errors.Is(err, wr.wantErr) {
				t.Errorf("%s, %s: err %v, want %v", wr.name, tt.name, err, wr.wantErr)
			}
			time.Sleep(20 * time.Millisecond) // time for a leftover goroutine to show itself
			if late := d.late.Load(); late != 0 {
				t.Errorf("%s, %s: %d calls on the directory after it returned", wr.name, tt.name, late)
			}
		}
	}
}

// TestAllocsPerListing keeps the per-entry cost at zero allocations: a
// listing allocates a few buffers whatever the number of entries. Through
// a StatDir add its goroutines, a name block per page and the slices of
// the pagesInFlight pages growing to size.
func TestAllocsPerListing(t *testing.T) {
	const n = 2000
	tests := []struct {
		name  string
		dir   func(*sliceDir) vfs.Dir
		write func(vfs.Dir) error
		max   float64
	}{
		{"LIST", func(d *sliceDir) vfs.Dir { return d }, func(d vfs.Dir) error { return WriteLIST(io.Discard, d, fixedOpts()) }, 10},
		{"LIST, StatDir", func(d *sliceDir) vfs.Dir { return statDirOf(d) }, func(d vfs.Dir) error { return WriteLIST(io.Discard, d, fixedOpts()) }, 200},
		{"NLST, StatDir", func(d *sliceDir) vfs.Dir { return statDirOf(d) }, func(d vfs.Dir) error { return WriteNLST(io.Discard, d, fixedOpts()) }, 10},
	}
	for _, tt := range tests {
		d := benchDir(n)
		dir := tt.dir(d)
		allocs := testing.AllocsPerRun(5, func() {
			d.pos = 0
			if err := tt.write(dir); err != nil {
				t.Fatal(err)
			}
		})
		if allocs > tt.max {
			t.Errorf("%s of %d entries: %v allocations, want at most %v", tt.name, n, allocs, tt.max)
		}
	}
}
