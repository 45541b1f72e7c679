package listing

import (
	"io"
	"io/fs"
	"sync/atomic"
	"time"

	"wharf/internal/vfs"
)

// fakeInfo is an fs.FileInfo with whatever fields a test needs.
type fakeInfo struct {
	name  string
	size  int64
	mode  fs.FileMode
	mtime time.Time
	sys   any
}

func (fi fakeInfo) Name() string       { return fi.name }
func (fi fakeInfo) Size() int64        { return fi.size }
func (fi fakeInfo) Mode() fs.FileMode  { return fi.mode }
func (fi fakeInfo) ModTime() time.Time { return fi.mtime }
func (fi fakeInfo) IsDir() bool        { return fi.mode.IsDir() }
func (fi fakeInfo) Sys() any           { return fi.sys }

// fakeEntry is a directory entry whose Info returns info or err, like an
// lstat that may find the file gone.
type fakeEntry struct {
	info fakeInfo
	err  error
}

func (e fakeEntry) Name() string               { return e.info.name }
func (e fakeEntry) IsDir() bool                { return e.info.mode.IsDir() }
func (e fakeEntry) Type() fs.FileMode          { return e.info.mode.Type() }
func (e fakeEntry) Info() (fs.FileInfo, error) { return e.info, e.err }

func entry(name string, size int64, mode fs.FileMode, mtime time.Time) fakeEntry {
	return fakeEntry{info: fakeInfo{name: name, size: size, mode: mode, mtime: mtime}}
}

// sliceDir serves fixed entries in pages, then err (io.EOF when nil).
type sliceDir struct {
	entries []fs.DirEntry
	pos     int
	err     error
}

func (d *sliceDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if d.pos >= len(d.entries) {
		if d.err != nil {
			return nil, d.err
		}
		return nil, io.EOF
	}
	end := min(d.pos+n, len(d.entries))
	page := d.entries[d.pos:end]
	d.pos = end
	return page, nil
}

func (d *sliceDir) Close() error { return nil }

func dirOf(entries ...fakeEntry) *sliceDir {
	d := &sliceDir{}
	for _, e := range entries {
		d.entries = append(d.entries, e)
	}
	return d
}

// countingWriter counts bytes and lines written to it. bytes is read
// while a listing runs, by a Dir called from the listing's reader.
type countingWriter struct {
	bytes atomic.Int64
	lines int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.bytes.Add(int64(len(p)))
	for _, c := range p {
		if c == '\n' {
			w.lines++
		}
	}
	return len(p), nil
}

// statSliceDir serves a sliceDir's entries as a vfs.StatDir, so that a test
// runs one listing through both paths. Names are made into bytes up front
// and lstats come from the entries' Info, so the fake allocates nothing
// per entry. It counts lstats and calls made after Close.
type statSliceDir struct {
	*sliceDir
	names  [][]byte
	byName map[string]fs.DirEntry
	lstats atomic.Int64
	closed atomic.Bool
	late   atomic.Int64
}

func statDirOf(d *sliceDir) *statSliceDir {
	sd := &statSliceDir{sliceDir: d, byName: map[string]fs.DirEntry{}}
	for _, e := range d.entries {
		sd.names = append(sd.names, []byte(e.Name()))
		sd.byName[e.Name()] = e
	}
	return sd
}

func (d *statSliceDir) ReadNames(n int, fn func(name []byte)) (int, error) {
	d.checkOpen()
	start := d.pos
	page, err := d.sliceDir.ReadDir(n)
	for i := range page {
		fn(d.names[start+i])
	}
	return len(page), err
}

func (d *statSliceDir) LstatEntry(name string, st *vfs.EntryStat) error {
	d.checkOpen()
	d.lstats.Add(1)
	fi, err := d.byName[name].Info()
	if err != nil {
		return err
	}
	*st = statOf(fi)
	return nil
}

func (d *statSliceDir) Close() error {
	d.closed.Store(true)
	return nil
}

func (d *statSliceDir) checkOpen() {
	if d.closed.Load() {
		d.late.Add(1)
	}
}

// dirKinds are the two ways a listing reads a directory: every test of
// listing semantics runs against both.
var dirKinds = []struct {
	name string
	dir  func(*sliceDir) vfs.Dir
}{
	{"ReadDir", func(d *sliceDir) vfs.Dir { return d }},
	{"StatDir", func(d *sliceDir) vfs.Dir { return statDirOf(d) }},
}
