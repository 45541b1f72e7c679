package config

// The key table: every key vsftpd 3.0 accepts (upstream, plus the Debian and Red Hat patches' keys), then
// Wharf's own. Defaults follow vsftpd's built-in defaults (tunables.c), not its man page, except the keys in
// divergences. Keep one key per entry and the reasons short: README's key reference is generated from here.

// divergences maps the keys whose Wharf default differs from vsftpd's built-in default to vsftpd's default.
// Load warns when a config leaves one of them unset, and Normalize always writes them, so that a file means
// the same to vsftpd and to Wharf.
var divergences = map[string]string{
	"anonymous_enable": "YES", // safe by default: Wharf serves no anonymous FTP unless asked to
	"ssl_tlsv1":        "YES", // TLS 1.0 is obsolete (RFC 8996): off unless the config asks for it
}

// divergenceGuards names, for a divergence that matters only when another key is on, that key: the
// "set it explicitly" warning is given only then.
var divergenceGuards = map[string]string{
	"ssl_tlsv1": "ssl_enable",
}

const (
	whySandbox = "Wharf is one Go process with no per-session fork; every file access is confined to the " +
		"user's root with os.Root, so there is no helper process to sandbox"
)

func impl(name string, t Type, def, doc string) Key {
	return Key{Name: name, Type: t, Default: def, Doc: doc, Status: Implemented}
}

func notNeeded(name string, t Type, def, doc, reason string) Key {
	return Key{Name: name, Type: t, Default: def, Doc: doc, Status: NotNeeded, Reason: reason}
}

func refused(name string, t Type, def, doc, reason string) Key {
	return Key{Name: name, Type: t, Default: def, Doc: doc, Status: Refused, Reason: reason}
}

