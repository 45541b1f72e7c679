package interop

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"wharf/internal/testbin"
)

// resume kinds: how a client continues an interrupted transfer.
const (
	restRetr = "REST+RETR" // download: REST n, RETR
	restStor = "REST+STOR" // upload: REST n, STOR
	appe     = "APPE"      // upload: APPE of the rest
)

// notApplicable is returned by a driver for an operation the client does
// not have (say, curl has no REST+STOR).
type notApplicable struct{ reason string }

func (n notApplicable) Error() string { return "N/A: " + n.reason }

// listing is one list of names as a client parsed it (NLST, MLSD, LIST).
type listing struct {
	how   string
	names []string
}

// driver performs one cell's operations with one client in one mode.
// Every method runs the client program (or script) once.
type driver interface {
	put(t *testing.T, local, remote string) error
	get(t *testing.T, remote, local string) error
	listings(t *testing.T, dir string) ([]listing, error)
	rename(t *testing.T, from, to string) error
	remove(t *testing.T, name string) error
	mkdir(t *testing.T, name string) error
	rmdir(t *testing.T, name string) error
	// resume continues a transfer of the given kind: REST+RETR downloads
	// remote into local, which holds a prefix; REST+STOR and APPE upload
	// local to remote, which holds a prefix.
	resume(t *testing.T, kind, local, remote string) error
	// asciiGet downloads in TYPE A. wire is the number of bytes the client
	// says it received from the network (CRLF included), -1 if it does
	// not say.
	asciiGet(t *testing.T, remote, local string) (wire int64, err error)
	// asciiPut uploads in TYPE A.
	asciiPut(t *testing.T, local, remote string) error
}

// clientDef describes one real client.
type clientDef struct {
	name string
	tool string // the program that must be installed
	// rawASCII: the client writes the wire bytes (CRLF) of a TYPE A
	// download to the local file; otherwise it converts CRLF to LF, as a
	// Unix client should, and converts LF to CRLF when uploading.
	rawASCII bool
	// support is "" when the client does mode over ip, or why not.
	support   func(mode, ip string) string
	newDriver func(t *testing.T, s *server, mode string) driver
}

var clients = []clientDef{curlClient, lftpClient, ftplibClient, tnftpClient}

// ipv4Only is the N/A reason of PASV and PORT over IPv6.
func ipv4Only(mode, ip string) string {
	if ip == loopback6 && (mode == "PASV" || mode == "PORT") {
		return "PASV and PORT carry only IPv4 addresses (RFC 959); over IPv6 clients use EPSV and EPRT (RFC 2428)"
	}
	return ""
}

// TestClientMatrix runs every client in every data-connection mode over
// 127.0.0.1 and [::1]: uploads and downloads compared by sha256, a listing
// the client parses, rename, delete, mkdir/rmdir, resume, ASCII mode.
func TestClientMatrix(t *testing.T) {
	big := bigPolicy()
	for _, c := range clients {
		t.Run(c.name, func(t *testing.T) {
			bigDone := false
			for _, m := range modeOrder {
				t.Run(m, func(t *testing.T) {
					for _, ip := range ipOrder {
						t.Run(ip, func(t *testing.T) {
							withBig := big == "all" || (big == "one" && !bigDone)
							if runCell(t, c, m, ip, withBig) && withBig {
								bigDone = true
							}
						})
					}
				})
			}
		})
	}
}

// bigPolicy says which cells transfer the 200 MiB file: "all" (default),
// "one" (the first cell of each client), "none" (-short).
func bigPolicy() string {
	if testing.Short() {
		matrix.Note("-short: the 200 MiB file is not transferred")
		return "none"
	}
	switch v := os.Getenv("WHARF_INTEROP_BIG"); v {
	case "one", "none":
		matrix.Note("WHARF_INTEROP_BIG=%s: the 200 MiB file goes through %s", v, map[string]string{"one": "the first applicable cell of each client only", "none": "no cell"}[v])
		return v
	}
	matrix.Note("every applicable cell uploads and downloads the 200 MiB file")
	return "all"
}

// runCell runs one client/mode/ip cell; it reports whether the cell ran.
func runCell(t *testing.T, c clientDef, mode, ip string, big bool) bool {
	if why := c.support(mode, ip); why != "" {
		matrix.notApplicable(c.name, mode, ip, why)
		t.Logf("N/A: %s", why)
		return false
	}
	defer func() {
		switch {
		case t.Failed():
			matrix.set(c.name, mode, ip, "FAIL")
		case t.Skipped():
			matrix.set(c.name, mode, ip, "skipped")
		default:
			matrix.set(c.name, mode, ip, "pass")
		}
	}()
	testbin.NeedTool(t, c.tool, c.tool)
	s := startServer(t, serverOpts{ipv6: ip == loopback6})
	d := c.newDriver(t, s, mode)
	cell := &cellRun{t: t, s: s, c: c, d: d, mode: mode, work: t.TempDir(), files: fixtures(t, big)}
	cell.seed()
	cell.run()
	return true
}

