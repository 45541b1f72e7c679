package listing

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"testing"
	"time"

	"wharf/internal/vfs"
)

// lazyDir makes up total entries as they are read, so the test itself holds
// no more than a page. It records how ReadDir was called and how much output
// the writer had received at each call.
type lazyDir struct {
	total, next int
	w           *countingWriter
	maxN        int
	calls       int
	bytesAtLast int // bytes written when the last entries were handed out
}

func (d *lazyDir) ReadDir(n int) ([]fs.DirEntry, error) {
	d.calls++
	d.maxN = max(d.maxN, n)
	if d.next >= d.total {
		return nil, io.EOF
	}
	count := min(n, d.total-d.next)
	page := make([]fs.DirEntry, count)
	for i := range page {
		name := "file-" + strconv.Itoa(d.next+i)
		page[i] = entry(name, int64(d.next+i), 0o644, now.Add(-time.Duration(i)*time.Minute))
	}
	d.next += count
	if d.next == d.total {
		d.bytesAtLast = int(d.w.bytes.Load())
	}
	return page, nil
}

func (d *lazyDir) Close() error { return nil }

// lazyStatDir is lazyDir as a vfs.StatDir, its pages counted alike.
type lazyStatDir struct{ *lazyDir }

func (d lazyStatDir) ReadNames(n int, fn func([]byte)) (int, error) {
	page, err := d.ReadDir(n)
	for _, e := range page {
		fn([]byte(e.Name()))
	}
	return len(page), err
}

func (d lazyStatDir) LstatEntry(name string, st *vfs.EntryStat) error {
	*st = vfs.EntryStat{Mode: 0o644, Size: int64(len(name)), ModTime: now, Nlink: 1}
	return nil
}

func TestStreaming(t *testing.T) {
	const total = 100_000
	writers := map[string]func(io.Writer, vfs.Dir) error{
		"LIST": func(w io.Writer, d vfs.Dir) error { return WriteLIST(w, d, fixedOpts()) },
		"NLST": func(w io.Writer, d vfs.Dir) error { return WriteNLST(w, d, fixedOpts()) },
		"MLSD": func(w io.Writer, d vfs.Dir) error { return WriteMLSD(w, d, FactOptions{CanRead: true}) },
	}
	kinds := map[string]func(*lazyDir) vfs.Dir{
		"ReadDir": func(d *lazyDir) vfs.Dir { return d },
		"StatDir": func(d *lazyDir) vfs.Dir { return lazyStatDir{d} },
	}
	for name, write := range writers {
		for kind, dirOf := range kinds {
			t.Run(name+"/"+kind, func(t *testing.T) { testStreaming(t, total, write, dirOf) })
		}
	}
}

func testStreaming(t *testing.T, total int, write func(io.Writer, vfs.Dir) error, dirOf func(*lazyDir) vfs.Dir) {
	w := &countingWriter{}
	d := &lazyDir{total: total, w: w}
	if err := write(w, dirOf(d)); err != nil {
		t.Fatal(err)
	}
	if w.lines != total {
		t.Errorf("wrote %d lines, want %d", w.lines, total)
	}
	if d.maxN <= 0 || d.maxN > 4096 {
		t.Errorf("ReadDir called with n up to %d; want a bounded page", d.maxN)
	}
	if d.calls < total/d.maxN {
		t.Errorf("only %d ReadDir calls for %d entries", d.calls, total)
	}
	// Output before the directory is exhausted proves lines are not
	// collected first; the buffer holds at most bufSize bytes, and a StatDir
	// listing reads at most pagesInFlight pages ahead.
	written := int(w.bytes.Load())
	if d.bytesAtLast == 0 || written-d.bytesAtLast > bufSize+PageSize*256 {
		t.Errorf("writer had %d of %d bytes when the last page was read; listing is not streamed",
			d.bytesAtLast, written)
	}
}

// TestCallerBufferKept checks that a caller's *bufio.Writer is used as is
// (no second buffer) and flushed.
func TestCallerBufferKept(t *testing.T) {
	var out bytes.Buffer
	bw := bufferFor(&out)
	if bufferFor(bw) != bw {
		t.Fatal("bufferFor wrapped a *bufio.Writer again")
	}
	if err := WriteNLST(bw, dirOf(entry("a", 1, 0o644, now)), Options{}); err != nil {
		t.Fatal(err)
	}
	if out.String() != "a\r\n" {
		t.Errorf("after WriteNLST the underlying writer has %q; want it flushed", out.String())
	}
}

// boxedEntry returns an fs.FileInfo made once, so that a benchmark counts
// the listing's allocations and not the fake's (a real lstat allocates its
// own FileInfo, whatever the listing does).
type boxedEntry struct{ fi fs.FileInfo }

func (e boxedEntry) Name() string               { return e.fi.Name() }
func (e boxedEntry) IsDir() bool                { return e.fi.IsDir() }
func (e boxedEntry) Type() fs.FileMode          { return e.fi.Mode().Type() }
func (e boxedEntry) Info() (fs.FileInfo, error) { return e.fi, nil }

func benchDir(n int) *sliceDir {
	d := &sliceDir{}
	for i := range n {
		fi := fakeInfo{name: fmt.Sprintf("file-%06d.dat", i), size: int64(i) * 1000, mode: 0o644,
			mtime: now.Add(-time.Duration(i) * time.Hour)}
		d.entries = append(d.entries, boxedEntry{fi})
	}
	return d
}

func BenchmarkWriteLIST(b *testing.B) {
	const n = 1000
	d := benchDir(n)
	opts := fixedOpts()
	b.ReportAllocs()
	for b.Loop() {
		d.pos = 0
		if err := WriteLIST(io.Discard, d, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/entry")
}

func BenchmarkWriteMLSD(b *testing.B) {
	const n = 1000
	d := benchDir(n)
	b.ReportAllocs()
	for b.Loop() {
		d.pos = 0
		if err := WriteMLSD(io.Discard, d, FactOptions{CanRead: true}); err != nil {
			b.Fatal(err)
		}
	}
}
