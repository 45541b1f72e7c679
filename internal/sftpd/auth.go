package sftpd

import (
	"context"
	"errors"
	"time"

	"golang.org/x/crypto/ssh"

	"wharf/internal/auth"
)

// identityKey is where the authentication callbacks leave the Identity in
// ssh.Permissions.ExtraData; extMethod names the first-factor method.
type identityKey struct{}

const extMethod = "wharf-auth-method"

const authTimeout = 30 * time.Second

func identityOf(p *ssh.Permissions) *auth.Identity {
	id, _ := p.ExtraData[identityKey{}].(*auth.Identity)
	return id
}

// serverConfig builds the connection's SSH configuration; the callbacks
// close over the connection for its address and logger.
func (c *conn) serverConfig() *ssh.ServerConfig {
	o := &c.srv.opts
	cfg := &ssh.ServerConfig{
		Config: ssh.Config{
			KeyExchanges: o.KeyExchanges,
			Ciphers:      o.Ciphers,
			MACs:         o.MACs,
		},
		PublicKeyAuthAlgorithms: ssh.SupportedAlgorithms().PublicKeyAuths,
		MaxAuthTries:            o.MaxAuthTries,
		ServerVersion:           ServerVersion,
		AuthLogCallback:         c.authLog,
	}
	if o.Auth != nil {
		cfg.PasswordCallback = c.password
	}
	if o.Keys != nil {
		cfg.PublicKeyCallback = c.publicKey
		if o.SecondFactor != nil {
			cfg.VerifiedPublicKeyCallback = c.verifiedKey
		}
	}
	for _, k := range c.srv.hostKeys {
		cfg.AddHostKey(k)
	}
	return cfg
}

func (c *conn) password(meta ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
	o := &c.srv.opts
	user := meta.User()
	if err := c.allowUser(user); err != nil {
		return nil, c.wait(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), authTimeout)
	defer cancel()
	id, err := o.Auth.Authenticate(ctx, auth.Request{User: user, Password: string(pw), Remote: c.peer, Protocol: "sftp"})
	if err != nil {
		return nil, c.wait(err)
	}
	return c.grant(id, "password")
}

// wait slows password guessing as FTP does (FailedLoginWait).
func (c *conn) wait(err error) error {
	if d := c.srv.opts.FailedLoginWait; d > 0 {
		time.Sleep(d)
	}
	return err
}

func (c *conn) allowUser(user string) error {
	if f := c.srv.opts.AllowUser; f != nil {
		if err := f(user); err != nil {
			return errors.Join(auth.ErrDenied, err)
		}
	}
	return nil
}

// publicKey is asked whether a key may log in, possibly before the client
// has proven it holds the private key; the library accepts the login only
// after the signature verifies.
func (c *conn) publicKey(meta ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
	if err := c.allowUser(meta.User()); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), authTimeout)
	defer cancel()
	id, err := c.srv.opts.Keys.AuthorizeKey(ctx, auth.KeyRequest{
		User: meta.User(), Key: key.Marshal(), Remote: c.peer, Protocol: "sftp",
	})
	if err != nil {
		return nil, &keyError{err: err, fp: Fingerprint(key)}
	}
	if c.srv.opts.SecondFactor != nil {
		// verifiedKey decides, once the signature is checked.
		return permissionsFor(id, "publickey"), nil
	}
	return c.grant(id, "publickey")
}

// keyError carries the refused key's fingerprint to the log.
type keyError struct {
	err error
	fp  string
}

func (e *keyError) Error() string { return e.err.Error() + " (key " + e.fp + ")" }
func (e *keyError) Unwrap() error { return e.err }

func (c *conn) verifiedKey(_ ssh.ConnMetadata, _ ssh.PublicKey, p *ssh.Permissions, _ string) (*ssh.Permissions, error) {
	return c.grant(identityOf(p), "publickey")
}

// grant finishes a successful first factor: either the login, or a
// partial success that asks for the second factor.
func (c *conn) grant(id *auth.Identity, method string) (*ssh.Permissions, error) {
	sf := c.srv.opts.SecondFactor
	if sf == nil || !sf.Required(id) {
		return permissionsFor(id, method), nil
	}
	return nil, &ssh.PartialSuccessError{Next: ssh.ServerAuthCallbacks{
		KeyboardInteractiveCallback: func(_ ssh.ConnMetadata, ask ssh.KeyboardInteractiveChallenge) (*ssh.Permissions, error) {
			ctx, cancel := context.WithTimeout(context.Background(), c.srv.opts.LoginTimeout)
			defer cancel()
			if err := sf.Verify(ctx, id, Prompt(ask)); err != nil {
				return nil, c.wait(err)
			}
			return permissionsFor(id, method+"+keyboard-interactive"), nil
		},
	}}
}

func permissionsFor(id *auth.Identity, method string) *ssh.Permissions {
	return &ssh.Permissions{
		Extensions: map[string]string{extMethod: method},
		ExtraData:  map[any]any{identityKey{}: id},
	}
}

// authLog reports failed attempts where FTP reports its own: the log, as
// "login failed" with the same fields.
func (c *conn) authLog(meta ssh.ConnMetadata, method string, err error) {
	var partial *ssh.PartialSuccessError
	switch {
	case err == nil:
		return
	case errors.As(err, &partial):
		c.log.Info("first authentication factor ok; second factor required", "user", meta.User(), "method", method)
		return
	case method == "none":
		return // clients ask which methods exist this way
	}
	reason := auth.FailureReason(err)
	if reason == "error" && errors.Is(err, ssh.ErrNoAuth) {
		reason = "method not offered"
	}
	c.log.Warn("login failed", "user", meta.User(), "method", method, "reason", reason, "err", err.Error())
}
