package ftp_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"wharf/internal/ftp/ftptest"
)

// step is one command and what must come back: the code, and a substring
// of the text when want is not empty.
type step struct {
	cmd  string
	code int
	want string
}

func runSteps(t *testing.T, c *ftptest.Conn, steps []step) {
	t.Helper()
	for _, s := range steps {
		code, msg := c.Do("%s", s.cmd)
		if code != s.code || !strings.Contains(msg, s.want) {
			t.Errorf("%q: got %d %q, want %d containing %q", s.cmd, code, msg, s.code, s.want)
		}
	}
}

// loginOnly are the commands that need a login, with a valid argument.
var loginOnly = []string{
	"PORT 127,0,0,1,200,10", "EPRT |1|127.0.0.1|5000|", "PASV", "EPSV", "TYPE I", "STRU F",
	"MODE S", "REST 0", "ALLO 10", "RETR f", "STOR f", "STOU", "APPE f", "LIST", "NLST",
	"MLSD", "PWD", "XPWD", "CWD /", "XCWD /", "CDUP", "XCUP", "MKD d", "XMKD d", "RMD d",
	"XRMD d", "DELE f", "RNFR f", "RNTO g", "SIZE f", "MDTM f", "MFMT 20200101000000 f",
	"MLST f", "SITE HELP",
}

func TestCommandsBeforeLogin(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", nil)
	c := ftptest.Dial(t, s.Addr)
	for _, cmd := range loginOnly {
		code, msg := c.Do("%s", cmd)
		if code != 530 || !strings.Contains(msg, "log in") {
			t.Errorf("%q before login: got %d %q, want 530 telling to log in", cmd, code, msg)
		}
	}
	runSteps(t, c, []step{
		{"NOOP", 200, ""},
		{"SYST", 215, "UNIX Type: L8"},
		{"FEAT", 211, "UTF8"},
		{"HELP", 214, "RETR"},
		{"STAT", 211, "Not logged in"},
		{"STAT /", 530, ""},
		{"OPTS UTF8 ON", 200, ""},
		{"AUTH TLS", 502, ""}, // FTPS is off in these options
		{"ACCT x", 502, "USER and PASS"},
		{"ABOR", 225, ""},
		{"XYZZY", 500, "XYZZY"},
		{"PASS x", 503, "USER first"},
		{"USER", 501, "argument"},
		{"USER " + ftptest.User, 331, ""},
		{"PASS wrong", 530, "Login incorrect"},
		{"PWD", 530, ""},
		{"USER nobody", 331, ""}, // unknown users are not revealed
		{"PASS " + ftptest.Pass, 530, "Login incorrect"},
		{"USER " + ftptest.User, 331, ""},
		{"PASS " + ftptest.Pass, 230, ""},
		{"PWD", 257, `"/"`},
	})
}

func TestCommandsMissingArgument(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", nil)
	c := ftptest.Login(t, s.Addr)
	for _, verb := range []string{
		"PORT", "EPRT", "TYPE", "STRU", "MODE", "REST", "RETR", "STOR", "APPE", "MKD", "XMKD",
		"RMD", "XRMD", "DELE", "RNFR", "RNTO", "SIZE", "MDTM", "MFMT", "SITE", "OPTS",
	} {
		if code, msg := c.Do("%s", verb); code != 501 {
			t.Errorf("%s without argument: got %d %q, want 501", verb, code, msg)
		}
	}
	for _, cmd := range []string{"PWD x", "XPWD x", "CDUP x", "XCUP x", "PASV x", "SYST x", "FEAT x", "REIN x", "ABOR x"} {
		if code, msg := c.Do("%s", cmd); code != 501 {
			t.Errorf("%q (no argument allowed): got %d %q, want 501", cmd, code, msg)
		}
	}
	c.Cmd(200, "NOOP")
}

