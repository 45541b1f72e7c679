package ftp_test

import (
	"bytes"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"wharf/internal/ftp"
	"wharf/internal/ftp/ftptest"
	"wharf/internal/vfs"
)

// Telnet bytes of the RFC 959 abort sequence.
const (
	telnetIAC = 255
	telnetIP  = 244
	telnetDM  = 242
)

// startStalledRETR starts a RETR of a 64 MiB file whose data the client
// never reads, so the server is stuck writing. It returns the data
// connection (kept open).
func startStalledRETR(t *testing.T, c *ftptest.Conn, root string) net.Conn {
	t.Helper()
	sparseFile(t, root, "huge", 64<<20)
	ap, err := c.Passive(ftptest.EPSV)
	must(t, err)
	dc, err := net.Dial("tcp", ap.String())
	must(t, err)
	t.Cleanup(func() { dc.Close() })
	c.Cmd(150, "RETR huge")
	return dc
}

// expectAbortReplies expects 426 for the transfer, then 226 for ABOR.
func expectAbortReplies(t *testing.T, c *ftptest.Conn) {
	t.Helper()
	if code, msg := c.Read(); code != 426 {
		t.Fatalf("first reply to ABOR: %d %q, want 426 (transfer aborted)", code, msg)
	}
	if code, msg := c.Read(); code != 226 {
		t.Fatalf("second reply to ABOR: %d %q, want 226", code, msg)
	}
}

// checkSessionWorks runs a small transfer and a NOOP.
func checkSessionWorks(t *testing.T, c *ftptest.Conn, root string) {
	t.Helper()
	writeFile(t, root, "small", []byte("still works"))
	sameBytes(t, "RETR after ABOR", c.Retr(ftptest.EPSV, "small"), []byte("still works"))
	c.Cmd(200, "NOOP")
}

func TestAbortRETR(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", nil)
	c := ftptest.Login(t, s.Addr)
	startStalledRETR(t, c, s.Root)
	c.Send("STAT") // acts during the transfer
	if code, msg := c.Read(); code != 211 || !strings.Contains(msg, "transfer is in progress") {
		t.Errorf("STAT during a transfer: %d %q", code, msg)
	}
	c.Cmd(200, "NOOP")
	c.Send("ABOR")
	expectAbortReplies(t, c)
	checkSessionWorks(t, c, s.Root)
}

// TestAbortRightAway sends ABOR as soon as the transfer starts, when the
// copy loop is about to (re)arm its deadline: the abort must stick.
func TestAbortRightAway(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", nil)
	c := ftptest.Login(t, s.Addr)
	for range 5 {
		started := time.Now()
		startStalledRETR(t, c, s.Root)
		c.Send("ABOR")
		expectAbortReplies(t, c)
		if d := time.Since(started); d > 5*time.Second {
			t.Errorf("ABOR took %v", d)
		}
	}
	checkSessionWorks(t, c, s.Root)
}

// TestAbortTelnetSynch sends ABOR the RFC 959 way: Telnet IP, then Synch
// (IAC DM with the DM byte as TCP urgent data), then the command.
func TestAbortTelnetSynch(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", nil)
	c := ftptest.Login(t, s.Addr)
	startStalledRETR(t, c, s.Root)
	must(t, c.WriteRaw([]byte{telnetIAC, telnetIP, telnetIAC}))
	sendUrgent(t, c.C.(*net.TCPConn), telnetDM)
	must(t, c.WriteRaw([]byte("ABOR\r\n")))
	expectAbortReplies(t, c)
	checkSessionWorks(t, c, s.Root)
}

// sendUrgent sends b as TCP urgent (out-of-band) data.
func sendUrgent(t *testing.T, c *net.TCPConn, b byte) {
	t.Helper()
	rc, err := c.SyscallConn()
	must(t, err)
	var serr error
	err = rc.Write(func(fd uintptr) bool {
		serr = syscall.Sendto(int(fd), []byte{b}, syscall.MSG_OOB, nil)
		return serr != syscall.EAGAIN
	})
	must(t, err)
	must(t, serr)
}

func TestAbortWhileWaitingForDataConnection(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", nil)
	writeFile(t, s.Root, "f", []byte("x"))
	c := ftptest.Login(t, s.Addr)
	c.Cmd(229, "EPSV")
	c.Send("RETR f") // the client never connects
	c.Send("ABOR")
	expectAbortReplies(t, c)
	checkSessionWorks(t, c, s.Root)
}

func TestAbortSTOR(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", nil)
	c := ftptest.Login(t, s.Addr)
	ap, err := c.Passive(ftptest.EPSV)
	must(t, err)
	dc, err := net.Dial("tcp", ap.String())
	must(t, err)
	defer dc.Close()
	c.Cmd(150, "STOR partial")
	go io.Copy(dc, infiniteZeros{}) // keeps sending until the server drops it
	must(t, c.WriteRaw([]byte("ABOR\r\n")))
	expectAbortReplies(t, c)
	if _, err := os.Stat(s.Root + "/partial"); !os.IsNotExist(err) {
		t.Errorf("aborted STOR left a file: %v", err)
	}
	checkNoTempFiles(t, s.Root)
	checkSessionWorks(t, c, s.Root)
}

type infiniteZeros struct{}

