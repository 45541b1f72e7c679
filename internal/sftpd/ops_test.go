package sftpd

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"wharf/internal/auth"
)

func TestUploadDownload(t *testing.T) {
	f := newFixture(t, nil)
	c := f.sftpClient("alice")
	for _, size := range []int{0, 1, 32 << 10, 5<<20 + 17} {
		data := randomBytes(size)
		name := "/file with spaces é.bin"
		w, err := c.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.ReadFrom(bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatalf("size %d: close: %v", size, err)
		}
		got, err := os.ReadFile(filepath.Join(f.home("alice"), name))
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("size %d: on disk %d bytes, err %v", size, len(got), err)
		}
		r, err := c.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := r.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		r.Close()
		if !bytes.Equal(buf.Bytes(), data) {
			t.Fatalf("size %d: downloaded %d bytes, differ", size, buf.Len())
		}
	}
	// Mode of a new file: file_open_mode 0666 minus umask 022.
	fi, err := os.Stat(filepath.Join(f.home("alice"), "file with spaces é.bin"))
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("mode %v, %v", fi.Mode(), err)
	}
	assertNoTemp(t, f.home("alice"))
}

// TestConcurrentWrites has pkg/sftp's client send 64 writes at a time, so
// they reach the server's 8 workers out of order.
func TestConcurrentWrites(t *testing.T) {
	f := newFixture(t, nil)
	conn, err := f.dial("alice", ssh.Password("pw"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c, err := sftp.NewClient(conn, sftp.UseConcurrentWrites(true), sftp.MaxConcurrentRequestsPerFile(64))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	data := randomBytes(20 << 20)
	w, err := c.Create("/big")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.ReadFrom(bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(f.home("alice"), "big"))
	if !bytes.Equal(got, data) {
		t.Fatalf("got %d bytes, content differs", len(got))
	}
}

func TestResume(t *testing.T) {
	f := newFixture(t, nil)
	c := f.sftpClient("alice")
	data := randomBytes(300 << 10)
	path := filepath.Join(f.home("alice"), "r.bin")

	// reput, OpenSSH style: APPEND with absolute offsets from the current size.
	writeFile(t, path, data[:100<<10])
	w, err := c.OpenFile("/r.bin", os.O_WRONLY|os.O_APPEND)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteAt(data[100<<10:], 100<<10); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, data) {
		t.Fatalf("reput: %d bytes, differ", len(got))
	}

	// Resume without APPEND or TRUNC (lftp, REST+STOR style): the file
	// ends after the last byte written.
	writeFile(t, path, append(append([]byte{}, data[:50<<10]...), bytes.Repeat([]byte("x"), 10)...))
	w, err = c.OpenFile("/r.bin", os.O_WRONLY)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteAt(data[50<<10:], 50<<10); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, data) {
		t.Fatalf("resume: %d bytes, differ", len(got))
	}

	// reget: read from an offset.
	r, err := c.Open("/r.bin")
	if err != nil {
		t.Fatal(err)
	}
	r.Seek(200<<10, io.SeekStart)
	rest, err := io.ReadAll(r)
	r.Close()
	if err != nil || !bytes.Equal(rest, data[200<<10:]) {
		t.Fatalf("reget: %d bytes, %v", len(rest), err)
	}
}

