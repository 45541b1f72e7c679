package wire

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

// Telnet bytes spelled out for test inputs.
const (
	IAC  = "\xff"
	IP   = "\xf4"
	DM   = "\xf2"
	NOP  = "\xf1"
	AYT  = "\xf6"
	AO   = "\xf5"
	SE   = "\xf0"
	SB   = "\xfa"
	WILL = "\xfb"
	DO   = "\xfd"
	DONT = "\xfe"
)

// result is one ReadLine outcome, comparable in tables.
type result struct {
	line string
	err  error
}

func (r result) String() string {
	if r.err != nil {
		return "error " + r.err.Error()
	}
	return strconv.Quote(r.line)
}

// feed says how the input reaches bufio: all at once, one byte per Read
// (every Telnet sequence split across buffer fills), or one line per Read
// (an overlong line's '\n' is then always buffered when the cap trips).
type feed int

const (
	whole feed = iota
	oneByte
	perLine
)

func (f feed) reader(input string) io.Reader {
	switch f {
	case oneByte:
		return iotest.OneByteReader(strings.NewReader(input))
	case perLine:
		return &lineReader{rest: input}
	}
	return strings.NewReader(input)
}

// lineReader returns at most one line per Read.
type lineReader struct{ rest string }

func (r *lineReader) Read(p []byte) (int, error) {
	if r.rest == "" {
		return 0, io.EOF
	}
	end := len(r.rest)
	if i := strings.IndexByte(r.rest, '\n'); i >= 0 {
		end = i + 1
	}
	n := copy(p, r.rest[:end])
	r.rest = r.rest[n:]
	return n, nil
}

// readAll calls ReadLine until an error other than ErrLineTooLong and
// returns every outcome, that error included.
func readAll(t testing.TB, input string, max, bufSize int, f feed) []result {
	br := bufio.NewReaderSize(f.reader(input), bufSize)
	var out []result
	for range len(input) + 2 { // every call consumes a byte or fails
		line, err := ReadLine(br, max)
		if len(line) > max && len(line) > 0 {
			t.Fatalf("line of %d bytes exceeds max %d", len(line), max)
		}
		out = append(out, result{line: string(line), err: err})
		if err != nil && !errors.Is(err, ErrLineTooLong) {
			return out
		}
	}
	t.Fatalf("ReadLine made no progress on %q", input)
	return nil
}

// untilError cuts results after the first error: what follows an overlong
// line depends on how much of it was buffered.
func untilError(rs []result) []result {
	for i, r := range rs {
		if r.err != nil {
			return rs[:i+1]
		}
	}
	return rs
}

