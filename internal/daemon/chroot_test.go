package daemon

import (
	"testing"

	"wharf/internal/auth"
)

func TestChrootPolicy(t *testing.T) {
	tests := []struct {
		name             string
		p                chrootPolicy
		user, home       string
		wantRoot, wantCd string
	}{
		{"not jailed: root is / and the session starts at home", chrootPolicy{}, "alice", "/home/alice", "/", "/home/alice"},
		{"chroot_local_user jails in home", chrootPolicy{chrootLocal: true}, "alice", "/home/alice", "/home/alice", "/"},
		{"the list exempts from chroot_local_user", chrootPolicy{chrootLocal: true, list: map[string]bool{"alice": true}}, "alice", "/home/alice", "/", "/home/alice"},
		{"the list jails without chroot_local_user", chrootPolicy{list: map[string]bool{"bob": true}}, "bob", "/home/bob", "/home/bob", "/"},
		{"an unlisted user is free", chrootPolicy{list: map[string]bool{"bob": true}}, "carol", "/home/carol", "/", "/home/carol"},
		{"local_root with user_sub_token, jailed", chrootPolicy{chrootLocal: true, localRoot: "/srv/ftp/$USER", subToken: "$USER"}, "dave", "/home/dave", "/srv/ftp/dave", "/"},
		{"local_root, not jailed", chrootPolicy{localRoot: "/srv/ftp"}, "dave", "/home/dave", "/", "/srv/ftp"},
		{"passwd_chroot_enable splits at /./", chrootPolicy{chrootLocal: true, passwdChroot: true}, "erin", "/home/./ftp/erin", "/home", "/ftp/erin"},
		{"passwd_chroot_enable without /./ jails in home", chrootPolicy{chrootLocal: true, passwdChroot: true}, "fred", "/home/fred", "/home/fred", "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.p.apply(&auth.Identity{Name: tt.user, Home: tt.home})
			if got.Home != tt.wantRoot || got.StartDir != tt.wantCd {
				t.Errorf("root %q start %q, want root %q start %q", got.Home, got.StartDir, tt.wantRoot, tt.wantCd)
			}
		})
	}
}
