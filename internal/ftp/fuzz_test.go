package ftp_test

import (
	"bufio"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"wharf/internal/auth"
	"wharf/internal/ftp"
	"wharf/internal/ftp/ftptest"
	"wharf/internal/ftp/wire"
	"wharf/internal/vfs"
	"wharf/internal/vfs/memfs"
)

// fuzzSeeds are control streams: sessions clients send, and broken ones.
var fuzzSeeds = []string{
	"",
	"QUIT\r\n",
	"USER alice\r\nPASS s3cret\r\nPWD\r\nCWD d\r\nCDUP\r\nLIST\r\nQUIT\r\n",
	"USER alice\r\nPASS s3cret\r\nEPSV\r\nRETR f\r\nABOR\r\nSTAT\r\nNOOP\r\n",
	"USER alice\r\nPASS s3cret\r\nPASV\r\nSTOR new\r\nREST 5\r\nAPPE f\r\nSTOU\r\n",
	"USER alice\r\nPASS s3cret\r\nPORT 127,0,0,1,100,100\r\nEPRT |2|::1|5000|\r\nEPSV ALL\r\nEPSV 2\r\n",
	"USER alice\r\nPASS s3cret\r\nMKD x\r\nRNFR x\r\nRNTO y\r\nRMD y\r\nDELE f\r\nSIZE f\r\nMDTM f\r\n",
	"USER alice\r\nPASS s3cret\r\nMFMT 20200101000000 f\r\nSITE CHMOD 755 f\r\nSITE UMASK 077\r\nMLST f\r\nSTAT /\r\n",
	"USER alice\r\nPASS s3cret\r\nTYPE A\r\nTYPE L 8\r\nSTRU F\r\nMODE S\r\nALLO 5\r\nREIN\r\nPWD\r\n",
	"USER anonymous\r\nPASS a@b\r\nOPTS UTF8 ON\r\nFEAT\r\nHELP\r\nSYST\r\nAUTH TLS\r\nPBSZ 0\r\nPROT P\r\n",
	"USER alice\r\nPASS wrong\r\nUSER alice\r\nPASS s3cret\r\nCWD \x00\r\nMKD a\rb\r\nXYZZY\r\n",
	"\xff\xf4\xff\xf2ABOR\r\n\xff\xfb\x01\xff\xfa\x01\x02\xff\xf0NOOP\r\n\xff\xff\r\n",
	strings.Repeat("A", 5000) + "\r\nNOOP\r\n",
	strings.Repeat("NOOP\r\n", 100),
	"USER alice\r\nPASS s3cret\r\nLIST -laR /\r\nNLST -a\r\nMLSD d\r\nSTAT -la d\r\n",
}

// FuzzSession feeds arbitrary bytes to a session as its control stream and
// checks that nothing panics (recovered panics included) and that the
// session ends once the client hangs up.
func FuzzSession(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		var logs syncBuffer
		srv, err := ftp.NewServer(fuzzOptions(slog.New(slog.NewTextHandler(&logs, nil))))
		if err != nil {
			t.Fatal(err)
		}
		client, server := net.Pipe()
		done := make(chan struct{})
		go func() {
			srv.ServeConn(server)
			close(done)
		}()
		go io.Copy(io.Discard, client) // the replies
		// QUIT ends the session unless the input left it mid-line or
		// mid-Telnet-sequence; then the line timeout does, or hanging up.
		client.SetWriteDeadline(time.Now().Add(10 * time.Second))
		client.Write(append(input, "\r\nQUIT\r\n"...)) // fails if the server hung up first
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
		client.Close()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			srv.Close()
			t.Fatalf("the session did not end after the client hung up")
		}
		if l := logs.String(); strings.Contains(l, "panic") {
			t.Fatalf("a command panicked:\n%s", l)
		}
		if n := srv.SessionCount(); n != 0 {
			t.Fatalf("%d sessions still counted", n)
		}
	})
}

func fuzzOptions(log *slog.Logger) ftp.Options {
	return ftp.Options{
		Auth: ftptest.StaticAuth(ftptest.User, ftptest.Pass, ""),
		OpenFS: func(*auth.Identity) (vfs.FS, error) {
			return seededMemFS()
		},
		Logger:          log,
		LocalEnable:     true,
		AnonymousEnable: true,
		WriteEnable:     true,
		DownloadEnable:  true,
		DirlistEnable:   true,
		LsRecurseEnable: true,
		PortEnable:      true,
		PasvEnable:      true,
		AcceptTimeout:   20 * time.Millisecond,
		ConnectTimeout:  20 * time.Millisecond,
		DataTimeout:     time.Second,
		IdleTimeout:     500 * time.Millisecond,
		LoginTimeout:    500 * time.Millisecond,
		LineTimeout:     500 * time.Millisecond,
		LogTransfers:    true,
		LogProtocol:     true,
	}
}

// seededMemFS is a small tree: a file f, a directory d with a file.
func seededMemFS() (vfs.FS, error) {
	m := memfs.New(memfs.Options{})
	if err := m.Mkdir("d", 0o755); err != nil {
		return nil, err
	}
	for _, name := range []string{"f", "d/g"} {
		up, err := m.Upload(name, vfs.UploadOptions{})
		if err != nil {
			return nil, err
		}
		up.Write([]byte("line one\nline two\n"))
		if err := up.Commit(); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// TestServeConnPipe runs a session over net.Pipe: commands work without
// TCP, and passive mode is refused instead of listening on every interface.
func TestServeConnPipe(t *testing.T) {
	t.Parallel()
	srv, err := ftp.NewServer(fuzzOptions(slog.New(slog.DiscardHandler)))
	must(t, err)
	client, server := net.Pipe()
	done := make(chan struct{})
	go func() {
		srv.ServeConn(server)
		close(done)
	}()
	defer client.Close()
	client.SetDeadline(time.Now().Add(ftptest.ReplyTimeout))
	br := bufio.NewReader(client)
	for _, step := range []struct {
		cmd  string
		code int
	}{
		{"", 220}, {"USER alice", 331}, {"PASS s3cret", 230}, {"MKD x", 257}, {"SIZE f", 213},
		{"EPSV", 425}, {"PASV", 425}, {"PORT 127,0,0,1,100,100", 500}, {"QUIT", 221},
	} {
		if step.cmd != "" {
			_, err := io.WriteString(client, step.cmd+"\r\n")
			must(t, err)
		}
		if code, msg, err := wire.ReadReply(br); err != nil || code != step.code {
			t.Fatalf("%q: %d %q, %v; want %d", step.cmd, code, msg, err, step.code)
		}
	}
	select {
	case <-done:
	case <-time.After(ftptest.ReplyTimeout):
		t.Fatal("ServeConn did not return after QUIT")
	}
}
