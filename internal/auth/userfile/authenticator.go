package userfile

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"wharf/internal/auth"
)

// Authenticator checks logins against a users file. Logins read the current
// File through an atomic pointer and never wait for a Reload.
type Authenticator struct {
	path     string
	verifier *auth.Verifier
	reload   sync.Mutex // one Reload at a time, so an older read cannot win
	file     atomic.Pointer[File]
}

var _ auth.Authenticator = (*Authenticator)(nil)

// NewAuthenticator loads the users file at path. A nil verifier gets
// auth.NewVerifier's defaults; share one Verifier between backends so the
// bound on concurrent hashing is global.
func NewAuthenticator(path string, v *auth.Verifier) (*Authenticator, error) {
	if v == nil {
		v = auth.NewVerifier(auth.VerifierOptions{})
	}
	a := &Authenticator{path: path, verifier: v}
	if err := a.Reload(); err != nil {
		return nil, err
	}
	return a, nil
}

// Reload re-reads the file. On error the users loaded before stay in force,
// so a bad edit never locks everyone out.
func (a *Authenticator) Reload() error {
	a.reload.Lock()
	defer a.reload.Unlock()
	f, err := Load(a.path)
	if err != nil {
		return err
	}
	a.file.Store(f)
	return nil
}

// Authenticate implements auth.Authenticator. An unknown user costs the same
// hashing as a known one with a wrong password (given argon2id hashes with
// default parameters), so timing does not reveal which names exist.
func (a *Authenticator) Authenticate(ctx context.Context, req auth.Request) (*auth.Identity, error) {
	u, ok := a.file.Load().Lookup(req.User)
	if !ok {
		if err := a.verifier.VerifyDummy(ctx, req.Password); err != nil {
			return nil, err
		}
		return nil, auth.ErrUnknownUser
	}
	match, err := a.verifier.Verify(ctx, u.Name, u.Hash, req.Password)
	if err != nil {
		return nil, fmt.Errorf("userfile: user %q: %w", u.Name, err)
	}
	if !match {
		return nil, auth.ErrBadPassword
	}
	return &auth.Identity{Name: u.Name, Home: u.Home, Perms: u.Perms, UID: -1, GID: -1}, nil
}
