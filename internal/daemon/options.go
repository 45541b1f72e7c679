package daemon

import (
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"wharf/internal/auth"
	"wharf/internal/auth/system"
	"wharf/internal/config"
	"wharf/internal/ftp"
	"wharf/internal/ftp/dataconn"
	"wharf/internal/vfs"
)

// defaultGroup is where text_userdb_names finds group names.
const defaultGroup = "/etc/group"

// shared are the parts of the engine's options that do not depend on
// which config (the server's or a user's overlay) they are built from.
type shared struct {
	auth    auth.Authenticator
	openFS  func(*auth.Identity) (vfs.FS, error)
	tls     tlsSetup
	limiter ftp.ConnLimiter
	log     *slog.Logger
	xferlog func(ftp.TransferRecord) // nil without transfer log files
	userdb  *userDB                  // text_userdb_names
}

// ftpOptions translates a config into the FTP engine's Options. It is the
// only place that knows both the key names and the engine's fields.
func (sh *shared) ftpOptions(c *config.Config) (*ftp.Options, error) {
	o, err := baseOptions(c, sh.auth, sh.openFS)
	if err != nil {
		return nil, err
	}
	if o.Banner, err = bannerText(c); err != nil {
		return nil, err
	}
	if o.Policy, err = buildPolicy(c); err != nil {
		return nil, err
	}
	o.TLS = sh.tls.tlsOptions(c)
	o.Logger, o.Limiter = sh.log, sh.limiter
	o.TransferLog = sh.xferlog
	if c.Bool("text_userdb_names") {
		if sh.userdb == nil {
			sh.userdb = newUserDB(system.DefaultPasswd, defaultGroup)
		}
		o.UserNames = sh.userdb.Names
	}
	if c.Bool("tilde_user_enable") {
		o.UserHome = userHome
	}
	return o, nil
}

// serverOptions are the server's options: ftpOptions plus the per-user
// overlays of user_config_dir (which do not nest).
func (sh *shared) serverOptions(c *config.Config) (*ftp.Options, error) {
	o, err := sh.ftpOptions(c)
	if err != nil {
		return nil, err
	}
	o.Policy.ForUser = perUserOptions(c, sh.ftpOptions)
	return o, nil
}

func baseOptions(c *config.Config, a auth.Authenticator, openFS func(*auth.Identity) (vfs.FS, error)) (*ftp.Options, error) {
	pasvAddr, err := pasvAddress(c)
	if err != nil {
		return nil, err
	}
	secs := func(key string) time.Duration { return time.Duration(c.Int(key)) * time.Second }
	return &ftp.Options{
		Auth:                 a,
		OpenFS:               openFS,
		LocalEnable:          c.Bool("local_enable"),
		AnonymousEnable:      c.Bool("anonymous_enable"),
		AnonRoot:             anonRoot(c),
		NoAnonPassword:       c.Bool("no_anon_password"),
		MaxLoginFails:        c.Int("max_login_fails"),
		FailedLoginWait:      secs("delay_failed_login"),
		LoginWait:            secs("delay_successful_login"),
		ChmodEnable:          c.Bool("chmod_enable"),
		LocalMaxRate:         c.Int("local_max_rate"),
		AnonMaxRate:          c.Int("anon_max_rate"),
		MdtmWrite:            c.Bool("mdtm_write"),
		WriteEnable:          c.Bool("write_enable"),
		DownloadEnable:       c.Bool("download_enable"),
		DirlistEnable:        c.Bool("dirlist_enable"),
		AnonUploadEnable:     c.Bool("anon_upload_enable"),
		AnonMkdirWriteEnable: c.Bool("anon_mkdir_write_enable"),
		AnonOtherWriteEnable: c.Bool("anon_other_write_enable"),
		VirtualUseLocalPrivs: c.Bool("virtual_use_local_privs"),
		LocalUmask:           fs.FileMode(c.Int("local_umask")),
		AnonUmask:            fs.FileMode(c.Int("anon_umask")),
		FileOpenMode:         fs.FileMode(c.Int("file_open_mode")),
		ASCIIUpload:          c.Bool("ascii_upload_enable"),
		ASCIIDownload:        c.Bool("ascii_download_enable"),
		HideIDs:              c.Bool("hide_ids"),
		ForceDotFiles:        c.Bool("force_dot_files"),
		LsRecurseEnable:      c.Bool("ls_recurse_enable"),
		PortEnable:           c.Bool("port_enable"),
		PasvEnable:           c.Bool("pasv_enable"),
		PasvPorts:            pasvRange(c),
		PasvAddress:          pasvAddr,
		PasvPromiscuous:      c.Bool("pasv_promiscuous"),
		PortPromiscuous:      c.Bool("port_promiscuous"),
		ConnectFromPort20:    c.Bool("connect_from_port_20"),
		DataPort:             c.Int("ftp_data_port"),
		AcceptTimeout:        secs("accept_timeout"),
		ConnectTimeout:       secs("connect_timeout"),
		DataTimeout:          secs("data_connection_timeout"),
		IdleTimeout:          secs("idle_session_timeout"),
		LoginTimeout:         secs("login_timeout"),
		LineTimeout:          secs("command_line_timeout"),
		MaxLine:              c.Int("max_command_line"),
		LogTransfers:         c.Bool("xferlog_enable"),
		LogProtocol:          c.Bool("log_ftp_protocol"),
		SpliceUploads:        c.Bool("splice_uploads"),
	}, nil
}