// TestCommandTable walks every command of the table with good and bad
// arguments in one logged-in session.
func TestCommandTable(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", nil)
	writeFile(t, s.Root, "f", []byte("hello"))
	writeFile(t, s.Root, "f2", []byte("x"))
	c := ftptest.Login(t, s.Addr)
	runSteps(t, c, []step{
		{"TYPE A", 200, "ASCII"},
		{"TYPE I", 200, "Binary"},
		{"TYPE L 8", 200, "Binary"},
		{"type a", 200, "ASCII"},
		{"TYPE E", 504, "TYPE I"},
		{"TYPE L 7", 504, ""},
		{"TYPE I", 200, ""},
		{"STRU F", 200, ""},
		{"STRU R", 504, "STRU F"},
		{"MODE S", 200, ""},
		{"MODE B", 504, "MODE S"},
		{"REST 100", 350, "100"},
		{"REST -1", 501, ""},
		{"REST abc", 501, ""},
		{"REST 0", 350, ""},
		{"SIZE f", 213, "5"},
		{"SIZE /f", 213, "5"},
		{"SIZE nope", 550, "No such file"},
		{"SIZE .", 550, ""},
		{"MDTM nope", 550, ""},
		{"MFMT 20200102030405 f", 213, "Modify=20200102030405"},
		{"MDTM f", 213, "20200102030405"},
		{"MFMT 2020 f", 501, "MFMT"},
		{"MFMT 20200102030405", 501, ""},
		{"MFMT 20200102030405 nope", 550, ""},
		{"MKD d", 257, `"/d" created`},
		{"MKD d", 550, "exists"},
		{`MKD q"x`, 257, `"/q""x" created`},
		{`CWD q"x`, 250, ""},
		{"PWD", 257, `"/q""x"`},
		{"XPWD", 257, `"/q""x"`},
		{"CDUP", 250, ""},
		{"PWD", 257, `"/"`},
		{"XCWD d", 250, ""},
		{"PWD", 257, `"/d"`},
		{"XCUP", 250, ""},
		{"CWD d", 250, ""},
		{"CWD", 250, ""}, // no argument: back to the root
		{"PWD", 257, `"/"`},
		{"CWD nope", 550, "no such directory"},
		{"CWD f", 550, "file"},
		{"RMD d", 250, ""},
		{"RMD d", 550, ""},
		{"XMKD e", 257, `"/e"`},
		{"XRMD e", 250, ""},
		{"MKD full", 257, ""},
		{"MKD full/x", 257, `"/full/x"`},
		{"RMD full", 550, "not empty"},
		{"DELE nope", 550, "No such file"},
		{"DELE full", 550, ""},
		{"DELE f2", 250, ""},
		{"RNTO g", 503, "RNFR first"},
		{"RNFR nope", 550, ""},
		{"RNTO g", 503, ""},
		{"RNFR f", 350, ""},
		{"RNTO g", 250, ""},
		{"SIZE g", 213, "5"},
		{"SIZE f", 550, ""},
		{"OPTS UTF8 ON", 200, ""},
		{"OPTS utf8 on", 200, ""},
		{"OPTS UTF8 OFF", 504, ""},
		{"OPTS FOO", 501, ""},
		{"SITE HELP", 214, "CHMOD"},
		{"SITE CHMOD 600 g", 200, ""},
		{"SITE CHMOD 9 g", 501, ""},
		{"SITE CHMOD 600", 501, ""},
		{"SITE CHMOD 600 nope", 550, ""},
		{"SITE UMASK", 200, "0022"},
		{"SITE UMASK 077", 200, "0077"},
		{"SITE UMASK 999", 501, ""},
		{"SITE FOO", 500, "SITE HELP"},
		{"HELP", 214, "MLSD"},
		{"HELP RETR", 214, ""},
		{"STAT", 211, "Logged in as " + ftptest.User},
		{"STAT g", 213, " g"},
		{"STAT /", 213, " g"},
		{"STAT -la /", 213, " g"},
		{"STAT nope", 550, ""},
		{"MLST g", 250, "type=file;size=5;"},
		{"MLST", 250, "type=cdir;"},
		{"MLST nope", 550, ""},
		{"SYST", 215, "UNIX Type: L8"},
		{"NOOP", 200, ""},
		{"ALLO 100", 202, ""},
		{"ACCT x", 202, ""},
		{"AUTH TLS", 502, ""},
		{"XYZZY", 500, ""},
		{"ABOR", 225, ""},
		{"EPSV 3", 522, "(1,2)"},
		{"EPSV 2", 522, "(1)"},
		{"EPSV x", 501, ""},
		{"PORT 1,2", 501, ""},
		{"PORT 127,0,0,1,0,0", 501, ""},
		{"EPRT |3|x|1|", 522, "(1,2)"},
		{"EPRT bad", 501, ""},
		{"RETR nope", 550, ""},
		{"RETR .", 550, ""},
		{"LIST nope", 550, ""},
		{"MLSD g", 501, "MLST"},
		{"RETR g", 425, "PASV"}, // no data connection set up
		{"USER " + ftptest.User, 530, "REIN"},
		{"PASS x", 230, "Already"},
		{"REIN", 220, ""},
		{"PWD", 530, ""},
	})
	if fi, err := os.Stat(filepath.Join(s.Root, "g")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("after SITE CHMOD 600: %v, %v", fi.Mode(), err)
	}
	c.Login(ftptest.User, ftptest.Pass)
	c.Cmd(221, "QUIT")
	c.ExpectClosed(5 * time.Second)
}