// cellRun is the state of one cell.
type cellRun struct {
	t     *testing.T
	s     *server
	c     clientDef
	d     driver
	mode  string
	work  string // the client's local directory
	files []fixture
}

const (
	dlDir      = "dl" // the server directory downloads come from
	renameFrom = "rename-src.bin"
	renameTo   = "renamed \u00fc.bin"
	deleteName = "delete me.bin"
	newDir     = "new dir \u00e9"
)

// seed puts the download sources and the files to rename and delete in
// the user's root, directly on disk.
func (c *cellRun) seed() {
	t := c.t
	t.Helper()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	dl := filepath.Join(c.s.root, dlDir)
	must(os.Mkdir(dl, 0o755))
	for _, f := range c.files {
		must(linkOrCopy(f.path, filepath.Join(dl, f.name)))
	}
	must(os.WriteFile(filepath.Join(dl, textName), []byte(textLF), 0o644))
	must(os.WriteFile(filepath.Join(c.s.root, renameFrom), []byte("rename me\n"), 0o644))
	must(os.WriteFile(filepath.Join(c.s.root, deleteName), []byte("delete me\n"), 0o644))
}

func (c *cellRun) run() {
	mark := c.s.commandMark()
	for _, f := range c.files {
		c.t.Run("put/"+f.label, func(t *testing.T) {
			if err := c.d.put(t, f.path, f.name); err != nil {
				t.Fatalf("upload %q: %v", f.name, err)
			}
			checkSHA256(t, filepath.Join(c.s.root, f.name), f)
		})
	}
	c.t.Run("list", c.list)
	for _, f := range c.files {
		c.t.Run("get/"+f.label, func(t *testing.T) {
			local := filepath.Join(c.work, f.name)
			if err := c.d.get(t, dlDir+"/"+f.name, local); err != nil {
				t.Fatalf("download %q: %v", f.name, err)
			}
			checkSHA256(t, local, f)
		})
	}
	c.t.Run("rename", c.rename)
	c.t.Run("delete", c.delete)
	c.t.Run("mkdir-rmdir", c.mkdirRmdir)
	for _, kind := range []string{restRetr, restStor, appe} {
		c.t.Run("resume/"+kind, func(t *testing.T) { c.resume(t, kind) })
	}
	c.t.Run("ascii/download", c.asciiDownload)
	c.t.Run("ascii/upload", c.asciiUpload)
	c.t.Run("mode", func(t *testing.T) { c.checkMode(t, mark) })
}

// list checks that the names uploaded so far, and those of the download
// directory, appear in every listing the client parses.
func (c *cellRun) list(t *testing.T) {
	check := func(dir string, want []string) {
		ls, err := c.d.listings(t, dir)
		if err != nil {
			t.Fatalf("listing %q: %v", dir, err)
		}
		for _, l := range ls {
			for _, w := range want {
				if !slices.Contains(l.names, w) {
					t.Errorf("listing %q by %s: %q missing from %q", dir, l.how, w, l.names)
				}
			}
		}
	}
	var up, dl []string
	for _, f := range c.files {
		if _, err := os.Stat(filepath.Join(c.s.root, f.name)); err == nil {
			up = append(up, f.name)
		}
		dl = append(dl, f.name)
	}
	check("/", append(up, dlDir, renameFrom, deleteName))
	check(dlDir, append(dl, textName))
}

func (c *cellRun) rename(t *testing.T) {
	if err := c.d.rename(t, renameFrom, renameTo); err != nil {
		t.Fatalf("rename: %v", err)
	}
	if _, err := os.Stat(filepath.Join(c.s.root, renameFrom)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s still there after the rename (stat: %v)", renameFrom, err)
	}
	if b, err := os.ReadFile(filepath.Join(c.s.root, renameTo)); err != nil || string(b) != "rename me\n" {
		t.Errorf("%s after the rename: %q, %v", renameTo, b, err)
	}
}

