package interop

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// passiveTransfer runs one EPSV data transfer over a raw control
// connection: it sends command, writes upload to the data connection (nil:
// reads it instead) and returns what it read and the 150 reply.
func passiveTransfer(t *testing.T, c *ctrl, host, command string, upload []byte) ([]byte, string) {
	t.Helper()
	port := parseEPSV(t, c.cmd(229, "EPSV"))
	dc, err := net.DialTimeout("tcp", net.JoinHostPort(host, strconv.Itoa(port)), ctrlTimeout)
	if err != nil {
		t.Fatalf("data connection to the EPSV port %d: %v", port, err)
	}
	defer dc.Close()
	dc.SetDeadline(time.Now().Add(ctrlTimeout))
	opening := c.cmd(150, "%s", command)
	var got []byte
	if upload != nil {
		if _, err := dc.Write(upload); err != nil {
			t.Fatal(err)
		}
		dc.Close()
	} else if got, err = io.ReadAll(dc); err != nil {
		t.Fatal(err)
	}
	c.expect(226)
	return got, opening
}

// TestDefaultTypeIsASCII: RFC 959 (3.1.1.1, 5.1) makes ASCII the default
// representation type, and vsftpd starts every session with is_ascii=1.
// lftp relies on it: `put -a` / `get -a` as the first transfer of a session
// send no TYPE A. With ascii_upload_enable=YES and ascii_download_enable=YES
// a session that never sent TYPE must convert line ends.
//
// Found by this suite: Wharf first started sessions in TYPE I (150 "BINARY
// mode" with no TYPE sent), so lftp's `put -a` stored CRLF; fixed in the
// engine (sessions and REIN start in TYPE A). This is its regression test.
func TestDefaultTypeIsASCII(t *testing.T) {
	s := startServer(t, serverOpts{})
	os.WriteFile(filepath.Join(s.root, "lf.txt"), []byte(textLF), 0o644)
	c := dialCtrl(t, s.addr())
	c.login(s.user, s.pass)

	_, opening := passiveTransfer(t, c, s.host, "STOR up.txt", []byte(textCRLF))
	if !strings.Contains(strings.ToUpper(opening), "ASCII") {
		t.Errorf("STOR before any TYPE: 150 %q, want ASCII mode (RFC 959's default type, vsftpd's too)", opening)
	}
	if got, _ := os.ReadFile(filepath.Join(s.root, "up.txt")); string(got) != textLF {
		t.Errorf("STOR of CRLF text before any TYPE (ascii_upload_enable=YES): stored %q, want %q", got, textLF)
	}
	got, opening := passiveTransfer(t, c, s.host, "RETR lf.txt", nil)
	if !strings.Contains(strings.ToUpper(opening), "ASCII") {
		t.Errorf("RETR before any TYPE: 150 %q, want ASCII mode", opening)
	}
	if string(got) != textCRLF {
		t.Errorf("RETR of LF text before any TYPE (ascii_download_enable=YES): got %q, want %q", got, textCRLF)
	}
	// After TYPE I and back to TYPE A the conversion must hold as well.
	c.cmd(200, "TYPE I")
	c.cmd(200, "TYPE A")
	if got, _ := passiveTransfer(t, c, s.host, "RETR lf.txt", nil); string(got) != textCRLF {
		t.Errorf("RETR of LF text after TYPE A: got %q, want %q", got, textCRLF)
	}
}
