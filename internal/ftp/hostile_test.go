package ftp_test

import (
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"wharf/internal/ftp"
	"wharf/internal/ftp/ftptest"
)

// TestPathEscapes: no path, ".." or symlink reaches outside the user's
// root, for reading, writing, listing or changing metadata.
func TestPathEscapes(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	root, outside := filepath.Join(base, "root"), filepath.Join(base, "outside")
	must(t, os.Mkdir(root, 0o755))
	must(t, os.Mkdir(outside, 0o755))
	secret := []byte("outside secret\n")
	writeFile(t, outside, "secret.txt", secret)
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	must(t, os.Chtimes(filepath.Join(outside, "secret.txt"), old, old))
	must(t, os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(root, "abslink")))
	must(t, os.Symlink("../outside/secret.txt", filepath.Join(root, "rellink")))
	must(t, os.Symlink(outside, filepath.Join(root, "dirlink")))
	must(t, os.Symlink("../outside", filepath.Join(root, "reldirlink")))
	writeFile(t, root, "inside", []byte("in"))

	opts := ftptest.Options(root)
	s := ftptest.Start(t, "tcp4", opts)
	c := ftptest.Login(t, s.Addr)

	// ".." and "../.." are the root itself: fine to stat.
	for _, p := range []string{
		"../outside/secret.txt", "../../etc/passwd", "/etc/passwd", "/../outside/secret.txt",
		"abslink", "rellink", "dirlink/secret.txt", "reldirlink/secret.txt", "/dirlink/../dirlink/secret.txt",
	} {
		for _, cmd := range []string{"SIZE", "MDTM", "MLST", "STAT"} {
			if code, msg := c.Do("%s %s", cmd, p); code/100 == 2 {
				t.Errorf("%s %s: %d %q, want a refusal", cmd, p, code, msg)
			}
		}
		if code, msg := c.Do("EPSV"); code == 229 {
			if code, msg = c.Do("RETR %s", p); code != 550 {
				t.Errorf("RETR %s: %d %q, want 550", p, code, msg)
			}
		} else {
			t.Fatalf("EPSV: %d %q", code, msg)
		}
	}
	for _, p := range []string{"dirlink", "reldirlink", "..", "../outside"} {
		c.Do("CWD %s", p)
		if msg := c.Cmd(257, "PWD"); !strings.HasPrefix(msg, `"/"`) && !strings.HasPrefix(msg, `"/outside"`) {
			t.Errorf("after CWD %s: PWD %q", p, msg)
		}
		c.Cmd(250, "CWD /")
	}
	for _, cmd := range []string{
		"MKD dirlink/new", "RMD dirlink", "DELE dirlink/secret.txt", "SITE CHMOD 777 abslink",
		"SITE CHMOD 777 dirlink/secret.txt", "MFMT 20200101000000 rellink", "RNFR dirlink/secret.txt",
		"MLSD dirlink", "LIST reldirlink", "NLST dirlink",
	} {
		c.Cmd(229, "EPSV")
		if code, msg := c.Do("%s", cmd); code/100 != 5 {
			t.Errorf("%s: %d %q, want a 5xx refusal", cmd, code, msg)
		}
	}
	for _, cmd := range []string{"STOR dirlink/new", "APPE abslink", "APPE dirlink/secret.txt", "STOU dirlink/x"} {
		c.Cmd(229, "EPSV")
		if code, msg := c.Do("%s", cmd); code/100 != 5 {
			t.Errorf("%s: %d %q, want a 5xx refusal", cmd, code, msg)
		}
	}
	// STOR onto a symlink that leads out is refused, or replaces the link
	// inside the root; it never writes through to the target.
	c.Cmd(229, "EPSV")
	if code, msg := c.Do("STOR abslink"); code != 550 {
		t.Errorf("STOR onto a link leading out: %d %q, want 550", code, msg)
	}
	c.Cmd(250, "DELE rellink") // deletes the link, not its target
	c.Cmd(350, "RNFR dirlink") // renames the link itself
	c.Cmd(250, "RNTO renamed-link")

	checkOutsideUntouched(t, outside, secret, old)
}

