package wire

import (
	"bufio"
	"bytes"
	"io"
	"slices"
)

// Telnet command bytes (RFC 854) that change how the following bytes are read.
const (
	tnSE   = 240 // end of subnegotiation; also the lowest command byte
	tnSB   = 250 // start of subnegotiation
	tnWILL = 251 // WILL, WONT, DO, DONT (251..254) take one option byte
	tnDONT = 254
	tnIAC  = 255 // "interpret as command"
)

// telnetState is where a Telnet decoder stands between two bytes. It must
// survive across reads because a sequence may be split between two TCP
// segments (or two fills of the bufio buffer).
type telnetState uint8

const (
	tsData   telnetState = iota // ordinary data
	tsIAC                       // after IAC
	tsOption                    // after IAC WILL/WONT/DO/DONT: one option byte follows
	tsSub                       // inside IAC SB ... IAC SE
	tsSubIAC                    // after IAC inside a subnegotiation
)

// decode appends the data bytes of src to dst, dropping Telnet sequences. It
// stops after the first '\n' met as data and returns how many bytes of src
// it consumed and whether that newline was found. A '\n' inside a Telnet
// sequence (an option byte, a subnegotiation) does not end the line.
func (s *telnetState) decode(dst, src []byte) (out []byte, n int, eol bool) {
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch *s {
		case tsData:
			if c == '\n' {
				return dst, i + 1, true
			}
			if c == tnIAC {
				*s = tsIAC
				continue
			}
			dst = append(dst, c)
		case tsIAC:
			if c < tnSE {
				// Not a Telnet command. Drop the IAC and keep the byte:
				// this is what arrives for the RFC 959 abort sequence
				// when the kernel has pulled the urgent DM byte out of
				// the stream ("IAC IP IAC ABOR\r\n"), and it keeps a
				// stray IAC from swallowing the line's '\n'.
				*s = tsData
				i--
				continue
			}
			dst, *s = afterIAC(dst, c)
		case tsOption:
			*s = tsData
		case tsSub:
			if c == tnIAC {
				*s = tsSubIAC
			}
		case tsSubIAC:
			*s = tsSub
			if c == tnSE {
				*s = tsData
			}
		}
	}
	return dst, len(src), false
}

// afterIAC handles the Telnet command byte c (240..255) that followed an IAC.
func afterIAC(dst []byte, c byte) ([]byte, telnetState) {
	switch {
	case c == tnIAC: // IAC IAC is an escaped 0xFF data byte
		return append(dst, tnIAC), tsData
	case c >= tnWILL && c <= tnDONT:
		return dst, tsOption
	case c == tnSB:
		return dst, tsSub
	default: // IP, AO, AYT, DM, NOP, ... : two-byte commands, dropped
		return dst, tsData
	}
}

// ReadLine reads one control line from br and returns its content without
// the trailing "\r\n" or "\n", with Telnet sequences removed (IAC IAC gives a
// 0xFF byte; option negotiation, subnegotiation and two-byte commands such
// as IAC IP and IAC DM are dropped).
//
// The cap counts the raw bytes of the line, Telnet sequences included, so
// that a client cannot stream endless "IAC NOP" or an unterminated IAC SB
// past it; a terminating CR does not count. As soon as the line exceeds max
// bytes without a '\n', ReadLine returns ErrLineTooLong without reading any
// further from the connection (a hostile client may never send a newline).
// It first discards what is already buffered of the line, up to and
// including its '\n' if that is buffered; if it was, the next call starts on
// the next line, otherwise the stream is mid-line and the caller should close
// the connection (which is the expected reaction anyway).
//
// At clean EOF before any byte it returns io.EOF; at EOF inside a line,
// io.ErrUnexpectedEOF. Other read errors (deadlines) are returned as they are.
// The returned slice is freshly allocated (one allocation per line) and
// belongs to the caller; use AppendLine to reuse a buffer instead.
func ReadLine(br *bufio.Reader, max int) ([]byte, error) {
	line, err := AppendLine(nil, br, max)
	if err == nil && line == nil {
		line = []byte{}
	}
	return line, err
}

// AppendLine is ReadLine appending the line to dst, so that a session can
// reuse one buffer for every line and read commands without allocating. On
// error it returns dst unchanged.
func AppendLine(dst []byte, br *bufio.Reader, limit int) ([]byte, error) {
	limit = max(limit, 0)
	start := len(dst)
	var st telnetState
	raw := 0 // bytes of this line consumed so far, its '\n' excluded
	for {
		buf, err := peekBuffered(br)
		if err != nil {
			return dst[:start], eofError(err, raw)
		}
		// Allow limit content bytes, a CR and the '\n': never look further.
		buf = buf[:min(len(buf), limit+2-raw)]
		dst = growFor(dst, buf)
		var n int
		var eol bool
		dst, n, eol = st.decode(dst, buf)
		_, _ = br.Discard(n) // n bytes are buffered: cannot fail
		if eol {
			return finishLine(dst, start, limit)
		}
		raw += n
		if raw > limit+1 {
			discardBufferedLine(br)
			return dst[:start], ErrLineTooLong
		}
	}
}

// growFor makes room in dst for the data in buf up to its first '\n' (the
// usual case: the whole line is buffered), so that a line costs at most one
// allocation of about its own size rather than one of the buffer's size.
func growFor(dst, buf []byte) []byte {
	need := len(buf)
	if i := bytes.IndexByte(buf, '\n'); i >= 0 {
		need = i
	}
	if cap(dst)-len(dst) < need {
		dst = slices.Grow(dst, need)
	}
	return dst
}

// peekBuffered returns what br has buffered, reading once (and blocking)
// only when nothing is buffered. Working on the buffered bytes alone is what
// lets AppendLine stop at the cap without waiting for more input.
func peekBuffered(br *bufio.Reader) ([]byte, error) {
	if br.Buffered() == 0 {
		if _, err := br.Peek(1); err != nil {
			return nil, err
		}
	}
	return br.Peek(br.Buffered())
}

// finishLine strips one trailing CR from the line that starts at dst[start]
// and enforces the cap on what remains; the '\n' has been consumed, so the
// stream stays in step even when the line is refused.
func finishLine(dst []byte, start, limit int) ([]byte, error) {
	if len(dst) > start && dst[len(dst)-1] == '\r' {
		dst = dst[:len(dst)-1]
	}
	if len(dst)-start > limit {
		return dst[:start], ErrLineTooLong
	}
	return dst, nil
}

// discardBufferedLine drops the buffered rest of an overlong line, through
// its '\n' when that has arrived, without reading from the connection.
func discardBufferedLine(br *bufio.Reader) {
	buf, _ := br.Peek(br.Buffered())
	n := len(buf)
	if i := bytes.IndexByte(buf, '\n'); i >= 0 {
		n = i + 1
	}
	_, _ = br.Discard(n)
}

// eofError maps io.EOF to io.ErrUnexpectedEOF once part of a line was read,
// so that callers can tell a clean hang-up from a truncated command.
func eofError(err error, raw int) error {
	if err == io.EOF && raw > 0 {
		return io.ErrUnexpectedEOF
	}
	return err
}