var vsftpdKeys = []Key{
	// Listening sockets and data connections.
	impl("listen", TypeBool, "YES", "YES: one IPv4 socket on listen_address; with listen=NO and listen_ipv6=NO Wharf "+
		"listens on [::] for IPv4 and IPv6 (Wharf is always standalone, there is no inetd mode)"),
	impl("listen_ipv6", TypeBool, "NO", "YES: one IPv6 socket on listen_address6 (on Linux with bindv6only=0 it also "+
		"takes IPv4); cannot be combined with listen=YES"),
	impl("listen_port", TypeInt, "21", "control connection port"),
	impl("listen_address", TypeString, "", "IPv4 address the control socket binds to with listen=YES (none: all)"),
	impl("listen_address6", TypeString, "", "IPv6 address the control socket binds to with listen_ipv6=YES (none: all)"),
	impl("ftp_data_port", TypeInt, "20", "source port of active-mode data connections when connect_from_port_20=YES"),
	impl("connect_from_port_20", TypeBool, "NO", "open active-mode data connections from ftp_data_port instead of "+
		"an ephemeral port (port 20 needs privilege)"),
	impl("port_enable", TypeBool, "YES", "accept PORT/EPRT (active mode); NO leaves clients passive mode only"),
	impl("pasv_enable", TypeBool, "YES", "accept PASV/EPSV (passive mode); NO leaves clients active mode only"),
	impl("pasv_min_port", TypeInt, "5001", "lowest passive data port (0: no lower bound, i.e. 1024)"),
	impl("pasv_max_port", TypeInt, "0", "highest passive data port (0: no upper bound, i.e. 65535)"),
	impl("pasv_address", TypeString, "", "IPv4 address announced in PASV replies, for NAT (none: the control "+
		"connection's local address)"),
	impl("pasv_addr_resolve", TypeBool, "NO", "pasv_address is a host name, resolved once at start-up"),
	impl("pasv_promiscuous", TypeBool, "NO", "accept a passive data connection from any address, not only the "+
		"control connection's peer (FXP; unsafe)"),
	impl("port_promiscuous", TypeBool, "NO", "let PORT/EPRT name another address than the client's or a port "+
		"below 1024 (FXP; unsafe)"),
	impl("accept_timeout", TypeSeconds, "60", "seconds to wait for the client to connect to a passive data port"),
	impl("connect_timeout", TypeSeconds, "60", "seconds to wait for an active-mode data connection to be accepted"),
	impl("data_connection_timeout", TypeSeconds, "300", "seconds a data transfer may stall before it is aborted"),
	impl("idle_session_timeout", TypeSeconds, "300", "seconds without a command before the session is closed "+
		"(a session with a transfer in progress is not idle)"),
	impl("max_clients", TypeInt, "2000", "most simultaneous sessions (0: unlimited)"),
	impl("max_per_ip", TypeInt, "50", "most simultaneous sessions from one client address (0: unlimited)"),
	impl("ftpd_banner", TypeString, "", "text of the 220 greeting (none: Wharf's own)"),

	// Users and permissions.
	impl("anonymous_enable", TypeBool, "NO", "let clients log in as 'anonymous' or 'ftp'"),
	impl("anon_root", TypeString, "", "directory anonymous users are confined to"),
	impl("ftp_username", TypeString, "ftp", "account anonymous logins are mapped to"),
	impl("no_anon_password", TypeBool, "NO", "do not ask anonymous users for a password"),
	impl("anon_upload_enable", TypeBool, "NO", "anonymous users may upload (needs write_enable)"),
	impl("anon_mkdir_write_enable", TypeBool, "NO", "anonymous users may create directories (needs write_enable)"),
	impl("anon_other_write_enable", TypeBool, "NO", "anonymous users may delete and rename (needs write_enable)"),
	impl("local_enable", TypeBool, "NO", "let non-anonymous users log in (the users of users_file; system "+
		"accounts are planned)"),
	impl("write_enable", TypeBool, "NO", "master switch for every command that changes files (STOR, DELE, MKD, "+
		"RNFR, SITE CHMOD, ...)"),
	impl("download_enable", TypeBool, "YES", "allow RETR; NO makes the server upload and list only"),
	impl("dirlist_enable", TypeBool, "YES", "allow LIST, NLST, MLSD and STAT listings"),
	impl("local_umask", TypeOctal, "077", "umask for files and directories created by non-anonymous users"),
	impl("anon_umask", TypeOctal, "077", "umask for files and directories created by anonymous users"),
	impl("file_open_mode", TypeOctal, "0666", "permission bits of uploaded files, before the umask"),
	impl("delete_failed_uploads", TypeBool, "NO", "delete the partial file when an upload fails or is aborted"),

	// Listings and transfers.
	impl("ascii_upload_enable", TypeBool, "NO", "convert CRLF to LF on uploads in TYPE A (otherwise ASCII "+
		"mode is binary)"),
	impl("ascii_download_enable", TypeBool, "NO", "convert LF to CRLF on downloads in TYPE A"),
	impl("hide_ids", TypeBool, "NO", "show every owner and group as 'ftp' in listings"),
	impl("force_dot_files", TypeBool, "NO", "list dot files even when the client does not ask for -a"),
	impl("ls_recurse_enable", TypeBool, "NO", "allow recursive listings (LIST -R)"),
	impl("use_localtime", TypeBool, "NO", "show times in listings and MDTM in local time instead of GMT"),

	// Logging.
	impl("xferlog_enable", TypeBool, "NO", "log each upload and download: a line in Wharf's log, and the vsftpd "+
		"log files below (vsftpd_log_file, or xferlog_file with xferlog_std_format)"),
	impl("log_ftp_protocol", TypeBool, "NO", "log every command and reply"),
	impl("xferlog_std_format", TypeBool, "NO", "write the transfer log in wu-ftpd xferlog format to xferlog_file "+
		"instead of vsftpd's format to vsftpd_log_file"),
	impl("xferlog_file", TypeString, "/var/log/xferlog", "path of the xferlog-format transfer log (opened 0600 "+
		"for appending, reopened on SIGHUP)"),
	impl("vsftpd_log_file", TypeString, "/var/log/vsftpd.log", "path of the vsftpd-format transfer log: one "+
		"\"OK DOWNLOAD\"/\"FAIL UPLOAD\" line per transfer (Wharf's own log keeps logins and the rest); when "+
		"only xferlog_enable implies it and it cannot be opened, Wharf warns and goes on"),
	impl("dual_log_enable", TypeBool, "NO", "write both the xferlog and the vsftpd-format log (even with "+
		"xferlog_enable=NO)"),
	impl("syslog_enable", TypeBool, "NO", "send the vsftpd-format transfer lines to syslog (facility FTP) instead "+
		"of vsftpd_log_file; without a syslog socket Wharf warns and goes on"),
	notNeeded("no_log_lock", TypeBool, "NO", "do not lock the log file while writing",
		"Wharf writes its log through its logger (stderr or the journal) and takes no file locks"),
	notNeeded("log_die", TypeBool, "NO", "also send a fatal error to syslog (Red Hat)",
		"Wharf always logs a fatal error through its logger before it exits"),
	notNeeded("wc_logs_enable", TypeBool, "NO", "treat log text as wide characters when filtering it (Red Hat)",
		"Wharf's structured logs quote unprintable bytes themselves"),

	// Process model and sandboxing.
	notNeeded("background", TypeBool, "NO", "fork the listener into the background",
		"Wharf always runs in the foreground; run it under systemd (or another supervisor) instead"),
	notNeeded("one_process_model", TypeBool, "NO", "Linux 2.4-era single-process mode for anonymous-only servers",
		"Wharf always serves every session from one Go process"),
	notNeeded("seccomp_sandbox", TypeBool, "YES", "confine sessions with a seccomp syscall filter", whySandbox),
	notNeeded("ptrace_sandbox", TypeBool, "NO", "experimental ptrace-based syscall filter", whySandbox),
	notNeeded("isolate", TypeBool, "YES", "start sessions in new PID and IPC namespaces", whySandbox),
	notNeeded("isolate_network", TypeBool, "YES", "start sessions in a new network namespace", whySandbox),
	notNeeded("secure_chroot_dir", TypeString, "/usr/share/empty", "empty directory the unprivileged helper is "+
		"jailed in", whySandbox),
	notNeeded("nopriv_user", TypeString, "nobody", "unprivileged account the network-facing process runs as",
		"Wharf forks no helper; run the whole process as an unprivileged user (systemd User=, with "+
			"CAP_NET_BIND_SERVICE for ports below 1024)"),
	notNeeded("run_as_launching_user", TypeBool, "NO", "run everything as the user who started the server",
		"Wharf never switches its own user: it always runs as the user that starts it"),
	notNeeded("setproctitle_enable", TypeBool, "NO", "show session state in the process list",
		"one process serves every session; session state is in the logs"),
	notNeeded("async_abor_enable", TypeBool, "NO", "handle ABOR sent as urgent data during a transfer",
		"Wharf always reads the control connection during transfers and handles ABOR and Telnet IP/Synch"),
	notNeeded("use_sendfile", TypeBool, "YES", "use sendfile() for downloads",
		"Wharf uses sendfile/splice by itself for plain-TCP transfers (TLS transfers copy in user space)"),
	notNeeded("trans_chunk_size", TypeInt, "0", "bytes per read/write in transfers",
		"Wharf chooses its own transfer chunks (zero-copy when possible)"),
	notNeeded("lock_upload_files", TypeBool, "YES", "lock files while they are uploaded or downloaded",
		"Wharf takes no fcntl locks: a new upload is written under a temporary name and renamed when complete, "+
			"so readers never see a partial file"),
	notNeeded("allow_writeable_chroot", TypeBool, "NO", "allow a jail root the user can write to",
		"Wharf confines users with os.Root, not chroot(2): a writable root cannot be used to escape, which is "+
			"why vsftpd refuses it"),
	notNeeded("utf8_filesystem", TypeBool, "NO", "advertise UTF8 and treat names as UTF-8 (Debian)",
		"Wharf always treats names as UTF-8 and advertises UTF8 in FEAT"),
	notNeeded("better_stou", TypeBool, "NO", "race-free unique names for STOU (Red Hat)",
		"Wharf's STOU always creates its unique name with an exclusive create"),
	notNeeded("bind_retries", TypeInt, "9", "attempts to find a free passive port (Red Hat)",
		"Wharf retries busy passive ports until the range is exhausted, then answers 425 naming the range"),

	// FTPS.
	impl("ssl_enable", TypeBool, "NO", "offer FTPS: AUTH TLS on the control port (and implicit_ssl_port)"),
	impl("implicit_ssl", TypeBool, "NO", "listen_port speaks implicit FTPS (TLS from the first byte) instead of plain "+
		"FTP with AUTH TLS; see implicit_ssl_port to serve both"),
	impl("allow_anon_ssl", TypeBool, "NO", "anonymous users may use TLS"),
	impl("force_local_logins_ssl", TypeBool, "YES", "with ssl_enable: non-anonymous users must send AUTH TLS "+
		"before USER (530 otherwise)"),
	impl("force_local_data_ssl", TypeBool, "YES", "with ssl_enable: non-anonymous users' data connections must be "+
		"protected (PROT P; 522 otherwise)"),
	impl("force_anon_logins_ssl", TypeBool, "NO", "anonymous users must use TLS to log in"),
	impl("force_anon_data_ssl", TypeBool, "NO", "anonymous users' data connections must use TLS"),
	impl("rsa_cert_file", TypeString, "/usr/share/ssl/certs/vsftpd.pem", "PEM file with the server certificate "+
		"chain (and key, unless rsa_private_key_file is set); RSA or ECDSA; re-read on SIGHUP"),
	impl("rsa_private_key_file", TypeString, "", "PEM file with the private key, if not in rsa_cert_file"),
	impl("ca_certs_file", TypeString, "", "PEM CA certificates that client certificates are verified against"),
	impl("ssl_ciphers", TypeString, "ECDHE-RSA-AES256-GCM-SHA384", "OpenSSL-style cipher list for TLS 1.2 "+
		"(TLS 1.3 suites are not configurable in Go); names Go does not offer, such as DES, RC4 and CBC-SHA1 "+
		"suites, are ignored with a warning"),
	impl("ssl_tlsv1", TypeBool, "NO", "allow TLS 1.0 (obsolete; off unless set)"),
	impl("ssl_tlsv1_1", TypeBool, "NO", "allow TLS 1.1 (obsolete; off unless set)"),
	impl("ssl_tlsv1_2", TypeBool, "YES", "allow TLS 1.2"),
	impl("ssl_tlsv1_3", TypeBool, "YES", "allow TLS 1.3"),
	impl("require_ssl_reuse", TypeBool, "YES", "protected data connections must resume the control connection's TLS "+
		"session (522 otherwise); Wharf binds session tickets to their control session"),
	impl("ssl_request_cert", TypeBool, "YES", "ask clients for a certificate (optional unless require_cert)"),
	impl("require_cert", TypeBool, "NO", "clients must present a certificate"),
	impl("validate_cert", TypeBool, "NO", "client certificates must verify against ca_certs_file"),
	impl("strict_ssl_read_eof", TypeBool, "YES", "a TLS upload that ends without close_notify is reported as "+
		"truncated (426) and not stored"),
	notNeeded("strict_ssl_write_shutdown", TypeBool, "NO", "require a clean TLS shutdown after a download",
		"Wharf always sends close_notify after a download and does not wait for the client's"),
	impl("debug_ssl", TypeBool, "NO", "log each TLS handshake's version, suite and resumption at info level"),
	impl("ssl_sni_hostname", TypeString, "", "refuse TLS handshakes whose SNI name differs (a client sending no "+
		"SNI is accepted)"),
	notNeeded("dh_param_file", TypeString, "", "Diffie-Hellman parameters for DHE ciphers (Red Hat)",
		"Go's TLS offers ECDHE key exchange only, so DH parameters are never used"),
	notNeeded("ecdh_param_file", TypeString, "", "curve parameters for ECDHE ciphers (Red Hat)",
		"Go's TLS chooses its ECDHE curves itself (X25519MLKEM768, X25519, P-256, P-384)"),
	refused("ssl_sslv2", TypeBool, "NO", "allow SSL 2",
		"SSL 2 is broken (RFC 6176) and Go's TLS does not implement it; TLS 1.2 and 1.3 are the versions to use"),
	refused("ssl_sslv3", TypeBool, "NO", "allow SSL 3",
		"SSL 3 is broken (RFC 7568) and Go's TLS does not implement it; TLS 1.2 and 1.3 are the versions to use"),
	refused("dsa_cert_file", TypeString, "", "PEM file with a DSA certificate",
		"DSA keys are obsolete; use rsa_cert_file with an RSA or ECDSA certificate"),
	refused("dsa_private_key_file", TypeString, "", "PEM file with a DSA private key",
		"DSA keys are obsolete; use rsa_private_key_file with an RSA or ECDSA key"),

	// System accounts, chroot and virtual users.
	impl("chroot_local_user", TypeBool, "NO", "jail system users in their home directory"),
	impl("chroot_list_enable", TypeBool, "NO", "use chroot_list_file (users to jail, or not to jail)"),
	impl("chroot_list_file", TypeString, "/etc/vsftpd.chroot_list", "users listed for chroot_list_enable"),
	impl("passwd_chroot_enable", TypeBool, "NO", "a '/./' in the home directory marks the jail root"),
	impl("local_root", TypeString, "", "directory system users start in instead of their home"),
	impl("user_sub_token", TypeString, "", "token replaced by the login name in local_root"),
	impl("user_config_dir", TypeString, "", "directory of per-user files of key=value overrides"),
	impl("check_shell", TypeBool, "YES", "system users' shells must be listed in /etc/shells"),
	impl("userlist_enable", TypeBool, "NO", "consult userlist_file when the user name arrives"),
	impl("userlist_deny", TypeBool, "YES", "with userlist_enable: YES refuses listed users, NO admits only them"),
	impl("userlist_file", TypeString, "/etc/vsftpd.user_list", "users listed one per line for userlist_enable"),
	notNeeded("userlist_log", TypeBool, "NO", "log logins refused because of the user list (Red Hat)",
		"Wharf always logs a login refused by the user list, with the reason"),
	impl("guest_enable", TypeBool, "NO", "map every non-anonymous login to guest_username"),
	impl("guest_username", TypeString, "ftp", "account guest logins are mapped to"),
	impl("virtual_use_local_privs", TypeBool, "NO", "guest users get local-user rather than anonymous permissions"),
	impl("chown_uploads", TypeBool, "NO", "give anonymous uploads to chown_username"),
	impl("chown_username", TypeString, "root", "owner of anonymous uploads with chown_uploads"),
	impl("chown_upload_mode", TypeOctal, "0600", "permission bits of uploads given away with chown_uploads"),
	impl("text_userdb_names", TypeBool, "NO", "show user and group names (from /etc/passwd and /etc/group) "+
		"instead of numbers in LIST"),
	impl("tilde_user_enable", TypeBool, "NO", "expand ~user in paths to that user's home (from /etc/passwd) "+
		"when it lies inside the session's root, i.e. for users who are not jailed"),
	impl("pam_service_name", TypeString, "ftp", "PAM service that authenticates system accounts (through "+
		"wharf-pam-helper); without this line Wharf checks /etc/shadow, /etc/ftpusers and check_shell itself"),
	refused("session_support", TypeBool, "NO", "open a PAM session and utmp/wtmp entry per login",
		"Wharf opens no PAM session and writes no utmp/wtmp entry: it is one process with no per-login "+
			"process for pam_limits, pam_mkhomedir or `last` to act on, so YES would silently do nothing; "+
			"PAM still authenticates (pam_service_name), and Wharf's log has a line per login and logout"),
	notNeeded("reverse_lookup_enable", TypeBool, "YES", "resolve the client's address to a name for PAM (Red Hat)",
		"Wharf never resolves client addresses: PAM gets the IP address as PAM_RHOST, which is faster and cannot be spoofed through DNS"),

	// Anonymous FTP beyond the basics.
	impl("anon_world_readable_only", TypeBool, "YES", "anonymous users may only download world-readable files"),
	impl("deny_email_enable", TypeBool, "NO", "refuse anonymous passwords listed in banned_email_file"),
	impl("banned_email_file", TypeString, "/etc/vsftpd.banned_emails", "anonymous passwords refused with "+
		"deny_email_enable"),
	impl("secure_email_list_enable", TypeBool, "NO", "anonymous passwords must be listed in email_password_file"),
	impl("email_password_file", TypeString, "/etc/vsftpd.email_passwords", "anonymous passwords accepted with "+
		"secure_email_list_enable"),
	impl("anon_max_rate", TypeInt, "0", "anonymous transfer rate cap, bytes per second (0: none)"),
	impl("local_max_rate", TypeInt, "0", "non-anonymous transfer rate cap, bytes per second (0: none)"),

	// Messages, access files and command lists.
	impl("banner_file", TypeString, "", "file whose contents form the greeting (overrides ftpd_banner)"),
	impl("dirmessage_enable", TypeBool, "NO", "show message_file when a client enters a directory"),
	impl("message_file", TypeString, ".message", "name of the per-directory message file"),
	impl("hide_file", TypeString, "", "{a,b}-style patterns of names hidden from listings"),
	impl("deny_file", TypeString, "", "{a,b}-style patterns of names that cannot be accessed"),
	impl("download_file", TypeString, "", "{a,b}-style patterns of the only names that may be downloaded (Debian)"),
	impl("upload_file", TypeString, "", "{a,b}-style patterns of the only names that may be uploaded (Debian)"),
	impl("cmds_allowed", TypeString, "", "comma-separated list of the only commands accepted after login"),
	impl("cmds_denied", TypeString, "", "comma-separated list of commands refused after login"),
	impl("chmod_enable", TypeBool, "YES", "allow SITE CHMOD"),
	impl("mdtm_write", TypeBool, "YES", "allow setting modification times (MDTM with a time, MFMT)"),

	// Logins.
	impl("delay_failed_login", TypeSeconds, "1", "seconds to pause after a failed login"),
	impl("delay_successful_login", TypeSeconds, "0", "seconds to pause after a successful login"),
	impl("max_login_fails", TypeInt, "3", "failed logins after which the session is closed"),

	// Refused outright.
	refused("tcp_wrappers", TypeBool, "NO", "check connections against /etc/hosts.allow and /etc/hosts.deny",
		"libwrap is deprecated and cannot be linked into a static Go binary; Wharf's own IP access lists "+
			"(allow/deny by prefix) are planned for this"),
	refused("http_enable", TypeBool, "NO", "answer HTTP on the FTP port (undocumented experiment)",
		"an unsupported vsftpd experiment; Wharf serves FTP only, use a web server for HTTP"),
	refused("ftp_enable", TypeBool, "YES", "serve FTP (undocumented switch paired with http_enable)",
		"Wharf always serves FTP on listen_port; there is no HTTP mode to switch to"),
}

