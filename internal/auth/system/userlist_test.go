package system

import (
	"errors"
	"strings"
	"testing"

	"wharf/internal/auth"
)

func TestUserList(t *testing.T) {
	p := writeFile(t, "# vsftpd userlist\nroot\n  daemon  \n\nanonymous\n")
	tests := []struct {
		deny bool
		user string
		want bool
	}{
		{true, "root", true},
		{true, "daemon", true},
		{true, "anonymous", true},
		{true, "alice", false},
		{true, "Root", false}, // exact match, as vsftpd
		{true, "# vsftpd userlist", false},
		{true, "", false},
		{false, "root", false},
		{false, "alice", true},
		{false, "", true},
	}
	for _, deny := range []bool{true, false} {
		l, err := LoadUserList(p, deny)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range tests {
			if tt.deny != deny {
				continue
			}
			got := l.Refused(tt.user)
			err := l.CheckUser(tt.user)
			if got != tt.want || errors.Is(err, auth.ErrDenied) != tt.want || (err == nil) == tt.want {
				t.Errorf("deny=%v %q: Refused = %v, CheckUser = %v; want refused %v", deny, tt.user, got, err, tt.want)
			}
			if err != nil && !strings.Contains(err.Error(), p) {
				t.Errorf("error %q does not name the file", err)
			}
		}
	}
}

func TestLoadUserListMissing(t *testing.T) {
	_, err := LoadUserList(t.TempDir()+"/user_list", true)
	if err == nil || !strings.Contains(err.Error(), "user_list") {
		t.Fatalf("err = %v; want one naming the file", err)
	}
}

func TestNewUserListAsPreAuthChecker(t *testing.T) {
	var c auth.PreAuthChecker = auth.PreAuthCheckers{
		NewUserList("a", []string{"root"}, true),
		NewUserList("b", []string{"root", "alice"}, false),
	}
	for user, refused := range map[string]bool{"root": true, "alice": false, "bob": true} {
		if err := c.CheckUser(user); (err != nil) != refused || (err != nil && !errors.Is(err, auth.ErrDenied)) {
			t.Errorf("CheckUser(%q) = %v; want refused %v", user, err, refused)
		}
	}
}
