package ftpc

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeServer is a scripted FTP server on 127.0.0.1:0: enough of the protocol
// to exercise the client, with knobs for the replies that vary by server.
type fakeServer struct {
	t        *testing.T
	ln       net.Listener
	greeting string // raw greeting, may be multi-line
	files    map[string][]byte
	password string
	pasvHost string // address written into 227 replies

	// FTPS (tls_test.go): AUTH TLS is refused unless tlsCfg is set.
	tlsCfg       *tls.Config
	requireReuse bool // refuse data connections that did not resume (522)

	once sync.Once // starts serve

	mu          sync.Mutex
	stored      map[string][]byte
	lines       []string
	dataResumed []bool  // per protected data connection, the server's view
	uploadErrs  []error // uploads that did not end cleanly (EOF, close_notify)
}

func newFake(t *testing.T) *fakeServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeServer{
		t: t, ln: ln,
		greeting: "220-Welcome\r\n220 ready\r\n",
		files:    map[string][]byte{},
		password: "secret",
		pasvHost: "127,0,0,1",
		stored:   map[string][]byte{},
	}
	t.Cleanup(func() { ln.Close() })
	return f
}

// addr starts serving (once) and returns the address. Serving starts only
// now so that the test's settings (greeting, TLS) happen before the
// sessions read them.
func (f *fakeServer) addr() string {
	f.once.Do(func() { go f.serve() })
	return f.ln.Addr().String()
}

func (f *fakeServer) serve() {
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		go f.session(c)
	}
}

type fakeSession struct {
	f    *fakeServer
	c    net.Conn
	br   *bufio.Reader
	pasv net.Listener
	user string
	prot bool // PROT P
}

func (f *fakeServer) session(c net.Conn) {
	defer c.Close()
	s := &fakeSession{f: f, c: c, br: bufio.NewReader(c)}
	io.WriteString(c, f.greeting)
	for {
		line, err := s.br.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		f.mu.Lock()
		f.lines = append(f.lines, line)
		f.mu.Unlock()
		verb, arg, _ := strings.Cut(line, " ")
		if !s.handle(strings.ToUpper(verb), arg) {
			return
		}
	}
}

func (s *fakeSession) reply(format string, args ...any) {
	fmt.Fprintf(s.c, format+"\r\n", args...)
}

func (s *fakeSession) handle(verb, arg string) bool {
	switch verb {
	case "USER":
		s.user = arg
		if arg == "open" {
			s.reply("230 no password needed")
		} else {
			s.reply("331 password please")
		}
	case "PASS":
		if arg == s.f.password {
			s.reply("230 ok")
		} else {
			s.reply("530 Login incorrect.")
		}
	case "TYPE":
		s.reply("200 ok")
	case "SIZE":
		s.reply("213 %d", len(s.f.files[arg]))
	case "EPSV", "PASV":
		s.listenData(verb)
	case "RETR", "LIST", "NLST":
		s.download(verb, arg)
	case "STOR":
		s.upload(arg)
	case "AUTH":
		return s.authTLS()
	case "PBSZ":
		s.reply("200 PBSZ=0")
	case "PROT":
		s.prot = arg == "P"
		s.reply("200 PROT now %s", arg)
	case "QUIT":
		s.reply("221 bye")
		return false
	default:
		s.reply("502 not here")
	}
	return true
}

func (s *fakeSession) listenData(verb string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.reply("425 no port")
		return
	}
	s.pasv = ln
	port := ln.Addr().(*net.TCPAddr).Port
	if verb == "EPSV" {
		s.reply("229 Entering Extended Passive Mode (|||%d|)", port)
		return
	}
	s.reply("227 Entering Passive Mode (%s,%d,%d).", s.f.pasvHost, port>>8, port&255)
}

func (s *fakeSession) acceptData() net.Conn {
	if s.pasv == nil {
		return nil
	}
	defer func() { s.pasv.Close(); s.pasv = nil }()
	c, err := s.pasv.Accept()
	if err != nil {
		return nil
	}
	return c
}

func (s *fakeSession) download(verb, arg string) {
	body, ok := s.f.files[arg]
	if !ok {
		if s.pasv != nil {
			s.pasv.Close()
			s.pasv = nil
		}
		s.reply("550 no such file")
		return
	}
	data := s.acceptData()
	s.reply("150 here it comes")
	if data = s.protect(data); data == nil {
		return
	}
	data.Write(body)
	data.Close()
	s.reply("226 done")
}

func (s *fakeSession) upload(name string) {
	data := s.acceptData()
	s.reply("150 send it")
	if data = s.protect(data); data == nil {
		return
	}
	body, err := io.ReadAll(data)
	data.Close()
	if err != nil {
		s.f.mu.Lock()
		s.f.uploadErrs = append(s.f.uploadErrs, err)
		s.f.mu.Unlock()
	}
	s.f.mu.Lock()
	s.f.stored[name] = body
	s.f.mu.Unlock()
	s.reply("226 stored")
}

