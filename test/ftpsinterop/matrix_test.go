package ftpsinterop

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"wharf/internal/testbin"
)

var (
	kinds    = []string{"explicit", "implicit"}
	versions = []string{"1.2", "1.3"}
	modes    = []string{"PASV", "EPSV", "PORT", "EPRT"}
)

// cell is one client x FTPS kind x TLS version x data-connection mode.
type cell struct {
	implicit bool
	tls      string // "1.2" or "1.3"
	mode     string
}

func (c cell) kind() string {
	if c.implicit {
		return "implicit"
	}
	return "explicit"
}

// clientDef is one row group of the matrix: a real client and how it is
// driven.
type clientDef struct {
	name string
	tool string
	// support returns "" when the client can run the cell, or why not.
	support func(c cell) string
	// reuse says whether the cell runs with require_ssl_reuse=YES; when
	// not, why (a documented limitation of the client).
	reuse func(c cell) (bool, string)
	// ipv6, when set, says which cells run over ::1 (and why).
	ipv6 func(c cell) (bool, string)
	// run makes every transfer of ops in one session (one client process,
	// one control connection) and returns the client's error and output.
	run func(t *testing.T, s *server, c cell, ops []op, work string) error
}

func always(cell) (bool, string) { return true, "" }

var clients = []clientDef{curlClient, lftpClient, ftplibStock, ftplibReuse, rcloneClient}

// TestFTPSMatrix runs every client in every cell: 20 transfers (uploads
// and downloads of 0 B to 5 MiB) in one session, compared by sha256, with
// the server accepting only the cell's TLS version and, unless the client
// says otherwise, requiring TLS session reuse on data connections. The
// server's log then shows that there was one session, of the cell's FTPS
// kind and TLS version, that every data connection used the cell's mode
// and that every data connection resumed the control connection's session.
func TestFTPSMatrix(t *testing.T) {
	for _, cd := range clients {
		t.Run(cd.name, func(t *testing.T) {
			for _, kind := range kinds {
				for _, v := range versions {
					for _, m := range modes {
						c := cell{implicit: kind == "implicit", tls: v, mode: m}
						t.Run(kind+"/TLS"+v+"/"+m, func(t *testing.T) {
							t.Parallel()
							runCell(t, cd, c)
						})
					}
				}
			}
		})
	}
}

func runCell(t *testing.T, cd clientDef, c cell) {
	key := cellKey{cd.name, c.kind(), c.tls, c.mode}
	if why := cd.support(c); why != "" {
		matrix.Set(key, "N/A")
		matrix.Note("%s, %s: N/A: %s", cd.name, c.mode, why)
		t.Skipf("N/A: %s", why)
	}
	reuse, why := cd.reuse(c)
	result := "pass"
	if !reuse {
		result = "pass (reuse=NO)"
		matrix.Note("%s, TLS %s: runs with require_ssl_reuse=NO: %s", cd.name, c.tls, why)
	}
	defer func() {
		switch {
		case t.Failed():
			matrix.Set(key, "FAIL")
		case t.Skipped():
			matrix.Set(key, "skipped")
		default:
			matrix.Set(key, result)
		}
	}()
	testbin.NeedTool(t, cd.tool, cd.tool)
	opts := serverOpts{tls: c.tls, reuse: reuse}
	if cd.ipv6 != nil {
		var why string
		if opts.ipv6, why = cd.ipv6(c); opts.ipv6 {
			result += " [::1]"
			matrix.Note("%s, %s: runs over [::1]: %s", cd.name, c.mode, why)
		}
	}
	s := startServer(t, opts)
	work := t.TempDir()
	ops := plan(t, s.root, work)
	start := time.Now()
	if err := cd.run(t, s, c, ops, work); err != nil {
		t.Fatalf("%s: %v", cd.name, err)
	}
	t.Logf("%d transfers in %v", len(ops), time.Since(start).Round(time.Millisecond))
	for i, o := range ops {
		if o.put {
			checkFile(t, fmt.Sprintf("transfer %d: upload %s", i, o.remote), s.root+"/"+o.remote, o.fix)
		} else {
			checkFile(t, fmt.Sprintf("transfer %d: download %s", i, o.remote), o.local, o.fix)
		}
	}
	checkServerLog(t, s, c, reuse, len(ops))
}

// checkServerLog reads the server's account of the cell, once its
// session has ended (so that every line of it is logged).
func checkServerLog(t *testing.T, s *server, c cell, reuse bool, transfers int) {
	t.Helper()
	if _, err := s.log.waitFor(func(r logRecord) bool { return r.Msg == "session end" }, 30*time.Second); err != nil {
		t.Fatalf("waiting for the session to end: %v", err)
	}
	var connects, handshakes, resumed, dataModes int
	other := map[string]int{}
	for _, r := range s.records() {
		switch {
		case r.Msg == "connect":
			connects++
			if r.ImplicitTLS != c.implicit {
				t.Errorf("session %d: implicit_tls=%v in a %s cell", r.Session, r.ImplicitTLS, c.kind())
			}
		case r.Msg == "control connection secured":
			if want := "TLS " + c.tls; r.TLS != want {
				t.Errorf("control connection secured with %s, want %s", r.TLS, want)
			}
		case r.Msg == "TLS handshake":
			handshakes++
			if r.Resumed {
				resumed++
			}
		case !r.reply && r.Msg == "command" && isDataVerb(r.Verb):
			if r.Verb == c.mode {
				dataModes++
			} else {
				other[r.Verb]++
			}
		case r.reply && (r.Code == 522 || r.Code == 425 || r.Code == 426):
			t.Errorf("the server refused a data connection: %d (%s)", r.Code, r.raw)
		case r.Msg == "transfer" && r.Result != "ok":
			t.Errorf("a transfer failed on the server: %s", r.raw)
		}
	}
	if connects != 1 {
		t.Errorf("%d control connections, want 1 (all %d transfers in one session)", connects, transfers)
	}
	if dataModes < transfers || len(other) > 0 {
		t.Errorf("data connections: %d by %s (want at least %d), others %v (a fallback?)", dataModes, c.mode, transfers, other)
	}
	data := handshakes - connects
	if data < transfers {
		t.Errorf("%d TLS handshakes on data connections, want at least %d", data, transfers)
	}
	if reuse && resumed < data {
		t.Errorf("%d of %d data-connection handshakes resumed the control session, want all", resumed, data)
	}
	t.Logf("server: %d session, %d data connections by %s, %d of %d data handshakes resumed", connects, dataModes, c.mode, resumed, data)
}

func isDataVerb(v string) bool {
	switch v {
	case "PASV", "EPSV", "PORT", "EPRT", "LPSV", "LPRT", "SPSV":
		return true
	}
	return false
}

// processOutput trims a client's output for an error message.
func processOutput(out []byte) string {
	s := strings.TrimSpace(string(out))
	if len(s) > 6000 {
		s = "...\n" + s[len(s)-6000:]
	}
	return s
}
