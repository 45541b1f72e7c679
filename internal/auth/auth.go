// Package auth turns credentials into an Identity. Backends (the users file,
// system accounts, ...) implement Authenticator; protocol fronts depend on
// this package only, never on a backend.
package auth

import (
	"context"
	"errors"
	"net/netip"
)

// Errors an Authenticator returns. Fronts answer all of them with the same
// reply (so a client cannot probe which names exist) but log them apart.
var (
	ErrUnknownUser = errors.New("auth: unknown user")
	ErrBadPassword = errors.New("auth: wrong password")
	ErrDenied      = errors.New("auth: account not allowed to log in")
)

// FailureReason names why a login failed, for the log: "unknown user",
// "wrong password", "unknown key", "account refused", or "error" for
// anything else (a backend that could not answer, ...).
func FailureReason(err error) string {
	switch {
	case errors.Is(err, ErrUnknownUser):
		return "unknown user"
	case errors.Is(err, ErrBadPassword):
		return "wrong password"
	case errors.Is(err, ErrUnknownKey):
		return "unknown key"
	case errors.Is(err, ErrDenied):
		return "account refused"
	}
	return "error"
}

// Perm is a set of things a user may do.
type Perm uint8

const (
	PermRead  Perm = 1 << iota // download files
	PermList                   // list directories
	PermWrite                  // upload, append, mkdir, rename, delete, chmod
)

// Has reports whether every permission in q is in p.
func (p Perm) Has(q Perm) bool { return p&q == q }

// Identity is a logged-in user.
type Identity struct {
	Name      string
	Home      string // host path of the directory that is "/" to the user
	StartDir  string // virtual directory the session starts in ("" is "/"), as vsftpd's local_root or an unjailed home
	Perms     Perm
	Anonymous bool
	Guest     bool // a guest_enable login: anonymous permissions unless virtual_use_local_privs
	UID, GID  int  // owner for created files when running as root; -1 leaves the default
}

// Request is one login attempt.
type Request struct {
	User     string
	Password string
	Remote   netip.AddrPort
	Protocol string // "ftp", "ftps", "sftp"
}

// Authenticator checks a login.
type Authenticator interface {
	Authenticate(ctx context.Context, req Request) (*Identity, error)
}