func dial(t *testing.T, f *fakeServer) *Conn {
	t.Helper()
	c, err := Dial(context.Background(), f.addr(), Options{Timeout: 5 * time.Second, ReadBuf: 7})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestLoginAndMultiLineGreeting(t *testing.T) {
	f := newFake(t)
	c := dial(t, f)
	if err := c.Login("bob", "secret"); err != nil {
		t.Fatal(err)
	}
	if err := c.Binary(); err != nil {
		t.Fatal(err)
	}
	if err := c.Quit(); err != nil {
		t.Fatal(err)
	}
}

func TestLoginWithoutPassword(t *testing.T) {
	f := newFake(t)
	c := dial(t, f)
	if err := c.Login("open", "ignored"); err != nil {
		t.Fatal(err)
	}
	for _, l := range f.lines {
		if strings.HasPrefix(l, "PASS") {
			t.Fatalf("PASS sent after 230 to USER: %q", f.lines)
		}
	}
}

func TestLoginRefusedIsReplyErrorWithoutPassword(t *testing.T) {
	f := newFake(t)
	c := dial(t, f)
	err := c.Login("bob", "wrong-pw")
	var re *ReplyError
	if !errors.As(err, &re) || re.Code != 530 || re.Cmd != "PASS" {
		t.Fatalf("err = %v, want a 530 ReplyError for PASS", err)
	}
	if strings.Contains(err.Error(), "wrong-pw") {
		t.Fatalf("error text leaks the password: %v", err)
	}
}

func TestBadGreeting(t *testing.T) {
	f := newFake(t)
	f.greeting = "421 too many users\r\n"
	_, err := Dial(context.Background(), f.addr(), Options{Timeout: 5 * time.Second})
	var re *ReplyError
	if !errors.As(err, &re) || re.Code != 421 {
		t.Fatalf("err = %v, want 421", err)
	}
}

func TestRetrEPSVAndPASV(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789"), 10000)
	for _, pasv := range []bool{false, true} {
		f := newFake(t)
		// A useless address in 227 must not matter: the client uses the
		// control connection's peer.
		f.pasvHost = "10,255,255,1"
		f.files["a.bin"] = body
		c := dial(t, f)
		c.PASV = pasv
		var got bytes.Buffer
		n, err := c.Retr("a.bin", &got)
		if err != nil {
			t.Fatalf("pasv=%v: %v", pasv, err)
		}
		if n != int64(len(body)) || !bytes.Equal(got.Bytes(), body) {
			t.Fatalf("pasv=%v: got %d bytes, want %d", pasv, n, len(body))
		}
		if got, _ := c.Size("a.bin"); got != int64(len(body)) {
			t.Fatalf("SIZE = %d", got)
		}
	}
}

func TestRetrMissingKeepsConnectionInStep(t *testing.T) {
	f := newFake(t)
	f.files["x"] = []byte("hello")
	c := dial(t, f)
	_, err := c.Retr("missing", io.Discard)
	var re *ReplyError
	if !errors.As(err, &re) || re.Code != 550 {
		t.Fatalf("err = %v, want 550", err)
	}
	var got bytes.Buffer
	if _, err := c.Retr("x", &got); err != nil || got.String() != "hello" {
		t.Fatalf("next RETR: %q, %v", got.String(), err)
	}
}

func TestListAndNlst(t *testing.T) {
	f := newFake(t)
	f.files["dir"] = []byte("a\r\nb\r\n")
	c := dial(t, f)
	var got bytes.Buffer
	if _, err := c.List("dir", &got); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Nlst("dir", &got); err != nil {
		t.Fatal(err)
	}
	if got.String() != "a\r\nb\r\na\r\nb\r\n" {
		t.Fatalf("got %q", got.String())
	}
}

func TestStorFromFile(t *testing.T) {
	f := newFake(t)
	c := dial(t, f)
	path := filepath.Join(t.TempDir(), "src")
	body := bytes.Repeat([]byte{1, 2, 3}, 100000)
	if err := os.WriteFile(path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	src, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	n, err := c.Stor("up.bin", io.LimitReader(src, 1000))
	if err != nil || n != 1000 {
		t.Fatalf("n=%d err=%v", n, err)
	}
	if _, err := c.Stor("small", bytes.NewReader([]byte("tiny"))); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !bytes.Equal(f.stored["up.bin"], body[:1000]) || string(f.stored["small"]) != "tiny" {
		t.Fatalf("stored %d and %q", len(f.stored["up.bin"]), f.stored["small"])
	}
}

func TestUnknownCommandIsReplyError(t *testing.T) {
	f := newFake(t)
	c := dial(t, f)
	err := c.Mkd("d")
	var re *ReplyError
	if !errors.As(err, &re) || re.Code != 502 || re.Cmd != "MKD" {
		t.Fatalf("err = %v", err)
	}
}

func TestServerClosingMidReply(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			io.WriteString(c, "220-first line\r\n")
			c.Close()
		}
	}()
	_, err = Dial(context.Background(), ln.Addr().String(), Options{Timeout: 5 * time.Second})
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v, want unexpected EOF", err)
	}
}
