package wire

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Error texts of the address parsers. They describe the expected form and
// never quote the client's input (see the package comment).
const (
	errPORTSyntax   = argError("PORT needs six numbers h1,h2,h3,h4,p1,p2 from 0 to 255")
	errPORTZero     = argError("PORT port must not be 0")
	errPASVv6       = argError("PASV needs an IPv4 address; use EPSV for IPv6")
	errEPRTSyntax   = argError("EPRT needs <d>proto<d>address<d>port<d>, e.g. |1|192.0.2.1|5000| or |2|2001:db8::1|5000|")
	errEPRTv4       = argError("EPRT protocol 1 needs an IPv4 address such as 192.0.2.1")
	errEPRTv6       = argError("EPRT protocol 2 needs an IPv6 address such as 2001:db8::1, without zone")
	errEPRTPort     = argError("EPRT port must be a number from 1 to 65535")
	errEPSVSyntax   = argError("EPSV takes no argument, 1, 2 or ALL")
	errPASVReply    = argError("no h1,h2,h3,h4,p1,p2 address in the PASV reply")
	errPASVReplyVal = argError("PASV reply address has a number above 255 or port 0")
	errEPSVReply    = argError("no (|||port|) in the EPSV reply")
)

// ParsePORT parses the argument of PORT, "h1,h2,h3,h4,p1,p2" with each
// number 0..255 in decimal and spaces tolerated around the numbers, into an
// IPv4 address and port. Port 0 is refused: nothing can be dialled there.
// Whether the address is acceptable (same peer, privileged port) is the
// data-connection layer's decision, not a syntax question.
func ParsePORT(arg string) (netip.AddrPort, error) {
	var n [6]byte
	if !parseByteList(arg, n[:]) {
		return netip.AddrPort{}, errPORTSyntax
	}
	port := uint16(n[4])<<8 | uint16(n[5])
	if port == 0 {
		return netip.AddrPort{}, errPORTZero
	}
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte(n[:4])), port), nil
}

// parseByteList fills out from a comma-separated list of exactly len(out)
// decimal numbers 0..255, each optionally surrounded by spaces.
func parseByteList(s string, out []byte) bool {
	for i := range out {
		field, rest, found := strings.Cut(s, ",")
		if found == (i == len(out)-1) { // too few or too many fields
			return false
		}
		v, ok := parseDecimal(strings.Trim(field, " "), 3)
		if !ok || v > 255 {
			return false
		}
		out[i] = byte(v)
		s = rest
	}
	return true
}

// parseDecimal parses 1..maxDigits ASCII digits; signs, spaces and other
// bases are refused so that "+1", "0x1" or "1e2" never pass as numbers.
func parseDecimal(s string, maxDigits int) (int, bool) {
	if len(s) == 0 || len(s) > maxDigits {
		return 0, false
	}
	v := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		v = v*10 + int(s[i]-'0')
	}
	return v, true
}

// FormatPASV formats an IPv4 (or IPv4-mapped IPv6, which it unmaps) address
// and port as "h1,h2,h3,h4,p1,p2" for the 227 reply. A real IPv6 address
// cannot be expressed in that form; the server must then refuse PASV.
func FormatPASV(ap netip.AddrPort) (string, error) {
	a := ap.Addr().Unmap()
	if !a.Is4() {
		return "", errPASVv6
	}
	b, p := a.As4(), ap.Port()
	out := make([]byte, 0, len("255,255,255,255,255,255"))
	for i, v := range [6]byte{b[0], b[1], b[2], b[3], byte(p >> 8), byte(p)} {
		if i > 0 {
			out = append(out, ',')
		}
		out = strconv.AppendUint(out, uint64(v), 10)
	}
	return string(out), nil
}

// ParseEPRT parses the RFC 2428 argument "<d>proto<d>address<d>port<d>",
// where <d> is any ASCII character 33..126 (usually '|'). Protocol 1 needs an
// IPv4 address, protocol 2 an IPv6 one without zone (a zone names an
// interface of the client's host, meaningless on the server); an
// IPv4-mapped IPv6 address is accepted under protocol 2 and kept as given.
// The port is 1..65535. A well-formed but unknown protocol number returns an
// error wrapping ErrUnsupportedProtocol (reply 522); other errors match
// ErrBadArgument (reply 501).
func ParseEPRT(arg string) (netip.AddrPort, error) {
	if len(arg) < 2 || arg[0] < 33 || arg[0] > 126 {
		return netip.AddrPort{}, errEPRTSyntax
	}
	f := strings.Split(arg[1:], arg[:1])
	if len(f) != 4 || f[3] != "" {
		return netip.AddrPort{}, errEPRTSyntax
	}
	addr, err := parseEPRTAddr(f[0], f[1])
	if err != nil {
		return netip.AddrPort{}, err
	}
	port, ok := parseDecimal(f[2], 5)
	if !ok || port < 1 || port > 65535 {
		return netip.AddrPort{}, errEPRTPort
	}
	return netip.AddrPortFrom(addr, uint16(port)), nil
}

