package localfs_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"wharf/internal/vfs"
	"wharf/internal/vfs/localfs"
	"wharf/internal/vfs/vfstest"
)

// TestUploadFromTCP feeds an Upload from a real loopback *net.TCPConn via
// io.Copy, the path that reaches splice(2) (strace verifies the syscall
// elsewhere; here the bytes must arrive intact, in every mode).
func TestUploadFromTCP(t *testing.T) {
	fsys := newFS(t, t.TempDir(), localfs.DefaultOptions())
	payload := make([]byte, 3<<20+17)
	rand.Read(payload)
	vfstest.Put(t, fsys, "resume", string(payload[:1000])+"tail to cut")
	vfstest.Put(t, fsys, "append", string(payload[:1000]))
	tests := []struct {
		name string
		opts vfs.UploadOptions
		send []byte
	}{
		{"truncate", vfs.UploadOptions{Mode: vfs.Truncate}, payload},
		{"resume", vfs.UploadOptions{Mode: vfs.Resume, Offset: 1000}, payload[1000:]},
		{"append", vfs.UploadOptions{Mode: vfs.Append}, payload[1000:]},
	}
	for _, tt := range tests {
		u, err := fsys.Upload(tt.name, tt.opts)
		if err != nil {
			t.Fatal(err)
		}
		conn := tcpSource(t, tt.send)
		if _, ok := conn.(*net.TCPConn); !ok {
			t.Fatalf("source is %T, not *net.TCPConn", conn)
		}
		n, err := io.Copy(u, conn)
		if err != nil || n != int64(len(tt.send)) {
			t.Fatalf("%s: io.Copy = %d, %v", tt.name, n, err)
		}
		if err := u.Commit(); err != nil {
			t.Fatal(err)
		}
		if got := vfstest.Get(t, fsys, tt.name); !bytes.Equal([]byte(got), payload) {
			t.Errorf("%s: content differs (len %d, want %d)", tt.name, len(got), len(payload))
		}
	}
}

// tcpSource returns the accepted end of a loopback connection whose peer
// writes data and closes.
func tcpSource(t *testing.T, data []byte) net.Conn {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	errc := make(chan error, 1)
	go func() {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err == nil {
			_, err = c.Write(data)
			c.Close()
		}
		errc <- err
	}()
	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Close()
		if err := <-errc; err != nil {
			t.Error(err)
		}
	})
	return conn
}

// TestDownloadToTCP copies an opened file into a *net.TCPConn, the path
// that reaches sendfile(2): Open must return the *os.File itself.
func TestDownloadToTCP(t *testing.T) {
	fsys := newFS(t, t.TempDir(), localfs.DefaultOptions())
	payload := make([]byte, 2<<20+5)
	rand.Read(payload)
	vfstest.Put(t, fsys, "f", string(payload))
	f, err := fsys.Open("f")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, ok := f.(*os.File); !ok {
		t.Fatalf("Open returned %T; sendfile needs *os.File", f)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan []byte, 1)
	go func() {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			got <- nil
			return
		}
		defer c.Close()
		b, _ := io.ReadAll(c)
		got <- b
	}()
	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(conn.(*net.TCPConn), f); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	if b := <-got; !bytes.Equal(b, payload) {
		t.Errorf("received %d bytes, want the %d sent", len(b), len(payload))
	}
}

// TestNoTempFilesLeft checks on disk that every way an upload ends removes
// its temporary file.
func TestNoTempFilesLeft(t *testing.T) {
	for _, dir := range []string{"", "sub/deeper/"} {
		t.Run("dir="+dir, func(t *testing.T) {
			root := t.TempDir()
			if dir != "" {
				if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			fsys := newFS(t, root, localfs.DefaultOptions())
			fds := openFDs(t)
			for i := range 20 {
				vfstest.Put(t, fsys, fmt.Sprintf("%scommitted%d", dir, i), "x")
				u, err := fsys.Upload(dir+"aborted", vfs.UploadOptions{})
				if err != nil {
					t.Fatal(err)
				}
				u.Abort()
			}
			// A Commit that fails (the target became a directory) cleans up too.
			u, _ := fsys.Upload(dir+"became-dir", vfs.UploadOptions{})
			if err := os.Mkdir(filepath.Join(root, dir, "became-dir"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := u.Commit(); !errors.Is(err, vfs.ErrIsDir) {
				t.Errorf("Commit over a directory = %v, want ErrIsDir", err)
			}
			if got := vfstest.Get(t, fsys, dir+"committed19"); got != "x" {
				t.Errorf("committed19 = %q", got)
			}
			entries, _ := os.ReadDir(filepath.Join(root, dir))
			for _, e := range entries {
				if vfs.IsTempName(e.Name()) {
					t.Errorf("temporary file %q left behind", e.Name())
				}
			}
			// Each upload's directory handle is released when it ends.
			if after := openFDs(t); after != fds {
				t.Errorf("open descriptors %d before 41 uploads, %d after", fds, after)
			}
		})
	}
}

func openFDs(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// TestReadDirSkipsTempPages plants many temporary files so that whole
// kernel pages hold nothing else: ReadDir must read on, not return an
// empty page before the end.
func TestReadDirSkipsTempPages(t *testing.T) {
	root := t.TempDir()
	for i := range 1000 {
		name := filepath.Join(root, fmt.Sprintf("%s%04d", vfs.TempPrefix, i))
		if err := os.WriteFile(name, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	fsys := newFS(t, root, localfs.DefaultOptions())
	for _, n := range []string{"a", "b", "c"} {
		vfstest.Put(t, fsys, n, n)
	}
	got := vfstest.ReadDirNames(t, fsys, ".", 10)
	if strings.Join(got, ",") != "a,b,c" {
		t.Errorf("listing = %q, want a, b, c", got)
	}
	_, err := fsys.Stat(vfs.TempPrefix + "0001")
	if !errors.Is(err, vfs.ErrInvalidName) {
		t.Errorf("Stat of a temp name = %v, want ErrInvalidName", err)
	}
}

func TestUploadSpecialFiles(t *testing.T) {
	root := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(root, "fifo"), 0o644); err != nil {
		t.Skip("mkfifo:", err)
	}
	fsys := newFS(t, root, localfs.DefaultOptions())
	// None of these may block on the FIFO.
	_, err := fsys.Open("fifo")
	if !errors.Is(err, fs.ErrPermission) {
		t.Errorf("Open(fifo) = %v, want fs.ErrPermission", err)
	}
	for _, mode := range []vfs.UploadMode{vfs.Truncate, vfs.Append, vfs.Resume} {
		if _, err := fsys.Upload("fifo", vfs.UploadOptions{Mode: mode}); err == nil {
			t.Errorf("Upload(fifo, mode %d) succeeded", mode)
		}
	}
}
