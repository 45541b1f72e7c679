package daemon

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"

	"wharf/internal/auth"
	"wharf/internal/auth/pam"
	"wharf/internal/auth/system"
	"wharf/internal/auth/userfile"
	"wharf/internal/config"
	"wharf/internal/vfs"
	"wharf/internal/vfs/localfs"
	"wharf/internal/vfs/permfs"
)

// accounts is who may log in: Wharf's virtual users (users_file), or else,
// with local_enable=YES, the system's accounts, verified through PAM when
// the config names a pam_service_name, or against /etc/shadow otherwise.
type accounts struct {
	auth  auth.Authenticator
	users *userfile.Authenticator // for reload; nil unless users_file
	path  string                  // which path was taken, for the start-up log
}

func buildAccounts(c *config.Config, v *auth.Verifier) (accounts, error) {
	if path := c.Str("users_file"); path != "" {
		users, err := userfile.NewAuthenticator(path, v)
		if err != nil {
			return accounts{}, fmt.Errorf("%s: users_file: %w", c.Where("users_file"), err)
		}
		return accounts{auth: users, users: users, path: "virtual users from " + path}, nil
	}
	if !c.Bool("local_enable") {
		return accounts{path: "no local logins (local_enable=NO)"}, nil
	}
	if err := checkGuestAccount(c); err != nil {
		return accounts{}, err
	}
	inner, path, err := systemAuthenticator(c, v)
	if err != nil {
		return accounts{}, err
	}
	chroot, err := newChrootPolicy(c)
	if err != nil {
		return accounts{}, err
	}
	guest := c.Bool("guest_enable")
	m := mappedAuth{inner: inner, mapID: func(id *auth.Identity) *auth.Identity {
		id = chroot.apply(id)
		id.Guest = guest
		return id
	}}
	keys, keysPath := systemKeys(c, inner, v)
	if keys == nil {
		return accounts{path: path + keysPath, auth: m}, nil
	}
	return accounts{path: path + keysPath, auth: mappedKeyAuth{mappedAuth: m, keys: keys}}, nil
}

// systemKeys is the public-key check (SFTP) for system accounts:
// ~/.ssh/authorized_keys, read by package system with the account rules of
// a password login. With PAM, whose account stack Wharf cannot run without
// a password, the same /etc/passwd and /etc/shadow rules (ftpusers, shells,
// lock, expiry) stand in for it, when Wharf can read those files; the
// second value is a note for the start-up log.
func systemKeys(c *config.Config, inner auth.Authenticator, v *auth.Verifier) (auth.KeyAuthenticator, string) {
	if k, ok := inner.(auth.KeyAuthenticator); ok {
		return k, "; SFTP keys from ~/.ssh/authorized_keys"
	}
	k, err := system.New(system.Options{CheckShell: true, Guest: c.Bool("guest_enable"), GuestUser: c.Str("guest_username"), Verifier: v})
	if err != nil {
		return nil, "; no SFTP keys for system accounts (" + err.Error() + ")"
	}
	return k, "; SFTP keys from ~/.ssh/authorized_keys (account rules from /etc/shadow, /etc/ftpusers, /etc/shells)"
}

// checkGuestAccount: with guest_enable every login becomes guest_username,
// which must be an account of this system (through PAM as through
// /etc/shadow); say so at the line that names it.
func checkGuestAccount(c *config.Config) error {
	if !c.Bool("guest_enable") {
		return nil
	}
	name := c.Str("guest_username")
	_, ok, err := system.LookupAccount(system.DefaultPasswd, name)
	if err != nil {
		return fmt.Errorf("%s: guest_username: %w", c.Where("guest_username"), err)
	}
	if !ok {
		return fmt.Errorf("%s: guest_username: %q has no entry in %s: guest_enable=YES maps every login to this account; "+
			"create it (vsftpd's VIRTUAL_USERS example: useradd -d /home/ftpsite %s) or name an existing one",
			c.Where("guest_username"), name, system.DefaultPasswd, name)
	}
	return nil
}

