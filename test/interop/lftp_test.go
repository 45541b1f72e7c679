package interop

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// lftp: one `lftp -c` run per operation. Modes: ftp:passive-mode on with
// ftp:prefer-epsv no (PASV) or yes (EPSV); ftp:passive-mode off (PORT over
// IPv4, EPRT over IPv6). ftp:auto-passive-mode is off so that a failing
// active mode is an error, not a silent switch to passive.
var lftpClient = clientDef{
	name: "lftp",
	tool: "lftp",
	support: func(mode, ip string) string {
		if why := ipv4Only(mode, ip); why != "" {
			return why
		}
		if mode == "EPRT" && ip == loopback4 {
			return "lftp sends EPRT only for IPv6 data addresses; over IPv4 its active mode is always PORT (no setting changes that)"
		}
		return ""
	},
	newDriver: func(t *testing.T, s *server, mode string) driver {
		return &lftpDriver{s: s, mode: mode, dir: t.TempDir()}
	},
}

type lftpDriver struct {
	s    *server
	mode string
	dir  string
	n    int
}

// lq quotes an argument for lftp's command parser.
func lq(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func (d *lftpDriver) run(t *testing.T, cmds ...string) (string, error) {
	t.Helper()
	d.n++
	debugLog := filepath.Join(d.dir, "lftp-debug-"+strconv.Itoa(d.n)+".log")
	settings := []string{
		"set cmd:fail-exit yes",
		"set cmd:interactive no",
		"set ftp:ssl-allow no",
		"set net:max-retries 1",
		"set net:timeout 30",
		"set net:reconnect-interval-base 1",
		"set xfer:clobber yes",
		"set ftp:auto-passive-mode no",
	}
	switch d.mode {
	case "PASV":
		settings = append(settings, "set ftp:passive-mode on", "set ftp:prefer-epsv no")
	case "EPSV":
		settings = append(settings, "set ftp:passive-mode on", "set ftp:prefer-epsv yes")
	default:
		settings = append(settings, "set ftp:passive-mode off")
	}
	settings = append(settings,
		"debug -o "+lq(debugLog)+" 9",
		"open -u "+d.s.user+","+d.s.pass+" ftp://"+d.s.urlHost()+":"+strconv.Itoa(d.s.port),
	)
	script := strings.Join(append(settings, cmds...), "; ")
	out, err := runTool(t, "lftp", []string{"-c", script}, "", d.dir)
	if err != nil {
		dbg, _ := os.ReadFile(debugLog)
		return out, &toolError{err: err, transcript: redact(string(dbg), d.s.pass)}
	}
	return out, nil
}

func (d *lftpDriver) put(t *testing.T, local, remote string) error {
	_, err := d.run(t, "put "+lq(local)+" -o "+lq(remote))
	return err
}

func (d *lftpDriver) get(t *testing.T, remote, local string) error {
	_, err := d.run(t, "get "+lq(remote)+" -o "+lq(local))
	return err
}

func (d *lftpDriver) listings(t *testing.T, dir string) ([]listing, error) {
	mlsd := filepath.Join(d.dir, "cls-mlsd.out")
	list := filepath.Join(d.dir, "cls-list.out")
	_, err := d.run(t,
		"cls -1 "+lq(dir)+" > "+lq(mlsd),
		"set ftp:use-mlsd no",
		"cache flush",
		"cls -1 "+lq(dir)+" > "+lq(list))
	if err != nil {
		return nil, err
	}
	var out []listing
	for _, f := range []struct{ how, path string }{
		{"lftp cls (MLSD)", mlsd},
		{"lftp cls (LIST, ftp:use-mlsd no)", list},
	} {
		b, err := os.ReadFile(f.path)
		if err != nil {
			return nil, err
		}
		out = append(out, listing{f.how, baseNames(dir, splitLines(string(b)))})
	}
	return out, nil
}

// baseNames strips the directory prefix a client prints before names
// (cls prints "dl/name"), and the "/" it appends to directories.
func baseNames(dir string, names []string) []string {
	prefix := strings.Trim(dir, "/") + "/"
	var out []string
	for _, n := range names {
		n = strings.TrimPrefix(n, "/")
		if prefix != "/" {
			n = strings.TrimPrefix(n, prefix)
		}
		out = append(out, strings.TrimSuffix(n, "/"))
	}
	return out
}

func (d *lftpDriver) rename(t *testing.T, from, to string) error {
	_, err := d.run(t, "mv "+lq(from)+" "+lq(to))
	return err
}
func (d *lftpDriver) remove(t *testing.T, name string) error {
	_, err := d.run(t, "rm "+lq(name))
	return err
}
func (d *lftpDriver) mkdir(t *testing.T, name string) error {
	_, err := d.run(t, "mkdir "+lq(name))
	return err
}
func (d *lftpDriver) rmdir(t *testing.T, name string) error {
	_, err := d.run(t, "rmdir "+lq(name))
	return err
}

func (d *lftpDriver) resume(t *testing.T, kind, local, remote string) error {
	var err error
	switch kind {
	case restRetr:
		_, err = d.run(t, "get -c "+lq(remote)+" -o "+lq(local))
	case restStor:
		_, err = d.run(t, "put -c "+lq(local)+" -o "+lq(remote))
	default:
		return notApplicable{"lftp has no append command; it resumes uploads (put -c, reput) with REST+STOR"}
	}
	return err
}

func (d *lftpDriver) asciiGet(t *testing.T, remote, local string) (int64, error) {
	_, err := d.run(t, "get -a "+lq(remote)+" -o "+lq(local))
	return -1, err
}

func (d *lftpDriver) asciiPut(t *testing.T, local, remote string) error {
	_, err := d.run(t, "put -a "+lq(local)+" -o "+lq(remote))
	return err
}
