package ftpsinterop

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"wharf/internal/testbin"
)

// rclone's ftp backend (Go's crypto/tls client with a session cache shared
// by its connections). One `rclone rcd` process per cell, and every
// transfer an operations/copyfile call to it, so that all of them go
// through the one FTP connection its pool keeps (concurrency=1). rclone
// has no active mode.
var rcloneClient = clientDef{
	name: "rclone",
	tool: "rclone",
	support: func(c cell) string {
		if c.mode == "PORT" || c.mode == "EPRT" {
			return "rclone's ftp backend has passive mode only (no PORT/EPRT)"
		}
		return ""
	},
	reuse: always,
	run:   runRclone,
}

// rcloneConcurrencyNote is why the rclone cells set concurrency=1.
const rcloneConcurrencyNote = "rclone runs with concurrency=1 (--ftp-concurrency 1): its one TLS session cache " +
	"serves all its connections, so with several control connections open a data connection may present another " +
	"control session's ticket, which Wharf refuses by design (522: tickets are bound to their control session)"

// remoteSpec is the on-the-fly ftp remote for the cell.
func remoteSpec(s *server, c cell, obscured string) string {
	opts := []string{"host=" + host, "user=" + s.user, "pass=" + obscured, "concurrency=1"}
	if c.implicit {
		opts = append(opts, "port="+strconv.Itoa(s.implicit), "tls=true")
	} else {
		opts = append(opts, "port="+strconv.Itoa(s.port), "explicit_tls=true")
	}
	if c.tls == "1.2" {
		opts = append(opts, "disable_tls13=true")
	}
	if c.mode == "PASV" {
		opts = append(opts, "disable_epsv=true")
	}
	return ":ftp," + strings.Join(opts, ",") + ":"
}

func runRclone(t *testing.T, s *server, c cell, ops []op, work string) error {
	matrix.Note("rclone: %s", rcloneConcurrencyNote)
	out, err := exec.Command("rclone", "obscure", s.pass).Output()
	if err != nil {
		return fmt.Errorf("rclone obscure: %v", err)
	}
	remote := remoteSpec(s, c, strings.TrimSpace(string(out)))
	rc, err := startRcd(t, work)
	if err != nil {
		return err
	}
	defer rc.stop()
	for i, o := range ops {
		dir, name := filepath.Split(o.local)
		args := map[string]string{"srcFs": dir, "srcRemote": name, "dstFs": remote, "dstRemote": o.remote}
		if !o.put {
			args = map[string]string{"srcFs": remote, "srcRemote": o.remote, "dstFs": dir, "dstRemote": name}
		}
		if err := rc.call("operations/copyfile", args); err != nil {
			return fmt.Errorf("transfer %d (%s): %v\n--- rclone log ---\n%s", i, o.remote, err, rc.proc.Lines().Last(60))
		}
	}
	return nil
}

// rcd is a running `rclone rcd`.
type rcd struct {
	addr string
	proc *testbin.Process
}

func startRcd(t *testing.T, work string) (*rcd, error) {
	conf := filepath.Join(work, "rclone.conf")
	if err := os.WriteFile(conf, nil, 0o600); err != nil {
		return nil, err
	}
	var lastErr error
	for range 5 {
		port, err := testbin.FreePort(host)
		if err != nil {
			return nil, err
		}
		r := &rcd{addr: host + ":" + strconv.Itoa(port)}
		cmd := exec.Command("rclone", "rcd", "--rc-addr", r.addr, "--rc-no-auth", "--config", conf, "-vv",
			"--retries", "1", "--low-level-retries", "1")
		// rclone verifies the server against the test CA (Go reads SSL_CERT_FILE).
		cmd.Env = append(os.Environ(), "SSL_CERT_FILE="+pki.CA.CertFile, "HOME="+work)
		if r.proc, err = testbin.StartFollowed(filepath.Join(work, "rclone.log"), cmd); err != nil {
			return nil, err
		}
		_, err = r.proc.Lines().WaitLine(0, func(l string) bool { return strings.Contains(l, "Serving remote control on") }, 20*time.Second)
		if err == nil {
			return r, nil
		}
		r.proc.Kill()
		lastErr = fmt.Errorf("rclone rcd: %v\n%s", err, r.proc.Lines().Last(20))
		if !strings.Contains(r.proc.Lines().Text(), "address already in use") {
			break
		}
	}
	return nil, lastErr
}

// call posts one rc command and fails on an error reply.
func (r *rcd) call(method string, args map[string]string) error {
	body, _ := json.Marshal(args)
	client := http.Client{Timeout: 120 * time.Second}
	resp, err := client.Post("http://"+r.addr+"/"+method, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: HTTP %d: %s", method, resp.StatusCode, reply)
	}
	return nil
}

// stop ends rclone by PID (SIGTERM, SIGKILL after 10 s); its FTP
// connection closes with it.
func (r *rcd) stop() { r.proc.Stop(10 * time.Second) }
