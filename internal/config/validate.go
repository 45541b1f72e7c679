package config

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// validate checks the effective values of implemented keys and the ways they combine. It is pure: no name
// resolution, no binding, no file access (wharf check-config adds those checks on top). Each diagnostic points
// at the line that set the offending key, and says what to do.
func validate(c *Config) []Diagnostic {
	v := &validator{c: c}
	v.ranges()
	v.ports()
	v.passive()
	v.listen()
	v.choices()
	return v.diags
}

type validator struct {
	c     *Config
	diags []Diagnostic
}

// report adds a diagnostic at the place key was set (its line, "-o", or the config as a whole for a default).
func (v *validator) report(key string, sev Severity, format string, args ...any) {
	d := Diagnostic{File: v.c.name, Key: key, Severity: sev, Msg: fmt.Sprintf(format, args...)}
	if s, set := v.c.vals[key]; set {
		d.Line = s.line
		if s.override {
			d.File = "-o"
		}
	}
	v.diags = append(v.diags, d)
}

// ranges checks every implemented numeric key on its own: no negatives, modes within 0777.
func (v *validator) ranges() {
	for _, k := range sorted {
		if k.Status != Implemented || !k.Type.numeric() {
			continue
		}
		n := v.c.Int(k.Name)
		switch {
		case n < 0 && k.Type == TypeSeconds:
			v.report(k.Name, Error, "a timeout cannot be negative (%d): give a number of seconds", n)
		case n < 0:
			v.report(k.Name, Error, "cannot be negative (%d)", n)
		case k.Type == TypeOctal && n > 0o777:
			v.report(k.Name, Error, "%s has bits beyond 0777: permission bits and umasks are at most 0777 "+
				"(write them in octal with a leading 0, such as 022)", render(TypeOctal, value{n: n}))
		}
	}
	if n := v.c.Int("max_command_line"); n < 512 || n > 65536 {
		v.report("max_command_line", Error, "%d is outside 512-65536: RFC 959 clients send lines up to 512 "+
			"bytes, and a longer cap only lets clients hold more memory (4096 is the default)", n)
	}
}

func (v *validator) ports() {
	for _, key := range []string{"listen_port", "ftp_data_port", "sftp_listen_port"} {
		if n := v.c.Int(key); n < 1 || n > 65535 {
			v.report(key, Error, "%d is not a TCP port: use 1-65535", n)
		}
	}
}

// passive checks the passive port range. As in vsftpd, 0 means "no bound" on that side: the range is then
// 1024 upwards, or up to 65535.
func (v *validator) passive() {
	lo, hi := v.c.Int("pasv_min_port"), v.c.Int("pasv_max_port")
	ok := true
	for _, key := range []string{"pasv_min_port", "pasv_max_port"} {
		if n := v.c.Int(key); n != 0 && (n < 1024 || n > 65535) {
			v.report(key, Error, "%d is outside 1024-65535: passive ports must be unprivileged TCP ports "+
				"(0 means no bound on this side)", n)
			ok = false
		}
	}
	if ok && lo != 0 && hi != 0 && lo > hi {
		v.report("pasv_min_port", Error, "pasv_min_port (%d) is above pasv_max_port (%d): swap them", lo, hi)
		ok = false
	}
	if lo == 0 {
		lo = 1024
	}
	if hi == 0 {
		hi = 65535
	}
	if width, clients := hi-lo+1, v.c.Int("max_clients"); ok && clients > 0 && width < clients {
		v.report(v.firstSet("pasv_max_port", "pasv_min_port", "max_clients"), Warning,
			"the passive range %d-%d has %d ports but max_clients=%d: each session may hold one passive port, "+
				"so a busy server will answer 425; widen the range or lower max_clients", lo, hi, width, clients)
	}
	v.pasvAddress()
}

func (v *validator) pasvAddress() {
	addr, resolve := v.c.Str("pasv_address"), v.c.Bool("pasv_addr_resolve")
	switch {
	case addr == "" && resolve:
		v.report("pasv_addr_resolve", Warning, "has no effect without pasv_address: set pasv_address to the "+
			"host name to announce in PASV replies")
	case addr == "" || resolve:
	default:
		ip, err := netip.ParseAddr(addr)
		switch {
		case err != nil:
			v.report("pasv_address", Error, "%q is not an IP address: write the IPv4 address PASV replies "+
				"announce, or set pasv_addr_resolve=YES to give a host name", addr)
		case !ip.Is4():
			v.report("pasv_address", Error, "%s is not an IPv4 address: PASV replies can only carry IPv4 "+
				"(clients on IPv6 use EPSV, which announces no address)", addr)
		}
	}
}

// listen checks the control sockets. Wharf is always standalone: listen=YES is one IPv4 socket,
// listen_ipv6=YES one IPv6 socket, both NO one dual-stack [::] socket; both YES is refused, as by vsftpd.
func (v *validator) listen() {
	if v.c.Bool("listen") && v.c.Bool("listen_ipv6") {
		v.report(v.firstSet("listen_ipv6", "listen"), Error, "listen=YES and listen_ipv6=YES cannot both be set "+
			"(vsftpd refuses it too): keep listen_ipv6=YES alone for one socket that also takes IPv4 on Linux, or "+
			"set both to NO to listen on IPv4 and IPv6")
	}
	if a := v.c.Str("listen_address"); a != "" {
		if ip, err := netip.ParseAddr(a); err != nil || !ip.Is4() {
			v.report("listen_address", Error, "%q is not an IPv4 address: write one such as 192.0.2.10 (an "+
				"IPv6 address goes in listen_address6 with listen_ipv6=YES)", a)
		}
	}
	if a := v.c.Str("listen_address6"); a != "" {
		if ip, err := netip.ParseAddr(a); err != nil || !ip.Is6() {
			v.report("listen_address6", Error, "%q is not an IPv6 address: write one such as 2001:db8::10 "+
				"(an IPv4 address goes in listen_address with listen=YES)", a)
		}
	}
}

// choices checks Wharf's keys that take one of a few words.
func (v *validator) choices() {
	for _, c := range []struct {
		key     string
		allowed []string
	}{
		{"log_format", []string{"text", "json"}},
		{"log_level", []string{"debug", "info", "warn", "error"}},
	} {
		if s := v.c.Str(c.key); !slices.Contains(c.allowed, s) {
			v.report(c.key, Error, "%q is not one of %s", s, strings.Join(c.allowed, ", "))
		}
	}
}

// firstSet returns the first of keys that the config sets, or the first key: a finding about several keys is
// reported where the reader most likely needs to change something.
func (v *validator) firstSet(keys ...string) string {
	for _, k := range keys {
		if _, set := v.c.vals[k]; set {
			return k
		}
	}
	return keys[0]
}