// parseEPRTAddr checks the address field of EPRT against its protocol field.
func parseEPRTAddr(proto, s string) (netip.Addr, error) {
	switch proto {
	case "1":
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is4() {
			return netip.Addr{}, errEPRTv4
		}
		return a, nil
	case "2":
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is6() || a.Zone() != "" {
			return netip.Addr{}, errEPRTv6
		}
		return a, nil
	}
	if _, ok := parseDecimal(proto, 3); ok {
		return netip.Addr{}, fmt.Errorf("EPRT: %w", ErrUnsupportedProtocol)
	}
	return netip.Addr{}, errEPRTSyntax
}

// FormatEPRT is the inverse of ParseEPRT: "|1|127.0.0.1|5000|" or
// "|2|::1|5000|". An IPv4-mapped address stays under protocol 2 so that the
// round trip is exact; a zone is dropped because ParseEPRT refuses it.
func FormatEPRT(ap netip.AddrPort) string {
	a := ap.Addr().WithZone("")
	proto := "|2|"
	if a.Is4() {
		proto = "|1|"
	}
	return proto + a.String() + "|" + strconv.Itoa(int(ap.Port())) + "|"
}

// FormatEPSV returns the text inside the 229 reply, "(|||port|)".
func FormatEPSV(port uint16) string {
	return "(|||" + strconv.Itoa(int(port)) + "|)"
}

// ParseEPSVArg validates the argument of EPSV: "" (any protocol), "1", "2"
// or "ALL" (case-insensitive; the client promises to use only EPSV from now
// on). Surrounding spaces are ignored. It returns proto 0 for "any". A
// well-formed but unknown protocol number returns an error wrapping
// ErrUnsupportedProtocol (reply 522); anything else matches ErrBadArgument.
func ParseEPSVArg(arg string) (proto int, all bool, err error) {
	s := strings.Trim(arg, " ")
	switch {
	case s == "":
		return 0, false, nil
	case s == "1" || s == "2":
		return int(s[0] - '0'), false, nil
	case strings.EqualFold(s, "ALL"):
		return 0, true, nil
	}
	if _, ok := parseDecimal(s, 3); ok {
		return 0, false, fmt.Errorf("EPSV: %w", ErrUnsupportedProtocol)
	}
	return 0, false, errEPSVSyntax
}

// ParsePASVReply extracts the address from the text of a 227 reply such as
// "Entering Passive Mode (127,0,0,1,156,64).": the first run of six
// comma-separated numbers, with or without parentheses, since servers
// differ. Used by test clients and the load generator.
func ParsePASVReply(msg string) (netip.AddrPort, error) {
	for i := 0; i < len(msg); i++ {
		if !isDigit(msg[i]) || i > 0 && isDigit(msg[i-1]) {
			continue
		}
		if n, ok := scanNumberRun(msg[i:]); ok {
			return pasvAddr(n)
		}
	}
	return netip.AddrPort{}, errPASVReply
}

// scanNumberRun reads six comma-separated decimal numbers, spaces allowed
// around the commas, from the start of s. Values above 255 are reported as
// 256 so that the caller can refuse them after finding the run.
func scanNumberRun(s string) ([6]int, bool) {
	var n [6]int
	for k := range n {
		if k > 0 {
			s = strings.TrimLeft(s, " ")
			if s == "" || s[0] != ',' {
				return n, false
			}
			s = strings.TrimLeft(s[1:], " ")
		}
		d := 0
		for d < len(s) && isDigit(s[d]) {
			d++
		}
		if d == 0 {
			return n, false
		}
		v, ok := parseDecimal(s[:d], 3)
		n[k] = 256
		if ok {
			n[k] = v
		}
		s = s[d:]
	}
	return n, true
}

// pasvAddr builds the address of a PASV reply, refusing values above 255 and
// port 0 (a client cannot connect there).
func pasvAddr(n [6]int) (netip.AddrPort, error) {
	var b [6]byte
	for i, v := range n {
		if v > 255 {
			return netip.AddrPort{}, errPASVReplyVal
		}
		b[i] = byte(v)
	}
	port := uint16(b[4])<<8 | uint16(b[5])
	if port == 0 {
		return netip.AddrPort{}, errPASVReplyVal
	}
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[:4])), port), nil
}

// ParseEPSVReply extracts the port from the text of a 229 reply such as
// "Entering Extended Passive Mode (|||40001|)". RFC 2428 lets the server
// pick any delimiter from ASCII 33..126 other than a digit; the port is
// 1..65535.
func ParseEPSVReply(msg string) (uint16, error) {
	for s := msg; ; {
		i := strings.IndexByte(s, '(')
		if i < 0 {
			return 0, errEPSVReply
		}
		s = s[i+1:]
		if p, ok := parseEPSVBody(s); ok {
			return p, nil
		}
	}
}

// parseEPSVBody parses "<d><d><d>port<d>)" at the start of s.
func parseEPSVBody(s string) (uint16, bool) {
	if len(s) < 6 {
		return 0, false
	}
	d := s[0]
	if d < 33 || d > 126 || isDigit(d) || s[1] != d || s[2] != d {
		return 0, false
	}
	num, rest, found := strings.Cut(s[3:], s[:1])
	port, ok := parseDecimal(num, 5)
	if !found || !ok || port < 1 || port > 65535 || !strings.HasPrefix(rest, ")") {
		return 0, false
	}
	return uint16(port), true
}
