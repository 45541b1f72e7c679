package system

import (
	"fmt"

	"wharf/internal/auth"
)

// hashRefusal says why a stored password field cannot be logged in with, or
// "" when it holds a hash to verify. pam_unix treats a leading '!' or '*' as
// locked ("!!" is what useradd leaves before passwd is run); an empty field
// would mean "no password", which vsftpd never accepts for FTP.
func hashRefusal(hash string) string {
	switch {
	case hash == "":
		return "has no password (empty password field)"
	case hash[0] == '!':
		return "is locked ('!' in the password field)"
	case hash[0] == '*':
		return "is locked or has no password ('*' in the password field)"
	}
	return ""
}

// agingRefusal applies shadow(5) aging the way pam_unix's account check
// does, on day today (days since the epoch, UTC). Any failure of that check
// makes vsftpd refuse the login, including "must change password", since FTP
// has no way to change it.
func agingRefusal(s Shadow, today int64) string {
	switch {
	case s.Expire >= 0 && today >= s.Expire:
		return fmt.Sprintf("expired on day %d (shadow expire field)", s.Expire)
	case s.LastChange == 0:
		return "must change its password first (shadow last-change field is 0)"
	case s.LastChange < 0 || s.Max < 0 || today < s.LastChange:
		// Empty last-change or max disables aging (shadow(5)); a change
		// dated in the future is not an expiry (pam_unix lets it pass).
		return ""
	case today-s.LastChange > s.Max:
		return fmt.Sprintf("has an expired password (changed on day %d, valid %d days)", s.LastChange, s.Max)
	}
	return ""
}

// defaultShells is what glibc's getusershell returns when /etc/shells does
// not exist, and vsftpd's check_shell uses getusershell.
var defaultShells = map[string]bool{"/bin/sh": true, "/bin/csh": true}

// shellRefusal implements check_shell: the login shell must be listed in
// the shells file. An empty shell field means /bin/sh (passwd(5)).
func shellRefusal(path, shell string) (string, error) {
	shells, ok, err := readList(path)
	if err != nil {
		return "", err
	}
	if !ok {
		shells = defaultShells
	}
	if shell == "" {
		shell = "/bin/sh"
	}
	if !shells[shell] {
		return fmt.Sprintf("has shell %q, which is not in %s (check_shell)", shell, path), nil
	}
	return "", nil
}

// ftpusersRefusal applies the deny list that Debian's /etc/pam.d/vsftpd
// checks with pam_listfile (sense=deny onerr=succeed): a missing file
// denies no one.
func ftpusersRefusal(path, name string) (string, error) {
	denied, _, err := readList(path)
	if err != nil {
		return "", err
	}
	if denied[name] {
		return "is listed in " + path, nil
	}
	return "", nil
}

// Accounts turns an authenticated login name into an Identity from the
// passwd file, applying guest_enable as vsftpd does. The PAM backend uses it
// after the helper has named the final user.
type Accounts struct {
	Passwd    string // "" = /etc/passwd
	Guest     bool   // guest_enable: every login takes the guest account's home and ids
	GuestUser string // guest_username; "" = "ftp", vsftpd's default
}

// DefaultGuestUser is vsftpd's default guest_username.
const DefaultGuestUser = "ftp"

// Identity returns the Identity of login. Its Name stays the login name even
// for a guest, because vsftpd keeps using it for user_config_dir,
// user_sub_token and the chroot list; Home, UID and GID come from the guest
// account then. A name with no passwd entry is refused with ErrDenied: PAM
// may know users (pam_userdb) that the system does not.
func (a Accounts) Identity(login string) (*auth.Identity, error) {
	name := login
	if a.Guest {
		name = orDefault(a.GuestUser, DefaultGuestUser)
	}
	acct, ok, err := LookupAccount(orDefault(a.Passwd, DefaultPasswd), name)
	if err != nil {
		return nil, err
	}
	if !ok {
		if a.Guest {
			return nil, fmt.Errorf("%w: guest_username %q has no entry in %s", auth.ErrDenied, name, orDefault(a.Passwd, DefaultPasswd))
		}
		return nil, fmt.Errorf("%w: user %q has no entry in %s (virtual users need guest_enable)", auth.ErrDenied, name, orDefault(a.Passwd, DefaultPasswd))
	}
	return identity(login, acct), nil
}

// identity is what a local login gets: the passwd home (the daemon applies
// chroot_local_user, local_root and friends later), the passwd ids, and all
// permissions (write_enable and the other server-wide switches still apply).
func identity(login string, acct Account) *auth.Identity {
	// The home is passed on as written, not cleaned: passwd_chroot_enable
	// reads a "/./" in it as the chroot point.
	home := acct.Home
	if home == "" {
		home = "/" // what login(1) uses
	}
	return &auth.Identity{
		Name:  login,
		Home:  home,
		Perms: auth.PermRead | auth.PermList | auth.PermWrite,
		UID:   acct.UID,
		GID:   acct.GID,
	}
}
