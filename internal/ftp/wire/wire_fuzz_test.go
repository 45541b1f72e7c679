package wire

import (
	"bufio"
	"bytes"
	"errors"
	"strings"
	"testing"
)

// Native fuzz targets. Each states the property it checks; run one with
//
//	go test ./internal/ftp/wire/ -run '^$' -fuzz '^FuzzParseCommand$' -fuzztime 10s

func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{
		"NOOP", "retr file.txt", "  CWD  /a b ", "STOR a\r", "STOR a\r\r", "ABCDEFGHI", "RETR\tx",
		"", " ", "SITE CHMOD 755 x", "USER \x00\xff", "A x\r\n", "\xff\xf4ABOR",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		cmd, err := ParseCommand(line)
		if err != nil {
			if !errors.Is(err, ErrBadCommand) {
				t.Fatalf("error %v is not ErrBadCommand", err)
			}
			return
		}
		if n := len(cmd.Verb); n < 1 || n > MaxVerbLen || strings.Trim(cmd.Verb, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			t.Fatalf("verb %q is not 1..%d upper-case letters", cmd.Verb, MaxVerbLen)
		}
		if !bytes.HasSuffix(bytes.TrimSuffix(line, []byte("\r")), []byte(cmd.Arg)) {
			t.Fatalf("argument %q is not the verbatim end of %q", cmd.Arg, line)
		}
		// An argument that ends in CR only round-trips with one more CR,
		// since ParseCommand strips one trailing CR from the line.
		again := cmd.Verb + " " + cmd.Arg + "\r"
		if !strings.HasSuffix(cmd.Arg, "\r") {
			again = again[:len(again)-1]
		}
		if back, err := ParseCommand([]byte(again)); err != nil || back != cmd {
			t.Fatalf("%q parsed as %+v; its reformat %q parses as %+v, %v", line, cmd, again, back, err)
		}
	})
}

func FuzzReadLine(f *testing.F) {
	for _, s := range []string{
		"USER anna\r\n", IAC + IP + IAC + DM + "ABOR\r\n", IAC + IP + IAC + "ABOR\r\n", "a\r\r\n",
		IAC + SB + "x\ny" + IAC + SE + "NOOP\n", IAC + DO + "\n\n", "NOOP" + IAC, strings.Repeat("A", 40) + "\nB\n",
		"\xff\xff\xff\xff\r\n", "\r\n\r\n",
	} {
		f.Add([]byte(s), uint16(8), uint8(16))
		f.Add([]byte(s), uint16(4096), uint8(0))
	}
	f.Fuzz(func(t *testing.T, data []byte, max uint16, bufSize uint8) {
		limit := int(max % 300)
		size := 16 + int(bufSize%64)
		want := untilError(refReadAll(data, limit))
		for _, fd := range []feed{whole, oneByte, perLine} {
			// readAll fails the test if a line exceeds the cap.
			got := untilError(readAll(t, string(data), limit, size, fd))
			if !equalResults(got, want) {
				t.Fatalf("feed %v, max %d: %s", fd, limit, firstDifference(got, want))
			}
			for _, r := range got {
				if strings.ContainsRune(r.line, '\n') {
					t.Fatalf("line %q holds a newline", r.line)
				}
			}
		}
	})
}

func FuzzPORT(f *testing.F) {
	for _, s := range []string{
		"127,0,0,1,156,64", " 10 , 0 ,0, 1,4 ,1 ", "255,255,255,255,255,255", "127,0,0,1,156,300",
		"-1,0,0,1,1,1", "1,2,3,4,5", "1,2,3,4,5,6,7", "010,001,000,009,004,001", "0,0,0,0,0,0", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arg string) {
		a, err := ParsePORT(arg)
		if err != nil {
			checkArgError(t, err)
			return
		}
		if !a.Addr().Is4() || a.Port() == 0 {
			t.Fatalf("ParsePORT(%q) = %v: not IPv4 with a port", arg, a)
		}
		s, err := FormatPASV(a)
		if err != nil {
			t.Fatalf("FormatPASV(%v): %v", a, err)
		}
		if back, err := ParsePORT(s); err != nil || back != a {
			t.Fatalf("ParsePORT(%q) = %v; FormatPASV gives %q, which parses as %v, %v", arg, a, s, back, err)
		}
		if back, err := ParsePASVReply("Entering Passive Mode (" + s + ")."); err != nil || back != a {
			t.Fatalf("ParsePASVReply of %q = %v, %v; want %v", s, back, err, a)
		}
	})
}

