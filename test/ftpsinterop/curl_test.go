package ftpsinterop

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"wharf/internal/testbin"
)

// Two curls run the matrix: the system's (Debian 12: 7.88.1), row "curl",
// and a current one, row "curl-backports" (Debian bookworm-backports:
// 8.14.1), which test/tools/curl-backports.sh unpacks beside the system's
// without installing it. Each runs one invocation per cell, each transfer
// its own --next operation, so that curl keeps one control connection for
// all of them, and verifies the server's certificate against the test CA.
// What a curl can do depends on its version (curlSupport, curlReuse);
// TestCurlClientHello and TestCurlTLS12ReuseRefused check the reasons.

// curlProgram is one curl binary.
type curlProgram struct {
	name string // its matrix row
	// find returns the binary's path, or "" and how to get it.
	find func() (path, howto string)

	once    sync.Once
	path    string
	howto   string
	version [3]int
	banner  string // "curl 7.88.1 libcurl/7.88.1 OpenSSL/3.0.22", from curl --version
}

var (
	systemCurl = &curlProgram{name: "curl", find: func() (string, string) {
		p, err := exec.LookPath("curl")
		if err != nil {
			return "", "curl not found in PATH: apt-get install curl"
		}
		return p, ""
	}}
	backportsCurl = &curlProgram{name: "curl-backports", find: findBackportsCurl}
	curlPrograms  = []*curlProgram{systemCurl, backportsCurl}
)

// findBackportsCurl: $WHARF_CURL_BACKPORTS, else where
// test/tools/curl-backports.sh puts its wrapper by default.
func findBackportsCurl() (string, string) {
	howto := "run test/tools/curl-backports.sh (it unpacks curl and libcurl4 from Debian bookworm-backports " +
		"into ~/.cache/wharf/curl-backports without installing them), or set WHARF_CURL_BACKPORTS to a curl 8 binary"
	p := os.Getenv("WHARF_CURL_BACKPORTS")
	if p == "" {
		cache := os.Getenv("XDG_CACHE_HOME")
		if cache == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return "", howto
			}
			cache = filepath.Join(home, ".cache")
		}
		p = filepath.Join(cache, "wharf", "curl-backports", "bin", "curl")
	}
	if fi, err := os.Stat(p); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
		return "", fmt.Sprintf("no curl at %s: %s", p, howto)
	}
	return p, ""
}

var curlVersionRE = regexp.MustCompile(`^curl (\d+)\.(\d+)\.(\d+)`)

// load finds the binary and reads its version, once.
func (p *curlProgram) load() {
	p.once.Do(func() {
		if p.path, p.howto = p.find(); p.path == "" {
			return
		}
		out, err := exec.Command(p.path, "--version").Output()
		if err != nil {
			p.path, p.howto = "", fmt.Sprintf("%s --version: %v", p.path, err)
			return
		}
		first, _, _ := strings.Cut(string(out), "\n")
		m := curlVersionRE.FindStringSubmatch(first)
		if m == nil {
			p.path, p.howto = "", fmt.Sprintf("%s --version: no version in %q", p.path, first)
			return
		}
		var f []string // the versions of curl, libcurl and its TLS library
		for _, w := range strings.Fields(first) {
			if len(f) < 4 && !strings.HasPrefix(w, "(") {
				f = append(f, w)
			}
		}
		p.banner = strings.Join(f, " ")
		for i := range p.version {
			p.version[i], _ = strconv.Atoi(m[i+1])
		}
	})
}

// need returns the binary's path, or skips t (fails it with CI=true).
func (p *curlProgram) need(t testing.TB) string {
	t.Helper()
	if p.load(); p.path == "" {
		testbin.Unavailable(t, "%s: %s", p.name, p.howto)
	}
	return p.path
}

// curlVersion is the system curl's version ({0, 0, 0} when there is
// none), for bench_test.go.
func curlVersion() [3]int {
	systemCurl.load()
	return systemCurl.version
}

func (p *curlProgram) versionString() string {
	return fmt.Sprintf("%d.%d.%d", p.version[0], p.version[1], p.version[2])
}

// curlClient and curlBackportsClient are the curls' rows of the matrix.
var (
	curlClient          = curlClientDef(systemCurl)
	curlBackportsClient = curlClientDef(backportsCurl)
)

