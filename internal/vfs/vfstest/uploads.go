package vfstest

import (
	"io"
	"io/fs"
	"strings"
	"testing"

	"wharf/internal/vfs"
)

func upload(t *testing.T, fsys vfs.FS, name string, opts vfs.UploadOptions, data string) vfs.Upload {
	t.Helper()
	u, err := fsys.Upload(name, opts)
	if err != nil {
		t.Fatalf("Upload(%q, %+v): %v", name, opts, err)
	}
	if _, err := io.WriteString(u, data); err != nil {
		t.Fatalf("write %q: %v", name, err)
	}
	return u
}

var truncate = vfs.UploadOptions{Mode: vfs.Truncate}

func testUploadTruncate(t *testing.T, fsys vfs.FS) {
	Put(t, fsys, "f", "old content")
	u := upload(t, fsys, "f", truncate, "new")
	// ReadFrom is what io.Copy uses; it must append to what Write wrote.
	if n, err := io.Copy(u, strings.NewReader(" and more")); err != nil || n != 9 {
		t.Fatalf("io.Copy into upload = %d, %v", n, err)
	}
	wantContent(t, fsys, "f", "old content")
	wantNames(t, fsys, ".", "f")

	fresh := upload(t, fsys, "g", truncate, "fresh")
	_, err := fsys.Stat("g")
	wantErr(t, "Stat before Commit", err, fs.ErrNotExist)
	wantNames(t, fsys, ".", "f")

	mustDo(t, "Commit f", u.Commit())
	mustDo(t, "Commit g", fresh.Commit())
	wantContent(t, fsys, "f", "new and more")
	wantContent(t, fsys, "g", "fresh")
	wantNames(t, fsys, ".", "f", "g")

	mustDo(t, "Mkdir", fsys.Mkdir("d", 0o755))
	for _, name := range []string{"d", "."} {
		_, err := fsys.Upload(name, truncate)
		wantErr(t, "Upload onto dir "+name, err, vfs.ErrIsDir)
	}
	// An empty upload is a file too.
	mustDo(t, "empty Commit", upload(t, fsys, "empty", truncate, "").Commit())
	wantContent(t, fsys, "empty", "")
}

func testUploadTruncateAbort(t *testing.T, fsys vfs.FS) {
	Put(t, fsys, "f", "old")
	mustDo(t, "Abort", upload(t, fsys, "f", truncate, "doomed").Abort())
	wantContent(t, fsys, "f", "old")
	mustDo(t, "Abort new", upload(t, fsys, "new", truncate, "doomed").Abort())
	_, err := fsys.Stat("new")
	wantErr(t, "Stat after Abort", err, fs.ErrNotExist)
	wantNames(t, fsys, ".", "f")
}

func testUploadTruncateModes(t *testing.T, fsys vfs.FS) {
	u := upload(t, fsys, "p", vfs.UploadOptions{Mode: vfs.Truncate, Perm: 0o640}, "x")
	mustDo(t, "Commit", u.Commit())
	fi, err := fsys.Stat("p")
	mustDo(t, "Stat", err)
	if perm := fi.Mode().Perm(); perm&^0o640 != 0 || perm&0o600 != 0o600 {
		t.Errorf("new file with Perm 0640 has mode %v", perm)
	}
	// Replacing a file keeps its permissions: a file made private stays so.
	mustDo(t, "Chmod", fsys.Chmod("p", 0o600))
	Put(t, fsys, "p", "replaced")
	wantPerm(t, fsys, "p", 0o600)
}

func testUploadFinishTwice(t *testing.T, fsys vfs.FS) {
	u := upload(t, fsys, "f", truncate, "data")
	mustDo(t, "Commit", u.Commit())
	if err := u.Commit(); err == nil {
		t.Error("second Commit succeeded")
	}
	if err := u.Abort(); err == nil {
		t.Error("Abort after Commit succeeded")
	}
	if _, err := u.Write([]byte("late")); err == nil {
		t.Error("Write after Commit succeeded")
	}
	wantContent(t, fsys, "f", "data")
	for _, mode := range []vfs.UploadMode{vfs.Truncate, vfs.Append, vfs.Resume} {
		u := upload(t, fsys, "f", vfs.UploadOptions{Mode: mode}, "")
		mustDo(t, "Abort", u.Abort())
		if u.Abort() == nil || u.Commit() == nil {
			t.Errorf("mode %d: Abort/Commit after Abort succeeded", mode)
		}
	}
}

func testUploadAppend(t *testing.T, fsys vfs.FS) {
	appendMode := vfs.UploadOptions{Mode: vfs.Append}
	Put(t, fsys, "f", "abc")
	mustDo(t, "Commit", upload(t, fsys, "f", appendMode, "def").Commit())
	wantContent(t, fsys, "f", "abcdef")
	mustDo(t, "Commit new", upload(t, fsys, "new", appendMode, "xyz").Commit())
	wantContent(t, fsys, "new", "xyz")
	// Appending works in place: an aborted append keeps what arrived.
	mustDo(t, "Abort", upload(t, fsys, "f", appendMode, "ghi").Abort())
	wantContent(t, fsys, "f", "abcdefghi")
	mustDo(t, "Mkdir", fsys.Mkdir("d", 0o755))
	_, err := fsys.Upload("d", appendMode)
	wantErr(t, "Append onto dir", err, vfs.ErrIsDir)
}

func testUploadResume(t *testing.T, fsys vfs.FS) {
	tests := []struct {
		name    string
		old     string // "" with missing: no file
		missing bool
		offset  int64
		data    string
		abort   bool
		want    string
	}{
		{name: "middle", old: "0123456789", offset: 4, data: "XY", want: "0123XY"},
		{name: "end", old: "0123456789", offset: 10, data: "ab", want: "0123456789ab"},
		{name: "start", old: "0123456789", offset: 0, data: "A", want: "A"},
		{name: "past-old-end", old: "0123", offset: 2, data: "abcdef", want: "01abcdef"},
		{name: "nothing-sent", old: "0123", offset: 2, want: "01"},
		{name: "aborted", old: "0123456789", offset: 2, data: "ab", abort: true, want: "01ab456789"},
		{name: "missing-at-0", missing: true, offset: 0, data: "new", want: "new"},
	}
	for _, tt := range tests {
		if !tt.missing {
			Put(t, fsys, tt.name, tt.old)
		}
		u := upload(t, fsys, tt.name, vfs.UploadOptions{Mode: vfs.Resume, Offset: tt.offset}, tt.data)
		finish := u.Commit
		if tt.abort {
			finish = u.Abort
		}
		mustDo(t, tt.name, finish())
		wantContent(t, fsys, tt.name, tt.want)
	}
}

func testUploadResumeRefused(t *testing.T, fsys vfs.FS) {
	Put(t, fsys, "f", "0123456789")
	for _, tt := range []struct {
		name   string
		offset int64
	}{{"f", 11}, {"f", -1}, {"missing", 5}} {
		_, err := fsys.Upload(tt.name, vfs.UploadOptions{Mode: vfs.Resume, Offset: tt.offset})
		wantErr(t, "Resume "+tt.name, err, vfs.ErrInvalidOffset)
	}
	wantContent(t, fsys, "f", "0123456789")
	_, err := fsys.Stat("missing")
	wantErr(t, "refused resume created a file", err, fs.ErrNotExist)
}
