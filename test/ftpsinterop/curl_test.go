package ftpsinterop

import (
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"wharf/internal/testbin"
)

// curl: one invocation, each transfer its own --next operation, so that
// curl keeps one control connection for all of them. It verifies the
// server's certificate against the test CA.
var curlClient = clientDef{
	name:    "curl",
	tool:    "curl",
	support: curlSupport,
	reuse: func(c cell) (bool, string) {
		if c.tls == "1.2" {
			return false, curlTLS12Reason
		}
		return true, ""
	},
	run: runCurl,
}

// curlTLS12Reason is why curl cannot resume at TLS 1.2 against Wharf;
// TestCurlTLS12ReuseRefused shows it.
const curlTLS12Reason = "curl's OpenSSL backend sets SSL_OP_NO_TICKET (lib/vtls/openssl.c), so at TLS 1.2 it can resume " +
	"only by session ID, and Go's crypto/tls server resumes only from session tickets: every TLS 1.2 data connection " +
	"of curl is a full handshake, refused with 522 when reuse is required (curl: \"(18) server did not report OK, got 522\"); " +
	"at TLS 1.3 curl resumes"

// curlSupport: curl 7.87.0 to 7.88.1 never start TLS on an active-mode
// data connection (curl issue #10666, fixed in 8.0.0 by "ftp: active mode
// with SSL, add the damn filter"): they hang until the server's handshake
// timeout. Debian 12 ships 7.88.1.
func curlSupport(c cell) string {
	if c.mode != "PORT" && c.mode != "EPRT" {
		return ""
	}
	v := curlVersion()
	if v[0] == 7 && (v[1] == 87 || v[1] == 88) {
		return fmt.Sprintf("curl %d.%d.%d never starts TLS on an active-mode data connection and hangs until the server's "+
			"handshake timeout (curl issue #10666, fixed in curl 8.0.0)", v[0], v[1], v[2])
	}
	return ""
}

var curlVersion = sync.OnceValue(func() [3]int {
	out, err := exec.Command("curl", "--version").Output()
	if err != nil {
		return [3]int{}
	}
	m := regexp.MustCompile(`^curl (\d+)\.(\d+)\.(\d+)`).FindSubmatch(out)
	if m == nil {
		return [3]int{}
	}
	var v [3]int
	for i := range v {
		v[i], _ = strconv.Atoi(string(m[i+1]))
	}
	return v
})

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

func runCurl(t *testing.T, s *server, c cell, ops []op, work string) error {
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
	cmd, cancel := clientCommand("curl", args...)
	defer cancel()
	cmd.Dir = work
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("curl (%d operations): %v\n%s", len(ops), err, processOutput(out))
	}
	return nil
}

// TestCurlTLS12ReuseRefused documents why curl's TLS 1.2 cells run with
// require_ssl_reuse=NO: with reuse required, curl's TLS 1.2 data
// connection does not resume (curlTLS12Reason) and the server refuses it
// with 522 and a log line that says why. If curl ever resumes here, this
// test fails: then run its TLS 1.2 cells with reuse required.
func TestCurlTLS12ReuseRefused(t *testing.T) {
	t.Parallel()
	testbin.NeedTool(t, "curl", "curl")
	s := startServer(t, serverOpts{tls: "1.2", reuse: true})
	work := t.TempDir()
	ops := plan(t, s.root, work)[1:2] // one download
	c := cell{tls: "1.2", mode: "EPSV"}
	err := runCurl(t, s, c, ops, work)
	if err == nil {
		t.Fatal("curl's TLS 1.2 download succeeded with require_ssl_reuse=YES: curl now resumes TLS 1.2 sessions " +
			"here; run its TLS 1.2 matrix cells with reuse required")
	}
	t.Logf("curl, as expected: %v", err)
	if _, err := s.log.waitFor(func(r logRecord) bool { return r.reply && r.Code == 522 }, 20*time.Second); err != nil {
		t.Errorf("no 522 reply in the server log: %v", err)
	}
	if _, err := s.log.waitFor(func(r logRecord) bool {
		return r.Level == "WARN" && strings.Contains(r.Msg, "did not resume the control connection's TLS session")
	}, 20*time.Second); err != nil {
		t.Errorf("no log line saying why the data connection was refused: %v", err)
	}
}
