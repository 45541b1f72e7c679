package interop

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// curl: one run per operation. Modes: --ftp-pasv with --disable-epsv
// (PASV) or --epsv (EPSV); --ftp-port ADDR with --disable-eprt (PORT) or
// --eprt (EPRT). curl falls back from EPSV to PASV and from EPRT to PORT
// on its own; the cell's mode check catches that.
var curlClient = clientDef{
	name:    "curl",
	tool:    "curl",
	support: ipv4Only,
	newDriver: func(t *testing.T, s *server, mode string) driver {
		return &curlDriver{s: s, mode: mode, dir: t.TempDir()}
	},
}

type curlDriver struct {
	s    *server
	mode string
	dir  string
}

func (d *curlDriver) modeArgs() []string {
	switch d.mode {
	case "PASV":
		return []string{"--ftp-pasv", "--disable-epsv"}
	case "EPSV":
		return []string{"--ftp-pasv", "--epsv"}
	case "PORT":
		return []string{"--ftp-port", d.s.host, "--disable-eprt"}
	default:
		return []string{"--ftp-port", d.s.host, "--eprt"}
	}
}

// url is the ftp:// URL of a remote path (a directory ends in "/").
func (d *curlDriver) url(path string) string {
	var segs []string
	for _, seg := range strings.Split(strings.Trim(path, "/"), "/") {
		segs = append(segs, url.PathEscape(seg))
	}
	u := "ftp://" + d.s.urlHost() + ":" + strconv.Itoa(d.s.port) + "/" + strings.Join(segs, "/")
	if strings.HasSuffix(path, "/") && !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}

func (d *curlDriver) run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	base := []string{"-sS", "-v", "--connect-timeout", "10", "--max-time", "170", "-u", d.s.user + ":" + d.s.pass}
	return runTool(t, "curl", append(append(base, d.modeArgs()...), args...), "", d.dir)
}

func (d *curlDriver) put(t *testing.T, local, remote string) error {
	_, err := d.run(t, "-T", local, d.url(remote))
	return err
}

func (d *curlDriver) get(t *testing.T, remote, local string) error {
	_, err := d.run(t, "-o", local, d.url(remote))
	return err
}

func (d *curlDriver) listings(t *testing.T, dir string) ([]listing, error) {
	nlst := filepath.Join(d.dir, "nlst.out")
	if _, err := d.run(t, "--list-only", "-o", nlst, d.url(dir+"/")); err != nil {
		return nil, err
	}
	list := filepath.Join(d.dir, "list.out")
	if _, err := d.run(t, "-o", list, d.url(dir+"/")); err != nil {
		return nil, err
	}
	nb, err := os.ReadFile(nlst)
	if err != nil {
		return nil, err
	}
	lb, err := os.ReadFile(list)
	if err != nil {
		return nil, err
	}
	return []listing{
		{"NLST (curl --list-only)", splitLines(string(nb))},
		{"LIST (curl, parsed as ls -l)", parseLsLines(string(lb))},
	}, nil
}

// quote runs FTP commands with -Q before a listing of the root.
func (d *curlDriver) quote(t *testing.T, cmds ...string) error {
	var args []string
	for _, c := range cmds {
		args = append(args, "-Q", c)
	}
	_, err := d.run(t, append(args, "-o", os.DevNull, d.url("/"))...)
	return err
}

func (d *curlDriver) rename(t *testing.T, from, to string) error {
	return d.quote(t, "RNFR "+from, "RNTO "+to)
}
func (d *curlDriver) remove(t *testing.T, name string) error { return d.quote(t, "DELE "+name) }
func (d *curlDriver) mkdir(t *testing.T, name string) error  { return d.quote(t, "MKD "+name) }
func (d *curlDriver) rmdir(t *testing.T, name string) error  { return d.quote(t, "RMD "+name) }

func (d *curlDriver) resume(t *testing.T, kind, local, remote string) error {
	switch kind {
	case restRetr:
		_, err := d.run(t, "-C", "-", "-o", local, d.url(remote))
		return err
	case appe:
		// -C - with -T: SIZE of the remote file, then APPE of the rest.
		_, err := d.run(t, "-C", "-", "-T", local, d.url(remote))
		return err
	}
	return notApplicable{"curl resumes uploads with SIZE + APPE only, never REST+STOR"}
}

var wireBytesRE = regexp.MustCompile(`WIRE_BYTES=(\d+)`)

func (d *curlDriver) asciiGet(t *testing.T, remote, local string) (int64, error) {
	out, err := d.run(t, "--use-ascii", "-o", local, "-w", "\nWIRE_BYTES=%{size_download}\n", d.url(remote))
	if err != nil {
		return -1, err
	}
	m := wireBytesRE.FindStringSubmatch(out)
	if m == nil {
		return -1, nil
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	return n, nil
}

func (d *curlDriver) asciiPut(t *testing.T, local, remote string) error {
	_, err := d.run(t, "--use-ascii", "-T", local, d.url(remote))
	return err
}

// splitLines splits a listing into its non-empty lines, without CR.
func splitLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimRight(l, "\r")
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// lsLineRE matches an `ls -l` line as vsftpd sends it; the name is the
// rest of the line after the date (names may hold spaces).
var lsLineRE = regexp.MustCompile(`^[-dlcbps][-rwxsStT]{9}\S*\s+\d+\s+\S+\s+\S+\s+\d+\s+[A-Z][a-z]{2}\s+\d{1,2}\s+(?:\d{1,2}:\d{2}|\d{4})\s(.+)$`)

// parseLsLines extracts the names of a LIST reply; a line it cannot parse
// is kept whole, so that a check for a name shows it.
func parseLsLines(s string) []string {
	var out []string
	for _, l := range splitLines(s) {
		if m := lsLineRE.FindStringSubmatch(l); m != nil {
			name, _, _ := strings.Cut(m[1], " -> ")
			out = append(out, name)
		} else {
			out = append(out, "unparsed: "+l)
		}
	}
	return out
}
