// Package daemon is Wharf's composition root: it turns a loaded config into
// running servers, owns the listeners, and handles reload and shutdown.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"syscall"
	"time"

	"wharf/internal/access"
	"wharf/internal/auth"
	"wharf/internal/auth/userfile"
	"wharf/internal/config"
	"wharf/internal/ftp"
	"wharf/internal/xferlog"
)

// ShutdownGrace is how long SIGTERM waits for running transfers.
const ShutdownGrace = 30 * time.Second

// Daemon is a configured, listening server.
type Daemon struct {
	cfg       *config.Config
	log       *slog.Logger
	ftp       *ftp.Server
	users     *userfile.Authenticator // nil without users_file
	tls       tlsSetup
	listeners []listener
	sftp      *sftpFront      // nil with sftp_enable=NO
	xferlog   *xferlog.Logger // nil without xferlog_file/vsftpd_log_file/syslog
}

// listener is a control listener and whether it speaks implicit FTPS.
type listener struct {
	net.Listener
	implicitTLS bool
}

// New builds the servers and opens the control listeners, so that a bad
// config or a busy port fails before anything is served.
func New(cfg *config.Config, log *slog.Logger) (*Daemon, error) {
	if err := checkStandalone(cfg); err != nil {
		return nil, err
	}
	d := &Daemon{cfg: cfg, log: log}
	accts, err := buildAccounts(cfg, auth.NewVerifier(auth.VerifierOptions{}))
	if err != nil {
		return nil, err
	}
	d.users = accts.users
	logAccounts(log, accts, cfg)
	opener, err := newFSOpener(cfg)
	if err != nil {
		return nil, err
	}
	if d.tls, err = buildTLS(cfg, log); err != nil {
		return nil, err
	}
	for _, w := range d.tls.warnings {
		log.Warn(w)
	}
	if d.xferlog, err = openTransferLog(cfg, log); err != nil {
		return nil, err
	}
	sh := &shared{auth: accts.auth, openFS: opener.open, tls: d.tls, log: log,
		limiter: access.NewLimiter(cfg.Int("max_clients"), cfg.Int("max_per_ip")),
		xferlog: transferLogHook(d.xferlog)}
	opts, err := sh.serverOptions(cfg)
	if err != nil {
		d.closeTransferLog()
		return nil, err
	}
	if d.ftp, err = ftp.NewServer(*opts); err != nil {
		d.closeTransferLog()
		return nil, err
	}
	if d.listeners, err = listenControl(cfg, d.tls.config != nil); err != nil {
		d.closeTransferLog()
		return nil, err
	}
	if err := d.startSFTP(cfg, sh, opts.Policy.CheckUser); err != nil {
		for _, l := range d.listeners {
			l.Close()
		}
		d.closeTransferLog()
		return nil, err
	}
	return d, nil
}

func checkAnonymous(cfg *config.Config) error {
	if !cfg.Bool("anonymous_enable") {
		return nil
	}
	root := anonRoot(cfg)
	if root == "" {
		return fmt.Errorf("%s: anonymous_enable=YES needs anon_root, or an account ftp_username=%s whose home anonymous users see", cfg.Where("anonymous_enable"), cfg.Str("ftp_username"))
	}
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		return fmt.Errorf("%s: the anonymous root %s is not a directory", cfg.Where("anon_root"), root)
	}
	return nil
}

// Addrs are the control listeners' addresses (the real ports when 0 was
// configured).
func (d *Daemon) Addrs() []net.Addr {
	addrs := make([]net.Addr, len(d.listeners))
	for i, l := range d.listeners {
		addrs[i] = l.Addr()
	}
	return addrs
}

// Run serves until ctx is done, then shuts down gracefully: listeners close
// at once, idle sessions get 421, transfers get ShutdownGrace to finish.
func (d *Daemon) Run(ctx context.Context) error {
	// The engine applies local_umask/anon_umask itself; a process umask
	// would apply a second mask the administrator did not configure.
	syscall.Umask(0)
	errc := make(chan error, len(d.listeners)+1)
	var wg sync.WaitGroup
	for _, l := range d.listeners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			serve := d.ftp.Serve
			if l.implicitTLS {
				serve = d.ftp.ServeImplicitTLS
			}
			if err := serve(l); err != nil && !errors.Is(err, ftp.ErrServerClosed) {
				errc <- err
			}
		}()
	}
	d.log.Info("serving FTP", "addresses", fmt.Sprint(d.Addrs()))
	d.serveSFTP(&wg, errc)
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
		d.log.Error("listener failed", "err", err)
	}
	d.log.Info("shutting down", "grace", ShutdownGrace.String(), "sessions", d.ftp.SessionCount())
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
	defer cancel()
	sftpDone := d.shutdownSFTP(sctx)
	if serr := d.ftp.Shutdown(sctx); serr != nil {
		d.log.Warn("shutdown grace expired; closed the remaining sessions", "err", serr)
	}
	<-sftpDone
	wg.Wait()
	d.closeTransferLog()
	return err
}

func (d *Daemon) closeTransferLog() {
	if d.xferlog != nil {
		d.xferlog.Close()
	}
}

// Reload re-reads what can change without a restart (SIGHUP): the users
// file and the TLS key pair; it also reopens the transfer log files, for
// logrotate. A bad file keeps the previous one and says why;
// running sessions keep the certificate they negotiated with.
func (d *Daemon) Reload() {
	if d.xferlog != nil {
		if err := d.xferlog.Reopen(); err != nil {
			d.log.Error("reload: transfer log not reopened; still writing to the previous file", "err", err)
		} else {
			d.log.Info("reload: transfer log reopened")
		}
	}
	if d.users != nil {
		if err := d.users.Reload(); err != nil {
			d.log.Error("reload: users file not re-read; keeping the previous users", "err", err)
		} else {
			d.log.Info("reload: users file re-read")
		}
	}
	if d.tls.store != nil {
		if err := d.tls.store.Reload(); err != nil {
			d.log.Error("reload: certificate not re-read; keeping the previous one", "err", err)
		} else {
			d.log.Info("reload: certificate re-read", "sha256", d.tls.store.Fingerprint())
		}
	}
}

// CertFingerprint is the FTPS certificate's SHA-256, or "" without FTPS.
func (d *Daemon) CertFingerprint() string {
	if d.tls.store == nil {
		return ""
	}
	return d.tls.store.Fingerprint()
}
