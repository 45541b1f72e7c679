package cli

import (
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"wharf/internal/auth"
	"wharf/internal/auth/userfile"
	"wharf/internal/certs"
	"wharf/internal/config"
)

// Ports the embedded configuration prefers; each falls back to a free
// port when taken, unless the user chose the port with -o.
const (
	demoControlPort = 2121
	demoImplicitTLS = 2990
	demoSFTPPort    = 2222
	demoPasvMin     = 40000
	demoPasvMax     = 40100
)

// demoSetup is the embedded configuration's temporary world: a data
// directory, a users file with one demo user, and its password.
type demoSetup struct {
	dir, data, usersFile string
	user, password       string
	extra                []string // overrides the demo adds before the user's
}

func newDemo(userOpts []string) (*demoSetup, error) {
	dir, err := os.MkdirTemp("", "wharf-demo-")
	if err != nil {
		return nil, err
	}
	d := &demoSetup{dir: dir, data: filepath.Join(dir, "data"), usersFile: filepath.Join(dir, "users"), user: "demo"}
	if err := d.createFiles(); err != nil {
		d.cleanup()
		return nil, err
	}
	state := filepath.Join(dir, "state")
	cert, key, err := certs.EnsureSelfSigned(state, []string{"localhost", "127.0.0.1", "::1"})
	if err != nil {
		d.cleanup()
		return nil, err
	}
	d.extra = append(d.extra, "users_file="+d.usersFile, "state_dir="+state,
		// xferlog_enable=YES's vsftpd-format log, kept out of /var/log.
		"vsftpd_log_file="+filepath.Join(dir, "vsftpd.log"),
		// FTPS on, but optional, so that plain ftp:// works in the demo too.
		"ssl_enable=YES", "rsa_cert_file="+cert, "rsa_private_key_file="+key,
		"force_local_logins_ssl=NO", "force_local_data_ssl=NO", "ssl_tlsv1=NO")
	d.extra = append(d.extra, fallbackPorts(userOpts)...)
	return d, nil
}

func (d *demoSetup) createFiles() error {
	if err := os.Mkdir(d.data, 0o755); err != nil {
		return err
	}
	welcome := "Welcome to Wharf. Files you upload to the demo land in this directory.\n"
	if err := os.WriteFile(filepath.Join(d.data, "WELCOME.txt"), []byte(welcome), 0o644); err != nil {
		return err
	}
	d.password = randomPassword()
	hash, err := auth.HashPassword(d.password)
	if err != nil {
		return err
	}
	var f userfile.File
	if err := f.Add(userfile.User{Name: d.user, Hash: hash, Home: d.data, Perms: auth.PermRead | auth.PermList | auth.PermWrite}); err != nil {
		return err
	}
	return f.Save(d.usersFile)
}

// randomPassword is 16 letters and digits from crypto/rand.
func randomPassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 16)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// overrides puts the user's -o lines after the demo's, so they win.
func (d *demoSetup) overrides(userOpts []string) []string {
	return append(append([]string{}, d.extra...), userOpts...)
}

// fallbackPorts moves the demo off a taken control port or passive range,
// unless the user set them: the demo must start on any machine.
func fallbackPorts(userOpts []string) []string {
	var out []string
	if !setBy(userOpts, "listen_port") && !tcpPortFree(demoControlPort) {
		out = append(out, "listen_port="+strconv.Itoa(freeTCPPort()))
	}
	if !setBy(userOpts, "implicit_ssl_port") {
		port := demoImplicitTLS
		if !tcpPortFree(port) {
			port = freeTCPPort()
		}
		out = append(out, "implicit_ssl_port="+strconv.Itoa(port))
	}
	if !setBy(userOpts, "sftp_listen_port") && !tcpPortFree(demoSFTPPort) {
		out = append(out, "sftp_listen_port="+strconv.Itoa(freeTCPPort()))
	}
	if !setBy(userOpts, "pasv_min_port") && !setBy(userOpts, "pasv_max_port") && !anyPortFree(demoPasvMin, demoPasvMax) {
		out = append(out, "pasv_min_port=0", "pasv_max_port=0")
	}
	return out
}

func setBy(opts []string, key string) bool {
	for _, o := range opts {
		if strings.HasPrefix(o, key+"=") {
			return true
		}
	}
	return false
}

func tcpPortFree(port int) bool {
	l, err := net.Listen("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

func anyPortFree(lo, hi int) bool {
	for p := lo; p <= hi; p++ {
		if tcpPortFree(p) {
			return true
		}
	}
	return false
}

func freeTCPPort() int {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return 0
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// announce tells the person who ran `wharf serve` how to connect.
func (d *demoSetup) announce(w io.Writer, cfg *config.Config, addrs []net.Addr, fingerprint string, sftpAddr net.Addr, sftpKeys []string) {
	port := cfg.Int("listen_port")
	if len(addrs) > 0 {
		port = addrs[0].(*net.TCPAddr).Port
	}
	implicit := cfg.Int("implicit_ssl_port")
	pasv := fmt.Sprintf("%d-%d", cfg.Int("pasv_min_port"), cfg.Int("pasv_max_port"))
	if cfg.Int("pasv_min_port") == 0 {
		pasv = "any free port (the 40000-40100 range was taken)"
	}
	fmt.Fprintf(w, `Wharf is running with its embedded demo configuration.
  user:      %s
  password:  %s
  data dir:  %s (deleted when the server stops)
  connect:   curl ftp://%s:%s@127.0.0.1:%d/
             lftp -u %s,%s -p %d 127.0.0.1
  FTPS:      explicit (AUTH TLS) on %d, implicit on %d: curl --ssl-reqd -k ftp://...:%d/ or curl -k ftps://...:%d/
             self-signed certificate, SHA-256 %s
  ports:     control %d/tcp, implicit FTPS %d/tcp; passive data %s/tcp; active mode connects out from an ephemeral port
`, d.user, d.password, d.data, d.user, d.password, port, d.user, d.password, port,
		port, implicit, port, implicit, fingerprint, port, implicit, pasv)
	if sftpAddr != nil {
		sport := sftpAddr.(*net.TCPAddr).Port
		fmt.Fprintf(w, "  SFTP:      sftp -P %d %s@127.0.0.1   (or scp -P %d FILE %s@127.0.0.1:)\n", sport, d.user, sport, d.user)
		for _, k := range sftpKeys {
			fmt.Fprintf(w, "             host key %s\n", k)
		}
	}
	fmt.Fprintln(w, "Listening on 127.0.0.1 only; add -o listen_address=0.0.0.0 (and -o sftp_listen_address=0.0.0.0) to serve the network. Ctrl-C stops.")
}

func (d *demoSetup) cleanup() { os.RemoveAll(d.dir) }
