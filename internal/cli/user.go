package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"wharf/internal/auth"
	"wharf/internal/auth/userfile"
)

// runUser manages the virtual users file without an editor:
//
//	wharf user add    -f FILE [-home DIR] [-perms rlw] NAME
//	wharf user passwd -f FILE NAME
//	wharf user del    -f FILE NAME
//	wharf user list   -f FILE
//	wharf user key    add|del|list ...   (SSH public keys, see userkey.go)
//
// Passwords are read from the terminal without echo (asked twice), or as
// one line from standard input when it is not a terminal, for scripts.
func runUser(e env) int {
	if len(e.args) == 0 {
		fmt.Fprintln(e.stderr, "usage: wharf user add|passwd|del|list|key -f FILE [NAME]")
		return 2
	}
	if e.args[0] == "key" {
		return runUserKey(e) // SSH public keys: userkey.go
	}
	action := e.args[0]
	fset := newFlagSet("user "+action, e)
	file := fset.String("f", "/etc/wharf/users", "the users `file`")
	home := fset.String("home", "", "with add: the user's root `directory` (absolute)")
	perms := fset.String("perms", "rlw", "with add: permissions, letters r (download) l (list) w (write)")
	if fset.Parse(e.args[1:]) != nil {
		return 2
	}
	u := userCmd{env: e, file: *file}
	var err error
	switch action {
	case "add":
		err = u.add(fset.Arg(0), *home, *perms)
	case "passwd":
		err = u.passwd(fset.Arg(0))
	case "del":
		err = u.del(fset.Arg(0))
	case "list":
		err = u.list()
	default:
		fmt.Fprintf(e.stderr, "wharf user: unknown action %q (use add, passwd, del or list)\n", action)
		return 2
	}
	if err != nil {
		fmt.Fprintln(e.stderr, "wharf user "+action+":", err)
		return 1
	}
	return 0
}

type userCmd struct {
	env
	file string
}

// load reads the users file; a missing file is an empty one (for add).
func (u userCmd) load() (*userfile.File, error) {
	f, err := userfile.Load(u.file)
	if errors.Is(err, fs.ErrNotExist) {
		return &userfile.File{}, nil
	}
	return f, err
}

func (u userCmd) add(name, home, permText string) error {
	if name == "" || home == "" {
		return errors.New("usage: wharf user add -f FILE -home DIR [-perms rlw] NAME")
	}
	perms, err := userfile.ParsePerms(permText)
	if err != nil {
		return err
	}
	home, err = filepath.Abs(home)
	if err != nil {
		return err
	}
	if err := userfile.CheckName(name); err != nil {
		return err
	}
	f, err := u.load()
	if err != nil {
		return err
	}
	if _, exists := f.Lookup(name); exists {
		return fmt.Errorf("user %q already exists in %s (use passwd to change the password)", name, u.file)
	}
	hash, err := u.readNewHash(name)
	if err != nil {
		return err
	}
	if err := f.Add(userfile.User{Name: name, Hash: hash, Home: home, Perms: perms}); err != nil {
		return err
	}
	if err := f.Save(u.file); err != nil {
		return err
	}
	fmt.Fprintf(u.stdout, "added %s (root %s, permissions %s) to %s\n", name, home, userfile.FormatPerms(perms), u.file)
	return nil
}

func (u userCmd) readNewHash(name string) (string, error) {
	pw, err := auth.ReadPassword(u.stdin, u.stderr, true)
	if err != nil {
		return "", err
	}
	if pw == "" {
		return "", fmt.Errorf("empty password for %s refused", name)
	}
	return auth.HashPassword(pw)
}

func (u userCmd) passwd(name string) error {
	f, err := userfile.Load(u.file)
	if err != nil {
		return err
	}
	usr, ok := f.Lookup(name)
	if !ok {
		return fmt.Errorf("no user %q in %s", name, u.file)
	}
	if usr.Hash, err = u.readNewHash(name); err != nil {
		return err
	}
	if err := f.Update(usr); err != nil {
		return err
	}
	if err := f.Save(u.file); err != nil {
		return err
	}
	fmt.Fprintf(u.stdout, "password changed for %s (a running server picks it up on SIGHUP)\n", name)
	return nil
}

func (u userCmd) del(name string) error {
	f, err := userfile.Load(u.file)
	if err != nil {
		return err
	}
	if err := f.Delete(name); err != nil {
		return err
	}
	if err := f.Save(u.file); err != nil {
		return err
	}
	fmt.Fprintf(u.stdout, "deleted %s from %s\n", name, u.file)
	return nil
}

func (u userCmd) list() error {
	f, err := userfile.Load(u.file)
	if err != nil {
		return err
	}
	for _, usr := range f.Users() {
		fmt.Fprintf(u.stdout, "%-20s %-4s %s\n", usr.Name, userfile.FormatPerms(usr.Perms), usr.Home)
	}
	return nil
}