// The matrix's client list (matrix_test.go) names curlClient; the
// backports row goes right after it.
func init() {
	i := slices.IndexFunc(clients, func(c clientDef) bool { return c.name == curlClient.name })
	clients = slices.Insert(clients, i+1, curlBackportsClient)
}

func curlClientDef(p *curlProgram) clientDef {
	return clientDef{
		name: p.name,
		// runCell looks tool up in PATH; the backports curl is not there
		// (its wrapper is a sh script), so runCurl checks for the binary
		// itself (curlProgram.need), with CI=true a failure.
		tool:    "sh",
		support: func(c cell) string { return curlSupport(p, c) },
		reuse:   func(c cell) (bool, string) { return curlReuse(p, c) },
		run: func(t *testing.T, s *server, c cell, ops []op, work string) error {
			return runCurl(t, p, s, c, ops, work)
		},
	}
}

// curlSupport: curl 7.87.0 to 7.88.1 never start TLS on an active-mode
// data connection (curl issue #10666, fixed in 8.0.0 by "ftp: active mode
// with SSL, add the damn filter"): they hang until the server's handshake
// timeout. Debian 12 ships 7.88.1; 8.14.1 passes every active-mode cell.
func curlSupport(p *curlProgram, c cell) string {
	if c.mode != "PORT" && c.mode != "EPRT" {
		return ""
	}
	if p.load(); p.version[0] == 7 && (p.version[1] == 87 || p.version[1] == 88) {
		return fmt.Sprintf("curl %s never starts TLS on an active-mode data connection: it hangs until the server's "+
			"TLS handshake timeout (30 s) fails the transfer (curl issue #10666, fixed in curl 8.0.0; "+
			"TestCurlActiveModeBug shows it)", p.versionString())
	}
	return ""
}

// curlReuse: no curl resumes at TLS 1.2 here (curlTLS12Reason), so its
// TLS 1.2 cells run with require_ssl_reuse=NO; at TLS 1.3 every curl
// resumes and its cells require reuse.
func curlReuse(p *curlProgram, c cell) (bool, string) {
	if c.tls == "1.2" && !curlOffersTicketsTLS12(p) {
		p.load()
		return false, fmt.Sprintf("curl %s: %s", p.versionString(), curlTLS12Reason)
	}
	return true, ""
}

// curlOffersTicketsTLS12 is whether curl's TLS 1.2 ClientHello carries the
// session_ticket extension, without which Go's server cannot resume it.
// TestCurlClientHello checks it for both curls: 7.88.1 and 8.14.1 do not.
func curlOffersTicketsTLS12(*curlProgram) bool { return false }

// curlTLS12Reason is why curl cannot resume at TLS 1.2 against Wharf;
// TestCurlClientHello and TestCurlTLS12ReuseRefused show it.
const curlTLS12Reason = "curl's OpenSSL backend sets SSL_OP_NO_TICKET (lib/vtls/openssl.c): its TLS 1.2 ClientHello " +
	"has no session_ticket extension (35), so it can resume only by session ID, and Go's crypto/tls server resumes " +
	"only from session tickets (golang/go#18607): every TLS 1.2 data connection of curl is a full handshake, refused " +
	"with 522 when reuse is required (curl: \"(18) server did not report OK, got 522\"); at TLS 1.3 curl resumes"

func curlArgs(s *server, c cell) (common []string, base string) {
	common = []string{"-sS", "--cacert", pki.CA.CertFile, "-u", s.user + ":" + s.pass,
		"--connect-timeout", "10", "--max-time", "120"}
	switch c.tls {
	case "1.2":
		common = append(common, "--tlsv1.2", "--tls-max", "1.2")
	default:
		common = append(common, "--tlsv1.3")
	}
	switch c.mode {
	case "PASV":
		common = append(common, "--ftp-pasv", "--disable-epsv")
	case "EPSV":
		common = append(common, "--ftp-pasv", "--epsv")
	case "PORT":
		common = append(common, "--ftp-port", host, "--disable-eprt")
	case "EPRT":
		common = append(common, "--ftp-port", host, "--eprt")
	}
	if c.implicit {
		return common, fmt.Sprintf("ftps://%s:%d/", host, s.implicit)
	}
	return append(common, "--ssl-reqd"), fmt.Sprintf("ftp://%s:%d/", host, s.port)
}

