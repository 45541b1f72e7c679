// Package pam authenticates through PAM, as vsftpd does with
// pam_service_name, without linking PAM into wharf: each login runs
// wharf-pam-helper (cmd/wharf-pam-helper, the one cgo program) with the
// password on its standard input and reads the outcome from its exit status.
// A separate process also keeps PAM modules' own libc, global state and
// delays (pam_unix sleeps ~2 s after a wrong password) out of the server.
package pam

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"wharf/internal/auth"
	"wharf/internal/auth/system"
)

// Options configure New.
type Options struct {
	Service string // pam_service_name; required
	Helper  string // helper path; "" = FindHelper
	ConfDir string // PAM configuration directory; "" = the system's (/etc/pam.d)

	// Accounts turns the final PAM user name into an Identity (home, uid,
	// gid from the passwd file) and applies guest_enable/guest_username.
	Accounts system.Accounts

	Timeout       time.Duration // per login; 0 = DefaultTimeout
	MaxConcurrent int           // helpers running at once; 0 = DefaultMaxConcurrent
}

// Defaults for Options.
const (
	// DefaultTimeout covers pam_unix's fail delay and a slow directory
	// server with room to spare; an FTP client waits this long at most.
	DefaultTimeout = 30 * time.Second
	// DefaultMaxConcurrent is far above GOMAXPROCS because a PAM login
	// mostly waits (fail delays, network backends) rather than computes;
	// the bound is against a login storm forking thousands of processes.
	DefaultMaxConcurrent = 64
)

// maxPassword matches the helper's bound.
const maxPassword = 4096

// Authenticator runs the helper for every login.
type Authenticator struct {
	o      Options
	helper string
	sem    chan struct{}
}

var _ auth.Authenticator = (*Authenticator)(nil)

// New checks o as Check does (helper installed, service file present) and
// returns an Authenticator.
func New(o Options) (*Authenticator, error) {
	helper, err := resolve(o)
	if err != nil {
		return nil, err
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxConcurrent <= 0 {
		o.MaxConcurrent = DefaultMaxConcurrent
	}
	return &Authenticator{o: o, helper: helper, sem: make(chan struct{}, o.MaxConcurrent)}, nil
}

// Helper returns the helper path in use, for the start-up message.
func (a *Authenticator) Helper() string { return a.helper }

// Authenticate implements auth.Authenticator.
func (a *Authenticator) Authenticate(ctx context.Context, req auth.Request) (*auth.Identity, error) {
	if req.User == "" || strings.ContainsAny(req.User, "\x00\n") {
		return nil, auth.ErrUnknownUser
	}
	// The helper reads one line, and C strings end at NUL: such a password
	// could only ever be verified as some other, shorter one.
	if len(req.Password) > maxPassword || strings.ContainsAny(req.Password, "\x00\n") {
		return nil, auth.ErrBadPassword
	}
	select {
	case a.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-a.sem }()
	code, user, reason, err := a.run(ctx, req)
	if err != nil {
		return nil, err
	}
	return a.outcome(code, user, reason)
}

// run spawns the helper once and returns its exit status, first stdout line
// (the final user name) and first stderr line (the reason).
func (a *Authenticator) run(ctx context.Context, req auth.Request) (code int, user, reason string, err error) {
	ctx, cancel := context.WithTimeout(ctx, a.o.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, a.helper, a.args(req)...)
	cmd.Stdin = strings.NewReader(req.Password + "\n")
	var stdout, stderr capped
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// A fixed environment: nothing of the server's (credentials, proxies)
	// leaks into PAM modules, and their messages come in the C locale.
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"}
	cmd.WaitDelay = time.Second // a module's stray child must not hold the pipes
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return 0, "", "", fmt.Errorf("pam: service %s: %w", a.o.Service, ctx.Err())
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		return 0, "", "", fmt.Errorf("pam: running %s: %w", a.helper, err)
	}
	return code, firstLine(stdout.Bytes()), firstLine(stderr.Bytes()), nil
}

// args uses --flag=value so a user name starting with '-' stays a value.
func (a *Authenticator) args(req auth.Request) []string {
	rhost := ""
	if req.Remote.IsValid() {
		// Unmapped, so pam_access rules written for IPv4 match a client on
		// a dual-stack listener.
		rhost = req.Remote.Addr().Unmap().String()
	}
	args := []string{"--service=" + a.o.Service, "--user=" + req.User, "--rhost=" + rhost}
	if a.o.ConfDir != "" {
		args = append(args, "--confdir="+a.o.ConfDir)
	}
	return args
}

// outcome maps the helper's exit status to wharf's auth errors.
func (a *Authenticator) outcome(code int, user, reason string) (*auth.Identity, error) {
	switch code {
	case exitOK:
		if user == "" {
			return nil, fmt.Errorf("pam: service %s: helper succeeded but named no user", a.o.Service)
		}
		return a.o.Accounts.Identity(user)
	case exitAuthFailed:
		return nil, fmt.Errorf("%w (PAM service %s: %s)", auth.ErrBadPassword, a.o.Service, reason)
	case exitUnknownUser:
		return nil, fmt.Errorf("%w (PAM service %s: %s)", auth.ErrUnknownUser, a.o.Service, reason)
	case exitRefused:
		return nil, fmt.Errorf("%w (PAM service %s: %s)", auth.ErrDenied, a.o.Service, reason)
	case exitPAMError:
		return nil, fmt.Errorf("PAM error for service %s: %s", a.o.Service, reason)
	}
	return nil, fmt.Errorf("pam: helper %s exited with status %d: %s", a.helper, code, reason)
}

func firstLine(b []byte) string {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	return strings.TrimSpace(string(line))
}

// capped keeps the first 8 KiB written to it and discards the rest, so a
// chatty PAM module cannot grow the server's memory.
type capped struct{ bytes.Buffer }

func (c *capped) Write(p []byte) (int, error) {
	if room := 8<<10 - c.Len(); room > 0 {
		c.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
