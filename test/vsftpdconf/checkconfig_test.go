package vsftpdconf

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"wharf/internal/testbin"
)

// TestCheckConfigCatches runs the built `wharf check-config -c FILE` on
// configs with one mistake each: exit status 1, and the error names the
// file and line of the key to fix (or "-o" for an override), plus what is
// wrong. The config-only mistakes also have golden files in
// internal/config/testdata (pasv_inverted, pasv_outside, pasv_address_bad,
// listen_both); here they go through the command as an administrator
// runs it.
func TestCheckConfigCatches(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "no-such-file")
	certs := makeCerts(t, dir)
	anonRoot := filepath.Join(dir, "anon")
	if err := os.Mkdir(anonRoot, 0o755); err != nil {
		t.Fatal(err)
	}

	// A port held open for the test: the control (or implicit FTPS) port
	// of a config is already in use.
	held, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	heldPort := strconv.Itoa(held.Addr().(*net.TCPAddr).Port)

	tlsOK := []string{"ssl_enable=YES", "rsa_cert_file=" + certs.cert, "rsa_private_key_file=" + certs.key}
	tests := []struct {
		name  string
		lines []string // after the base lines
		o     []string // -o overrides
		blame string   // the key whose line the error names
		want  []string // more text the error must hold
		root  bool     // needs root (reads /etc/shadow)
		pam   bool     // needs the helper
	}{
		{name: "passive range inverted", lines: []string{"pasv_min_port=41000", "pasv_max_port=40000"},
			blame: "pasv_min_port", want: []string{"above pasv_max_port"}},
		{name: "passive range below 1024", lines: []string{"pasv_min_port=1000", "pasv_max_port=2000"},
			blame: "pasv_min_port", want: []string{"1024-65535"}},
		{name: "passive range above 65535", lines: []string{"pasv_min_port=60000", "pasv_max_port=70000"},
			blame: "pasv_max_port", want: []string{"1024-65535"}},
		{name: "passive range inverted by -o", o: []string{"pasv_min_port=41000", "pasv_max_port=40000"},
			blame: "pasv_min_port", want: []string{"above pasv_max_port"}},
		{name: "pasv_address a host name", lines: []string{"pasv_address=ftp.example.com"},
			blame: "pasv_address", want: []string{"not an IP address", "pasv_addr_resolve"}},
		{name: "pasv_address not an address", lines: []string{"pasv_address=10.0.0.300"},
			blame: "pasv_address", want: []string{"not an IP address"}},
		{name: "listen and listen_ipv6 both YES", lines: []string{"listen_ipv6=YES"},
			blame: "listen_ipv6", want: []string{"listen=YES and listen_ipv6=YES"}},
		{name: "certificate file missing", lines: []string{"ssl_enable=YES", "rsa_cert_file=" + missing, "rsa_private_key_file=" + certs.key},
			blame: "rsa_cert_file", want: []string{missing}},
		{name: "key file missing", lines: []string{"ssl_enable=YES", "rsa_cert_file=" + certs.cert, "rsa_private_key_file=" + missing},
			blame: "rsa_private_key_file", want: []string{missing}},
		{name: "certificate and key not a pair", lines: []string{"ssl_enable=YES", "rsa_cert_file=" + certs.cert, "rsa_private_key_file=" + certs.otherKey},
			blame: "rsa_cert_file", want: []string{"not a usable key pair"}},
		{name: "certificate expired", lines: []string{"ssl_enable=YES", "rsa_cert_file=" + certs.expired, "rsa_private_key_file=" + certs.key},
			blame: "rsa_cert_file", want: []string{"expired"}},
		{name: "userlist_file missing", lines: []string{"userlist_enable=YES", "userlist_file=" + missing},
			blame: "userlist_file", want: []string{missing}},
		{name: "chroot_list_file missing", lines: []string{"chroot_list_enable=YES", "chroot_list_file=" + missing},
			blame: "chroot_list_file", want: []string{missing}},
		{name: "user_config_dir missing", lines: []string{"user_config_dir=" + missing},
			blame: "user_config_dir", want: []string{missing}},
		{name: "banner_file missing", lines: []string{"banner_file=" + missing},
			blame: "banner_file", want: []string{missing}},
		{name: "email_password_file missing", lines: []string{"anonymous_enable=YES", "anon_root=" + anonRoot, "secure_email_list_enable=YES", "email_password_file=" + missing},
			blame: "email_password_file", want: []string{missing}},
		{name: "banned_email_file missing", lines: []string{"anonymous_enable=YES", "anon_root=" + anonRoot, "deny_email_enable=YES", "banned_email_file=" + missing},
			blame: "banned_email_file", want: []string{missing}},
		{name: "control port in use", lines: []string{"listen_port=" + heldPort},
			blame: "listen_port", want: []string{"127.0.0.1:" + heldPort, "address already in use"}},
		{name: "implicit FTPS port in use", lines: append(append([]string{}, tlsOK...), "implicit_ssl_port="+heldPort),
			blame: "implicit_ssl_port", want: []string{"127.0.0.1:" + heldPort, "address already in use"}},
		{name: "pam_service_name without /etc/pam.d file", lines: []string{"local_enable=YES", "pam_service_name=wharf-test-no-such-service"},
			blame: "pam_service_name", want: []string{"/etc/pam.d/wharf-test-no-such-service"}, pam: true},
		{name: "guest_username not an account", lines: []string{"local_enable=YES", "guest_enable=YES", "guest_username=wharf-no-such-user"},
			blame: "guest_username", want: []string{"wharf-no-such-user", "/etc/passwd"}, root: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.root {
				needRoot(t)
			}
			if tt.pam {
				needHelper(t)
			}
			conf := writeConf(t, t.TempDir(), "wharf.conf", append(baseLines(t), tt.lines...)...)
			args := []string{"-c", conf}
			for _, o := range tt.o {
				args = append(args, "-o", o)
			}
			out, code := checkConfig(t, nil, args...)
			t.Logf("wharf check-config %s (exit %d):\n%s", strings.Join(args, " "), code, out)
			where := "-o"
			if len(tt.o) == 0 {
				where = conf + ":" + strconv.Itoa(lineOf(t, conf, tt.blame+"="))
			}
			assertCheckError(t, out, code, where+": ", tt.blame, tt.want...)
		})
	}

	// The same base with nothing wrong passes, so the errors above come
	// from the one line each case adds.
	t.Run("base config", func(t *testing.T) {
		conf := writeConf(t, t.TempDir(), "wharf.conf", append(baseLines(t), tlsOK...)...)
		out, code := checkConfig(t, nil, "-c", conf)
		if code != 0 {
			t.Fatalf("the base config: exit %d, want 0:\n%s", code, out)
		}
	})
}

