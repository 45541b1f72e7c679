package wire

// MaxVerbLen is the longest verb ParseCommand accepts. Every command of
// RFC 959 and its extensions has 3 or 4 letters; 8 leaves room for
// site-specific verbs while rejecting binary garbage early.
const MaxVerbLen = 8

// Command is one parsed control line.
type Command struct {
	Verb string // upper-cased ASCII letters, e.g. "RETR"
	Arg  string // everything after the first space, verbatim (may contain spaces; may be empty)
}

// ParseCommand parses a line returned by ReadLine: optional leading spaces,
// a verb of 1..MaxVerbLen ASCII letters (upper-cased in the result), then
// either end of line or one space and the argument. A single trailing CR is
// stripped first, for lines that did not come through ReadLine.
//
// The argument is kept verbatim, leading and trailing spaces included,
// because file names may begin or end with a space. It may hold any byte;
// rejecting NUL or CR in it is the caller's policy, not a syntax rule.
// Anything else returns ErrBadCommand.
func ParseCommand(line []byte) (Command, error) {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	i := 0
	for i < len(line) && line[i] == ' ' {
		i++
	}
	j := i
	for j < len(line) && j-i <= MaxVerbLen && isLetter(line[j]) {
		j++
	}
	if j == i || j-i > MaxVerbLen {
		return Command{}, ErrBadCommand
	}
	verb := upperVerb(line[i:j])
	if j == len(line) {
		return Command{Verb: verb}, nil
	}
	if line[j] != ' ' {
		return Command{}, ErrBadCommand
	}
	return Command{Verb: verb, Arg: string(line[j+1:])}, nil
}

// upperVerb returns the verb in upper case, converting through a stack
// buffer so that parsing costs one allocation for the verb at most.
func upperVerb(v []byte) string {
	var buf [MaxVerbLen]byte
	n := copy(buf[:], v)
	for k := range n {
		if c := buf[k]; c >= 'a' && c <= 'z' {
			buf[k] = c - ('a' - 'A')
		}
	}
	return string(buf[:n])
}

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
