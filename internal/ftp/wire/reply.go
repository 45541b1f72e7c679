package wire

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// MaxReplySize caps what ReadReply accepts for one reply, so that a test
// client or the load generator cannot be made to buffer without bound.
const MaxReplySize = 64 << 10

// AppendReply appends one FTP reply (RFC 959 §4.2) to dst and returns it.
//
// A msg without '\n' gives "213 msg\r\n". A msg with '\n' is multi-line:
// "211-first\r\n", then each middle line prefixed with one space, then
// "211 last\r\n". The space is always added, so callers must not add their
// own (FEAT lines come out as " MDTM"): it guarantees that no middle line,
// whatever its text, can read as the end line "211 ...". One trailing '\r'
// of each piece is stripped, and any other CR or NUL becomes a space, so a
// file name cannot inject reply lines. A trailing '\n' in msg gives an empty
// last line ("211 ").
//
// The control connection is meant to carry UTF-8 (RFC 2640), in which a
// 0xFF byte cannot occur, so 0xFF is not Telnet-escaped; common clients do
// not decode Telnet in replies either.
//
// code must be 100..599; anything else is a programming error and panics
// (the engine's per-command recovery turns that into 421 and a stack log).
func AppendReply(dst []byte, code int, msg string) []byte {
	if code < 100 || code > 599 {
		panic(fmt.Sprintf("wire: reply code %d outside 100..599", code))
	}
	first, rest, multi := strings.Cut(msg, "\n")
	if !multi {
		return appendReplyLine(dst, code, ' ', first)
	}
	dst = appendReplyLine(dst, code, '-', first)
	for {
		line, more, ok := strings.Cut(rest, "\n")
		if !ok {
			return appendReplyLine(dst, code, ' ', rest)
		}
		dst = append(dst, ' ')
		dst = appendClean(dst, line)
		dst = append(dst, '\r', '\n')
		rest = more
	}
}

// appendReplyLine appends "NNN" sep text "\r\n".
func appendReplyLine(dst []byte, code int, sep byte, text string) []byte {
	dst = strconv.AppendInt(dst, int64(code), 10)
	dst = append(dst, sep)
	dst = appendClean(dst, text)
	return append(dst, '\r', '\n')
}

// appendClean appends s without one trailing CR and with every other CR or
// NUL replaced by a space.
func appendClean(dst []byte, s string) []byte {
	s = strings.TrimSuffix(s, "\r")
	for {
		i := strings.IndexAny(s, "\r\x00")
		if i < 0 {
			return append(dst, s...)
		}
		dst = append(dst, s[:i]...)
		dst = append(dst, ' ')
		s = s[i+1:]
	}
}

// ReadReply reads one complete, possibly multi-line, reply from br as a
// client does. It returns the code and the message lines joined by "\n":
// the "NNN-" and "NNN " prefixes are removed from the first and last line,
// middle lines are kept verbatim minus one leading space if present. A line
// ends at '\n', with a preceding CR removed. The whole reply is capped at
// MaxReplySize (ErrReplyTooLong). It returns io.EOF when the server closed
// before sending anything, io.ErrUnexpectedEOF when it closed mid-reply.
// Used by test clients and the load generator.
func ReadReply(br *bufio.Reader) (code int, msg string, err error) {
	rr := replyReader{br: br, budget: MaxReplySize}
	first, err := rr.line()
	if err != nil {
		return 0, "", err
	}
	code, sep, text, err := splitReplyLine(first)
	if err != nil || sep != '-' {
		return code, text, err
	}
	var sb strings.Builder
	sb.WriteString(text)
	for {
		line, err := rr.line()
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			return 0, "", err
		}
		sb.WriteByte('\n')
		if last, ok := endLineText(line, first[:3]); ok {
			sb.WriteString(last)
			return code, sb.String(), nil
		}
		sb.WriteString(strings.TrimPrefix(line, " "))
	}
}

// splitReplyLine splits the first line of a reply into its code, the
// separator (' ' for a single-line reply, '-' for the start of a multi-line
// one) and the text. A bare "NNN" line counts as a single-line reply.
func splitReplyLine(line string) (code int, sep byte, text string, err error) {
	if len(line) < 3 || line[0] < '1' || line[0] > '5' || !isDigit(line[1]) || !isDigit(line[2]) {
		return 0, 0, "", fmt.Errorf("%w: %.40q", ErrBadReply, line)
	}
	code = int(line[0]-'0')*100 + int(line[1]-'0')*10 + int(line[2]-'0')
	if len(line) == 3 {
		return code, ' ', "", nil
	}
	if line[3] != ' ' && line[3] != '-' {
		return 0, 0, "", fmt.Errorf("%w: %.40q", ErrBadReply, line)
	}
	return code, line[3], line[4:], nil
}

// endLineText reports whether line ends a multi-line reply with the given
// code ("NNN text" or a bare "NNN") and returns its text.
func endLineText(line, code string) (string, bool) {
	if !strings.HasPrefix(line, code) {
		return "", false
	}
	switch {
	case len(line) == 3:
		return "", true
	case line[3] == ' ':
		return line[4:], true
	}
	return "", false
}

// replyReader reads reply lines while charging them to one size budget.
type replyReader struct {
	br     *bufio.Reader
	budget int
}

// line returns the next line without its "\r\n" or "\n". Lines longer than
// br's buffer are assembled from several fragments.
func (r *replyReader) line() (string, error) {
	var acc []byte
	for {
		frag, err := r.br.ReadSlice('\n')
		r.budget -= len(frag)
		if r.budget < 0 {
			return "", ErrReplyTooLong
		}
		switch {
		case err == nil && acc == nil:
			return trimEOL(string(frag)), nil
		case err == nil:
			return trimEOL(string(append(acc, frag...))), nil
		case err == bufio.ErrBufferFull:
			acc = append(acc, frag...)
		case err == io.EOF && acc == nil && len(frag) == 0:
			return "", io.EOF
		case err == io.EOF:
			return "", io.ErrUnexpectedEOF
		default:
			return "", err
		}
	}
}

// trimEOL removes the trailing "\n" and one CR before it.
func trimEOL(s string) string {
	s = strings.TrimSuffix(s, "\n")
	return strings.TrimSuffix(s, "\r")
}