func checkOutsideUntouched(t *testing.T, outside string, secret []byte, mtime time.Time) {
	t.Helper()
	ents, err := os.ReadDir(outside)
	must(t, err)
	if len(ents) != 1 || ents[0].Name() != "secret.txt" {
		t.Errorf("outside directory now holds %v", ents)
	}
	p := filepath.Join(outside, "secret.txt")
	sameBytes(t, "outside file", readFile(t, outside, "secret.txt"), secret)
	fi, err := os.Stat(p)
	must(t, err)
	if fi.Mode().Perm() != 0o644 || !fi.ModTime().Equal(mtime) {
		t.Errorf("outside file changed: mode %v, mtime %v", fi.Mode(), fi.ModTime())
	}
}

func TestOverlongLines(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", nil)
	long := bytes.Repeat([]byte("A"), 5000)
	cases := []struct {
		name  string
		parts [][]byte // written one after the other, after reading the 500
	}{
		{"newline later", [][]byte{long, []byte("\r\nNOOP\r\n")}},
		{"newline and next command in one write", [][]byte{append(long[:len(long):len(long)], "\r\nNOOP\r\n"...)}},
		{"newline in the same write, next command later", [][]byte{append(long[:len(long):len(long)], "\r\n"...), []byte("NOOP\r\n")}},
		{"bare LF, then command later", [][]byte{append(long[:len(long):len(long)], '\n'), []byte("NOOP\r\n")}},
		{"limit plus one", [][]byte{append(bytes.Repeat([]byte("B"), 4097), "\r\n"...), []byte("NOOP\r\n")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := ftptest.Login(t, s.Addr)
			must(t, c.WriteRaw(tc.parts[0]))
			if code, msg := c.Read(); code != 500 || !strings.Contains(msg, "4096") {
				t.Fatalf("overlong line: %d %q, want 500 naming the limit", code, msg)
			}
			for _, p := range tc.parts[1:] {
				must(t, c.WriteRaw(p))
			}
			c.Expect(200)
			c.Cmd(257, "PWD")
		})
	}
	t.Run("exactly the limit", func(t *testing.T) {
		t.Parallel()
		c := ftptest.Login(t, s.Addr)
		line := "NOOP " + strings.Repeat("x", 4096-5)
		c.Cmd(200, "%s", line)
	})
}

func TestLineTimeouts(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", func(o *ftp.Options) { o.LineTimeout = 300 * time.Millisecond })
	t.Run("line never ends", func(t *testing.T) {
		t.Parallel()
		c := ftptest.Login(t, s.Addr)
		must(t, c.WriteRaw([]byte("NOOP")))
		expectCut(t, c, 421, 5*time.Second)
	})
	t.Run("overlong line never ends", func(t *testing.T) {
		t.Parallel()
		c := ftptest.Login(t, s.Addr)
		must(t, c.WriteRaw(bytes.Repeat([]byte("x"), 5000)))
		c.Expect(500)
		expectCut(t, c, 421, 5*time.Second)
	})
	t.Run("trickle", func(t *testing.T) {
		t.Parallel()
		c := ftptest.Login(t, s.Addr)
		start := time.Now()
		stop := make(chan struct{})
		defer close(stop)
		go trickle(c, stop)
		expectCut(t, c, 421, 5*time.Second)
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("trickling client cut after %v; line timeout is 300ms", d)
		}
	})
}

// trickle sends one byte of a never-ending command every 20ms until stop
// is closed or the server hangs up.
func trickle(c *ftptest.Conn, stop <-chan struct{}) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			if c.WriteRaw([]byte("N")) != nil {
				return
			}
		}
	}
}

// expectCut reads one reply with code, then expects the connection closed,
// all within d.
func expectCut(t *testing.T, c *ftptest.Conn, code int, d time.Duration) {
	t.Helper()
	got, msg, err := c.ReadWithin(d)
	if err != nil || got != code {
		t.Fatalf("got %d %q, %v; want %d", got, msg, err, code)
	}
	c.ExpectClosed(d)
}

