package ftpsinterop

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wharf/internal/testbin"
)

// Python's ftplib, driven by testdata/ftps_client.py: one process, one
// session. Stock FTP_TLS starts a fresh TLS session on every data
// connection, so it can only work with require_ssl_reuse=NO; the
// "ftplib+reuse" row uses a small subclass that passes the control
// connection's session to the data socket, with reuse required.
var (
	ftplibStock = clientDef{
		name:    "ftplib",
		tool:    "python3",
		support: func(cell) string { return "" },
		reuse: func(cell) (bool, string) {
			return false, "stock ftplib.FTP_TLS never resumes the control connection's TLS session on data connections " +
				"(ntransfercmd wraps the data socket without session=); the ftplib+reuse row passes it and works with reuse required"
		},
		run: func(t *testing.T, s *server, c cell, ops []op, work string) error {
			return runFtplib(t, s, c, ops, work, false)
		},
	}
	ftplibReuse = clientDef{
		name:    "ftplib+reuse",
		tool:    "python3",
		support: func(cell) string { return "" },
		reuse:   always,
		run: func(t *testing.T, s *server, c cell, ops []op, work string) error {
			return runFtplib(t, s, c, ops, work, true)
		},
	}
)

type ftplibPlan struct {
	Host     string     `json:"host"`
	Port     int        `json:"port"`
	Implicit bool       `json:"implicit"`
	TLS      string     `json:"tls"`
	Mode     string     `json:"mode"`
	Reuse    bool       `json:"reuse"`
	User     string     `json:"user"`
	Password string     `json:"password"`
	CAFile   string     `json:"cafile"`
	Ops      []ftplibOp `json:"ops"`
}

type ftplibOp struct {
	Put    bool   `json:"put"`
	Local  string `json:"local"`
	Remote string `json:"remote"`
}

func runFtplib(t *testing.T, s *server, c cell, ops []op, work string, reuse bool) error {
	p := ftplibPlan{Host: host, Port: s.port, Implicit: c.implicit, TLS: c.tls, Mode: c.mode, Reuse: reuse,
		User: s.user, Password: s.pass, CAFile: pki.CA.CertFile}
	if c.implicit {
		p.Port = s.implicit
	}
	for _, o := range ops {
		p.Ops = append(p.Ops, ftplibOp{Put: o.put, Local: o.local, Remote: o.remote})
	}
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	planFile := filepath.Join(work, "plan.json")
	if err := os.WriteFile(planFile, b, 0o600); err != nil {
		return err
	}
	script, err := filepath.Abs("testdata/ftps_client.py")
	if err != nil {
		return err
	}
	cmd, cancel := clientCommand("python3", script, planFile)
	defer cancel()
	cmd.Dir = work
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("python3 ftps_client.py: %v\n%s", err, processOutput(out))
	}
	return nil
}

// TestFtplibStockReuseRefused documents why the stock ftplib row runs with
// require_ssl_reuse=NO: with reuse required its first data connection is
// refused with 522, at TLS 1.2 and 1.3.
func TestFtplibStockReuseRefused(t *testing.T) {
	t.Parallel()
	testbin.NeedTool(t, "python3", "python3")
	for _, v := range versions {
		s := startServer(t, serverOpts{tls: v, reuse: true})
		work := t.TempDir()
		ops := plan(t, s.root, work)[1:2] // one download
		err := runFtplib(t, s, cell{tls: v, mode: "PASV"}, ops, work, false)
		if err == nil || !strings.Contains(err.Error(), "522") {
			t.Errorf("TLS %s: stock FTP_TLS with require_ssl_reuse=YES: %v, want a 522 refusal", v, err)
			continue
		}
		t.Logf("TLS %s, as expected: %s", v, lastLine(err.Error()))
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
