package system

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/crypto/ssh"

	"wharf/internal/auth"
)

// Public-key logins (SFTP) for system accounts read the account's
// ~/.ssh/authorized_keys as sshd does, with these differences:
//
//   - The account must pass the same checks as a password login, except the
//     password: /etc/ftpusers, check_shell, and shadow(5) locking and aging.
//     So an account locked with '!' (passwd -l) or '*' cannot log in with a
//     key either; sshd without UsePAM would let it. Wharf follows its own
//     password path (and sshd with UsePAM), where locking an account stops
//     every login. An empty password field, which refuses a password login,
//     does not refuse a key.
//   - Only authorized_keys is read (not authorized_keys2, removed from
//     OpenSSH's defaults in 2016), and at most maxAuthorizedKeys bytes of it.
//   - StrictModes is always on: the file, ~/.ssh and the home directory must
//     belong to the user or root and must not be writable by group or others.
//   - A key whose line carries an option Wharf cannot enforce (from=,
//     command=, expiry-time=, cert-authority, ...) authorizes nothing; the
//     refusal says which option. Options that only restrict what Wharf never
//     offers (no-pty, no-port-forwarding, restrict, ...) are accepted.

// maxAuthorizedKeys bounds the authorized_keys file read at a login.
const maxAuthorizedKeys = 1 << 20

// AuthorizedKeysFile is where a system account's keys are, relative to its
// home directory.
const AuthorizedKeysFile = ".ssh/authorized_keys"

var _ auth.KeyAuthenticator = (*Authenticator)(nil)

// AuthorizeKey implements auth.KeyAuthenticator for system accounts: the key
// must be in the account's ~/.ssh/authorized_keys (see the rules above).
// The Identity is the one a password login gets, guest mapping included.
func (a *Authenticator) AuthorizeKey(ctx context.Context, req auth.KeyRequest) (*auth.Identity, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	acct, ok, err := LookupAccount(a.o.Passwd, req.User)
	if err != nil {
		return nil, fmt.Errorf("system: %w", err)
	}
	if !ok {
		return nil, auth.ErrUnknownUser
	}
	_, why, err := a.admit(acct, true)
	if err != nil {
		return nil, fmt.Errorf("system: user %q: %w", req.User, err)
	}
	if why != "" {
		return nil, fmt.Errorf("%w: user %q %s", auth.ErrDenied, req.User, why)
	}
	if err := authorizedKey(acct, req.Key); err != nil {
		return nil, fmt.Errorf("system: user %q: %w", req.User, err)
	}
	if a.o.Guest {
		return a.accounts.Identity(req.User)
	}
	return identity(req.User, acct), nil
}

// authorizedKey returns nil when key (wire format) is authorized by acct's
// authorized_keys file, or an error wrapping auth.ErrUnknownKey saying why
// not (or a plain error when the file could not be read).
func authorizedKey(acct Account, key []byte) error {
	home := acct.Home
	if home == "" {
		home = "/"
	}
	if !filepath.IsAbs(home) {
		return fmt.Errorf("%w: home directory %q is not absolute", auth.ErrUnknownKey, home)
	}
	home = filepath.Clean(home)
	path := filepath.Join(home, AuthorizedKeysFile)
	data, err := readAuthorizedKeys(acct, home, path)
	if err != nil {
		return err
	}
	n := 0
	for line := range bytes.SplitSeq(data, []byte("\n")) {
		n++
		pub, _, opts, _, err := ssh.ParseAuthorizedKey(line)
		if err != nil || !bytes.Equal(pub.Marshal(), key) {
			continue // blank, comment, malformed, or another key
		}
		// The first line naming the key decides, as in sshd.
		if bad := unsupportedOptions(opts); len(bad) > 0 {
			return fmt.Errorf("%w: %s:%d lists the key with %s, which Wharf cannot enforce; the key is ignored",
				auth.ErrUnknownKey, path, n, strings.Join(bad, ", "))
		}
		return nil
	}
	return auth.ErrUnknownKey
}

// readAuthorizedKeys opens path and applies StrictModes to it, to ~/.ssh
// and to the home directory, checking the opened file itself so a swap
// after the check does not matter.
func readAuthorizedKeys(acct Account, home, path string) ([]byte, error) {
	// O_NONBLOCK: a FIFO planted as authorized_keys must not hang the login.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return nil, fmt.Errorf("%w: no %s", auth.ErrUnknownKey, path)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file", auth.ErrUnknownKey, path)
	}
	if why := unsafeOwnerOrMode(fi, acct.UID); why != "" {
		return nil, fmt.Errorf("%w: %s %s (StrictModes)", auth.ErrUnknownKey, path, why)
	}
	for _, dir := range []string{filepath.Dir(path), home} {
		di, err := os.Stat(dir)
		if err != nil {
			return nil, err
		}
		if why := unsafeOwnerOrMode(di, acct.UID); why != "" {
			return nil, fmt.Errorf("%w: %s %s (StrictModes)", auth.ErrUnknownKey, dir, why)
		}
		if dir == "/" {
			break
		}
	}
	data, err := io.ReadAll(io.LimitReader(f, maxAuthorizedKeys+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxAuthorizedKeys {
		return nil, fmt.Errorf("%w: %s is larger than %d bytes; not read", auth.ErrUnknownKey, path, maxAuthorizedKeys)
	}
	return data, nil
}

// unsafeOwnerOrMode says why sshd's StrictModes would refuse fi, or "".
func unsafeOwnerOrMode(fi fs.FileInfo, uid int) string {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "has no owner information"
	}
	if int(st.Uid) != uid && st.Uid != 0 {
		return fmt.Sprintf("is owned by uid %d, not by the user (uid %d) or root", st.Uid, uid)
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Sprintf("is writable by group or others (mode %#o)", fi.Mode().Perm())
	}
	return ""
}

// harmlessOptions restrict or allow only what Wharf never offers (a pty,
// forwarding, ~/.ssh/rc), so a key carrying them is accepted as it is.
var harmlessOptions = map[string]bool{
	"restrict": true, "no-pty": true, "pty": true,
	"no-port-forwarding": true, "port-forwarding": true, "permitopen": true, "permitlisten": true,
	"no-agent-forwarding": true, "agent-forwarding": true,
	"no-x11-forwarding": true, "x11-forwarding": true,
	"no-user-rc": true, "user-rc": true,
}

// unsupportedOptions returns the names of the options Wharf cannot enforce.
func unsupportedOptions(opts []string) []string {
	var bad []string
	for _, o := range opts {
		name, _, _ := strings.Cut(o, "=")
		if !harmlessOptions[strings.ToLower(name)] {
			bad = append(bad, name)
		}
	}
	return bad
}
