package ftp

import (
	"bufio"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"

	"wharf/internal/ftp/listing"
)

func (s *session) cmdSYST(string) error {
	s.reply(215, "UNIX Type: L8")
	return nil
}

func (s *session) cmdNOOP(string) error {
	s.reply(200, "NOOP ok.")
	return nil
}

func (s *session) cmdHELP(string) error {
	var b strings.Builder
	b.WriteString("The following commands are recognized.")
	for i, v := range commandNames() {
		if i%10 == 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%-5s", v)
	}
	b.WriteString("\nHelp OK.")
	s.reply(214, b.String())
	return nil
}

// features is the FEAT list (RFC 2389), one feature per line.
var features = []string{
	"EPRT", "EPSV", "MDTM", "MFMT", listing.FeatMLST, "PASV", "REST STREAM", "SIZE", "TVFS", "UTF8",
}

// tlsFeatures are added to FEAT when FTPS is on (RFC 4217 §6).
var tlsFeatures = []string{"AUTH TLS", "AUTH SSL", "PBSZ", "PROT"}

func (s *session) cmdFEAT(string) error {
	feats := features
	if s.tlsEnabled() {
		feats = append(slices.Clone(tlsFeatures), features...)
	}
	s.reply(211, "Features:\n"+strings.Join(feats, "\n")+"\nEnd")
	return nil
}

func (s *session) protection(on bool) string {
	if on {
		return "TLS-encrypted"
	}
	return "plain text"
}

func (s *session) cmdOPTS(arg string) error {
	opt, val, _ := strings.Cut(strings.ToUpper(arg), " ")
	switch opt {
	case "UTF8":
		if val == "ON" || val == "" {
			s.reply(200, "Always in UTF8 mode.")
			return nil
		}
		return reply(504, "UTF8 cannot be turned off: names are always UTF-8.")
	case "MLST":
		s.reply(200, "MLST OPTS type;size;modify;perm;unix.mode;")
		return nil
	}
	return reply(501, "Option not understood; OPTS supports UTF8 and MLST.")
}

// cmdSTAT without an argument describes the session; with one it lists a
// path over the control connection (RFC 959), which some clients use to
// avoid a data connection.
func (s *session) cmdSTAT(arg string) error {
	if arg == "" {
		s.reply(211, s.statusText())
		return nil
	}
	if s.ident == nil {
		return errNotLoggedIn
	}
	if !s.rights.list {
		return reply(550, "Permission denied: directory listings are disabled for this account.")
	}
	flags, p := listing.SplitArgs(arg)
	_, name, err := s.resolve(p)
	if err != nil {
		return err
	}
	fi, err := s.fs.Stat(name)
	if err != nil {
		return err
	}
	return s.statListing(name, p, fi, s.listOptions(flags, name))
}

func (s *session) statListing(name, shown string, fi fs.FileInfo, opts listing.Options) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.raw.SetWriteDeadline(time.Now().Add(s.opts.DataTimeout))
	bw := bufio.NewWriter(s.conn)
	bw.WriteString("213-Status follows:\r\n")
	err := s.writeListing(bw, name, shown, fi, fmtLong, opts, false)
	if err != nil {
		s.log.Warn("STAT listing failed", "err", err)
	}
	bw.WriteString("213 End of status.\r\n")
	return bw.Flush()
}

func (s *session) statusText() string {
	lines := []string{"FTP server status:", "Connected to " + s.peer.String()}
	if s.ident != nil {
		lines = append(lines, "Logged in as "+s.ident.Name)
	} else {
		lines = append(lines, "Not logged in")
	}
	lines = append(lines,
		"TYPE: "+s.modeName(),
		"Session timeout in seconds is "+strconv.Itoa(int(s.opts.IdleTimeout/time.Second)),
		"Control connection is "+s.protection(s.tlsOn),
		"Data connections will be "+s.protection(s.protP))
	if s.xfer != nil && !s.xfer.isDone() {
		lines = append(lines, "A transfer is in progress")
	}
	lines = append(lines, "End of status")
	return strings.Join(lines, "\n")
}

func (s *session) cmdSITE(arg string) error {
	sub, rest, _ := strings.Cut(arg, " ")
	switch strings.ToUpper(sub) {
	case "CHMOD":
		return s.siteChmod(rest)
	case "UMASK":
		return s.siteUmask(rest)
	case "HELP":
		s.reply(214, "CHMOD UMASK HELP")
		return nil
	}
	return reply(500, "Unknown SITE command; SITE HELP lists them.")
}

func (s *session) siteChmod(arg string) error {
	if !s.opts.ChmodEnable {
		return reply(550, "Permission denied: SITE CHMOD is disabled on this server (chmod_enable=NO).")
	}
	modeText, p, ok := strings.Cut(arg, " ")
	mode, err := strconv.ParseUint(modeText, 8, 32)
	if !ok || err != nil || mode > 0o7777 || p == "" {
		return reply(501, "Usage: SITE CHMOD <octal mode> <path>.")
	}
	chmod := func(name string) error { return s.fs.Chmod(name, unixMode(uint32(mode))) }
	return s.modify(p, chmod, 200, "SITE CHMOD command ok.")
}

// unixMode turns octal permission bits into an fs.FileMode.
func unixMode(m uint32) fs.FileMode {
	fm := fs.FileMode(m & 0o777)
	if m&0o4000 != 0 {
		fm |= fs.ModeSetuid
	}
	if m&0o2000 != 0 {
		fm |= fs.ModeSetgid
	}
	if m&0o1000 != 0 {
		fm |= fs.ModeSticky
	}
	return fm
}

func (s *session) siteUmask(arg string) error {
	if arg == "" {
		s.reply(200, fmt.Sprintf("Your current UMASK is %04o", uint32(s.umask)))
		return nil
	}
	m, err := strconv.ParseUint(arg, 8, 32)
	if err != nil || m > 0o777 {
		return reply(501, "Usage: SITE UMASK <octal mask from 000 to 777>.")
	}
	s.umask = fs.FileMode(m)
	s.reply(200, fmt.Sprintf("UMASK set to %04o", m))
	return nil
}

// cmdNotOffered answers commands Wharf deliberately does not implement.
func (s *session) cmdNotOffered(string) error {
	return reply(502, "Command not implemented: Wharf secures sessions with AUTH TLS only.")
}
