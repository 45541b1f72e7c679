package system

import (
	"fmt"

	"wharf/internal/auth"
)

// UserList is vsftpd's userlist_enable / userlist_deny / userlist_file. With
// deny (userlist_deny=YES, vsftpd's default) the listed names are refused;
// without it only the listed names may log in. Either way the refusal comes
// at USER time, before a password is asked, so a listed user never sends a
// password over a plain connection. It applies to every login, system,
// virtual and anonymous alike, which is why it is not part of an
// Authenticator: fronts consult it through auth.PreAuthChecker.
type UserList struct {
	path  string
	deny  bool
	names map[string]bool
}

var _ auth.PreAuthChecker = (*UserList)(nil)

// DefaultUserList is vsftpd's default userlist_file.
const DefaultUserList = "/etc/vsftpd.user_list"

// LoadUserList reads the list at path ("" = DefaultUserList): one name per
// line, blank lines and '#' comments ignored. vsftpd refuses to start when
// userlist_enable is set and the file cannot be read; so does this.
func LoadUserList(path string, deny bool) (*UserList, error) {
	path = orDefault(path, DefaultUserList)
	names, ok, err := readList(path)
	if err == nil && !ok {
		err = fmt.Errorf("open %s: file does not exist", path)
	}
	if err != nil {
		return nil, fmt.Errorf("userlist_file: %w", err)
	}
	return &UserList{path: path, deny: deny, names: names}, nil
}

// NewUserList returns a list of the given names; path only labels errors.
func NewUserList(path string, names []string, deny bool) *UserList {
	l := &UserList{path: path, deny: deny, names: make(map[string]bool, len(names))}
	for _, n := range names {
		l.names[n] = true
	}
	return l
}

// Refused reports whether name may not log in. Names match exactly, as in
// vsftpd (case matters).
func (l *UserList) Refused(name string) bool {
	return l.names[name] == l.deny
}

// CheckUser implements auth.PreAuthChecker; the error wraps auth.ErrDenied.
func (l *UserList) CheckUser(name string) error {
	if !l.Refused(name) {
		return nil
	}
	if l.deny {
		return fmt.Errorf("%w: user %q is listed in %s (userlist_deny=YES)", auth.ErrDenied, name, l.path)
	}
	return fmt.Errorf("%w: user %q is not listed in %s (userlist_deny=NO)", auth.ErrDenied, name, l.path)
}