func TestSessionTimeouts(t *testing.T) {
	t.Parallel()
	t.Run("login", func(t *testing.T) {
		t.Parallel()
		s := start(t, "tcp4", func(o *ftp.Options) { o.LoginTimeout = 300 * time.Millisecond })
		c := ftptest.Dial(t, s.Addr)
		c.Cmd(200, "NOOP") // activity does not extend the login deadline
		start := time.Now()
		got, msg, err := c.ReadWithin(5 * time.Second)
		if err != nil || got != 421 || !strings.Contains(msg, "Login") {
			t.Fatalf("got %d %q, %v; want 421 about the login", got, msg, err)
		}
		c.ExpectClosed(5 * time.Second)
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("cut after %v", d)
		}
		// A client that logs in in time is not cut.
		c = ftptest.Login(t, s.Addr)
		c.Cmd(200, "NOOP")
	})
	t.Run("idle", func(t *testing.T) {
		t.Parallel()
		s := start(t, "tcp4", func(o *ftp.Options) { o.IdleTimeout = 300 * time.Millisecond })
		c := ftptest.Login(t, s.Addr)
		got, msg, err := c.ReadWithin(5 * time.Second)
		if err != nil || got != 421 || !strings.Contains(msg, "Timeout") {
			t.Fatalf("got %d %q, %v; want 421 Timeout", got, msg, err)
		}
		c.ExpectClosed(5 * time.Second)
	})
}

// TestPipelinedGarbage: 1,000 garbage lines in one burst are each answered
// and the session still works.
func TestPipelinedGarbage(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", nil)
	c := ftptest.Login(t, s.Addr)
	garbage := []string{"\x01\x02\x03", "12345", "FOO BAR", "TOOLONGVERB x", " ", "\xff\xfe", "RETR", "-x", "\xff\xf4\xff\xf2"}
	var burst bytes.Buffer
	for i := range 1000 {
		burst.WriteString(garbage[i%len(garbage)] + "\r\n")
	}
	burst.WriteString("NOOP\r\n")
	done := make(chan error, 1)
	go func() { done <- c.WriteRaw(burst.Bytes()) }()
	for i := range 1000 {
		code, msg, err := c.ReadErr()
		if err != nil || code < 500 {
			t.Fatalf("reply %d to garbage %q: %d %q, %v", i, garbage[i%len(garbage)], code, msg, err)
		}
	}
	c.Expect(200)
	must(t, <-done)
	c.Cmd(257, "PWD")
}

// TestLongTransferNotIdle: a session whose transfer outlasts the idle
// timeout is not cut while the transfer runs.
func TestLongTransferNotIdle(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", func(o *ftp.Options) { o.IdleTimeout = 250 * time.Millisecond })
	const size = 16 << 20
	sparseFile(t, s.Root, "big", size)
	c := ftptest.Login(t, s.Addr)
	ap, err := c.Passive(ftptest.EPSV)
	must(t, err)
	dc := dialSmallWindow(t, ap.String())
	c.Send("RETR big")
	c.Expect(150)
	// 10 MiB at 10 MiB/s: at most the server's send buffer (4 MiB at most
	// on Linux) is ahead of us, so its transfer lasts over half a second,
	// twice the idle timeout. The rest is read at full speed, so that the
	// 226 is read before the session is idle for real.
	start := time.Now()
	throttledRead(t, dc, 10, 1<<20, 100*time.Millisecond)
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("throttled reading took only %v", d)
	}
	n, err := io.Copy(io.Discard, dc)
	must(t, err)
	if n != size-10<<20 {
		t.Fatalf("read %d bytes in the end, want %d", n, size-10<<20)
	}
	c.Expect(226)
	c.Cmd(200, "NOOP")
}

// throttledRead reads chunks chunks of c, one per tick.
func throttledRead(t *testing.T, c io.Reader, chunks int, chunk int64, tick time.Duration) {
	t.Helper()
	tk := time.NewTicker(tick)
	defer tk.Stop()
	for range chunks {
		<-tk.C
		_, err := io.CopyN(io.Discard, c, chunk)
		must(t, err)
	}
}

func sparseFile(t *testing.T, dir, name string, size int64) {
	t.Helper()
	f, err := os.Create(filepath.Join(dir, name))
	must(t, err)
	must(t, f.Truncate(size))
	must(t, f.Close())
}

// dialSmallWindow connects with a small receive buffer, set before the
// handshake so that the kernel cannot grow the window: the server then
// cannot queue much more than its own send buffer ahead of the reader.
func dialSmallWindow(t *testing.T, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{Timeout: ftptest.ReplyTimeout, Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) {
			syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 32<<10)
		})
	}}
	c, err := d.Dial("tcp", addr)
	must(t, err)
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(time.Minute))
	return c
}
