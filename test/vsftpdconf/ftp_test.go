package vsftpdconf

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ftpConn is a raw control connection that keeps a transcript, printed
// with every failure.
type ftpConn struct {
	t     testing.TB
	host  string
	c     net.Conn
	r     *bufio.Reader
	trans []string
	hide  string // a password, kept out of the transcript
}

// dial connects and reads the greeting (code and full text).
func dial(t testing.TB, s *server) (*ftpConn, int, string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", s.addr(), 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", s.addr(), err)
	}
	f := &ftpConn{t: t, host: s.host, c: c, r: bufio.NewReader(c)}
	t.Cleanup(func() { c.Close() })
	code, text := f.read()
	return f, code, text
}

func (f *ftpConn) transcript() string {
	out := strings.Join(f.trans, "\n")
	if f.hide != "" {
		out = strings.ReplaceAll(out, f.hide, "<password>")
	}
	return out
}

// fatalf ends the test with the transcript.
func (f *ftpConn) fatalf(format string, args ...any) {
	f.t.Helper()
	f.t.Fatalf(format+"\n--- transcript ---\n%s", append(args, f.transcript())...)
}

func (f *ftpConn) errorf(format string, args ...any) {
	f.t.Helper()
	f.t.Errorf(format+"\n--- transcript ---\n%s", append(args, f.transcript())...)
}

// read reads one reply, multi-line ones included.
func (f *ftpConn) read() (int, string) {
	f.t.Helper()
	f.c.SetReadDeadline(time.Now().Add(20 * time.Second))
	var lines []string
	for {
		line, err := f.r.ReadString('\n')
		if err != nil {
			f.fatalf("reading a reply: %v (got %q)", err, line)
		}
		line = strings.TrimRight(line, "\r\n")
		f.trans = append(f.trans, "< "+line)
		lines = append(lines, line)
		if len(lines[0]) < 4 {
			f.fatalf("malformed reply %q", line)
		}
		if len(line) >= 4 && line[:3] == lines[0][:3] && line[3] == ' ' {
			break
		}
		if len(lines) == 1 && lines[0][3] == ' ' {
			break
		}
	}
	code, err := strconv.Atoi(lines[0][:3])
	if err != nil {
		f.fatalf("malformed reply %q", lines[0])
	}
	return code, strings.Join(lines, "\n")
}

// cmd sends one command and reads its reply.
func (f *ftpConn) cmd(format string, args ...any) (int, string) {
	f.t.Helper()
	line := fmt.Sprintf(format, args...)
	f.trans = append(f.trans, "> "+line)
	f.c.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := f.c.Write([]byte(line + "\r\n")); err != nil {
		f.fatalf("sending %q: %v", line, err)
	}
	return f.read()
}

// expect sends a command and requires the reply code.
func (f *ftpConn) expect(want int, format string, args ...any) string {
	f.t.Helper()
	code, text := f.cmd(format, args...)
	if code != want {
		f.fatalf("%s: got %d, want %d", fmt.Sprintf(format, args...), code, want)
	}
	return text
}

// login runs USER and PASS and requires 331 then 230; then TYPE I, so
// that transfers carry the bytes as they are.
func (f *ftpConn) login(user, pass string) {
	f.t.Helper()
	f.hide = pass
	f.expect(331, "USER %s", user)
	f.expect(230, "PASS %s", pass)
	f.expect(200, "TYPE I")
}

// pwd returns the directory PWD names.
func (f *ftpConn) pwd() string {
	f.t.Helper()
	text := f.expect(257, "PWD")
	i, j := strings.Index(text, `"`), strings.LastIndex(text, `"`)
	if i < 0 || j <= i {
		f.fatalf("PWD reply %q names no directory", text)
	}
	return strings.ReplaceAll(text[i+1:j], `""`, `"`)
}

// openData opens a passive data connection (EPSV, which works on IPv4 and
// IPv6 alike).
func (f *ftpConn) openData() net.Conn {
	f.t.Helper()
	text := f.expect(229, "EPSV")
	i := strings.Index(text, "(|||")
	j := strings.Index(text, "|)")
	if i < 0 || j < i {
		f.fatalf("EPSV reply %q", text)
	}
	port := text[i+4 : j]
	dc, err := net.DialTimeout("tcp", net.JoinHostPort(f.host, port), 5*time.Second)
	if err != nil {
		f.fatalf("data connection to port %s: %v", port, err)
	}
	dc.SetDeadline(time.Now().Add(20 * time.Second))
	return dc
}

// transfer runs a data command (RETR, LIST, NLST, STOR with upload).
// It returns the code of the first reply and, on 150/125, the data read
// and the final code.
func (f *ftpConn) transfer(upload []byte, format string, args ...any) (first int, data string, final int) {
	f.t.Helper()
	dc := f.openData()
	defer dc.Close()
	first, _ = f.cmd(format, args...)
	if first != 150 && first != 125 {
		return first, "", 0
	}
	if upload != nil {
		if _, err := dc.Write(upload); err != nil {
			f.fatalf("writing the upload: %v", err)
		}
		dc.Close()
	} else {
		b, err := io.ReadAll(dc)
		if err != nil {
			f.fatalf("reading the data connection: %v", err)
		}
		data = string(b)
	}
	final, _ = f.read()
	return first, data, final
}

// retr downloads a file: code 226 and its content, or the refusal code.
func (f *ftpConn) retr(path string) (int, string) {
	f.t.Helper()
	first, data, final := f.transfer(nil, "RETR %s", path)
	if first != 150 && first != 125 {
		return first, ""
	}
	return final, data
}

// stor uploads content: the final code, or the refusal code.
func (f *ftpConn) stor(path, content string) int {
	f.t.Helper()
	first, _, final := f.transfer([]byte(content), "STOR %s", path)
	if first != 150 && first != 125 {
		return first
	}
	return final
}

// nlst lists names (code 226 and the names), or the refusal code.
func (f *ftpConn) nlst(path string) (int, []string) {
	f.t.Helper()
	cmd := "NLST"
	if path != "" {
		cmd += " " + path
	}
	first, data, final := f.transfer(nil, "%s", cmd)
	if first != 150 && first != 125 {
		return first, nil
	}
	return final, strings.Fields(data)
}

// list runs LIST: code and text.
func (f *ftpConn) list(path string) (int, string) {
	f.t.Helper()
	cmd := "LIST"
	if path != "" {
		cmd += " " + path
	}
	first, data, final := f.transfer(nil, "%s", cmd)
	if first != 150 && first != 125 {
		return first, ""
	}
	return final, data
}
