package ftp

import (
	"context"
	"strings"
	"time"

	"wharf/internal/auth"
	"wharf/internal/vfs"
)

// isAnonymousName reports the two names vsftpd treats as anonymous.
func isAnonymousName(name string) bool {
	return strings.EqualFold(name, "anonymous") || strings.EqualFold(name, "ftp")
}

func (s *session) cmdUSER(name string) error {
	if s.ident != nil {
		return reply(530, "Already logged in; use REIN to log in as someone else.")
	}
	s.pendingUsr = ""
	s.opts = &s.srv.opts // a previous USER may have loaded per-user options
	if !isAnonymousName(name) {
		if err := s.checkUser(name); err != nil {
			return err
		}
	}
	if r := s.loginNeedsTLS(isAnonymousName(name)); r != nil {
		return r
	}
	if isAnonymousName(name) {
		if !s.opts.AnonymousEnable {
			return reply(530, "Anonymous login is disabled on this server.")
		}
		s.pendingUsr = name
		if s.opts.NoAnonPassword {
			return s.loginAnonymous("")
		}
		s.reply(331, "Anonymous login: send your e-mail address as the password.")
		return nil
	}
	if !s.opts.LocalEnable {
		return reply(530, "This FTP server is anonymous only.")
	}
	s.pendingUsr = name
	s.reply(331, "Please specify the password.")
	return nil
}

func (s *session) cmdPASS(pw string) error {
	if s.ident != nil {
		return reply(230, "Already logged in.")
	}
	if s.pendingUsr == "" {
		return reply(503, "Send USER first, then PASS.")
	}
	if isAnonymousName(s.pendingUsr) {
		return s.loginAnonymous(pw)
	}
	return s.loginLocal(pw)
}

func (s *session) loginAnonymous(email string) error {
	if check := s.opts.Policy.CheckAnonPassword; check != nil {
		if err := check(email); err != nil {
			s.pendingUsr = ""
			return s.loginFailed("anonymous", err)
		}
	}
	id := &auth.Identity{
		Name: "anonymous", Home: s.opts.AnonRoot, Anonymous: true,
		Perms: auth.PermRead | auth.PermList | auth.PermWrite, UID: -1, GID: -1,
	}
	s.log.Info("login", "user", "anonymous", "password_as_email", email)
	return s.startSession(id)
}

func (s *session) loginLocal(pw string) error {
	user := s.pendingUsr
	s.pendingUsr = ""
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	id, err := s.opts.Auth.Authenticate(ctx, auth.Request{
		User: user, Password: pw, Remote: s.peer, Protocol: "ftp",
	})
	if err != nil {
		return s.loginFailed(user, err)
	}
	return s.startSession(id)
}

// loginFailed answers every failure the same way (no hint which names
// exist), logs the real reason, waits FailedLoginWait to slow guessing and
// ends the session after MaxLoginFails.
func (s *session) loginFailed(user string, err error) error {
	s.loginFails++
	s.log.Warn("login failed", "user", user, "reason", auth.FailureReason(err), "err", err.Error(), "attempt", s.loginFails)
	s.opts = &s.srv.opts
	if s.opts.FailedLoginWait > 0 {
		time.Sleep(s.opts.FailedLoginWait)
	}
	if s.opts.MaxLoginFails > 0 && s.loginFails >= s.opts.MaxLoginFails {
		s.quit = true
		return reply(530, "Login incorrect. Too many failed logins; closing the connection.")
	}
	return reply(530, "Login incorrect.")
}

// startSession opens the user's files and computes what they may do.
func (s *session) startSession(id *auth.Identity) error {
	fsys, err := s.opts.OpenFS(id)
	if err != nil {
		s.log.Error("login refused: cannot open the user's root", "user", id.Name, "root", id.Home, "err", err)
		return reply(530, "Login failed: your home directory is not available. Ask the administrator.")
	}
	s.ident, s.fs, s.cwd = id, fsys, vfs.StartDir(fsys, id.StartDir)
	s.rights = s.computeRights(id)
	s.umask = s.opts.LocalUmask
	if id.Anonymous {
		s.umask = s.opts.AnonUmask
	}
	s.log = s.log.With("user", id.Name)
	s.log.Info("login ok", "root", id.Home, "anonymous", id.Anonymous)
	if s.opts.LoginWait > 0 {
		time.Sleep(s.opts.LoginWait)
	}
	s.reply(230, "Login successful.")
	return nil
}

func (s *session) computeRights(id *auth.Identity) rights {
	o := s.opts
	write := o.WriteEnable && id.Perms.Has(auth.PermWrite)
	r := rights{
		download: o.DownloadEnable && id.Perms.Has(auth.PermRead),
		list:     o.DirlistEnable && id.Perms.Has(auth.PermList),
		upload:   write,
		mkdir:    write,
		modify:   write,
	}
	if id.Anonymous || (id.Guest && !o.VirtualUseLocalPrivs) {
		r.upload = write && o.AnonUploadEnable
		r.mkdir = write && o.AnonMkdirWriteEnable
		r.modify = write && o.AnonOtherWriteEnable
	}
	return r
}

func (s *session) cmdACCT(string) error {
	if s.ident != nil {
		return reply(202, "ACCT not needed: already logged in.")
	}
	return reply(502, "ACCT is not used by this server; log in with USER and PASS.")
}

// cmdREIN logs out and resets the session to its just-connected state.
func (s *session) cmdREIN(string) error {
	s.resetTransferState()
	s.closeFS()
	s.opts = &s.srv.opts
	s.ident, s.pendingUsr, s.cwd = nil, "", "/"
	s.rights = rights{}
	s.log = s.sessionLogger() // else the next login logs both users
	s.loginBy = time.Now().Add(s.opts.LoginTimeout)
	s.reply(220, "Session reset; log in again.")
	return nil
}

func (s *session) cmdQUIT(string) error {
	if s.xfer != nil && !s.xfer.isDone() {
		s.xfer.abort()
		s.xfer.wait()
	}
	s.quit = true
	s.reply(221, "Goodbye.")
	return nil
}
