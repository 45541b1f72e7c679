// Package wire holds the pure codecs of the FTP control connection: reading
// capped control lines with Telnet (RFC 854) sequences removed, parsing
// command lines, the address arguments of PORT/EPRT and the PASV/EPSV
// replies (RFC 959, RFC 2428), and writing and reading multi-line replies.
//
// It imports nothing from the module and does no I/O of its own beyond the
// bufio.Reader it is handed, so every function can be table-tested and fuzzed
// in isolation; the engine, the data-connection code and test clients share
// one implementation of each rule.
//
// Error texts never echo client input, so a caller may put err.Error() into
// a reply without risking reply injection.
package wire

import "errors"

var (
	// ErrLineTooLong reports a control line longer than the caller's cap.
	// The connection should normally be closed: see ReadLine.
	ErrLineTooLong = errors.New("control line too long")

	// ErrBadCommand reports a line that is not a command: the verb is
	// missing, longer than 8 letters, or followed by something other than
	// end of line or a space.
	ErrBadCommand = errors.New("syntax error in command line")

	// ErrBadArgument is matched (errors.Is) by every syntax error of the
	// address and EPSV argument parsers, so a server can answer 501 for all
	// of them while the error text still says what was wrong.
	ErrBadArgument = errors.New("syntax error in argument")

	// ErrUnsupportedProtocol is wrapped by EPRT/EPSV errors for a
	// well-formed but unknown network protocol number, which RFC 2428 answers
	// with 522 rather than 501.
	ErrUnsupportedProtocol = errors.New("network protocol not supported, use (1,2)")

	// ErrBadReply reports a server reply line that does not start with a
	// three-digit code followed by a space, a hyphen or end of line.
	ErrBadReply = errors.New("malformed FTP reply")

	// ErrReplyTooLong reports a reply larger than MaxReplySize.
	ErrReplyTooLong = errors.New("FTP reply too long")
)

// argError is a descriptive syntax error that still matches ErrBadArgument,
// so callers can branch on the sentinel without parsing the text.
type argError string

func (e argError) Error() string { return string(e) }

// Is makes errors.Is(err, ErrBadArgument) true for every argError.
func (e argError) Is(target error) bool { return target == ErrBadArgument }
