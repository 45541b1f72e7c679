package userfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/ssh"

	"wharf/internal/auth"
)

// SSH public keys (for SFTP logins) are kept in the user's options field:
//
//	alice:$argon2id$...:/srv/alice:rlw:sshkey=ssh-ed25519 AAAAC3... alice@laptop;ssh-rsa AAAAB3...
//
// The value of the sshkey option is a ';'-separated list of authorized_keys
// entries, each "type base64 [comment]" without authorized_keys options.
// Since option values cannot hold ',' or ':' (nor ';' here), AddSSHKey
// replaces those characters in comments with '_'. `wharf user key add`
// is the way to edit them.
const sshKeyOption = "sshkey"

// AuthorizedKey is one of a user's SSH public keys.
type AuthorizedKey struct {
	Key     ssh.PublicKey
	Comment string
}

// Fingerprint is the key's SHA256 fingerprint as OpenSSH prints it.
func (k AuthorizedKey) Fingerprint() string { return ssh.FingerprintSHA256(k.Key) }

// String is the key's entry in the sshkey option.
func (k AuthorizedKey) String() string {
	s := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k.Key)))
	if k.Comment != "" {
		s += " " + k.Comment
	}
	return s
}

// ParseAuthorizedKey reads one authorized_keys line ("type base64
// [comment]"); authorized_keys options (from=..., command=...) are refused
// because Wharf would not enforce them.
func ParseAuthorizedKey(line string) (AuthorizedKey, error) {
	key, comment, opts, rest, err := ssh.ParseAuthorizedKey([]byte(strings.TrimSpace(line)))
	if err != nil {
		return AuthorizedKey{}, fmt.Errorf("not an SSH public key (want a line such as \"ssh-ed25519 AAAA... comment\"): %w", err)
	}
	if len(opts) > 0 {
		return AuthorizedKey{}, errors.New("authorized_keys options (from=, command=, ...) are not supported")
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return AuthorizedKey{}, errors.New("give one key at a time")
	}
	return AuthorizedKey{Key: key, Comment: cleanComment(comment)}, nil
}

func cleanComment(c string) string {
	c = strings.Map(func(r rune) rune {
		if r == ',' || r == ':' || r == ';' || r < 0x20 || r == 0x7f {
			return '_'
		}
		return r
	}, c)
	return strings.TrimSpace(c)
}

// SSHKeys returns the user's SSH public keys. Entries that do not parse
// (a hand edit gone wrong) are skipped: they can authorize nobody.
func (u *User) SSHKeys() []AuthorizedKey {
	var keys []AuthorizedKey
	for _, o := range u.Options {
		if o.Key != sshKeyOption {
			continue
		}
		for entry := range strings.SplitSeq(o.Value, ";") {
			if k, err := ParseAuthorizedKey(entry); err == nil {
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// setSSHKeys replaces the sshkey option (removing it when keys is empty),
// keeping the other options in place.
func (u *User) setSSHKeys(keys []AuthorizedKey) {
	entries := make([]string, len(keys))
	for i, k := range keys {
		entries[i] = k.String()
	}
	value := strings.Join(entries, ";")
	opts := u.Options[:0:0]
	replaced := false
	for _, o := range u.Options {
		if o.Key != sshKeyOption {
			opts = append(opts, o)
		} else if value != "" && !replaced {
			opts = append(opts, Option{Key: sshKeyOption, Value: value})
			replaced = true
		}
	}
	if value != "" && !replaced {
		opts = append(opts, Option{Key: sshKeyOption, Value: value})
	}
	u.Options = opts
}

// AddSSHKey adds a public key (one authorized_keys line) to the named user.
// Adding a key the user already has is an error.
func (f *File) AddSSHKey(name, line string) (AuthorizedKey, error) {
	u, ok := f.Lookup(name)
	if !ok {
		return AuthorizedKey{}, fmt.Errorf("%w: %s", ErrNoUser, name)
	}
	k, err := ParseAuthorizedKey(line)
	if err != nil {
		return AuthorizedKey{}, err
	}
	keys := u.SSHKeys()
	for _, have := range keys {
		if bytes.Equal(have.Key.Marshal(), k.Key.Marshal()) {
			return AuthorizedKey{}, fmt.Errorf("user %s already has key %s", name, k.Fingerprint())
		}
	}
	u.setSSHKeys(append(keys, k))
	return k, f.Update(u)
}

// DeleteSSHKey removes the named user's keys that match which: a SHA256
// fingerprint ("SHA256:..."), a 1-based position in SSHKeys, or a comment.
// It returns the removed keys; none matching is an error.
func (f *File) DeleteSSHKey(name, which string) ([]AuthorizedKey, error) {
	u, ok := f.Lookup(name)
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNoUser, name)
	}
	keys := u.SSHKeys()
	pos, _ := strconv.Atoi(which)
	var kept, removed []AuthorizedKey
	for i, k := range keys {
		if k.Fingerprint() == which || i+1 == pos || (k.Comment != "" && k.Comment == which) {
			removed = append(removed, k)
		} else {
			kept = append(kept, k)
		}
	}
	if len(removed) == 0 {
		return nil, fmt.Errorf("user %s has no key matching %q (give a fingerprint, a number from `key list`, or a comment)", name, which)
	}
	u.setSSHKeys(kept)
	return removed, f.Update(u)
}

var _ auth.KeyAuthenticator = (*Authenticator)(nil)

// AuthorizeKey implements auth.KeyAuthenticator: the key must be one of the
// user's sshkey entries.
func (a *Authenticator) AuthorizeKey(ctx context.Context, req auth.KeyRequest) (*auth.Identity, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	u, ok := a.file.Load().Lookup(req.User)
	if !ok {
		return nil, auth.ErrUnknownUser
	}
	for _, k := range u.SSHKeys() {
		if bytes.Equal(k.Key.Marshal(), req.Key) {
			return &auth.Identity{Name: u.Name, Home: u.Home, Perms: u.Perms, UID: -1, GID: -1}, nil
		}
	}
	return nil, auth.ErrUnknownKey
}