// assertCheckError requires exit status 1 and an output line holding
// where (file:line: or -o: ), the key, and each of want.
func assertCheckError(t testing.TB, out string, code int, where, key string, want ...string) {
	t.Helper()
	if code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
	for _, l := range strings.Split(out, "\n") {
		if !strings.Contains(l, where) || !strings.Contains(l, key) {
			continue
		}
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(l, w)
		}
		if ok {
			return
		}
	}
	t.Errorf("no line of the output names %q and %q with %q", where, key, want)
}

// baseLines is a config that passes check-config: loopback, a free port,
// no accounts.
func baseLines(t testing.TB) []string {
	t.Helper()
	port, err := testbin.FreePort("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	return []string{
		"# check-config test",
		"listen=YES",
		"listen_address=127.0.0.1",
		"listen_port=" + strconv.Itoa(port),
		"anonymous_enable=NO",
		"local_enable=NO",
		"pasv_min_port=40000",
		"pasv_max_port=40100",
		"max_clients=50",
	}
}

// TestCheckConfigDataPortPrivilege: connect_from_port_20=YES with
// ftp_data_port=20 is an error for a user that may not bind port 20. The
// check runs as nobody (setpriv), so the test needs root to start it.
func TestCheckConfigDataPortPrivilege(t *testing.T) {
	needRoot(t)
	setpriv := testbin.NeedTool(t, "setpriv", "util-linux")
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_unprivileged_port_start"); err == nil {
		if n, _ := strconv.Atoi(strings.TrimSpace(string(b))); n <= 20 {
			t.Skipf("net.ipv4.ip_unprivileged_port_start=%d: every user may bind port 20 here, so there is no error to catch", n)
		}
	}
	dir := publicTempDir(t)
	conf := writeConf(t, dir, "wharf.conf", append(baseLines(t), "connect_from_port_20=YES", "ftp_data_port=20")...)
	nobody := []string{setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups"}
	out, code := checkConfig(t, nobody, "-c", conf)
	t.Logf("as nobody (exit %d):\n%s", code, out)
	assertCheckError(t, out, code, conf+":"+strconv.Itoa(lineOf(t, conf, "connect_from_port_20="))+": ",
		"connect_from_port_20", "port 20", "CAP_NET_BIND_SERVICE")

	// With the default ftp_data_port (20) too.
	conf2 := writeConf(t, dir, "default-port.conf", append(baseLines(t), "connect_from_port_20=YES")...)
	out, code = checkConfig(t, nobody, "-c", conf2)
	assertCheckError(t, out, code, conf2+":"+strconv.Itoa(lineOf(t, conf2, "connect_from_port_20="))+": ",
		"connect_from_port_20", "port 20")

	// Root may bind it: no error.
	out, code = checkConfig(t, nil, "-c", conf)
	if code != 0 {
		t.Errorf("as root: exit %d, want 0:\n%s", code, out)
	}
}