func TestPathOperations(t *testing.T) {
	f := newFixture(t, nil)
	c := f.sftpClient("alice")
	home := f.home("alice")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.Mkdir("/d"))
	must(c.MkdirAll("/d/e/f"))
	if fi, err := os.Stat(filepath.Join(home, "d")); err != nil || fi.Mode().Perm() != 0o755 {
		t.Fatalf("mkdir mode %v, %v", fi.Mode(), err)
	}
	writeFile(t, filepath.Join(home, "d", "a.txt"), []byte("a"))
	writeFile(t, filepath.Join(home, "d", "b.txt"), []byte("bb"))

	ents, err := c.ReadDir("/d")
	must(err)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	if strings.Join(names, ",") != "a.txt,b.txt,e" {
		t.Fatalf("readdir: %v", names)
	}

	// rename never replaces; posix-rename does.
	err = c.Rename("/d/a.txt", "/d/b.txt")
	if statusCode(err) != 4 {
		t.Fatalf("rename onto existing: %v", err)
	}
	must(c.Rename("/d/a.txt", "/d/c.txt"))
	must(c.PosixRename("/d/c.txt", "/d/b.txt"))
	if b, _ := os.ReadFile(filepath.Join(home, "d", "b.txt")); string(b) != "a" {
		t.Fatalf("posix-rename: b.txt = %q", b)
	}

	// stat, lstat, symlink, readlink, realpath.
	must(c.Symlink("b.txt", "/d/link"))
	if fi, err := c.Lstat("/d/link"); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("lstat link: %v %v", fi, err)
	}
	if fi, err := c.Stat("/d/link"); err != nil || fi.Size() != 1 || !fi.Mode().IsRegular() {
		t.Fatalf("stat link: %v %v", fi, err)
	}
	if target, err := c.ReadLink("/d/link"); err != nil || target != "b.txt" {
		t.Fatalf("readlink = %q, %v", target, err)
	}
	// An absolute target is stored relative to the link, inside the root.
	must(c.Symlink("/d/b.txt", "/d/e/abs"))
	if target, _ := c.ReadLink("/d/e/abs"); target != "../b.txt" {
		t.Fatalf("absolute target stored as %q", target)
	}
	if fi, err := c.Stat("/d/e/abs"); err != nil || fi.Size() != 1 {
		t.Fatalf("stat through absolute link: %v", err)
	}
	if p, err := c.RealPath("d/e/../e/f/.."); err != nil || p != "/d/e" {
		t.Fatalf("realpath = %q, %v", p, err)
	}
	if wd, err := c.Getwd(); err != nil || wd != "/" {
		t.Fatalf("getwd = %q, %v", wd, err)
	}

	// setstat: mode and times; size and owner changes are refused.
	must(c.Chmod("/d/b.txt", 0o600))
	mtime := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	must(c.Chtimes("/d/b.txt", mtime, mtime))
	fi, err := os.Stat(filepath.Join(home, "d", "b.txt"))
	if err != nil || fi.Mode().Perm() != 0o600 || !fi.ModTime().Equal(mtime) {
		t.Fatalf("after setstat: %v %v %v", fi.Mode(), fi.ModTime(), err)
	}
	if err := c.Truncate("/d/b.txt", 0); statusCode(err) != 8 {
		t.Fatalf("truncate: %v", err)
	}
	if err := c.Chown("/d/b.txt", 12345, 12345); !errors.Is(err, os.ErrPermission) {
		t.Fatalf("chown: %v", err)
	}
	if st, err := c.StatVFS("/"); err != nil || st.TotalSpace() == 0 {
		t.Fatalf("statvfs: %+v %v", st, err)
	}

	// remove, rmdir.
	if err := c.RemoveDirectory("/d"); statusCode(err) != 4 {
		t.Fatalf("rmdir non-empty: %v", err)
	}
	if err := c.Remove("/d"); statusCode(err) != 4 { // the client tries rmdir too
		t.Fatalf("remove on a directory: %v", err)
	}
	must(c.Remove("/d/link"))
	must(c.Remove("/d/e/abs"))
	must(c.Remove("/d/b.txt"))
	must(c.RemoveDirectory("/d/e/f"))
	must(c.RemoveDirectory("/d/e"))
	must(c.RemoveDirectory("/d"))
	if _, err := c.Stat("/d"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stat removed dir: %v", err)
	}
	if err := c.Link("/x", "/y"); err == nil {
		t.Fatal("hard link accepted")
	}
}

// TestErrorsHideDetails: no host path or Go error text reaches the client.
func TestErrorsHideDetails(t *testing.T) {
	f := newFixture(t, nil)
	c := f.sftpClient("alice")
	os.Mkdir(filepath.Join(f.home("alice"), "full"), 0o755)
	writeFile(t, filepath.Join(f.home("alice"), "full", "x"), nil)
	errs := []error{
		c.RemoveDirectory("/full"),
		c.Mkdir("/full"),
		c.Rename("/nope", "/nope2"),
	}
	_, err := c.Open("/full")
	errs = append(errs, err)
	for _, err := range errs {
		if err == nil {
			t.Fatal("expected an error")
		}
		if strings.Contains(err.Error(), f.root) || strings.Contains(err.Error(), "syscall") ||
			strings.Contains(err.Error(), "errno") || strings.Contains(err.Error(), "vfs:") {
			t.Errorf("error leaks details: %v", err)
		}
	}
}