// TestHelpListsTheTable checks that HELP names every command this file
// covers, and nothing it does not: a new command must come with a test.
func TestHelpListsTheTable(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", nil)
	c := ftptest.Dial(t, s.Addr)
	msg := c.Cmd(214, "HELP")
	var got []string
	for _, line := range strings.Split(msg, "\n")[1:] {
		for _, f := range strings.Fields(line) {
			if f == strings.ToUpper(f) && f != "OK." {
				got = append(got, f)
			}
		}
	}
	covered := []string{
		"ABOR", "ACCT", "ADAT", "ALLO", "APPE", "AUTH", "CCC", "CDUP", "CONF", "CWD", "DELE",
		"ENC", "EPRT", "EPSV", "FEAT", "HELP", "LIST", "MDTM", "MFMT", "MIC", "MKD", "MLSD",
		"MLST", "MODE", "NLST", "NOOP", "OPTS", "PASS", "PASV", "PBSZ", "PORT", "PROT", "PWD",
		"QUIT", "REIN", "REST", "RETR", "RMD", "RNFR", "RNTO", "SITE", "SIZE", "SMNT", "STAT",
		"STOR", "STOU", "STRU", "SYST", "TYPE", "USER", "XCUP", "XCWD", "XMKD", "XPWD", "XRMD",
	}
	slices.Sort(got)
	if !slices.Equal(got, covered) {
		t.Errorf("HELP lists %v\nthe tests cover %v", got, covered)
	}
	for _, v := range []string{"ADAT", "CONF", "ENC", "MIC", "SMNT"} {
		if code, _ := c.Do("%s x", v); code != 502 {
			t.Errorf("%s: got %d, want 502", v, code)
		}
	}
}

func TestFEAT(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", nil)
	c := ftptest.Dial(t, s.Addr)
	c.Send("FEAT")
	// Check the raw lines: each feature line must start with one space.
	raw := readRawReply(t, c)
	want := []string{
		"211-Features:", " EPRT", " EPSV", " MDTM", " MFMT", " MLST type*;size*;modify*;perm*;unix.mode*;",
		" PASV", " REST STREAM", " SIZE", " TVFS", " UTF8", "211 End",
	}
	if !slices.Equal(raw, want) {
		t.Errorf("FEAT:\n%q\nwant\n%q", raw, want)
	}
}

// readRawReply reads the lines of one multi-line reply verbatim.
func readRawReply(t *testing.T, c *ftptest.Conn) []string {
	t.Helper()
	c.C.SetReadDeadline(time.Now().Add(ftptest.ReplyTimeout))
	var lines []string
	buf := make([]byte, 1)
	var line []byte
	for {
		if _, err := c.C.Read(buf); err != nil {
			t.Fatalf("reading reply: %v (so far %q)", err, lines)
		}
		if buf[0] != '\n' {
			line = append(line, buf[0])
			continue
		}
		s := strings.TrimSuffix(string(line), "\r")
		lines = append(lines, s)
		line = nil
		if len(s) >= 4 && s[3] == ' ' && len(lines) > 0 && s[:3] == lines[0][:3] {
			return lines
		}
	}
}

func TestArgumentsWithNULOrCR(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", nil)
	c := ftptest.Login(t, s.Addr)
	for _, line := range []string{"MKD a\x00b", "MKD a\rb", "CWD a\x00", "STOR x\ry", "RNFR \x00", "USER a\x00b"} {
		c.WriteRaw([]byte(line + "\r\n"))
		if code, msg := c.Read(); code != 501 {
			t.Errorf("%q: got %d %q, want 501", line, code, msg)
		}
	}
	ents, _ := os.ReadDir(s.Root)
	if len(ents) != 0 {
		t.Errorf("the root holds %v after refused names", ents)
	}
	c.Cmd(200, "NOOP")
}