// TestCheckConfigNoPAMHelper: pam_service_name with no wharf-pam-helper
// installed is an error that names the helper and the line.
func TestCheckConfigNoPAMHelper(t *testing.T) {
	for _, p := range []string{"/usr/lib/wharf/wharf-pam-helper", "/usr/local/bin/wharf-pam-helper", "/usr/bin/wharf-pam-helper"} {
		if _, err := os.Stat(p); err == nil {
			t.Skipf("%s is installed on this machine", p)
		}
	}
	dir := publicTempDir(t)
	lone := filepath.Join(dir, "wharf") // a wharf with no helper next to it
	b, err := os.ReadFile(wharfBin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(lone, b, 0o755); err != nil {
		t.Fatal(err)
	}
	conf := writeConf(t, dir, "wharf.conf", append(baseLines(t), "local_enable=YES", "pam_service_name=vsftpd")...)
	out, code := runCheck(t, []string{"env", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", lone, "check-config", "-c", conf})
	t.Logf("exit %d:\n%s", code, out)
	assertCheckError(t, out, code, conf+":"+strconv.Itoa(lineOf(t, conf, "pam_service_name="))+": ",
		"pam_service_name", "wharf-pam-helper")
}

type testCerts struct{ cert, key, otherKey, expired string }

// makeCerts writes a self-signed certificate and its key, a second key,
// and an expired certificate for the first key.
func makeCerts(t testing.TB, dir string) testCerts {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	c := testCerts{
		cert:     filepath.Join(dir, "cert.pem"),
		key:      filepath.Join(dir, "key.pem"),
		otherKey: filepath.Join(dir, "other-key.pem"),
		expired:  filepath.Join(dir, "expired.pem"),
	}
	writeCert(t, c.cert, key, now.Add(-time.Hour), now.Add(24*time.Hour))
	writeCert(t, c.expired, key, now.Add(-48*time.Hour), now.Add(-24*time.Hour))
	writeKey(t, c.key, key)
	writeKey(t, c.otherKey, other)
	return c
}

func writeCert(t testing.TB, path string, key *ecdsa.PrivateKey, from, until time.Time) {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		NotBefore:    from,
		NotAfter:     until,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), 0o644, -1, -1)
}

func writeKey(t testing.TB, path string, key *ecdsa.PrivateKey) {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), 0o600, -1, -1)
}
