package ftp

import (
	"io"
	"io/fs"
	"path"
	"strings"

	"wharf/internal/access"
	"wharf/internal/vfs"
)

// Policy is vsftpd's per-site access configuration that is not about
// protocol: who may try to log in, what names and commands are off limits,
// what anonymous users may do, and the messages users see.
type Policy struct {
	// CheckUser refuses a name at USER time, before a password is asked
	// (userlist_enable); its error is logged, the client gets 530.
	CheckUser func(name string) error
	// ForUser returns the options for a named user's session
	// (user_config_dir), or nil to keep the server's.
	ForUser func(name string) (*Options, error)
	// CheckAnonPassword vets the e-mail address anonymous users give as a
	// password (deny_email_enable, secure_email_list_enable).
	CheckAnonPassword func(password string) error
	// AnonWorldReadableOnly lets anonymous users download only files
	// readable by everyone (anon_world_readable_only).
	AnonWorldReadableOnly bool
	// MessageFile, when set, is shown on entering a directory that holds
	// it (dirmessage_enable, message_file).
	MessageFile string
	// DenyFile names are refused in every command; HideFile names are left
	// out of listings but stay reachable (deny_file, hide_file).
	DenyFile, HideFile *access.NameFilter
	// DownloadFile and UploadFile, when set and not empty, are the only
	// names that may be downloaded (RETR) or uploaded (STOR, APPE, STOU)
	// (Debian's download_file, upload_file).
	DownloadFile, UploadFile *access.NameFilter
	// CmdsAllowed, when non-nil, is the only commands accepted;
	// CmdsDenied are refused (cmds_allowed, cmds_denied).
	CmdsAllowed, CmdsDenied map[string]bool
}

// messageLimit caps a directory message: it goes into one reply.
const messageLimit = 4096

// cmdPermitted applies cmds_allowed and cmds_denied.
// As in vsftpd they apply after login: USER, PASS and QUIT always work.
func (s *session) cmdPermitted(verb string) bool {
	p := &s.opts.Policy
	if s.ident == nil {
		return true
	}
	if p.CmdsAllowed != nil && !p.CmdsAllowed[verb] {
		return false
	}
	return !p.CmdsDenied[verb]
}

// transferAllowed applies download_file or upload_file (f) to a resolved
// virtual path: an unset or empty filter allows every name.
func transferAllowed(f *access.NameFilter, vpath string) bool {
	return f == nil || f.Empty() || f.MatchPath(vpath)
}

// denied applies deny_file to a resolved virtual path.
func (s *session) denied(vpath string) bool {
	f := s.opts.Policy.DenyFile
	return f != nil && f.MatchPath(vpath)
}

// checkUser runs the USER-time checks: the user list, then the per-user
// options, which may change what the rest of the login requires.
func (s *session) checkUser(name string) error {
	p := &s.opts.Policy
	if p.CheckUser != nil {
		if err := p.CheckUser(name); err != nil {
			s.log.Warn("login refused at USER", "user", name, "reason", err.Error())
			return reply(530, "Permission denied.")
		}
	}
	if p.ForUser == nil {
		return nil
	}
	o, err := p.ForUser(name)
	if err != nil {
		s.log.Error("per-user configuration failed; login refused", "user", name, "err", err)
		return reply(530, "Login refused: this account's configuration is broken. Ask the administrator.")
	}
	if o != nil {
		uo := *o
		uo.fillDefaults()
		s.opts = &uo
	}
	return nil
}

// dirMessage returns the directory's message file, or "" when there is
// none or messages are off. A message never includes a CR or NUL byte.
func (s *session) dirMessage(dirName string) string {
	mf := s.opts.Policy.MessageFile
	if mf == "" {
		return ""
	}
	f, err := s.fs.Open(path.Join(dirName, mf))
	if err != nil {
		return ""
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, messageLimit))
	return strings.TrimRight(strings.NewReplacer("\r", "", "\x00", "").Replace(string(b)), "\n")
}

// worldReadableRefusal enforces anon_world_readable_only on a download.
func (s *session) worldReadableRefusal(fi fs.FileInfo) error {
	if s.ident.Anonymous && s.opts.Policy.AnonWorldReadableOnly && fi.Mode().Perm()&0o004 == 0 {
		return reply(550, "Permission denied: anonymous users may only download files readable by everyone.")
	}
	return nil
}

// openDir opens a directory for listing, leaving out hide_file names.
func (s *session) openDir(name string) (vfs.Dir, error) {
	d, err := s.fs.OpenDir(name)
	if err != nil || s.opts.Policy.HideFile == nil || s.opts.Policy.HideFile.Empty() {
		return d, err
	}
	return &hidingDir{Dir: d, hide: s.opts.Policy.HideFile}, nil
}

// hidingDir drops matching names from every page.
type hidingDir struct {
	vfs.Dir
	hide *access.NameFilter
}

func (h *hidingDir) ReadDir(n int) ([]fs.DirEntry, error) {
	for {
		page, err := h.Dir.ReadDir(n)
		kept := page[:0]
		for _, e := range page {
			if !h.hide.MatchName(e.Name()) {
				kept = append(kept, e)
			}
		}
		if len(kept) > 0 || err != nil {
			return kept, err
		}
	}
}