// wharfKeys are Wharf's own keys, in the same dialect.
var wharfKeys = []Key{
	impl("users_file", TypeString, "", "path of Wharf's virtual users file (none: no virtual users)"),
	impl("splice_uploads", TypeBool, "YES", "move plain-FTP uploads with splice(2), zero-copy, socket to "+
		"file; NO uses a read/write loop with a 128 KiB buffer (bench A/B: splice 2523 MB/s and 0.40 s CPU per "+
		"GiB, read/write 1907 MB/s and 0.53 s)"),
	impl("implicit_ssl_port", TypeInt, "0", "with ssl_enable: also serve implicit FTPS on this port "+
		"(conventionally 990) beside explicit FTPS on listen_port; 0: off"),
	impl("login_timeout", TypeSeconds, "60", "seconds a connection may stay without logging in"),
	impl("command_line_timeout", TypeSeconds, "30", "seconds to receive the rest of a command line once it has "+
		"started"),
	impl("max_command_line", TypeInt, "4096", "longest command line accepted, in bytes (512-65536)"),
	impl("state_dir", TypeString, "/var/lib/wharf", "directory for Wharf's state (bans, TOTP, quotas)"),
	impl("log_format", TypeString, "text", "log format: text or json"),
	impl("log_level", TypeString, "info", "least severe log level written: debug, info, warn or error"),

	// SFTP (SSH), for the same users, roots and permissions as FTP.
	impl("sftp_enable", TypeBool, "NO", "also serve SFTP (the SSH sftp subsystem only: no shell, exec or "+
		"forwarding) on sftp_listen_port; refused beside user_config_dir, deny_file, hide_file, upload_file, "+
		"download_file, cmds_allowed and cmds_denied, which only FTP applies"),
	impl("sftp_listen_port", TypeInt, "22", "SFTP (SSH) port"),
	impl("sftp_listen_address", TypeString, "", "address the SFTP socket binds to (none: every IPv4 and IPv6 "+
		"address)"),
	impl("sftp_host_key_files", TypeString, "", "comma-separated SSH host private key files (OpenSSH format, "+
		"unencrypted); none: ed25519, ECDSA P-256 and RSA 3072 keys generated once in state_dir/ssh and kept"),
	impl("sftp_max_channels", TypeInt, "10", "most SFTP sessions (channels) open at once on one SSH connection"),
	impl("sftp_kex", TypeString, "", "comma-separated SSH key exchange algorithms (none: "+
		"mlkem768x25519-sha256,curve25519-sha256,diffie-hellman-group16-sha512; ecdh-sha2-nistp256/384/521 "+
		"may be added; SHA-1 groups are refused)"),
	impl("sftp_ciphers", TypeString, "", "comma-separated SSH ciphers (none: chacha20-poly1305@openssh.com,"+
		"aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes192-ctr,aes128-ctr; CBC is refused)"),
	impl("sftp_macs", TypeString, "", "comma-separated SSH MACs (none: hmac-sha2-256-etm@openssh.com,"+
		"hmac-sha2-512-etm@openssh.com,hmac-sha2-256,hmac-sha2-512; the last two serve libssh2 before 1.11; "+
		"SHA-1 is refused)"),
	impl("sftp_host_key_algorithms", TypeString, "", "comma-separated host key algorithms offered (none: "+
		"ssh-ed25519,rsa-sha2-512,rsa-sha2-256; add ecdsa-sha2-nistp256 to offer the ECDSA key)"),
}