// systemAuthenticator picks PAM or /etc/shadow for system accounts.
func systemAuthenticator(c *config.Config, v *auth.Verifier) (auth.Authenticator, string, error) {
	accts := system.Accounts{Guest: c.Bool("guest_enable"), GuestUser: c.Str("guest_username")}
	if c.IsSet("pam_service_name") {
		svc := c.Str("pam_service_name")
		if err := pam.Check(svc); err != nil {
			return nil, "", fmt.Errorf("%s: pam_service_name: %w", c.Where("pam_service_name"), err)
		}
		a, err := pam.New(pam.Options{Service: svc, Accounts: accts})
		if err != nil {
			return nil, "", fmt.Errorf("%s: pam_service_name: %w", c.Where("pam_service_name"), err)
		}
		return a, fmt.Sprintf("system accounts through PAM service %q (helper %s)", svc, a.Helper()), nil
	}
	a, err := system.New(system.Options{CheckShell: c.Bool("check_shell"), Guest: accts.Guest, GuestUser: accts.GuestUser, Verifier: v})
	if err != nil {
		return nil, "", fmt.Errorf("local_enable=YES with system accounts: %w (or set users_file for virtual users)", err)
	}
	return a, fmt.Sprintf("system accounts from /etc/passwd and /etc/shadow (/etc/ftpusers applied, check_shell=%v)", c.Bool("check_shell")), nil
}

// mappedAuth applies the chroot and guest rules to every identity.
type mappedAuth struct {
	inner auth.Authenticator
	mapID func(*auth.Identity) *auth.Identity
}

func (m mappedAuth) Authenticate(ctx context.Context, req auth.Request) (*auth.Identity, error) {
	id, err := m.inner.Authenticate(ctx, req)
	if err != nil {
		return nil, err
	}
	return m.mapID(id), nil
}

// mappedKeyAuth is mappedAuth for a backend that also authorizes SSH keys:
// key logins get the same chroot and guest mapping as passwords.
type mappedKeyAuth struct {
	mappedAuth
	keys auth.KeyAuthenticator
}

func (m mappedKeyAuth) AuthorizeKey(ctx context.Context, req auth.KeyRequest) (*auth.Identity, error) {
	id, err := m.keys.AuthorizeKey(ctx, req)
	if err != nil {
		return nil, err
	}
	return m.mapID(id), nil
}

// logAccounts says at start which login path is in use.
func logAccounts(log *slog.Logger, a accounts, c *config.Config) {
	log.Info("logins", "local", a.path, "anonymous", c.Bool("anonymous_enable"))
	if c.Bool("anonymous_enable") {
		log.Warn("anonymous FTP is on (anonymous_enable=YES)", "root", c.Str("anon_root"), "write", c.Bool("write_enable") && c.Bool("anon_upload_enable"))
	}
}

// fsOpener gives each session its files: a localfs confined to the
// identity's root by os.Root. When Wharf runs as root, files a system
// account creates are owned by it, and permfs enforces the Unix
// permissions the kernel would (Wharf cannot switch uid per goroutine; see
// the design notes). Anonymous sessions act as ftp_username.
type fsOpener struct {
	asRoot       bool
	deleteFailed bool
	fileMode     fs.FileMode
	anon         *system.Account // ftp_username, when it exists
	chownTo      *system.Account // chown_uploads: owner of anonymous uploads
	chownMode    fs.FileMode
}

func newFSOpener(c *config.Config) (*fsOpener, error) {
	o := &fsOpener{asRoot: os.Geteuid() == 0, deleteFailed: c.Bool("delete_failed_uploads"), fileMode: fs.FileMode(c.Int("file_open_mode"))}
	if acct, ok, _ := system.LookupAccount(system.DefaultPasswd, c.Str("ftp_username")); ok {
		o.anon = &acct
	}
	if c.Bool("chown_uploads") {
		acct, ok, err := system.LookupAccount(system.DefaultPasswd, c.Str("chown_username"))
		if err != nil || !ok {
			return nil, fmt.Errorf("%s: chown_username %q is not an account of this system", c.Where("chown_username"), c.Str("chown_username"))
		}
		o.chownTo, o.chownMode = &acct, fs.FileMode(c.Int("chown_upload_mode"))
	}
	return o, nil
}

func (o *fsOpener) open(id *auth.Identity) (vfs.FS, error) {
	uid, gid, name := id.UID, id.GID, id.Name
	if id.Anonymous && o.anon != nil {
		uid, gid, name = o.anon.UID, o.anon.GID, o.anon.Name
	}
	opts := localfs.Options{DeleteFailedUploads: o.deleteFailed, FileMode: o.fileMode, UID: -1, GID: -1}
	if o.asRoot && uid >= 0 {
		opts.UID, opts.GID = uid, gid
	}
	if id.Anonymous && o.chownTo != nil && o.asRoot {
		opts.UID, opts.GID, opts.FileMode = o.chownTo.UID, o.chownTo.GID, o.chownMode
	}
	fsys, err := localfs.New(id.Home, opts)
	if err != nil || !o.asRoot || uid <= 0 {
		return fsys, err
	}
	groups, err := permfs.GroupsOf(name, uint32(gid), "")
	if err != nil {
		fsys.Close()
		return nil, err
	}
	return permfs.New(fsys, permfs.Cred{UID: uint32(uid), GIDs: groups}), nil
}
