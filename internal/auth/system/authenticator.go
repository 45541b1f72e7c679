package system

import (
	"context"
	"fmt"
	"os"
	"time"

	"wharf/internal/auth"
)

// Options configure New. Paths left empty use the Default* constants.
type Options struct {
	Passwd   string
	Shadow   string
	FTPUsers string // deny list; a missing file denies no one
	Shells   string

	NoFTPUsers bool // skip the /etc/ftpusers check (vsftpd without PAM skips it)
	CheckShell bool // vsftpd's check_shell (YES by default in vsftpd: pass the config value)

	Guest     bool   // guest_enable
	GuestUser string // guest_username; "" = "ftp"

	// Verifier is shared between backends so the bound on concurrent
	// hashing is global; nil gets auth.NewVerifier's defaults.
	Verifier *auth.Verifier
	// Now replaces time.Now; tests use it to place "today".
	Now func() time.Time
}

// Authenticator checks logins against the system account files. It reads
// them at every login, as getpwnam and pam_unix do, so a useradd, passwd or
// usermod takes effect at once and there is nothing to reload.
type Authenticator struct {
	o        Options
	accounts Accounts
}

var _ auth.Authenticator = (*Authenticator)(nil)

// New returns an Authenticator after checking that the files it needs can be
// read, so a server that is not root learns at start, not at the first
// login, that it cannot read /etc/shadow.
func New(o Options) (*Authenticator, error) {
	o.Passwd = orDefault(o.Passwd, DefaultPasswd)
	o.Shadow = orDefault(o.Shadow, DefaultShadow)
	o.FTPUsers = orDefault(o.FTPUsers, DefaultFTPUsers)
	o.Shells = orDefault(o.Shells, DefaultShells)
	if o.Verifier == nil {
		o.Verifier = auth.NewVerifier(auth.VerifierOptions{})
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	for _, p := range []string{o.Passwd, o.Shadow} {
		f, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("system accounts: %w (reading %s needs root; or use PAM)", err, p)
		}
		f.Close()
	}
	a := &Authenticator{o: o, accounts: Accounts{Passwd: o.Passwd, Guest: o.Guest, GuestUser: o.GuestUser}}
	if o.Guest { // the guest account must exist; the login name is irrelevant here
		if _, err := a.accounts.Identity(""); err != nil {
			return nil, fmt.Errorf("system accounts: %w", err)
		}
	}
	return a, nil
}

// Authenticate implements auth.Authenticator. Every refusal (unknown user,
// locked, expired, denied by a list) first spends a dummy verification, so
// the time taken does not tell which of them applied.
func (a *Authenticator) Authenticate(ctx context.Context, req auth.Request) (*auth.Identity, error) {
	acct, ok, err := LookupAccount(a.o.Passwd, req.User)
	if err != nil {
		return nil, fmt.Errorf("system: %w", err)
	}
	if !ok {
		return nil, a.refuse(ctx, req, auth.ErrUnknownUser, "")
	}
	hash, why, err := a.admit(acct, false)
	if err != nil {
		return nil, fmt.Errorf("system: user %q: %w", req.User, err)
	}
	if why != "" {
		return nil, a.refuse(ctx, req, auth.ErrDenied, why)
	}
	match, err := a.o.Verifier.Verify(ctx, acct.Name, hash, req.Password)
	if err != nil {
		return nil, fmt.Errorf("system: user %q: %w", req.User, err)
	}
	if !match {
		return nil, auth.ErrBadPassword
	}
	if a.o.Guest {
		return a.accounts.Identity(req.User)
	}
	return identity(req.User, acct), nil
}

// refuse spends the dummy verification and returns sentinel, with why.
func (a *Authenticator) refuse(ctx context.Context, req auth.Request, sentinel error, why string) error {
	if err := a.o.Verifier.VerifyDummy(ctx, req.Password); err != nil {
		return err
	}
	if why == "" {
		return sentinel
	}
	return fmt.Errorf("%w: user %q %s", sentinel, req.User, why)
}

// admit runs the checks that need no password, in the order Debian's PAM
// stack for vsftpd runs them, and returns the hash to verify or why the
// account may not log in. forKey is a public-key login, which verifies no
// password: an empty password field does not refuse it, a locked one does.
func (a *Authenticator) admit(acct Account, forKey bool) (hash, why string, err error) {
	if !a.o.NoFTPUsers {
		if why, err := ftpusersRefusal(a.o.FTPUsers, acct.Name); why != "" || err != nil {
			return "", why, err
		}
	}
	if a.o.CheckShell {
		if why, err := shellRefusal(a.o.Shells, acct.Shell); why != "" || err != nil {
			return "", why, err
		}
	}
	sh, hasShadow, err := LookupShadow(a.o.Shadow, acct.Name)
	if err != nil {
		return "", "", err
	}
	hash = acct.Password // pre-shadow systems keep the hash in passwd
	if hasShadow {
		hash = sh.Hash
	} else if hash == "x" {
		return "", "has no entry in " + a.o.Shadow, nil
	}
	if why := hashRefusal(hash); why != "" && (!forKey || hash != "") {
		return "", why, nil
	}
	if hasShadow {
		if why := agingRefusal(sh, a.o.Now().Unix()/86400); why != "" {
			return "", why, nil
		}
	}
	return hash, "", nil
}
