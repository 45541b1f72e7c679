// Package userfile is the virtual users file: accounts that exist only for
// Wharf, not on the host.
//
// # Format
//
// UTF-8 text, one user per line. Blank lines and lines whose first non-blank
// character is '#' are comments; they are kept, in place, when the file is
// rewritten by Save. A user line has four or five fields separated by ':':
//
//	name:hash:home:perms[:options]
//
// For example:
//
//	# staff
//	alice:$argon2id$v=19$m=65536,t=3,p=2$<salt>$<hash>:/srv/ftp/alice:rlw
//	bob:$2b$12$<53 characters>:/srv/ftp/public:rl
//	# uploads only: a drop box
//	dropbox:$argon2id$...:/srv/ftp/incoming:w:quota=10G
//
// The fields:
//
//   - name: 1 to 64 characters of [A-Za-z0-9._@-], not starting with '-' or
//     '.'; case-sensitive; unique in the file.
//   - hash: a password hash in a format package auth verifies (argon2id PHC
//     strings for new passwords; bcrypt $2a$/$2b$/$2y$). A hash is checked when
//     the file is loaded, not at the first login.
//   - home: absolute host path of the user's root directory ("/" to the user).
//     It cannot contain ':'. It is cleaned (a trailing '/' is dropped).
//   - perms: one or more of the letters r (download), l (list directories),
//     w (write: upload, mkdir, rename, delete, chmod), in any order, each at
//     most once. "w" alone makes an upload-only drop box.
//   - options: reserved for later features (e.g. SSH keys, quotas): a
//     ','-separated list of key=value, keys [a-z0-9_-], values without ',' ':'
//     or control characters. Unknown keys are kept and written back as they
//     were, so a file edited by a newer Wharf still loads in an older one.
//
// Errors name the file and line ("users:12: ..."). The file holds password
// hashes: Save writes it with mode 0600.
package userfile

import (
	"errors"
	"fmt"
	"slices"

	"wharf/internal/auth"
)

// Errors from editing a File.
var (
	ErrUserExists = errors.New("userfile: user already exists")
	ErrNoUser     = errors.New("userfile: no such user")
)

// User is one line of the file.
type User struct {
	Name    string
	Hash    string
	Home    string
	Perms   auth.Perm
	Options []Option // in file order
}

// Option is one key=value of the options field.
type Option struct{ Key, Value string }

// File is a parsed users file. The zero value is an empty file, ready for Add
// and Save. A File is not safe for concurrent modification; the Authenticator
// never modifies the File it serves from.
type File struct {
	lines []line
	index map[string]int // user name -> position in lines
}

// line is a user, or a comment or blank line kept verbatim.
type line struct {
	raw  string
	user *User
}

// Users returns copies of all users, in file order.
func (f *File) Users() []User {
	var us []User
	for _, l := range f.lines {
		if l.user != nil {
			us = append(us, l.user.clone())
		}
	}
	return us
}

// Lookup returns a copy of the named user.
func (f *File) Lookup(name string) (User, bool) {
	i, ok := f.index[name]
	if !ok {
		return User{}, false
	}
	return f.lines[i].user.clone(), true
}

// Add appends a new user after checking every field.
func (f *File) Add(u User) error {
	if err := u.normalize(); err != nil {
		return err
	}
	if _, ok := f.index[u.Name]; ok {
		return fmt.Errorf("%w: %s", ErrUserExists, u.Name)
	}
	f.append(u)
	return nil
}

// Update replaces the user of the same name, keeping its place in the file.
func (f *File) Update(u User) error {
	if err := u.normalize(); err != nil {
		return err
	}
	i, ok := f.index[u.Name]
	if !ok {
		return fmt.Errorf("%w: %s", ErrNoUser, u.Name)
	}
	f.lines[i].user = &u
	return nil
}

// SetPassword hashes password with auth.HashPassword (argon2id, default
// parameters) and stores it for the named user.
func (f *File) SetPassword(name, password string) error {
	if _, ok := f.index[name]; !ok {
		return fmt.Errorf("%w: %s", ErrNoUser, name)
	}
	h, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	return f.SetHash(name, h)
}

// SetHash stores an existing hash (e.g. imported from another server) for
// the named user, after checking its format.
func (f *File) SetHash(name, hash string) error {
	u, ok := f.Lookup(name)
	if !ok {
		return fmt.Errorf("%w: %s", ErrNoUser, name)
	}
	u.Hash = hash
	return f.Update(u)
}

// Delete removes the named user's line.
func (f *File) Delete(name string) error {
	i, ok := f.index[name]
	if !ok {
		return fmt.Errorf("%w: %s", ErrNoUser, name)
	}
	f.lines = slices.Delete(f.lines, i, i+1)
	f.reindex()
	return nil
}

func (f *File) append(u User) {
	if f.index == nil {
		f.index = make(map[string]int)
	}
	f.index[u.Name] = len(f.lines)
	f.lines = append(f.lines, line{user: &u})
}

func (f *File) reindex() {
	f.index = make(map[string]int, len(f.lines))
	for i, l := range f.lines {
		if l.user != nil {
			f.index[l.user.Name] = i
		}
	}
}

func (u *User) clone() User {
	c := *u
	c.Options = slices.Clone(u.Options)
	return c
}
