package listing

import (
	"io"
	"io/fs"
	"time"
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

// countingWriter counts bytes and lines written to it.
type countingWriter struct {
	bytes, lines int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.bytes += len(p)
	for _, c := range p {
		if c == '\n' {
			w.lines++
		}
	}
	return len(p), nil
}
