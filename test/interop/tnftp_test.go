package interop

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// tnftp (BSD ftp) used as Windows ftp.exe is: active mode only (ftp -A), a
// script of commands on standard input. epsv4 off makes it send PORT over
// IPv4, epsv4 on EPRT; over IPv6 it sends EPRT. Its exit status says
// nothing about failed commands, so the replies it prints are checked.
var tnftpClient = clientDef{
	name: "tnftp",
	tool: tnftpProgram(),
	support: func(mode, ip string) string {
		if mode == "PASV" || mode == "EPSV" {
			return "tnftp is exercised as an active-mode client (ftp -A), the way Windows ftp.exe is used"
		}
		return ipv4Only(mode, ip)
	},
	newDriver: func(t *testing.T, s *server, mode string) driver {
		return &tnftpDriver{s: s, mode: mode, dir: t.TempDir(), prog: tnftpProgram()}
	},
}

// tnftpProgram is tnftp's name: Debian installs it as tnftp (and as ftp
// through alternatives).
func tnftpProgram() string {
	for _, name := range []string{"tnftp", "ftp"} {
		if _, err := exec.LookPath(name); err == nil {
			return name
		}
	}
	return "tnftp"
}

type tnftpDriver struct {
	s    *server
	mode string
	dir  string
	prog string
}

// tq quotes an argument for tnftp's command parser.
func tq(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

var tnftpReplyRE = regexp.MustCompile(`(?m)^([1-5]\d\d)[ -]`)

// run feeds tnftp a script and checks its replies: none 4xx/5xx, and each
// of want present.
func (d *tnftpDriver) run(t *testing.T, cmds []string, want ...string) (string, error) {
	t.Helper()
	script := []string{
		fmt.Sprintf("open %s %d", d.s.host, d.s.port),
		"user " + d.s.user + " " + d.s.pass,
	}
	if d.s.host == loopback4 {
		if d.mode == "EPRT" {
			script = append(script, "epsv4 on")
		} else {
			script = append(script, "epsv4 off")
		}
	}
	script = append(script, "binary")
	script = append(script, cmds...)
	script = append(script, "bye")
	args := []string{"-A", "-i", "-n", "-v", "-d"}
	out, err := runTool(t, d.prog, args, strings.Join(script, "\n")+"\n", d.dir)
	out = redact(out, d.s.pass)
	if err != nil {
		return out, err
	}
	codes := map[string]bool{}
	for _, m := range tnftpReplyRE.FindAllStringSubmatch(out, -1) {
		codes[m[1]] = true
		if m[1][0] == '4' || m[1][0] == '5' {
			return out, fmt.Errorf("tnftp got a %s reply\n--- script ---\n%s\n--- tnftp output ---\n%s", m[1], strings.Join(cmds, "\n"), out)
		}
	}
	for _, w := range want {
		if !codes[w] {
			return out, fmt.Errorf("tnftp got no %s reply\n--- script ---\n%s\n--- tnftp output ---\n%s", w, strings.Join(cmds, "\n"), out)
		}
	}
	return out, nil
}

func (d *tnftpDriver) put(t *testing.T, local, remote string) error {
	_, err := d.run(t, []string{"put " + tq(local) + " " + tq(remote)}, "226")
	return err
}

func (d *tnftpDriver) get(t *testing.T, remote, local string) error {
	_, err := d.run(t, []string{"get " + tq(remote) + " " + tq(local)}, "226")
	return err
}

func (d *tnftpDriver) listings(t *testing.T, dir string) ([]listing, error) {
	nlst := filepath.Join(d.dir, "nlist.out")
	list := filepath.Join(d.dir, "ls.out")
	_, err := d.run(t, []string{
		"nlist " + tq(dir) + " " + tq(nlst),
		"ls " + tq(dir) + " " + tq(list),
	}, "226")
	if err != nil {
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
		{"tnftp nlist (NLST)", baseNames(dir, splitLines(string(nb)))},
		{"tnftp ls (LIST, parsed as ls -l)", parseLsLines(string(lb))},
	}, nil
}

func (d *tnftpDriver) rename(t *testing.T, from, to string) error {
	_, err := d.run(t, []string{"rename " + tq(from) + " " + tq(to)}, "350", "250")
	return err
}
func (d *tnftpDriver) remove(t *testing.T, name string) error {
	_, err := d.run(t, []string{"delete " + tq(name)}, "250")
	return err
}
func (d *tnftpDriver) mkdir(t *testing.T, name string) error {
	_, err := d.run(t, []string{"mkdir " + tq(name)}, "257")
	return err
}
func (d *tnftpDriver) rmdir(t *testing.T, name string) error {
	_, err := d.run(t, []string{"rmdir " + tq(name)}, "250")
	return err
}

var sizeReplyRE = regexp.MustCompile(`(?m)^213 (\d+)`)

// remoteSize asks the server for a file's size, as a user of tnftp would
// before `restart`.
func (d *tnftpDriver) remoteSize(t *testing.T, remote string) (int64, error) {
	out, err := d.run(t, []string{"size " + tq(remote)}, "213")
	if err != nil {
		return 0, err
	}
	m := sizeReplyRE.FindStringSubmatch(out)
	if m == nil {
		return 0, errors.New("no 213 size in tnftp's output:\n" + out)
	}
	return strconv.ParseInt(m[1], 10, 64)
}

func (d *tnftpDriver) resume(t *testing.T, kind, local, remote string) error {
	if kind == restRetr {
		_, err := d.run(t, []string{"reget " + tq(remote) + " " + tq(local)}, "350", "226")
		return err
	}
	n, err := d.remoteSize(t, remote)
	if err != nil {
		return err
	}
	if kind == restStor {
		_, err = d.run(t, []string{"restart " + strconv.FormatInt(n, 10), "put " + tq(local) + " " + tq(remote)}, "350", "226")
		return err
	}
	rest := filepath.Join(d.dir, "append-rest.bin")
	if err := copySuffix(local, rest, n); err != nil {
		return err
	}
	_, err = d.run(t, []string{"append " + tq(rest) + " " + tq(remote)}, "226")
	return err
}

var receivedRE = regexp.MustCompile(`(?m)^(\d+) bytes received`)

func (d *tnftpDriver) asciiGet(t *testing.T, remote, local string) (int64, error) {
	out, err := d.run(t, []string{"ascii", "get " + tq(remote) + " " + tq(local)}, "226")
	if err != nil {
		return -1, err
	}
	m := receivedRE.FindStringSubmatch(out)
	if m == nil {
		return -1, nil
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	return n, nil
}

func (d *tnftpDriver) asciiPut(t *testing.T, local, remote string) error {
	_, err := d.run(t, []string{"ascii", "put " + tq(local) + " " + tq(remote)}, "226")
	return err
}