func (c *cellRun) delete(t *testing.T) {
	if err := c.d.remove(t, deleteName); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := os.Stat(filepath.Join(c.s.root, deleteName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s still there after DELE (stat: %v)", deleteName, err)
	}
}

func (c *cellRun) mkdirRmdir(t *testing.T) {
	if err := c.d.mkdir(t, newDir); err != nil {
		t.Fatalf("mkdir: %v", err)
	}
	if st, err := os.Stat(filepath.Join(c.s.root, newDir)); err != nil || !st.IsDir() {
		t.Fatalf("%q after MKD: %v", newDir, err)
	}
	if err := c.d.rmdir(t, newDir); err != nil {
		t.Fatalf("rmdir: %v", err)
	}
	if _, err := os.Stat(filepath.Join(c.s.root, newDir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%q still there after RMD (stat: %v)", newDir, err)
	}
}

// resumeAt is where resumed transfers start: inside the 5 MiB file, not on
// a block boundary.
const resumeAt = 2*mib + 13

func (c *cellRun) resume(t *testing.T, kind string) {
	f := fixtureByLabel(t, "5MiB")
	mark := c.s.commandMark()
	var err error
	var check string
	switch kind {
	case restRetr:
		check = filepath.Join(c.work, "resumed-download.bin")
		if err := copyPrefix(f.path, check, resumeAt); err != nil {
			t.Fatal(err)
		}
		err = c.d.resume(t, kind, check, dlDir+"/"+f.name)
	default:
		remote := "resumed " + strings.ToLower(strings.ReplaceAll(kind, "+", "-")) + ".bin"
		check = filepath.Join(c.s.root, remote)
		if err := copyPrefix(f.path, check, resumeAt); err != nil {
			t.Fatal(err)
		}
		err = c.d.resume(t, kind, f.path, remote)
	}
	var na notApplicable
	if errors.As(err, &na) {
		matrix.Note("%s: resume by %s: N/A: %s", c.c.name, kind, na.reason)
		t.Skipf("N/A: %s", na.reason)
	}
	if err != nil {
		t.Fatalf("resume (%s): %v", kind, err)
	}
	checkSHA256(t, check, f)
	verbs := c.s.commands(mark)
	for _, v := range strings.Split(kind, "+") {
		if !slices.Contains(verbs, v) {
			t.Errorf("the client did not send %s for a %s resume; it sent %v", v, kind, verbs)
		}
	}
}

func (c *cellRun) asciiDownload(t *testing.T) {
	local := filepath.Join(c.work, "ascii-download.txt")
	wire, err := c.d.asciiGet(t, dlDir+"/"+textName, local)
	if err != nil {
		t.Fatalf("ASCII download: %v", err)
	}
	got, err := os.ReadFile(local)
	if err != nil {
		t.Fatal(err)
	}
	want := textLF
	if c.c.rawASCII {
		want = textCRLF
	}
	if string(got) != want {
		t.Errorf("ASCII download of a LF file: local file %q, want %q", got, want)
	}
	if wire >= 0 && wire != int64(len(textCRLF)) {
		t.Errorf("ASCII download of a %d-byte LF file with %d lines: the client received %d bytes, want %d (CRLF line ends)",
			len(textLF), strings.Count(textLF, "\n"), wire, len(textCRLF))
	}
}

func (c *cellRun) asciiUpload(t *testing.T) {
	// A Unix client converts its LF file to CRLF on the wire; a raw one
	// sends the file as it is, so it gets the CRLF text.
	src := textLF
	if c.c.rawASCII {
		src = textCRLF
	}
	local := filepath.Join(c.work, "ascii-upload.txt")
	if err := os.WriteFile(local, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := c.d.asciiPut(t, local, "ascii-up.txt"); err != nil {
		t.Fatalf("ASCII upload: %v", err)
	}
	got, err := os.ReadFile(filepath.Join(c.s.root, "ascii-up.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, []byte(textLF)) {
		t.Errorf("ASCII upload (CRLF on the wire, ascii_upload_enable=YES): stored %q, want %q", got, textLF)
	}
}

// checkMode fails unless every data connection of the cell was set up with
// the cell's mode: a client that silently falls back (EPSV to PASV, active
// to passive) does not pass for the mode it fell back from.
func (c *cellRun) checkMode(t *testing.T, mark int) {
	verbs := c.s.commands(mark)
	if len(verbs) == 0 {
		t.Fatal("the server logged no commands (log_ftp_protocol=YES, log_level=debug, log_format=json): cannot tell which data-connection mode the client used")
	}
	seen := map[string]int{}
	for _, v := range verbs {
		switch v {
		case "PASV", "EPSV", "PORT", "EPRT", "LPRT", "LPSV", "SPSV", "P@SW":
			seen[v]++
		}
	}
	if seen[c.mode] == 0 {
		t.Errorf("the client never sent %s; data-connection commands seen: %v", c.mode, seen)
	}
	for v, n := range seen {
		if v != c.mode {
			t.Errorf("the client sent %s %d time(s) in a %s cell (a fallback?); all: %v", v, n, c.mode, seen)
		}
	}
}

// runTool runs a client program and returns its combined output; the
// error includes that output (the client's own transcript).
func runTool(t *testing.T, name string, args []string, stdin string, dir string) (string, error) {
	t.Helper()
	return runToolEnv(t, name, args, stdin, dir, nil)
}

func describeFailure(name string, args []string, err error, out string) error {
	return fmt.Errorf("%s %s: %v\n--- client output ---\n%s", name, strings.Join(args, " "), err, out)
}