func runCurl(t *testing.T, p *curlProgram, s *server, c cell, ops []op, work string) error {
	bin := p.need(t)
	matrix.Note("%s is %s (%s)", p.name, p.banner, bin)
	common, base := curlArgs(s, c)
	var args []string
	for i, o := range ops {
		if i > 0 {
			args = append(args, "--next")
		}
		args = append(args, common...)
		if o.put {
			args = append(args, "-T", o.local, base+o.remote)
		} else {
			args = append(args, "-o", o.local, base+o.remote)
		}
	}
	cmd, cancel := clientCommand(bin, args...)
	defer cancel()
	cmd.Dir = work
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("curl %s (%d operations): %v\n%s", p.versionString(), len(ops), err, processOutput(out))
	}
	return nil
}

// TestCurlTLS12ReuseRefused documents why the curls' TLS 1.2 cells run
// with require_ssl_reuse=NO: with reuse required, curl's TLS 1.2 data
// connection does not resume (curlTLS12Reason) and the server refuses it
// with 522 and a log line that says why. If a curl ever resumes here, this
// test fails: then run its TLS 1.2 cells with reuse required.
func TestCurlTLS12ReuseRefused(t *testing.T) {
	for _, p := range curlPrograms {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			p.need(t)
			if curlOffersTicketsTLS12(p) {
				t.Skipf("curl %s resumes at TLS 1.2: its matrix cells require reuse", p.versionString())
			}
			s := startServer(t, serverOpts{tls: "1.2", reuse: true})
			work := t.TempDir()
			ops := plan(t, s.root, work)[1:2] // one download
			c := cell{tls: "1.2", mode: "EPSV"}
			err := runCurl(t, p, s, c, ops, work)
			if err == nil {
				t.Fatalf("curl %s's TLS 1.2 download succeeded with require_ssl_reuse=YES: it now resumes TLS 1.2 "+
					"sessions here; run its TLS 1.2 matrix cells with reuse required", p.versionString())
			}
			t.Logf("curl %s, as expected: %v", p.versionString(), err)
			if _, err := s.log.waitFor(func(r logRecord) bool { return r.reply && r.Code == 522 }, 20*time.Second); err != nil {
				t.Errorf("no 522 reply in the server log: %v", err)
			}
			if _, err := s.log.waitFor(func(r logRecord) bool {
				return r.Level == "WARN" && strings.Contains(r.Msg, "did not resume the control connection's TLS session")
			}, 20*time.Second); err != nil {
				t.Errorf("no log line saying why the data connection was refused: %v", err)
			}
		})
	}
}

// extSessionTicket is the TLS extension number of session_ticket (RFC
// 5077), by which a TLS 1.2 client asks for and presents tickets.
const extSessionTicket = 35

// TestCurlClientHello shows, on a Go crypto/tls server (what Wharf is),
// why curl cannot resume at TLS 1.2: two HTTPS requests in one invocation
// (--next), each on its own connection. Each curl's TLS 1.2 ClientHello
// carries the session_ticket extension only if curlOffersTicketsTLS12 says
// so, and its second connection resumes only then (Go's server keeps no
// session-ID cache). TLS 1.3 resumption is what the matrix's TLS 1.3 cells
// check, on the FTPS data connections themselves.
func TestCurlClientHello(t *testing.T) {
	cert, err := tls.LoadX509KeyPair(pki.Server.CertFile, pki.Server.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range curlPrograms {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			bin := p.need(t)
			hellos, resumed := curlHellos(t, bin, cert)
			if len(hellos) != 2 || len(resumed) != 2 {
				t.Fatalf("%d ClientHellos and %d requests, want 2 of each", len(hellos), len(resumed))
			}
			t.Logf("curl %s, TLS 1.2: ClientHello extensions %v then %v; second connection resumed: %v",
				p.versionString(), hellos[0], hellos[1], resumed[1])
			want := curlOffersTicketsTLS12(p)
			for i, h := range hellos {
				if got := slices.Contains(h, extSessionTicket); got != want {
					t.Errorf("ClientHello %d: session_ticket extension (%d) offered: %v, want %v (curlOffersTicketsTLS12)",
						i+1, extSessionTicket, got, want)
				}
			}
			if resumed[0] {
				t.Errorf("the first connection resumed a session")
			}
			if resumed[1] != want {
				t.Errorf("second connection resumed: %v, want %v", resumed[1], want)
			}
		})
	}
}

