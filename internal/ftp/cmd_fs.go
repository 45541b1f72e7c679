package ftp

import (
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"wharf/internal/ftp/listing"
)

// quotePath quotes a path for 257 replies: RFC 959 doubles embedded quotes.
func quotePath(p string) string {
	return `"` + strings.ReplaceAll(p, `"`, `""`) + `"`
}

func (s *session) cmdPWD(string) error {
	s.reply(257, quotePath(s.cwd)+" is the current directory.")
	return nil
}

func (s *session) cmdCWD(arg string) error {
	if arg == "" {
		arg = "/"
	}
	vpath, name, err := s.resolve(arg)
	if err != nil {
		return err
	}
	fi, err := s.fs.Stat(name)
	if err != nil {
		return reply(550, "Failed to change directory: no such directory.")
	}
	if !fi.IsDir() {
		return reply(550, "Failed to change directory: that is a file.")
	}
	s.cwd = vpath
	if msg := s.dirMessage(name); msg != "" {
		s.reply(250, msg+"\nDirectory successfully changed.")
		return nil
	}
	s.reply(250, "Directory successfully changed.")
	return nil
}

func (s *session) cmdCDUP(string) error { return s.cmdCWD("..") }

func (s *session) cmdMKD(arg string) error {
	if !s.rights.mkdir {
		return errWriteDisabled
	}
	vpath, name, err := s.resolve(arg)
	if err != nil {
		return err
	}
	if err := s.fs.Mkdir(name, 0o777&^s.umask); err != nil {
		return err
	}
	s.reply(257, quotePath(vpath)+" created.")
	return nil
}

func (s *session) cmdRMD(arg string) error {
	return s.modify(arg, s.fs.RemoveDir, 250, "Remove directory operation successful.")
}

func (s *session) cmdDELE(arg string) error {
	return s.modify(arg, s.fs.Remove, 250, "Delete operation successful.")
}

// modify runs a change that needs the modify right (delete, rename, chmod,
// times) and answers code/ok when it succeeds.
func (s *session) modify(arg string, op func(name string) error, code int, ok string) error {
	if !s.rights.modify {
		return errWriteDisabled
	}
	_, name, err := s.resolve(arg)
	if err != nil {
		return err
	}
	if err := op(name); err != nil {
		return err
	}
	s.reply(code, ok)
	return nil
}

func (s *session) cmdRNFR(arg string) error {
	s.renameFrom = ""
	if !s.rights.modify {
		return errWriteDisabled
	}
	_, name, err := s.resolve(arg)
	if err != nil {
		return err
	}
	if _, err := s.fs.Lstat(name); err != nil {
		return err
	}
	s.renameFrom = name
	s.reply(350, "Ready for RNTO.")
	return nil
}

func (s *session) cmdRNTO(arg string) error {
	from := s.renameFrom
	s.renameFrom = ""
	if from == "" {
		return reply(503, "Send RNFR first, then RNTO.")
	}
	return s.modify(arg, func(to string) error { return s.fs.Rename(from, to) }, 250, "Rename successful.")
}

func (s *session) cmdSIZE(arg string) error {
	fi, err := s.statArg(arg)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return reply(550, "Could not get file size: not a regular file.")
	}
	s.reply(213, strconv.FormatInt(fi.Size(), 10))
	return nil
}

// mdtmLayout is RFC 3659's time-val, always in UTC.
const mdtmLayout = "20060102150405"

func (s *session) cmdMDTM(arg string) error {
	fi, err := s.statArg(arg)
	if err != nil {
		return err
	}
	s.reply(213, fi.ModTime().UTC().Format(mdtmLayout))
	return nil
}

// cmdMFMT sets a file's modification time: "MFMT YYYYMMDDHHMMSS path".
func (s *session) cmdMFMT(arg string) error {
	if !s.opts.MdtmWrite {
		return reply(550, "Permission denied: setting modification times is disabled on this server (mdtm_write=NO).")
	}
	stamp, p, ok := strings.Cut(arg, " ")
	t, err := time.ParseInLocation(mdtmLayout, stamp, time.UTC)
	if !ok || err != nil || p == "" {
		return reply(501, "Usage: MFMT YYYYMMDDHHMMSS path (time in UTC).")
	}
	setTimes := func(name string) error { return s.fs.Chtimes(name, t, t) }
	return s.modify(p, setTimes, 213, "Modify="+stamp+"; "+p)
}

func (s *session) statArg(arg string) (fs.FileInfo, error) {
	_, name, err := s.resolve(arg)
	if err != nil {
		return nil, err
	}
	return s.fs.Stat(name)
}

// cmdMLST sends one entry's facts over the control connection.
func (s *session) cmdMLST(arg string) error {
	vpath, name, err := s.resolve(arg)
	if err != nil {
		return err
	}
	fi, err := s.fs.Stat(name)
	if err != nil {
		return err
	}
	facts := listing.MLSTFacts(fi, s.factOptions(), vpath == s.cwd)
	s.reply(250, fmt.Sprintf("Listing %s\n%s %s\nEnd.", vpath, facts, vpath))
	return nil
}
