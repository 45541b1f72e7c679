package daemon

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"

	"wharf/internal/auth"
	"wharf/internal/config"
	"wharf/internal/sftpd"
)

// sftpAlgorithmKeys are the keys that choose SSH algorithms, with the kind
// sftpd checks them as.
var sftpAlgorithmKeys = []struct{ key, kind string }{
	{"sftp_kex", "key exchange"}, {"sftp_ciphers", "cipher"}, {"sftp_macs", "MAC"},
	{"sftp_host_key_algorithms", "host key"},
}

// ftpOnlyPolicyKeys restrict what a user may do, but only the FTP engine
// applies them; SFTP beside them would be a way around them.
var ftpOnlyPolicyKeys = []string{"user_config_dir", "deny_file", "hide_file", "download_file", "upload_file", "cmds_allowed", "cmds_denied"}

// checkSFTP runs the SFTP start-up checks that need no socket and write
// nothing: there must be users, the algorithm lists must be acceptable and
// configured host key files must load.
func checkSFTP(c *config.Config) error {
	if !c.Bool("sftp_enable") {
		return nil
	}
	if !c.Bool("local_enable") {
		return fmt.Errorf("%s: sftp_enable=YES needs local_enable=YES (virtual users or system accounts): SFTP has no anonymous logins", c.Where("sftp_enable"))
	}
	for _, key := range ftpOnlyPolicyKeys {
		if c.Str(key) != "" {
			return fmt.Errorf("%s: %s is applied to FTP sessions only, and sftp_enable=YES would let the same users do over SFTP what it refuses them: "+
				"remove %s or sftp_enable", c.Where(key), key, key)
		}
	}
	for _, a := range sftpAlgorithmKeys {
		if err := sftpd.CheckAlgorithms(a.kind, splitList(c.Str(a.key))); err != nil {
			return fmt.Errorf("%s: %s: %w", c.Where(a.key), a.key, err)
		}
	}
	if files := splitList(c.Str("sftp_host_key_files")); len(files) > 0 {
		if _, err := sftpd.LoadHostKeys(files); err != nil {
			return fmt.Errorf("%s: sftp_host_key_files: %w", c.Where("sftp_host_key_files"), err)
		}
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// sftpHostKeysDir is where generated host keys are kept.
func sftpHostKeysDir(c *config.Config) string { return filepath.Join(c.Str("state_dir"), "ssh") }

// sftpHostKeys loads the configured host key files, or the generated keys
// in state_dir (generating them on first use).
func sftpHostKeys(c *config.Config) ([]ssh.Signer, error) {
	if files := splitList(c.Str("sftp_host_key_files")); len(files) > 0 {
		return sftpd.LoadHostKeys(files)
	}
	keys, err := sftpd.LoadOrCreateHostKeys(sftpHostKeysDir(c))
	if err != nil {
		return nil, fmt.Errorf("%s: state_dir: %w (set state_dir to a directory Wharf may write, or sftp_host_key_files)", c.Where("state_dir"), err)
	}
	return keys, nil
}

// sftpOptions translates the config into sftpd.Options: the same users,
// roots, permissions, umask, limits, timeouts and user list as FTP. Public
// keys come from the users file (sshkey=) or, for system accounts, from
// ~/.ssh/authorized_keys.
func (sh *shared) sftpOptions(c *config.Config, keys auth.KeyAuthenticator, checkUser func(string) error) (sftpd.Options, error) {
	hostKeys, err := sftpHostKeys(c)
	if err != nil {
		return sftpd.Options{}, err
	}
	secs := func(key string) time.Duration { return time.Duration(c.Int(key)) * time.Second }
	return sftpd.Options{
		Auth:              sh.auth,
		Keys:              keys,
		AllowUser:         checkUser,
		OpenFS:            sh.openFS,
		Limiter:           sh.limiter,
		Logger:            sh.log,
		HostKeys:          hostKeys,
		WriteEnable:       c.Bool("write_enable"),
		DownloadEnable:    c.Bool("download_enable"),
		DirlistEnable:     c.Bool("dirlist_enable"),
		Umask:             fs.FileMode(c.Int("local_umask")),
		FileOpenMode:      fs.FileMode(c.Int("file_open_mode")),
		KeyExchanges:      splitList(c.Str("sftp_kex")),
		Ciphers:           splitList(c.Str("sftp_ciphers")),
		MACs:              splitList(c.Str("sftp_macs")),
		HostKeyAlgorithms: splitList(c.Str("sftp_host_key_algorithms")),
		IdleTimeout:       secs("idle_session_timeout"),
		LoginTimeout:      secs("login_timeout"),
		MaxChannels:       c.Int("sftp_max_channels"),
		FailedLoginWait:   time.Second,
		LogTransfers:      c.Bool("xferlog_enable"),
	}, nil
}

// HostKeyInfo describes one SFTP host key, for `wharf sftp host-keys`.
type HostKeyInfo struct {
	Type          string
	Fingerprint   string // "SHA256:..."
	AuthorizedKey string // "TYPE BASE64", as in known_hosts after the host
	Offered       bool   // allowed by sftp_host_key_algorithms
}

// SFTPHostKeyInfo describes the host keys SFTP would use with c, generating
// them in state_dir/ssh first if they do not exist yet.
func SFTPHostKeyInfo(c *config.Config) ([]HostKeyInfo, error) {
	keys, err := sftpHostKeys(c)
	if err != nil {
		return nil, err
	}
	algos := splitList(c.Str("sftp_host_key_algorithms"))
	var out []HostKeyInfo
	for _, k := range keys {
		pub := k.PublicKey()
		out = append(out, HostKeyInfo{
			Type: pub.Type(), Fingerprint: sftpd.Fingerprint(pub), Offered: sftpd.Offered(pub, algos),
			AuthorizedKey: strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub))),
		})
	}
	return out, nil
}