func TestReadLine(t *testing.T) {
	eof := result{err: io.EOF}
	tooLong := result{err: ErrLineTooLong}
	unexpected := result{err: io.ErrUnexpectedEOF}
	tests := []struct {
		name string
		in   string
		max  int
		want []result
	}{
		{"crlf", "USER anna\r\n", 64, []result{{line: "USER anna"}, eof}},
		{"bare lf", "USER anna\n", 64, []result{{line: "USER anna"}, eof}},
		{"two lines", "NOOP\r\nQUIT\n", 64, []result{{line: "NOOP"}, {line: "QUIT"}, eof}},
		{"empty input", "", 64, []result{eof}},
		{"empty line", "\r\n\n", 64, []result{{}, {}, eof}},
		{"eof mid-line", "NOO", 64, []result{unexpected}},
		{"eof after cr", "NOOP\r", 64, []result{unexpected}},
		{"inner cr kept", "a\rb\r\n", 64, []result{{line: "a\rb"}, eof}},
		{"only one cr stripped", "a\r\r\n", 64, []result{{line: "a\r"}, eof}},
		{"nul kept", "RETR a\x00b\r\n", 64, []result{{line: "RETR a\x00b"}, eof}},
		{"iac iac is 0xff", "RETR \xff\xff.txt\r\n", 64, []result{{line: "RETR \xff.txt"}, eof}},
		{"abort sequence", IAC + IP + IAC + DM + "ABOR\r\n", 64, []result{{line: "ABOR"}, eof}},
		{"abort with DM taken as urgent data", IAC + IP + IAC + "ABOR\r\n", 64, []result{{line: "ABOR"}, eof}},
		{"two-byte commands", IAC + NOP + "NO" + IAC + AYT + "OP" + IAC + AO + IAC + SE + "\r\n", 64, []result{{line: "NOOP"}, eof}},
		{"option negotiation", IAC + WILL + "\x01" + "NO" + IAC + DONT + "\x22OP\r\n", 64, []result{{line: "NOOP"}, eof}},
		{"newline as option byte", IAC + DO + "\nNOOP\n", 64, []result{{line: "NOOP"}, eof}},
		{"subnegotiation", "NO" + IAC + SB + "\x18\x00x\r\ny" + IAC + IAC + IAC + SE + "OP\n", 64, []result{{line: "NOOP"}, eof}},
		{"iac then newline", "NOOP" + IAC + "\nQUIT\n", 64, []result{{line: "NOOP"}, {line: "QUIT"}, eof}},
		{"iac at end of input", "NOOP" + IAC, 64, []result{unexpected}},
		{"iac will at end of input", "NOOP" + IAC + WILL, 64, []result{unexpected}},
		{"only telnet then eof", IAC + NOP, 64, []result{unexpected}},
		{"unterminated subnegotiation", IAC + SB + "abc\ndef\n", 64, []result{unexpected}},
		{"exactly max", "ABCD\r\nABCD\n", 4, []result{{line: "ABCD"}, {line: "ABCD"}, eof}},
		{"max plus one with cr", "ABCDE\r\nNOOP\n", 4, []result{tooLong, {line: "NOOP"}, eof}},
		{"max plus one", "ABCDE\nNOOP\n", 4, []result{tooLong, {line: "NOOP"}, eof}},
		{"far too long, newline buffered", strings.Repeat("A", 100) + "\nNOOP\n", 8, []result{tooLong, {line: "NOOP"}, eof}},
		{"telnet counts toward cap", strings.Repeat(IAC+NOP, 10) + "NOOP\nQUIT\n", 8, []result{tooLong, {line: "QUIT"}, eof}},
		{"max zero", "\nA\n", 0, []result{{}, tooLong, eof}},
		{"negative max acts as zero", "\n\n", -5, []result{{}, {}, eof}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readAll(t, tt.in, tt.max, 4096, whole)
			if !equalResults(got, tt.want) {
				t.Errorf("ReadLine(%q, %d) = %v, want %v", tt.in, tt.max, got, tt.want)
			}
		})
	}
}

// TestReadLineChunking checks that where the reads split the input never
// changes the result: Telnet state must survive buffer refills.
func TestReadLineChunking(t *testing.T) {
	inputs := []string{
		IAC + IP + IAC + DM + "ABOR\r\n",
		"RETR " + strings.Repeat("\xff\xff", 30) + "\r\nNOOP\n",
		"STOR " + strings.Repeat("x", 40) + IAC + SB + "\n\n" + IAC + SE + "\r\n",
		strings.Repeat("a"+IAC+WILL+"\n", 20) + "\n",
	}
	for _, in := range inputs {
		want := readAll(t, in, 1000, 4096, whole)
		for _, size := range []int{16, 17, 31} {
			for _, f := range []feed{whole, oneByte, perLine} {
				if got := readAll(t, in, 1000, size, f); !equalResults(got, want) {
					t.Errorf("size %d feed %v: %v, want %v", size, f, got, want)
				}
			}
		}
	}
}

// countingReader hands out data in small chunks, counts what was read and
// fails loudly if asked for more: it stands for a hostile client that never
// sends a newline, so any read past the cap would block forever.
type countingReader struct {
	data  []byte
	chunk int
	read  int
}

var errReadPastCap = errors.New("ReadLine read past the cap")

func (r *countingReader) Read(p []byte) (int, error) {
	if r.read >= len(r.data) {
		return 0, errReadPastCap
	}
	n := copy(p[:min(len(p), r.chunk)], r.data[r.read:])
	r.read += n
	return n, nil
}