func TestPermissions(t *testing.T) {
	f := newFixture(t, nil)
	writeFile(t, filepath.Join(f.home("reader"), "f"), []byte("x"))
	r := f.sftpClient("reader")
	if _, err := r.Create("/new"); !errors.Is(err, os.ErrPermission) {
		t.Fatalf("reader upload: %v", err)
	}
	if err := r.Mkdir("/d"); !errors.Is(err, os.ErrPermission) {
		t.Fatalf("reader mkdir: %v", err)
	}
	if err := r.Remove("/f"); !errors.Is(err, os.ErrPermission) {
		t.Fatalf("reader remove: %v", err)
	}
	if _, err := r.ReadDir("/"); err != nil {
		t.Fatalf("reader list: %v", err)
	}

	d := f.sftpClient("drop") // write only: a drop box
	w, err := d.Create("/in")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("hello"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Open("/in"); !errors.Is(err, os.ErrPermission) {
		t.Fatalf("drop download: %v", err)
	}
	if _, err := d.ReadDir("/"); !errors.Is(err, os.ErrPermission) {
		t.Fatalf("drop list: %v", err)
	}
	if _, err := d.Stat("/"); err != nil {
		t.Fatalf("drop stat: %v", err)
	}

	// write_enable=NO and download_enable=NO apply on top.
	g := newFixture(t, func(o *Options) { o.WriteEnable, o.DownloadEnable = false, false })
	writeFile(t, filepath.Join(g.home("alice"), "f"), []byte("x"))
	a := g.sftpClient("alice")
	if _, err := a.Create("/new"); !errors.Is(err, os.ErrPermission) {
		t.Fatalf("write_enable=NO upload: %v", err)
	}
	if _, err := a.Open("/f"); !errors.Is(err, os.ErrPermission) {
		t.Fatalf("download_enable=NO download: %v", err)
	}
}

// TestFsetstatDuringUpload: `put -p` sets mode and times on the handle
// before closing it; the atomic upload applies them after the rename.
func TestFsetstatDuringUpload(t *testing.T) {
	f := newFixture(t, nil)
	c := f.sftpClient("alice")
	w, err := c.Create("/p")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("abc"))
	if fi, err := w.Stat(); err != nil || fi.Size() != 3 {
		t.Fatalf("fstat during upload: %v %v", fi, err)
	}
	mtime := time.Date(2021, 5, 6, 7, 8, 9, 0, time.UTC)
	if err := w.Chmod(0o600); err != nil {
		t.Fatal(err)
	}
	if err := c.Chtimes("/p", mtime, mtime); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(f.home("alice"), "p")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("file visible before close: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(f.home("alice"), "p"))
	if err != nil || fi.Mode().Perm() != 0o600 || !fi.ModTime().Equal(mtime) || fi.Size() != 3 {
		t.Fatalf("after close: %v %v %v", fi.Mode(), fi.ModTime(), err)
	}
}

func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".wharf-upload-") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

// TestStartDir: relative paths start from the identity's StartDir.
func TestStartDir(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.Auth = startDirAuth{o.Auth} })
	os.MkdirAll(filepath.Join(f.home("alice"), "pub", "in"), 0o755)
	c := f.sftpClient("alice")
	if wd, err := c.Getwd(); err != nil || wd != "/pub" {
		t.Fatalf("getwd = %q, %v", wd, err)
	}
	w, err := c.Create("in/x")
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	if _, err := os.Stat(filepath.Join(f.home("alice"), "pub", "in", "x")); err != nil {
		t.Fatal(err)
	}
}

type startDirAuth struct{ auth.Authenticator }

func (a startDirAuth) Authenticate(ctx context.Context, req auth.Request) (*auth.Identity, error) {
	id, err := a.Authenticator.Authenticate(ctx, req)
	if id != nil {
		id.StartDir = "/pub"
	}
	return id, err
}