func (infiniteZeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestQuitDuringTransfer(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", nil)
	c := ftptest.Login(t, s.Addr)
	dc := startStalledRETR(t, c, s.Root)
	c.Send("QUIT")
	if code, msg := c.Read(); code != 426 {
		t.Errorf("transfer reply after QUIT: %d %q, want 426", code, msg)
	}
	c.Expect(221)
	c.ExpectClosed(ftptest.ReplyTimeout)
	// The data connection ends too: reading it reaches EOF (or a reset)
	// well before 64 MiB.
	dc.SetReadDeadline(time.Now().Add(ftptest.ReplyTimeout))
	n, err := io.Copy(io.Discard, dc)
	if isTimeout(err) || n >= 64<<20 {
		t.Errorf("data connection after QUIT: read %d bytes, %v", n, err)
	}
}

// TestUploadReset: a client that resets the data connection mid-upload
// gets 426, and nothing under the name looks like a complete file.
func TestUploadReset(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", nil)
	old := []byte("the old content")
	writeFile(t, s.Root, "existing", old)
	c := ftptest.Login(t, s.Addr)
	other := ftptest.Login(t, s.Addr)
	for _, name := range []string{"new", "existing"} {
		ap, err := c.Passive(ftptest.EPSV)
		must(t, err)
		dc, err := net.Dial("tcp", ap.String())
		must(t, err)
		c.Cmd(150, "STOR %s", name)
		_, err = dc.Write(bytes.Repeat([]byte("partial "), 1<<17))
		must(t, err)
		// Meanwhile, a reader of the directory sees neither the partial
		// file nor its temporary name.
		_, nlst := other.Transfer(ftptest.EPSV, "NLST -a", nil)
		if got := sortedLines(nlst); strings.Join(got, ",") != "existing" {
			t.Errorf("NLST -a during the upload of %s: %q", name, got)
		}
		dc.(*net.TCPConn).SetLinger(0)
		dc.Close() // RST
		if code, msg := c.Read(); code != 426 {
			t.Errorf("upload of %s reset by the client: %d %q, want 426", name, code, msg)
		}
	}
	if _, err := os.Stat(s.Root + "/new"); !os.IsNotExist(err) {
		t.Errorf("reset upload left a file: %v", err)
	}
	sameBytes(t, "file replaced by a reset upload", readFile(t, s.Root, "existing"), old)
	checkNoTempFiles(t, s.Root)
	c.Cmd(200, "NOOP")
}

// TestUploadStalled: a client that stops sending mid-upload is cut after
// data_connection_timeout with 426, and the partial file is not stored.
func TestUploadStalled(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", func(o *ftp.Options) { o.DataTimeout = 300 * time.Millisecond })
	c := ftptest.Login(t, s.Addr)
	ap, err := c.Passive(ftptest.EPSV)
	must(t, err)
	dc, err := net.Dial("tcp", ap.String())
	must(t, err)
	defer dc.Close()
	c.Cmd(150, "STOR stalled")
	_, err = dc.Write([]byte("some bytes, then nothing"))
	must(t, err)
	if code, msg := c.Read(); code != 426 {
		t.Errorf("stalled upload: %d %q, want 426", code, msg)
	}
	if _, err := os.Stat(s.Root + "/stalled"); !os.IsNotExist(err) {
		t.Errorf("stalled upload left a file: %v", err)
	}
	checkNoTempFiles(t, s.Root)
	c.Cmd(200, "NOOP")
}

// TestDownloadStalled: a client that stops reading is cut after
// data_connection_timeout with 426, and the session goes on.
func TestDownloadStalled(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", func(o *ftp.Options) { o.DataTimeout = 300 * time.Millisecond })
	c := ftptest.Login(t, s.Addr)
	started := time.Now()
	startStalledRETR(t, c, s.Root)
	if code, msg := c.Read(); code != 426 {
		t.Errorf("stalled download: %d %q, want 426", code, msg)
	}
	if d := time.Since(started); d > 10*time.Second {
		t.Errorf("stalled download cut after %v", d)
	}
	checkSessionWorks(t, c, s.Root)
}

func checkNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	must(t, err)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), vfs.TempPrefix) {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

// TestPipelinedReplyOrder: commands pipelined behind a transfer command
// are answered after its 150, never before: a client that pipelines reads
// replies in order, and a 200 arriving first would pass for RETR's answer.
func TestPipelinedReplyOrder(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", nil)
	writeFile(t, s.Root, "f", []byte("data"))
	c := ftptest.Login(t, s.Addr)
	for _, next := range []string{"NOOP", "STAT", "PWD"} {
		ap, err := c.Passive(ftptest.EPSV)
		must(t, err)
		must(t, c.WriteRaw([]byte("RETR f\r\n"+next+"\r\n")))
		// The 150 cannot come before we connect, so nothing may arrive
		// yet. (A negative check: give a wrong reply time to show up.)
		if code, msg, err := c.ReadWithin(300 * time.Millisecond); err == nil {
			t.Fatalf("%s pipelined after RETR was answered before RETR: %d %q", next, code, msg)
		}
		dc, err := net.Dial("tcp", ap.String())
		must(t, err)
		c.Expect(150)
		_, err = io.ReadAll(dc)
		must(t, err)
		dc.Close()
		c.Expect(226)
		if code, msg := c.Read(); code/100 != 2 {
			t.Errorf("%s after the transfer: %d %q", next, code, msg)
		}
	}
}
