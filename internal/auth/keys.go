package auth

import (
	"context"
	"errors"
	"net/netip"
)

// ErrUnknownKey is returned by a KeyAuthenticator when the user exists but
// the offered key is not one of theirs.
var ErrUnknownKey = errors.New("auth: public key not authorized for this user")

// KeyRequest is one public-key login attempt (SFTP).
type KeyRequest struct {
	User string
	// Key is the public key in SSH wire format (RFC 4253 section 6.6), as
	// ssh.PublicKey.Marshal returns it, so that this package and its
	// backends need no SSH library to compare keys.
	Key      []byte
	Remote   netip.AddrPort
	Protocol string // "sftp"
}

// KeyAuthenticator says whether a public key may log in as a user. The SSH
// layer asks before the client has proven it holds the private key and
// accepts the login only once the signature verifies, so an implementation
// only compares keys; it must not count a call as a successful login.
type KeyAuthenticator interface {
	AuthorizeKey(ctx context.Context, req KeyRequest) (*Identity, error)
}