// sftpFront is the running SFTP server and its listener.
type sftpFront struct {
	srv *sftpd.Server
	l   net.Listener
}

// startSFTP builds the SFTP server and opens its listener when sftp_enable
// is set.
func (d *Daemon) startSFTP(c *config.Config, sh *shared, checkUser func(string) error) error {
	if !c.Bool("sftp_enable") {
		return nil
	}
	// The users file, or system accounts wrapped in mappedKeyAuth.
	keys, _ := sh.auth.(auth.KeyAuthenticator)
	opts, err := sh.sftpOptions(c, keys, checkUser)
	if err != nil {
		return err
	}
	srv, err := sftpd.NewServer(opts)
	if err != nil {
		return err
	}
	addr := net.JoinHostPort(c.Str("sftp_listen_address"), strconv.Itoa(c.Int("sftp_listen_port")))
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s: sftp_listen_port: cannot listen on %s: %w", c.Where("sftp_listen_port"), addr, err)
	}
	d.sftp = &sftpFront{srv: srv, l: l}
	return nil
}

// SFTPAddr is the SFTP listener's address, or nil without SFTP.
func (d *Daemon) SFTPAddr() net.Addr {
	if d.sftp == nil {
		return nil
	}
	return d.sftp.l.Addr()
}

// SFTPHostKeyFingerprints describes the offered host keys ("TYPE
// SHA256:..."), or nil without SFTP.
func (d *Daemon) SFTPHostKeyFingerprints() []string {
	if d.sftp == nil {
		return nil
	}
	var out []string
	for _, k := range d.sftp.srv.HostKeys() {
		out = append(out, sftpd.Describe(k))
	}
	return out
}

// serveSFTP runs the SFTP listener in wg, reporting a failure on errc.
func (d *Daemon) serveSFTP(wg *sync.WaitGroup, errc chan<- error) {
	if d.sftp == nil {
		return
	}
	wg.Go(func() {
		if err := d.sftp.srv.Serve(d.sftp.l); err != nil && !errors.Is(err, sftpd.ErrServerClosed) {
			errc <- err
		}
	})
	d.log.Info("serving SFTP", "address", d.sftp.l.Addr().String(), "host_keys", strings.Join(d.SFTPHostKeyFingerprints(), ", "))
}

// shutdownSFTP shuts the SFTP server down in the background; the channel
// closes when it is done.
func (d *Daemon) shutdownSFTP(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	if d.sftp == nil {
		close(done)
		return done
	}
	go func() {
		defer close(done)
		if err := d.sftp.srv.Shutdown(ctx); err != nil {
			d.log.Warn("SFTP shutdown grace expired; closed the remaining connections", "err", err)
		}
	}()
	return done
}
