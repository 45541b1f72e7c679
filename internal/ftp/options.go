package ftp

import (
	"errors"
	"io/fs"
	"log/slog"
	"net/netip"
	"time"

	"wharf/internal/auth"
	"wharf/internal/ftp/dataconn"
	"wharf/internal/vfs"
)

// ConnLimiter admits or refuses a new connection from ip (max_clients,
// max_per_ip). The error's text is sent to the client after "421 ".
type ConnLimiter interface {
	Acquire(ip netip.Addr) (release func(), err error)
}

// Options configure a Server. The daemon builds them from the config file;
// tests build them directly.
type Options struct {
	Auth   auth.Authenticator
	OpenFS func(id *auth.Identity) (vfs.FS, error) // the user's files
	Logger *slog.Logger
	// Limiter, when set, applies connection limits before the banner.
	Limiter ConnLimiter

	Banner string // ftpd_banner: the text of the 220 greeting

	// Who may log in.
	LocalEnable     bool          // non-anonymous users (from Auth)
	AnonymousEnable bool          // "anonymous" and "ftp"
	AnonRoot        string        // anon_root: host directory anonymous users see as "/"
	NoAnonPassword  bool          // no_anon_password: don't ask anonymous for a password
	MaxLoginFails   int           // max_login_fails: close the session after this many
	FailedLoginWait time.Duration // delay_failed_login
	LoginWait       time.Duration // delay_successful_login

	// What logged-in users may do (on top of the Identity's permissions).
	WriteEnable          bool
	DownloadEnable       bool
	DirlistEnable        bool
	AnonUploadEnable     bool
	AnonMkdirWriteEnable bool
	AnonOtherWriteEnable bool
	VirtualUseLocalPrivs bool // guests get local rather than anonymous permissions
	LocalUmask           fs.FileMode
	AnonUmask            fs.FileMode
	FileOpenMode         fs.FileMode // file_open_mode, before the umask
	ASCIIUpload          bool        // ascii_upload_enable
	ASCIIDownload        bool        // ascii_download_enable
	LocalMaxRate         int         // local_max_rate: bytes/s per session, 0 unlimited
	AnonMaxRate          int         // anon_max_rate
	ChmodEnable          bool        // chmod_enable: SITE CHMOD
	MdtmWrite            bool        // mdtm_write: MFMT
	HideIDs              bool
	ForceDotFiles        bool
	LsRecurseEnable      bool

	// Data connections.
	PortEnable        bool
	PasvEnable        bool
	PasvPorts         dataconn.PortRange
	PasvAddress       netip.Addr // announced by PASV; zero = the control connection's local address
	PasvPromiscuous   bool
	PortPromiscuous   bool
	ConnectFromPort20 bool
	DataPort          int // ftp_data_port

	// Timeouts. Zero takes the default in parentheses.
	AcceptTimeout  time.Duration // passive: client must connect within (60s)
	ConnectTimeout time.Duration // active: connect must succeed within (60s)
	DataTimeout    time.Duration // a stalled data connection (300s)
	IdleTimeout    time.Duration // between commands (300s)
	LoginTimeout   time.Duration // connect to logged in (60s)
	LineTimeout    time.Duration // first byte of a command line to its end (30s)
	MaxLine        int           // control line cap in bytes (4096)

	TLS TLSOptions // FTPS

	Policy Policy // user lists, access files, command lists, messages

	// SpliceUploads moves plain-TCP uploads with splice(2) instead of a
	// read/write loop (splice_uploads; see receiveFrom for the trade).
	SpliceUploads bool

	LogTransfers bool // xferlog_enable: a log line per transfer
	LogProtocol  bool // log_ftp_protocol: every command and reply at debug

	// TransferLog, when set, gets one record per finished or failed file
	// transfer (RETR, STOR, APPE, STOU; not listings), whatever
	// LogTransfers says: the daemon writes xferlog_file, vsftpd_log_file or
	// syslog from it. It is called from the transfer's goroutine and must
	// not block for long.
	TransferLog func(TransferRecord)
	// UserNames, when set (text_userdb_names), gives LIST the user and
	// group names of numeric ids; "" shows the number.
	UserNames func(uid, gid uint32) (user, group string)
	// UserHome, when set (tilde_user_enable), gives the host path of a
	// user's home directory, for "~user" in paths.
	UserHome func(name string) (home string, ok bool)
}

// TransferRecord is one file transfer, for TransferLog.
type TransferRecord struct {
	Time         time.Time     // when it ended
	Duration     time.Duration // from the command to the end
	Remote       netip.Addr    // the client
	Bytes        int64         // bytes moved on the data connection
	Path         string        // the virtual path, as the user sees it
	ASCII        bool          // TYPE A
	Upload       bool          // STOR, APPE, STOU
	Anonymous    bool
	Guest        bool   // a guest_enable login
	User         string // the login name
	AnonPassword string // what an anonymous user gave as password (an e-mail address)
	Complete     bool   // the transfer succeeded
}

func (o *Options) validate() error {
	if o.Auth == nil && o.LocalEnable {
		return errors.New("ftp: LocalEnable needs an Authenticator")
	}
	if o.OpenFS == nil {
		return errors.New("ftp: Options.OpenFS is required")
	}
	if o.PasvPorts.Min > o.PasvPorts.Max {
		return errors.New("ftp: passive port range is inverted")
	}
	return nil
}

func (o *Options) fillDefaults() {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Banner == "" {
		o.Banner = "Wharf FTP server ready."
	}
	setDefault(&o.AcceptTimeout, 60*time.Second)
	setDefault(&o.ConnectTimeout, 60*time.Second)
	setDefault(&o.DataTimeout, 300*time.Second)
	setDefault(&o.IdleTimeout, 300*time.Second)
	setDefault(&o.LoginTimeout, 60*time.Second)
	setDefault(&o.LineTimeout, 30*time.Second)
	setDefault(&o.TLS.HandshakeTimeout, 30*time.Second)
	if o.MaxLine <= 0 {
		o.MaxLine = 4096
	}
	if o.DataPort == 0 {
		o.DataPort = 20
	}
	if o.FileOpenMode == 0 {
		o.FileOpenMode = 0o666
	}
}

func setDefault(d *time.Duration, v time.Duration) {
	if *d <= 0 {
		*d = v
	}
}
