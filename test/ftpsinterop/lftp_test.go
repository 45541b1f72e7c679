package ftpsinterop

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lftp (GnuTLS): one script, one session. It verifies the server's
// certificate and host name against the test CA and resumes the control
// connection's session on data connections (ftp:ssl-copy-sid, on by
// default) at TLS 1.2 and 1.3.
var lftpClient = clientDef{
	name:    "lftp",
	tool:    "lftp",
	support: func(cell) string { return "" },
	ipv6: func(c cell) (bool, string) {
		return c.mode == "EPRT", "lftp sends EPRT only for IPv6 data addresses; over IPv4 its active mode is always PORT"
	},
	reuse: always,
	run:   runLftp,
}

// lq quotes an argument for lftp's command parser.
func lq(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func runLftp(t *testing.T, s *server, c cell, ops []op, work string) error {
	priority := "NORMAL:-VERS-ALL:+VERS-TLS1.3"
	if c.tls == "1.2" {
		priority = "NORMAL:-VERS-ALL:+VERS-TLS1.2"
	}
	url := fmt.Sprintf("ftp://%s:%d", s.urlHost(), s.port)
	if c.implicit {
		url = fmt.Sprintf("ftps://%s:%d", s.urlHost(), s.implicit)
	}
	debugLog := filepath.Join(work, "lftp-debug.log")
	lines := []string{
		"set cmd:fail-exit yes",
		"set cmd:interactive no",
		"set net:max-retries 1",
		"set net:timeout 30",
		"set xfer:clobber yes",
		"set ftp:ssl-force yes",
		"set ftp:ssl-protect-data yes",
		"set ftp:ssl-allow yes",
		"set ssl:verify-certificate yes",
		"set ssl:check-hostname yes",
		"set ssl:ca-file " + lq(pki.CA.CertFile),
		"set ssl:priority " + lq(priority),
		"set ftp:auto-passive-mode no",
	}
	switch c.mode {
	case "PASV":
		lines = append(lines, "set ftp:passive-mode on", "set ftp:prefer-epsv no")
	case "EPSV":
		lines = append(lines, "set ftp:passive-mode on", "set ftp:prefer-epsv yes")
	default:
		lines = append(lines, "set ftp:passive-mode off")
	}
	lines = append(lines, "debug -o "+lq(debugLog)+" 9",
		"open -u "+lq(s.user+","+s.pass)+" "+url)
	for _, o := range ops {
		if o.put {
			lines = append(lines, "put "+lq(o.local)+" -o "+lq(o.remote))
		} else {
			lines = append(lines, "get "+lq(o.remote)+" -o "+lq(o.local))
		}
	}
	lines = append(lines, "bye")
	script := filepath.Join(work, "script.lftp")
	if err := os.WriteFile(script, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		return err
	}
	cmd, cancel := clientCommand("lftp", "-f", script)
	defer cancel()
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "HOME="+work) // no ~/.lftp settings
	if out, err := cmd.CombinedOutput(); err != nil {
		dbg, _ := os.ReadFile(debugLog)
		return fmt.Errorf("lftp: %v\n%s\n--- lftp debug log ---\n%s", err, processOutput(out),
			strings.ReplaceAll(processOutput(dbg), s.pass, "<password>"))
	}
	return nil
}
