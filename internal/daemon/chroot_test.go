package daemon

import (
	"testing"

	"wharf/internal/auth"
	"wharf/internal/config"
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

func TestPasvRange(t *testing.T) {
	tests := []struct {
		opts   []string
		lo, hi int
	}{
		{nil, 5001, 65535}, // vsftpd's defaults: 5001..0
		{[]string{"pasv_min_port=0", "pasv_max_port=0"}, 0, 0},
		{[]string{"pasv_min_port=40000", "pasv_max_port=40100"}, 40000, 40100},
		{[]string{"pasv_min_port=0", "pasv_max_port=50000"}, 1024, 50000},
	}
	for _, tt := range tests {
		c, _, err := config.Parse("t.conf", []byte("anonymous_enable=NO\n"), tt.opts)
		if err != nil {
			t.Fatal(err)
		}
		if r := pasvRange(c); r.Min != tt.lo || r.Max != tt.hi {
			t.Errorf("%v: range %d-%d, want %d-%d", tt.opts, r.Min, r.Max, tt.lo, tt.hi)
		}
	}
}