// pasvAddress is what PASV announces: pasv_address as an IP, or resolved
// once at start with pasv_addr_resolve=YES (vsftpd resolves it once too).
func pasvAddress(c *config.Config) (netip.Addr, error) {
	s := c.Str("pasv_address")
	if s == "" {
		return netip.Addr{}, nil
	}
	if ip, err := netip.ParseAddr(s); err == nil {
		return ip.Unmap(), nil
	}
	if !c.Bool("pasv_addr_resolve") {
		return netip.Addr{}, fmt.Errorf("%s: pasv_address %q is not an IP address (set pasv_addr_resolve=YES to use a host name)", c.Where("pasv_address"), s)
	}
	ips, err := net.LookupIP(s)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("%s: pasv_address %q does not resolve: %v", c.Where("pasv_address"), s, err)
	}
	for _, ip := range ips {
		if v4 := ip.To4(); v4 != nil {
			return netip.AddrFrom4([4]byte(v4)), nil
		}
	}
	return netip.Addr{}, fmt.Errorf("%s: pasv_address %q has no IPv4 address, and PASV can only announce IPv4", c.Where("pasv_address"), s)
}

// pasvRange reads pasv_min_port..pasv_max_port as vsftpd does: a 0 bound
// is open (1024 below, 65535 above), and both 0 let the kernel choose.
// vsftpd's own default is 5001..0, i.e. 5001-65535.
func pasvRange(c *config.Config) dataconn.PortRange {
	lo, hi := c.Int("pasv_min_port"), c.Int("pasv_max_port")
	if lo == 0 && hi == 0 {
		return dataconn.PortRange{}
	}
	if lo == 0 {
		lo = 1024
	}
	if hi == 0 {
		hi = 65535
	}
	return dataconn.PortRange{Min: lo, Max: hi}
}

// anonRoot is anon_root, or else ftp_username's home directory, as in
// vsftpd.
func anonRoot(c *config.Config) string {
	if r := c.Str("anon_root"); r != "" {
		return r
	}
	if acct, ok, _ := system.LookupAccount(system.DefaultPasswd, c.Str("ftp_username")); ok {
		return acct.Home
	}
	return ""
}

// userHome is a system account's home directory, for tilde_user_enable.
func userHome(name string) (string, bool) {
	acct, ok, err := system.LookupAccount(system.DefaultPasswd, name)
	if err != nil || !ok {
		return "", false
	}
	return acct.Home, true
}
