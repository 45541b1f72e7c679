package sftpd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"wharf/internal/auth"
	"wharf/internal/vfs"
	"wharf/internal/vfs/localfs"
)

// TestTruncatedUpload: a connection lost mid-upload publishes nothing; the
// previous file, if any, stays as it was.
func TestTruncatedUpload(t *testing.T) {
	f := newFixture(t, nil)
	home := f.home("alice")
	old := []byte("the old content")
	writeFile(t, filepath.Join(home, "old.bin"), old)

	nc, err := net.Dial("tcp", f.addr)
	if err != nil {
		t.Fatal(err)
	}
	sconn, chans, reqs, err := ssh.NewClientConn(nc, f.addr, &ssh.ClientConfig{
		User: "alice", Auth: []ssh.AuthMethod{ssh.Password("pw")}, HostKeyCallback: ssh.InsecureIgnoreHostKey(),
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := sftp.NewClient(ssh.NewClient(sconn, chans, reqs))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"/new.bin", "/old.bin"} {
		w, err := c.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(randomBytes(1 << 20)); err != nil {
			t.Fatal(err)
		}
	}
	nc.Close() // the connection drops; the handles were never closed

	waitFor(t, func() bool { return strings.Count(f.log.String(), "upload incomplete") == 2 })
	if _, err := os.Stat(filepath.Join(home, "new.bin")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("new.bin published after a lost connection: %v", err)
	}
	if got, _ := os.ReadFile(filepath.Join(home, "old.bin")); !bytes.Equal(got, old) {
		t.Errorf("old.bin changed: %d bytes", len(got))
	}
	assertNoTemp(t, home)
	if !strings.Contains(f.log.String(), "connection lost") {
		t.Error("reason not logged")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// countingFS records the page sizes a listing asks the backend for.
type countingFS struct {
	vfs.FS
	maxPage, pages atomic.Int64
}

func (c *countingFS) OpenDir(name string) (vfs.Dir, error) {
	d, err := c.FS.OpenDir(name)
	if err != nil {
		return nil, err
	}
	return &countingDir{Dir: d, fs: c}, nil
}

type countingDir struct {
	vfs.Dir
	fs *countingFS
}

func (d *countingDir) ReadDir(n int) ([]fs.DirEntry, error) {
	d.fs.pages.Add(1)
	for {
		cur := d.fs.maxPage.Load()
		if int64(n) <= cur || d.fs.maxPage.CompareAndSwap(cur, int64(n)) {
			break
		}
	}
	return d.Dir.ReadDir(n)
}

// TestHugeDirectory lists 100,000 entries; the backend is asked for pages of
// at most 100, never the whole directory.
func TestHugeDirectory(t *testing.T) {
	if testing.Short() {
		t.Skip("creates 100,000 files")
	}
	var cfs *countingFS
	f := newFixture(t, func(o *Options) {
		o.OpenFS = func(id *auth.Identity) (vfs.FS, error) {
			l, err := localfs.New(id.Home, localfs.DefaultOptions())
			cfs = &countingFS{FS: l}
			return cfs, err
		}
		o.Logger = slog.New(slog.DiscardHandler)
	})
	dir := filepath.Join(f.home("alice"), "huge")
	os.Mkdir(dir, 0o755)
	const n = 100000
	for i := range n {
		fh, err := os.Create(filepath.Join(dir, fmt.Sprintf("f%06d", i)))
		if err != nil {
			t.Fatal(err)
		}
		fh.Close()
	}
	c := f.sftpClient("alice")
	ents, err := c.ReadDir("/huge")
	if err != nil {
		t.Fatal(err)
	}
	seen := make(map[string]bool, n)
	for _, e := range ents {
		seen[e.Name()] = true
	}
	if len(ents) != n || len(seen) != n {
		t.Fatalf("listed %d entries (%d distinct), want %d", len(ents), len(seen), n)
	}
	if cfs.maxPage.Load() > 100 || cfs.pages.Load() < n/100 {
		t.Fatalf("backend pages: max %d entries, %d pages", cfs.maxPage.Load(), cfs.pages.Load())
	}
}

// newTestWriterEnv is a handlers value over localfs, without SSH, for
// driving writers directly.
func newTestWriterEnv(t *testing.T) (*handlers, string) {
	t.Helper()
	dir := t.TempDir()
	l, err := localfs.New(dir, localfs.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	srv := &Server{opts: Options{FileOpenMode: 0o644}, log: slog.New(slog.DiscardHandler)}
	c := &conn{srv: srv, log: srv.log, done: make(chan struct{})}
	return &handlers{c: c, fs: l, log: srv.log, rights: rights{true, true, true}, uploads: map[string]*writer{}}, dir
}

// TestWriterReorders: writes arriving shuffled (as from pkg/sftp's workers)
// land in order.
func TestWriterReorders(t *testing.T) {
	h, dir := newTestWriterEnv(t)
	w, err := h.newWriter("f", "/f", sftp.FileOpenFlags{Write: true, Creat: true, Trunc: true})
	if err != nil {
		t.Fatal(err)
	}
	data := randomBytes(64 * 32 << 10)
	const chunk = 32 << 10
	order := rand.Perm(len(data) / chunk)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for _, i := range order {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if _, err := w.WriteAt(data[i*chunk:(i+1)*chunk], int64(i*chunk)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "f")); !bytes.Equal(got, data) {
		t.Fatal("content differs")
	}
}

// TestWriterHoles: a rewrite behind the written range, or a gap never
// filled, fails the upload and publishes nothing.
func TestWriterHoles(t *testing.T) {
	h, dir := newTestWriterEnv(t)
	flags := sftp.FileOpenFlags{Write: true, Creat: true, Trunc: true}

	w, _ := h.newWriter("gap", "/gap", flags)
	w.WriteAt([]byte("abc"), 0)
	w.WriteAt([]byte("xyz"), 10) // bytes 3..9 never come
	if err := w.Close(); err == nil {
		t.Error("upload with a hole committed")
	}

	w, _ = h.newWriter("back", "/back", flags)
	w.WriteAt([]byte("abcdef"), 0)
	if _, err := w.WriteAt([]byte("x"), 2); err == nil {
		t.Error("rewrite accepted")
	}
	if err := w.Close(); err == nil {
		t.Error("failed upload committed")
	}
	for _, n := range []string{"gap", "back"} {
		if _, err := os.Stat(filepath.Join(dir, n)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s published: %v", n, err)
		}
	}
	assertNoTemp(t, dir)

	// Beyond the buffer, a write waits for the gap; the connection ending
	// releases it.
	w, _ = h.newWriter("wait", "/wait", flags)
	done := make(chan error, 1)
	go func() {
		for i := int64(1); ; i++ {
			if _, err := w.WriteAt(make([]byte, 1<<20), i<<20); err != nil {
				done <- err
				return
			}
		}
	}()
	time.Sleep(100 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("writer did not wait: %v", err)
	default:
	}
	close(h.c.done)
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("no error")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("writer still waiting after the connection ended")
	}
	w.Close()
	assertNoTemp(t, dir)
}

// TestShutdown: idle connections close at once; one with an upload in
// progress finishes it, and closes when the file is closed.
func TestShutdown(t *testing.T) {
	f := newFixture(t, nil)
	idle := f.sftpClient("reader")
	busy := f.sftpClient("alice")
	w, err := busy.Create("/during-shutdown")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("first half "))
	done := make(chan error, 1)
	go func() { done <- f.srv.Shutdown(context.Background()) }()
	waitFor(t, func() bool { _, err := idle.Getwd(); return err != nil })
	if _, err := w.Write([]byte("second half")); err != nil {
		t.Fatalf("write during shutdown: %v", err)
	}
	// Shutdown marks the connections one by one: new uploads are refused
	// once it has reached this one.
	waitFor(t, func() bool {
		a, err := busy.Create("/another")
		if err == nil {
			a.Close()
		}
		return err != nil
	})
	if err := w.Close(); err != nil {
		t.Fatalf("close during shutdown: %v", err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Shutdown did not return after the last file closed")
	}
	if got, _ := os.ReadFile(filepath.Join(f.home("alice"), "during-shutdown")); string(got) != "first half second half" {
		t.Fatalf("upload during shutdown: %q", got)
	}
}