func FuzzEPRT(f *testing.F) {
	for _, s := range []string{
		"|1|132.235.1.2|6275|", "|2|1080::8:800:200C:417A|5282|", "!1!10.0.0.1!65535!", "|2|::ffff:10.0.0.1|21|",
		"|2|fe80::1%eth0|21|", "|1|::1|21|", "|2|10.0.0.1|21|", "|1|10.0.0.1|0|", "|1|10.0.0.1|65536|",
		"|3|10.0.0.1|21|", ".1.10.0.0.1.21.", "", "|",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arg string) {
		a, err := ParseEPRT(arg)
		if err != nil {
			if !errors.Is(err, ErrUnsupportedProtocol) {
				checkArgError(t, err)
			}
			return
		}
		if a.Port() == 0 || a.Addr().Zone() != "" {
			t.Fatalf("ParseEPRT(%q) = %v: port 0 or a zone", arg, a)
		}
		s := FormatEPRT(a)
		if back, err := ParseEPRT(s); err != nil || back != a {
			t.Fatalf("ParseEPRT(%q) = %v; FormatEPRT gives %q, which parses as %v, %v", arg, a, s, back, err)
		}
	})
}

// FuzzReplyRoundTrip checks that what the server writes, a client reads
// back: the same code, and the same lines once CR and NUL are cleaned.
func FuzzReplyRoundTrip(f *testing.F) {
	for _, s := range []string{
		"ok", "", "Features:\nMDTM\nSIZE\nEnd", "a\r\nb", "a\n", "\n\n", "x\n211 y\nz", "file\r\n550 injected",
		" lead\n trail \n", "a\rb\x00c", "\xff\xfe",
	} {
		f.Add(211, s)
	}
	f.Fuzz(func(t *testing.T, code int, msg string) {
		code = 100 + int(uint(code)%500)
		reply := AppendReply(nil, code, msg)
		if len(reply) > MaxReplySize {
			t.Skip("larger than a client accepts")
		}
		checkReplyShape(t, reply)
		br := bufio.NewReaderSize(bytes.NewReader(reply), 16)
		gotCode, gotMsg, err := ReadReply(br)
		if want := cleanReplyText(msg); err != nil || gotCode != code || gotMsg != want {
			t.Fatalf("reply %q read as %d, %q, %v; want %d, %q", reply, gotCode, gotMsg, err, code, want)
		}
		if br.Buffered() != 0 {
			t.Fatalf("ReadReply left %d bytes of %q", br.Buffered(), reply)
		}
	})
}

// FuzzReplyParsers feeds arbitrary text to the client-side parsers, which
// must not panic and must only return addresses a client can connect to.
func FuzzReplyParsers(f *testing.F) {
	for _, s := range []string{
		"Entering Passive Mode (127,0,0,1,156,64).", "Entering Extended Passive Mode (|||40001|)", "(|||0|)",
		"1,2,3,4,5,6,7", "((((|||", "211-a\r\n211 b\r\n", "ALL",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		if a, err := ParsePASVReply(msg); err == nil && (!a.Addr().Is4() || a.Port() == 0) {
			t.Fatalf("ParsePASVReply(%q) = %v", msg, a)
		}
		if p, err := ParseEPSVReply(msg); err == nil && p == 0 {
			t.Fatalf("ParseEPSVReply(%q) = 0", msg)
		}
		if proto, all, err := ParseEPSVArg(msg); err == nil && (proto < 0 || proto > 2 || all && proto != 0) {
			t.Fatalf("ParseEPSVArg(%q) = %d, %v", msg, proto, all)
		}
		code, _, err := ReadReply(bufio.NewReaderSize(strings.NewReader(msg), 16))
		if err == nil && (code < 100 || code > 599) {
			t.Fatalf("ReadReply(%q) code %d", msg, code)
		}
	})
}

// checkArgError insists on the 501 sentinel and on an error text that
// cannot carry client input into a reply.
func checkArgError(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, ErrBadArgument) {
		t.Fatalf("error %v does not match ErrBadArgument", err)
	}
	if strings.ContainsAny(err.Error(), "\r\n\x00") {
		t.Fatalf("error text %q holds CR, LF or NUL", err)
	}
}

// checkReplyShape verifies the wire form: CRLF-terminated lines, no other CR
// or NUL, the first line "NNN-" or "NNN ", only the last line "NNN ".
func checkReplyShape(t *testing.T, reply []byte) {
	t.Helper()
	lines := strings.SplitAfter(string(reply), "\r\n")
	if lines[len(lines)-1] != "" {
		t.Fatalf("reply %q does not end in CRLF", reply)
	}
	lines = lines[:len(lines)-1]
	code := string(reply[:3])
	for i, l := range lines {
		body := strings.TrimSuffix(l, "\r\n")
		if strings.ContainsAny(body, "\r\n\x00") {
			t.Fatalf("line %q holds CR, LF or NUL", l)
		}
		isEnd := strings.HasPrefix(body, code+" ")
		if last := i == len(lines)-1; isEnd != last {
			t.Fatalf("line %d of %q: end line %v, last line %v", i, reply, isEnd, last)
		}
	}
}

// cleanReplyText is what a reply's text becomes on the wire: one trailing
// CR per line dropped, other CRs and NULs turned into spaces.
func cleanReplyText(msg string) string {
	lines := strings.Split(msg, "\n")
	for i, l := range lines {
		l = strings.TrimSuffix(l, "\r")
		lines[i] = strings.NewReplacer("\r", " ", "\x00", " ").Replace(l)
	}
	return strings.Join(lines, "\n")
}