func TestReadLineStopsAtCap(t *testing.T) {
	for _, chunk := range []int{1, 3, 10, 4096} {
		const max = 10
		r := &countingReader{data: bytes.Repeat([]byte("A"), max+2+chunk), chunk: chunk}
		_, err := ReadLine(bufio.NewReaderSize(r, 64), max)
		if !errors.Is(err, ErrLineTooLong) {
			t.Fatalf("chunk %d: err = %v, want ErrLineTooLong", chunk, err)
		}
		// The cap plus a CR and one byte to see the line is too long,
		// rounded up to whole chunks.
		if limit := (max + 2 + chunk - 1) / chunk * chunk; r.read > limit {
			t.Errorf("chunk %d: read %d bytes, want <= %d", chunk, r.read, limit)
		}
	}
}

func TestReadLineLongerThanBuffer(t *testing.T) {
	long := strings.Repeat("x", 5000)
	got := readAll(t, "STOR "+long+"\r\nNOOP\n", 8192, 16, whole)
	want := []result{{line: "STOR " + long}, {line: "NOOP"}, {err: io.EOF}}
	if !equalResults(got, want) {
		t.Errorf("long line not read intact: got %d results", len(got))
	}
}

func TestReadLinePassesReadErrors(t *testing.T) {
	boom := errors.New("deadline")
	br := bufio.NewReader(io.MultiReader(strings.NewReader("NO"), iotest.ErrReader(boom)))
	if _, err := ReadLine(br, 64); !errors.Is(err, boom) {
		t.Errorf("err = %v, want %v", err, boom)
	}
}

// garbageLines returns 1000 lines of up to 119 random bytes each; with
// telnet false they hold no IAC byte.
func garbageLines(seed uint64, telnet bool) string {
	rng := rand.New(rand.NewPCG(seed, 2))
	var in []byte
	for range 1000 {
		for range rng.IntN(120) {
			c := byte(rng.UintN(256))
			if c == '\n' || c == 0xff && !telnet {
				c = 'n'
			}
			in = append(in, c)
		}
		in = append(in, '\n')
	}
	return string(in)
}

// TestReadLineGarbage compares ReadLine on 1000 random lines with the
// reference decoder, under every way of feeding the input. Random bytes
// sooner or later hold an IAC SB that is never closed, which makes the rest
// of the input one overlong line; outcomes are compared up to that error.
func TestReadLineGarbage(t *testing.T) {
	in := garbageLines(1, true)
	want := untilError(refReadAll([]byte(in), 4096))
	if len(want) < 500 {
		t.Fatalf("only %d lines before the first error: pick another seed", len(want))
	}
	for _, f := range []feed{whole, oneByte, perLine} {
		if got := untilError(readAll(t, in, 4096, 16, f)); !equalResults(got, want) {
			t.Errorf("feed %v: %s", f, firstDifference(got, want))
		}
	}
}

// TestReadLineGarbageOverlong checks the resync after overlong lines: fed
// one line per Read, each overlong line is skipped through its newline and
// every one of the 1000 outcomes must match the reference. (With Telnet
// bytes, an IAC SB can hide a newline from the decoder while the raw resync
// still stops there; the outcome then legitimately differs after the first
// error, so that case is compared only up to it.)
func TestReadLineGarbageOverlong(t *testing.T) {
	plain := garbageLines(2, false)
	if got, want := readAll(t, plain, 64, 4096, perLine), refReadAll([]byte(plain), 64); !equalResults(got, want) {
		t.Errorf("plain garbage: %s", firstDifference(got, want))
	}
	withIAC := garbageLines(3, true)
	want := untilError(refReadAll([]byte(withIAC), 64))
	for _, f := range []feed{whole, oneByte, perLine} {
		if got := untilError(readAll(t, withIAC, 64, 16, f)); !equalResults(got, want) {
			t.Errorf("feed %v: %s", f, firstDifference(got, want))
		}
	}
}

func firstDifference(got, want []result) string {
	for i := range min(len(got), len(want)) {
		if !equalResults(got[i:i+1], want[i:i+1]) {
			return fmt.Sprintf("outcome %d is %v, reference %v", i, got[i], want[i])
		}
	}
	return fmt.Sprintf("%d outcomes, reference %d", len(got), len(want))
}

