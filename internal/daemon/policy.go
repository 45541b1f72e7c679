package daemon

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"wharf/internal/access"
	"wharf/internal/auth"
	"wharf/internal/auth/system"
	"wharf/internal/config"
	"wharf/internal/ftp"
)

// buildPolicy reads the site policy keys: access files, command lists,
// messages and the anonymous e-mail lists. Files are read once here, at
// start (and on reload, which rebuilds the daemon's options).
func buildPolicy(c *config.Config) (ftp.Policy, error) {
	p := ftp.Policy{AnonWorldReadableOnly: c.Bool("anon_world_readable_only")}
	var err error
	if p.DenyFile, err = nameFilter(c, "deny_file"); err != nil {
		return p, err
	}
	if p.HideFile, err = nameFilter(c, "hide_file"); err != nil {
		return p, err
	}
	if p.DownloadFile, err = nameFilter(c, "download_file"); err != nil {
		return p, err
	}
	if p.UploadFile, err = nameFilter(c, "upload_file"); err != nil {
		return p, err
	}
	p.CmdsAllowed = commandSet(c.Str("cmds_allowed"))
	p.CmdsDenied = commandSet(c.Str("cmds_denied"))
	if c.Bool("dirmessage_enable") {
		p.MessageFile = c.Str("message_file")
	}
	if p.CheckAnonPassword, err = anonPasswordCheck(c); err != nil {
		return p, err
	}
	if c.Bool("userlist_enable") {
		list, err := system.LoadUserList(c.Str("userlist_file"), c.Bool("userlist_deny"))
		if err != nil {
			return p, fmt.Errorf("%s: %w", c.Where("userlist_file"), err)
		}
		p.CheckUser = list.CheckUser
	}
	return p, nil
}

func nameFilter(c *config.Config, key string) (*access.NameFilter, error) {
	f, err := access.ParseNameFilter(c.Str(key))
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %v", c.Where(key), key, err)
	}
	return f, nil
}

// commandSet parses "RETR,STOR,..." into a set of upper-case verbs; nil
// for an empty list (no restriction).
func commandSet(list string) map[string]bool {
	if strings.TrimSpace(list) == "" {
		return nil
	}
	set := map[string]bool{}
	for _, v := range strings.Split(list, ",") {
		if v = strings.ToUpper(strings.TrimSpace(v)); v != "" {
			set[v] = true
		}
	}
	return set
}

// anonPasswordCheck builds the deny_email_enable and
// secure_email_list_enable checks of the address anonymous users give.
func anonPasswordCheck(c *config.Config) (func(string) error, error) {
	var banned, allowed map[string]bool
	var err error
	if c.Bool("deny_email_enable") {
		if banned, err = readList(c, "banned_email_file"); err != nil {
			return nil, err
		}
	}
	if c.Bool("secure_email_list_enable") {
		if allowed, err = readList(c, "email_password_file"); err != nil {
			return nil, err
		}
	}
	if banned == nil && allowed == nil {
		return nil, nil
	}
	return func(pw string) error {
		switch {
		case banned[pw]:
			return fmt.Errorf("%w: e-mail address listed in banned_email_file", auth.ErrDenied)
		case allowed != nil && !allowed[pw]:
			return fmt.Errorf("%w: password not listed in email_password_file", auth.ErrBadPassword)
		}
		return nil
	}, nil
}

// readList reads a file of one entry per line (blank lines and '#'
// comments skipped), as vsftpd's list files.
func readList(c *config.Config, key string) (map[string]bool, error) {
	path := c.Str(key)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", c.Where(key), key, err)
	}
	defer f.Close()
	set := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && line[0] != '#' {
			set[line] = true
		}
	}
	return set, sc.Err()
}

// bannerText is banner_file's content when set, else ftpd_banner.
func bannerText(c *config.Config) (string, error) {
	path := c.Str("banner_file")
	if path == "" {
		return c.Str("ftpd_banner"), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s: banner_file: %w", c.Where("banner_file"), err)
	}
	return strings.TrimRight(strings.ReplaceAll(string(b), "\r", ""), "\n"), nil
}

// perUserOptions implements user_config_dir: a file named after the user
// in that directory overrides keys for that user's session, as in vsftpd.
// A user without a file gets the server's options.
func perUserOptions(c *config.Config, build func(*config.Config) (*ftp.Options, error)) func(string) (*ftp.Options, error) {
	dir := c.Str("user_config_dir")
	if dir == "" {
		return nil
	}
	return func(user string) (*ftp.Options, error) {
		if user == "" || strings.ContainsAny(user, "/\x00") || user == "." || user == ".." {
			return nil, nil // such a name cannot have a file, and must not reach one
		}
		data, err := os.ReadFile(filepath.Join(dir, user))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		uc, _, err := c.Overlay(filepath.Join(dir, user), data)
		if err != nil {
			return nil, err
		}
		return build(uc)
	}
}
