package daemon

import (
	"path"
	"strings"

	"wharf/internal/auth"
	"wharf/internal/config"
)

// chrootPolicy decides a system account's root and first directory as
// vsftpd does with chroot_local_user, chroot_list_enable/chroot_list_file,
// passwd_chroot_enable, local_root and user_sub_token. Wharf "jails" with
// os.Root, not chroot(2): an unjailed user gets "/" as root and starts in
// the home directory, exactly what vsftpd shows them.
type chrootPolicy struct {
	chrootLocal  bool
	list         map[string]bool // chroot_list_file; nil when chroot_list_enable=NO
	passwdChroot bool
	localRoot    string
	subToken     string
}

func newChrootPolicy(c *config.Config) (chrootPolicy, error) {
	p := chrootPolicy{
		chrootLocal:  c.Bool("chroot_local_user"),
		passwdChroot: c.Bool("passwd_chroot_enable"),
		localRoot:    c.Str("local_root"),
		subToken:     c.Str("user_sub_token"),
	}
	if c.Bool("chroot_list_enable") {
		list, err := readList(c, "chroot_list_file")
		if err != nil {
			return p, err
		}
		p.list = list
	}
	return p, nil
}

// jailed applies chroot_local_user and the list: with chroot_local_user
// the list names the users NOT jailed; without it, the users jailed.
func (p chrootPolicy) jailed(user string) bool {
	return p.chrootLocal != p.list[user]
}

// apply turns a system identity (Home = the passwd home) into the root and
// start directory the session uses.
func (p chrootPolicy) apply(id *auth.Identity) *auth.Identity {
	out := *id
	start := id.Home
	if p.localRoot != "" {
		start = p.localRoot
		if p.subToken != "" {
			start = strings.ReplaceAll(start, p.subToken, id.Name)
		}
	}
	start = path.Clean(start)
	switch {
	case p.passwdChroot && strings.Contains(id.Home, "/./") && p.jailed(id.Name):
		root, rest, _ := strings.Cut(id.Home, "/./")
		out.Home, out.StartDir = path.Clean("/"+root), path.Clean("/"+rest)
	case p.jailed(id.Name):
		out.Home, out.StartDir = start, "/"
	default:
		out.Home, out.StartDir = "/", start
	}
	return &out
}