func TestAppendLineAllocs(t *testing.T) {
	in := strings.Repeat("RETR some/file.txt\r\n", 200)
	br := bufio.NewReader(strings.NewReader(in))
	buf := make([]byte, 0, 256)
	allocs := testing.AllocsPerRun(100, func() {
		var err error
		if buf, err = AppendLine(buf[:0], br, 4096); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("AppendLine with a reused buffer: %v allocs per line, want 0", allocs)
	}
	br = bufio.NewReader(strings.NewReader(in))
	allocs = testing.AllocsPerRun(100, func() {
		if _, err := ReadLine(br, 4096); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1 {
		t.Errorf("ReadLine: %v allocs per line, want <= 1", allocs)
	}
}

func TestAppendLineKeepsPrefix(t *testing.T) {
	br := bufio.NewReader(strings.NewReader("NOOP\r\n" + strings.Repeat("A", 20) + "\n"))
	dst, err := AppendLine([]byte("pre:"), br, 8)
	if err != nil || string(dst) != "pre:NOOP" {
		t.Fatalf("AppendLine = %q, %v", dst, err)
	}
	dst, err = AppendLine([]byte("pre:"), br, 8)
	if !errors.Is(err, ErrLineTooLong) || string(dst) != "pre:" {
		t.Fatalf("overlong AppendLine = %q, %v; want dst unchanged and ErrLineTooLong", dst, err)
	}
}

func equalResults(a, b []result) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].line != b[i].line || !errors.Is(a[i].err, b[i].err) {
			return false
		}
	}
	return true
}

// refReadAll is an independent, whole-input reference for ReadLine: it
// walks the input one Telnet sequence at a time and applies the cap rule
// (at most max+1 raw bytes before '\n', at most max bytes once one trailing
// CR is stripped). Like readAll it goes on after an overlong line, as if
// its newline had been buffered, and stops at any other error.
func refReadAll(in []byte, max int) []result {
	max = maxOf(max, 0)
	var out []result
	for len(in) > 0 {
		line, raw, rest, eol := refLine(in)
		in = rest
		content := strings.TrimSuffix(line, "\r")
		switch {
		case raw > max+1 || eol && len(content) > max:
			out = append(out, result{err: ErrLineTooLong})
			if !eol { // its buffered rest was discarded: then EOF
				return append(out, result{err: io.EOF})
			}
			continue
		case !eol:
			return append(out, result{err: io.ErrUnexpectedEOF})
		}
		out = append(out, result{line: content})
	}
	return append(out, result{err: io.EOF})
}

// refLine decodes one line: its data, how many raw bytes preceded the
// '\n', the input after it, and whether a '\n' ended it.
func refLine(in []byte) (line string, raw int, rest []byte, eol bool) {
	var data []byte
	i := 0
	for i < len(in) {
		if in[i] == '\n' {
			return string(data), i, in[i+1:], true
		}
		n, b := refSeq(in[i:])
		data = append(data, b...)
		i += n
	}
	return string(data), len(in), nil, false
}

// refSeq returns the length of the data byte or Telnet sequence at the
// start of in (truncated at the end of input) and the data it stands for.
func refSeq(in []byte) (int, []byte) {
	if in[0] != 0xff {
		return 1, in[:1]
	}
	if len(in) == 1 {
		return 1, nil
	}
	switch c := in[1]; {
	case c == 0xff:
		return 2, []byte{0xff}
	case c >= 251 && c <= 254:
		return min(3, len(in)), nil
	case c == 250:
		return refSubLen(in), nil
	case c >= 240:
		return 2, nil
	default: // not a command: the IAC alone is dropped
		return 1, nil
	}
}

// refSubLen measures "IAC SB ... IAC SE", where IAC x pairs inside are
// skipped whole.
func refSubLen(in []byte) int {
	for j := 2; j < len(in); j++ {
		if in[j] != 0xff {
			continue
		}
		if j+1 < len(in) && in[j+1] == 0xf0 {
			return j + 2
		}
		j++
	}
	return len(in)
}

func maxOf(a, b int) int { return max(a, b) }