// curlHellos runs two HTTPS GETs by bin against a Go TLS server limited to
// TLS 1.2 and returns each connection's ClientHello extensions and whether
// it resumed.
func curlHellos(t *testing.T, bin string, cert tls.Certificate) (hellos [][]uint16, resumed []bool) {
	t.Helper()
	var mu sync.Mutex
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12}
	cfg.GetConfigForClient = func(h *tls.ClientHelloInfo) (*tls.Config, error) {
		mu.Lock()
		defer mu.Unlock()
		hellos = append(hellos, slices.Clone(h.Extensions))
		return nil, nil
	}
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{
		TLSConfig: cfg,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			resumed = append(resumed, r.TLS.DidResume)
			mu.Unlock()
			w.Header().Set("Connection", "close") // the next request: a new connection
			fmt.Fprintln(w, "ok")
		}),
	}
	done := make(chan error, 1)
	go func() { done <- srv.ServeTLS(l, "", "") }()
	defer func() {
		srv.Close()
		<-done
	}()
	url := "https://" + l.Addr().String() + "/"
	one := []string{"-sS", "--cacert", pki.CA.CertFile, "--max-time", "30", "--tlsv1.2", "--tls-max", "1.2"}
	args := append(append(slices.Clone(one), url, "--next"), append(one, url)...)
	cmd, cancel := clientCommand(bin, args...)
	defer cancel()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("curl: %v\n%s", err, processOutput(out))
	}
	mu.Lock()
	defer mu.Unlock()
	return slices.Clone(hellos), slices.Clone(resumed)
}

// TestCurlActiveModeBug shows why the active-mode cells of a curl that
// curlSupport rules out are N/A rather than run: one download over PORT
// and one over EPRT. The curl connects its data connection's TCP but never
// starts TLS on it, so the server's TLS handshake times out (30 s) and the
// transfer fails. If such a curl ever completes the
// download, this test fails: then run its active-mode cells.
func TestCurlActiveModeBug(t *testing.T) {
	for _, p := range curlPrograms {
		for _, mode := range []string{"PORT", "EPRT"} {
			t.Run(p.name+"/"+mode, func(t *testing.T) {
				t.Parallel()
				p.need(t)
				c := cell{tls: "1.3", mode: mode}
				if curlSupport(p, c) == "" {
					t.Skipf("curl %s does FTPS in active mode: its %s cells run in the matrix", p.versionString(), mode)
				}
				s := startServer(t, serverOpts{tls: c.tls, reuse: true})
				work := t.TempDir()
				ops := plan(t, s.root, work)[3:4] // the 1-byte download
				err := runCurl(t, p, s, c, ops, work)
				if err == nil {
					t.Fatalf("curl %s downloaded over %s: it now starts TLS on active-mode data connections; "+
						"run its active-mode matrix cells (curlSupport)", p.versionString(), mode)
				}
				t.Logf("curl %s, as expected: %v", p.versionString(), err)
				if _, err := s.log.waitFor(func(r logRecord) bool { return r.Msg == "session end" }, 30*time.Second); err != nil {
					t.Fatalf("waiting for the session to end: %v", err)
				}
				// The reply to the failed RETR is 522, or 426 when curl,
				// seeing the data connection close (or reaching its own 30 s
				// limit), quits before it: then the transfer is logged as
				// aborted, still with the TLS negotiation error.
				var handshakes, timeouts, failed int
				for _, r := range s.records() {
					switch {
					case r.Msg == "TLS handshake":
						handshakes++
					case r.Msg == "TLS handshake on the data connection failed" && strings.Contains(r.Err, "timeout"):
						timeouts++
					case r.Msg == "transfer" && r.Result != "ok" && strings.Contains(r.Err, "TLS negotiation"):
						failed++
					}
				}
				if handshakes != 1 || timeouts != 1 || failed != 1 {
					t.Errorf("server: %d TLS handshakes (want 1: the control connection's), %d data-connection "+
						"handshake timeouts (want 1), %d transfers failed for TLS negotiation (want 1)", handshakes, timeouts, failed)
				}
			})
		}
	}
}
