package ftp

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"wharf/internal/ftp/dataconn"
	"wharf/internal/ftp/wire"
)

func (s *session) cmdPORT(arg string) error {
	ap, err := wire.ParsePORT(arg)
	if err != nil {
		return reply(501, "Bad PORT argument: "+err.Error())
	}
	return s.setActive(ap)
}

func (s *session) cmdEPRT(arg string) error {
	ap, err := wire.ParseEPRT(arg)
	if errors.Is(err, wire.ErrUnsupportedProtocol) {
		return reply(522, "Network protocol not supported, use (1,2).")
	}
	if err != nil {
		return reply(501, "Bad EPRT argument: "+err.Error())
	}
	return s.setActive(ap)
}

// setActive records where the next data connection goes (active mode),
// after the bounce-attack checks.
func (s *session) setActive(ap netip.AddrPort) error {
	switch {
	case !s.opts.PortEnable:
		return reply(502, "Active mode (PORT/EPRT) is disabled on this server; use passive mode (PASV/EPSV).")
	case s.epsvAll:
		return reply(503, "EPSV ALL was sent: only EPSV may set up data connections now.")
	}
	if ap.Addr().IsUnspecified() {
		// lftp sends EPRT |2|::|port| on loopback: "my own address". It
		// can only mean the peer, so it cannot be used for a bounce.
		ap = netip.AddrPortFrom(s.peer.Addr(), ap.Port())
	}
	if err := dataconn.CheckActiveTarget(ap, s.peer.Addr(), s.opts.PortPromiscuous); err != nil {
		s.log.Warn("active mode target refused", "target", ap.String(), "reason", err.Error())
		return reply(500, "Illegal PORT command: "+err.Error()+".")
	}
	s.closePassive()
	s.activeTo = ap
	s.reply(200, "PORT command successful. Consider using PASV.")
	return nil
}

func (s *session) cmdPASV(string) error {
	if s.epsvAll {
		return reply(503, "EPSV ALL was sent: only EPSV may set up data connections now.")
	}
	announce := s.opts.PasvAddress
	if !announce.IsValid() {
		announce = s.local.Addr()
	}
	// The listener is on the control connection's address, so over IPv6
	// no IPv4 address, not even pasv_address, would reach it.
	if !announce.Unmap().Is4() || !s.local.Addr().Is4() {
		return reply(425, "PASV can only announce IPv4 addresses; this connection is IPv6: use EPSV.")
	}
	port, err := s.openPassive()
	if err != nil {
		return err
	}
	text, _ := wire.FormatPASV(netip.AddrPortFrom(announce.Unmap(), port))
	s.reply(227, "Entering Passive Mode ("+text+").")
	return nil
}

func (s *session) cmdEPSV(arg string) error {
	proto, all, err := wire.ParseEPSVArg(arg)
	if errors.Is(err, wire.ErrUnsupportedProtocol) {
		return reply(522, "Network protocol not supported, use (1,2).")
	}
	if err != nil {
		return reply(501, "Bad EPSV argument: use EPSV, EPSV 1, EPSV 2 or EPSV ALL.")
	}
	if all {
		s.epsvAll = true
		s.reply(200, "EPSV ALL ok: only EPSV will be used for data connections.")
		return nil
	}
	if wantV6 := proto == 2; proto != 0 && wantV6 == s.local.Addr().Unmap().Is4() {
		return reply(522, "Network protocol not supported on this connection, use ("+s.netProto()+").")
	}
	port, err := s.openPassive()
	if err != nil {
		return err
	}
	s.reply(229, "Entering Extended Passive Mode "+wire.FormatEPSV(port)+".")
	return nil
}

func (s *session) netProto() string {
	if s.local.Addr().Unmap().Is4() {
		return "1"
	}
	return "2"
}

// openPassive replaces any previous passive listener with a new one, so a
// client that repeats PASV never holds more than one port of the range.
func (s *session) openPassive() (uint16, error) {
	if !s.opts.PasvEnable {
		return 0, reply(502, "Passive mode (PASV/EPSV) is disabled on this server; use active mode (PORT/EPRT).")
	}
	if !s.local.IsValid() {
		// Not an IP control connection (ServeConn over a pipe): listening
		// on the zero address would open the port on every interface, for
		// a peer that AcceptFrom can never match.
		return 0, reply(425, "Passive mode needs a TCP control connection.")
	}
	s.closePassive()
	s.activeTo = netip.AddrPort{}
	l, err := dataconn.ListenPassive(s.local.Addr(), s.opts.PasvPorts)
	if errors.Is(err, dataconn.ErrRangeExhausted) {
		s.log.Warn("passive port range exhausted", "range", s.opts.PasvPorts.String())
		return 0, reply(425, fmt.Sprintf("No passive port free in the range %s; try again later.", s.opts.PasvPorts))
	}
	if err != nil {
		s.log.Error("passive listen failed", "err", err)
		return 0, reply(425, "Cannot open a passive port; try again later.")
	}
	s.pasv = l
	return uint16(l.Addr().(*net.TCPAddr).Port), nil
}

func (s *session) closePassive() {
	if s.pasv != nil {
		s.pasv.Close()
		s.pasv = nil
	}
}

// resetTransferState forgets the data-connection setup and REST/RNFR.
func (s *session) resetTransferState() {
	s.closePassive()
	s.activeTo = netip.AddrPort{}
	s.restOffset = 0
	s.renameFrom = ""
	s.epsvAll = false
	s.ascii = true // see newSession
}

func (s *session) cmdTYPE(arg string) error {
	switch strings.ToUpper(strings.Join(strings.Fields(arg), " ")) {
	case "I", "L 8":
		s.ascii = false
		s.reply(200, "Switching to Binary mode.")
	case "A", "A N":
		s.ascii = true
		s.reply(200, "Switching to ASCII mode.")
	default:
		return reply(504, "Unsupported TYPE: use TYPE I (binary) or TYPE A (ASCII).")
	}
	return nil
}

func (s *session) cmdSTRU(arg string) error {
	if strings.EqualFold(arg, "F") {
		s.reply(200, "Structure set to F.")
		return nil
	}
	return reply(504, "Only file structure (STRU F) is supported.")
}

func (s *session) cmdMODE(arg string) error {
	if strings.EqualFold(arg, "S") {
		s.reply(200, "Mode set to S.")
		return nil
	}
	return reply(504, "Only stream mode (MODE S) is supported.")
}

func (s *session) cmdREST(arg string) error {
	n, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || n < 0 {
		return reply(501, "REST needs a non-negative byte offset.")
	}
	s.restOffset = n
	s.reply(350, fmt.Sprintf("Restart position accepted (%d).", n))
	return nil
}

func (s *session) cmdALLO(string) error {
	s.reply(202, "ALLO command ignored: no space needs to be reserved.")
	return nil
}

// cmdABOR stops a running transfer at once: the transfer answers 426 and
// ABOR then answers 226 (RFC 959 §4.1.3).
func (s *session) cmdABOR(string) error {
	x := s.xfer
	if x == nil || x.isDone() {
		s.reapTransfer()
		s.closePassive()
		s.reply(225, "No transfer to ABOR.")
		return nil
	}
	x.abort()
	x.wait()
	s.reapTransfer()
	s.reply(226, "ABOR successful.")
	return nil
}
