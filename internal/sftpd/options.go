package sftpd

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"net/netip"
	"time"

	"golang.org/x/crypto/ssh"

	"wharf/internal/auth"
	"wharf/internal/vfs"
)

// ConnLimiter admits or refuses a new connection from ip (max_clients,
// max_per_ip); *access.Limiter is one.
type ConnLimiter interface {
	Acquire(ip netip.Addr) (release func(), err error)
}

// Prompt asks the client questions through keyboard-interactive
// authentication (RFC 4256) and returns the answers, one per question.
// echos says, per question, whether the client may show the answer as it is
// typed. It has the signature of ssh.KeyboardInteractiveChallenge, so that
// a SecondFactor implementation needs no SSH library.
type Prompt func(name, instruction string, questions []string, echos []bool) ([]string, error)

// SecondFactor is the hook for a second authentication step (TOTP): after a
// password or a public key was accepted, a user for whom Required is true
// must also pass keyboard-interactive authentication, which calls Verify.
// The SSH layer expresses this with ssh.PartialSuccessError, so clients
// see "partial success" and then the prompt.
type SecondFactor interface {
	Required(id *auth.Identity) bool
	// Verify returns nil when the answers are right. Any error fails the
	// attempt (it counts towards MaxAuthTries).
	Verify(ctx context.Context, id *auth.Identity, ask Prompt) error
}

// Options configure a Server. The daemon builds them from the config file;
// tests build them directly.
type Options struct {
	// Auth checks passwords; nil offers no password authentication.
	Auth auth.Authenticator
	// Keys checks public keys; nil offers no public-key authentication.
	Keys auth.KeyAuthenticator
	// SecondFactor, when set, may require keyboard-interactive after the
	// first factor.
	SecondFactor SecondFactor
	// AllowUser, when set, is asked before any credential is checked (the
	// user list); an error refuses the login like a wrong password.
	AllowUser func(user string) error

	OpenFS  func(id *auth.Identity) (vfs.FS, error) // the user's files
	Limiter ConnLimiter                             // connection limits, applied before the handshake
	Logger  *slog.Logger

	// HostKeys are the server's keys (LoadOrCreateHostKeys); required.
	HostKeys []ssh.Signer

	// What logged-in users may do, on top of their Identity's permissions
	// (write_enable, download_enable, dirlist_enable).
	WriteEnable    bool
	DownloadEnable bool
	DirlistEnable  bool
	Umask          fs.FileMode // cleared from the mode of created files and directories
	FileOpenMode   fs.FileMode // mode of an uploaded file the client gives none for (0666)

	// Algorithm lists; nil takes the Default* lists. Only algorithms in
	// SupportedAlgorithms are accepted.
	KeyExchanges      []string
	Ciphers           []string
	MACs              []string
	HostKeyAlgorithms []string

	IdleTimeout     time.Duration // no bytes from the client for this long closes the connection (300s)
	LoginTimeout    time.Duration // connect to authenticated (60s)
	MaxChannels     int           // session channels open at once per connection (10)
	MaxAuthTries    int           // failed authentication attempts per connection (6)
	FailedLoginWait time.Duration // pause after a wrong password (0)
	LogTransfers    bool          // a log line per upload and download
}

func (o *Options) validate() error {
	if o.OpenFS == nil {
		return errors.New("sftpd: Options.OpenFS is required")
	}
	if len(o.HostKeys) == 0 {
		return errors.New("sftpd: Options.HostKeys is empty")
	}
	if o.Auth == nil && o.Keys == nil {
		return errors.New("sftpd: neither password (Auth) nor public-key (Keys) authentication is configured")
	}
	for _, l := range []struct {
		kind  string
		names []string
	}{
		{"key exchange", o.KeyExchanges}, {"cipher", o.Ciphers}, {"MAC", o.MACs},
		{"host key", o.HostKeyAlgorithms},
	} {
		if err := CheckAlgorithms(l.kind, l.names); err != nil {
			return err
		}
	}
	return nil
}

func (o *Options) fillDefaults() {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	setDefault(&o.IdleTimeout, 300*time.Second)
	setDefault(&o.LoginTimeout, 60*time.Second)
	if o.MaxChannels <= 0 {
		o.MaxChannels = 10
	}
	if o.MaxAuthTries <= 0 {
		o.MaxAuthTries = 6
	}
	if o.FileOpenMode == 0 {
		o.FileOpenMode = 0o666
	}
	if len(o.KeyExchanges) == 0 {
		o.KeyExchanges = DefaultKeyExchanges
	}
	if len(o.Ciphers) == 0 {
		o.Ciphers = DefaultCiphers
	}
	if len(o.MACs) == 0 {
		o.MACs = DefaultMACs
	}
	if len(o.HostKeyAlgorithms) == 0 {
		o.HostKeyAlgorithms = DefaultHostKeyAlgorithms
	}
}

func setDefault(d *time.Duration, v time.Duration) {
	if *d <= 0 {
		*d = v
	}
}
