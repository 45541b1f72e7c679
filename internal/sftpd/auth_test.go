package sftpd

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"wharf/internal/auth"
)

func TestAuthRefusals(t *testing.T) {
	f := newFixture(t, func(o *Options) {
		o.AllowUser = func(u string) error {
			if u == "reader" {
				return errors.New("listed in the user list")
			}
			return nil
		}
	})
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	otherKey, _ := ssh.NewSignerFromSigner(other)
	for _, tc := range []struct {
		name, user string
		method     ssh.AuthMethod
		log        string
	}{
		{"wrong password", "alice", ssh.Password("nope"), "reason=\"wrong password\""},
		{"unknown user", "mallory", ssh.Password("pw"), "reason=\"unknown user\""},
		{"unknown key", "alice", ssh.PublicKeys(otherKey), "reason=\"unknown key\""},
		{"denied by the user list", "reader", ssh.Password("pw"), "reason=\"account refused\""},
	} {
		if c, err := f.dial(tc.user, tc.method); err == nil {
			c.Close()
			t.Errorf("%s: login accepted", tc.name)
		}
		if !strings.Contains(f.log.String(), tc.log) {
			t.Errorf("%s: log lacks %s", tc.name, tc.log)
		}
	}
	// The right key works.
	c, err := f.dial("alice", ssh.PublicKeys(f.key))
	if err != nil {
		t.Fatalf("key login: %v", err)
	}
	c.Close()
}

func TestMaxAuthTries(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.MaxAuthTries = 2 })
	tries := 0
	_, err := f.dial("alice", ssh.RetryableAuthMethod(ssh.PasswordCallback(func() (string, error) {
		tries++
		return "nope", nil
	}), 10))
	if err == nil || tries != 2 {
		t.Fatalf("err %v after %d tries, want a disconnect after 2", err, tries)
	}
}

// TestNoShellNoExec: exec, shell, pty, port forwarding and other subsystems
// are refused, and the connection stays usable for SFTP.
func TestNoShellNoExec(t *testing.T) {
	f := newFixture(t, nil)
	c, err := f.dial("alice", ssh.Password("pw"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for name, try := range map[string]func(*ssh.Session) error{
		"exec":      func(s *ssh.Session) error { return s.Run("id") },
		"shell":     func(s *ssh.Session) error { return s.Shell() },
		"pty":       func(s *ssh.Session) error { return s.RequestPty("xterm", 24, 80, nil) },
		"subsystem": func(s *ssh.Session) error { return s.RequestSubsystem("netconf") },
	} {
		s, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		if err := try(s); err == nil {
			t.Errorf("%s accepted", name)
		}
		s.Close()
	}
	if conn, err := c.Dial("tcp", "127.0.0.1:22"); err == nil {
		conn.Close()
		t.Error("direct-tcpip (port forwarding) accepted")
	}
	if l, err := c.Listen("tcp", "127.0.0.1:0"); err == nil {
		l.Close()
		t.Error("tcpip-forward (remote forwarding) accepted")
	}
	ok, _, err := c.SendRequest("auth-agent-req@openssh.com", true, nil)
	if ok || err != nil {
		t.Errorf("agent request: ok=%v err=%v", ok, err)
	}
	sc, err := sftp.NewClient(c)
	if err != nil {
		t.Fatalf("sftp after refusals: %v", err)
	}
	if _, err := sc.Getwd(); err != nil {
		t.Fatal(err)
	}
	sc.Close()
	for _, want := range []string{"type=exec", "type=shell", "type=pty-req", "subsystem=netconf", "type=direct-tcpip", "type=tcpip-forward"} {
		if !strings.Contains(f.log.String(), want) {
			t.Errorf("refusal not logged: %s", want)
		}
	}
}

func TestMaxChannels(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.MaxChannels = 2 })
	c, err := f.dial("alice", ssh.Password("pw"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var sessions []*ssh.Session
	for i := range 3 {
		s, err := c.NewSession()
		if i < 2 && err != nil {
			t.Fatalf("session %d: %v", i, err)
		}
		if i == 2 {
			if err == nil {
				t.Fatal("third channel accepted with MaxChannels=2")
			}
			break
		}
		sessions = append(sessions, s)
	}
	sessions[0].Close()
	// The slot frees once the server has seen the close.
	deadline := time.Now().Add(5 * time.Second)
	for {
		s, err := c.NewSession()
		if err == nil {
			s.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("channel slot not freed: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type oneConnLimiter struct{ used chan struct{} }

func (l *oneConnLimiter) Acquire(_ netip.Addr) (func(), error) {
	select {
	case l.used <- struct{}{}:
		return func() { <-l.used }, nil
	default:
		return nil, fmt.Errorf("too many connections from your address (max_per_ip=1)")
	}
}

func TestConnectionLimit(t *testing.T) {
	lim := &oneConnLimiter{used: make(chan struct{}, 1)}
	f := newFixture(t, func(o *Options) { o.Limiter = lim })
	c1, err := f.dial("alice", ssh.Password("pw"))
	if err != nil {
		t.Fatal(err)
	}
	if c2, err := f.dial("alice", ssh.Password("pw")); err == nil {
		c2.Close()
		t.Fatal("second connection accepted")
	}
	// The refusal is sent as text before the version string.
	nc, err := net.Dial("tcp", f.addr)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 200)
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _ := nc.Read(buf)
	nc.Close()
	if !strings.Contains(string(buf[:n]), "max_per_ip=1") {
		t.Errorf("refusal text %q", buf[:n])
	}
	c1.Close()
}

func TestIdleTimeout(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.IdleTimeout = 300 * time.Millisecond })
	c := f.sftpClient("alice")
	if _, err := c.Getwd(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if _, err := c.Getwd(); err == nil {
		t.Fatal("connection still usable after the idle timeout")
	}
}

// fakeTOTP asks for one code after the first factor.
type fakeTOTP struct{ asked int }

func (f *fakeTOTP) Required(id *auth.Identity) bool { return id.Name == "alice" }

func (f *fakeTOTP) Verify(_ context.Context, _ *auth.Identity, ask Prompt) error {
	f.asked++
	answers, err := ask("", "Second factor", []string{"Code: "}, []bool{false})
	if err != nil {
		return err
	}
	if len(answers) != 1 || answers[0] != "123456" {
		return errors.New("wrong code")
	}
	return nil
}

func TestSecondFactor(t *testing.T) {
	sf := &fakeTOTP{}
	f := newFixture(t, func(o *Options) { o.SecondFactor = sf })
	code := func(c string) ssh.AuthMethod {
		return ssh.KeyboardInteractive(func(_, _ string, qs []string, _ []bool) ([]string, error) {
			if len(qs) == 0 {
				return nil, nil
			}
			return []string{c}, nil
		})
	}
	for _, first := range []ssh.AuthMethod{ssh.Password("pw"), ssh.PublicKeys(f.key)} {
		if c, err := f.dial("alice", first); err == nil {
			c.Close()
			t.Fatal("logged in without the second factor")
		}
		if c, err := f.dial("alice", first, code("000000")); err == nil {
			c.Close()
			t.Fatal("logged in with a wrong code")
		}
		c, err := f.dial("alice", first, code("123456"))
		if err != nil {
			t.Fatalf("password + code: %v", err)
		}
		c.Close()
	}
	// Users for whom Required is false log in with one factor.
	c, err := f.dial("reader", ssh.Password("pw"))
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if !strings.Contains(f.log.String(), "method=password+keyboard-interactive") {
		t.Error("second factor not logged")
	}
}
