package ftp_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"wharf/internal/ftp"
	"wharf/internal/ftp/ftptest"
)

// matrixFiles are uploaded and downloaded in every cell of the matrix.
var matrixFiles = []struct {
	name string
	size int
}{
	{"empty", 0},
	{"one", 1},
	{"big", 5 << 20},
	{"café ü.bin", 3000},
}

// TestTransferMatrix moves files both ways in every data-connection mode
// over IPv4 and IPv6 loopback and compares them byte for byte.
func TestTransferMatrix(t *testing.T) {
	t.Parallel()
	for _, network := range []string{"tcp4", "tcp6"} {
		t.Run(network, func(t *testing.T) {
			t.Parallel()
			s := start(t, network, nil)
			for _, mode := range ftptest.Modes {
				t.Run(string(mode), func(t *testing.T) {
					t.Parallel()
					c := ftptest.Login(t, s.Addr)
					if network == "tcp6" && (mode == ftptest.PASV || mode == ftptest.PORT) {
						checkIPv4OnlyModeRefused(t, c, mode)
						return
					}
					dir := string(mode)
					c.Cmd(257, "MKD %s", dir)
					c.Cmd(250, "CWD %s", dir)
					testRoundTrips(t, c, mode, filepath.Join(s.Root, dir))
					testResume(t, c, mode, filepath.Join(s.Root, dir))
					testSTOU(t, c, mode, filepath.Join(s.Root, dir))
					testListings(t, c, mode)
				})
			}
		})
	}
}

// checkIPv4OnlyModeRefused: PASV and PORT carry IPv4 addresses only, so on
// an IPv6 control connection they are refused with a pointer to EPSV/EPRT.
func checkIPv4OnlyModeRefused(t *testing.T, c *ftptest.Conn, mode ftptest.Mode) {
	if mode == ftptest.PASV {
		if code, msg := c.Do("PASV"); code != 425 || !strings.Contains(msg, "EPSV") {
			t.Errorf("PASV over IPv6: got %d %q, want 425 pointing to EPSV", code, msg)
		}
	} else if code, msg := c.Do("PORT 127,0,0,1,100,100"); code != 500 {
		t.Errorf("PORT to 127.0.0.1 over IPv6: got %d %q, want 500", code, msg)
	}
	c.Cmd(200, "NOOP")
}

func testRoundTrips(t *testing.T, c *ftptest.Conn, mode ftptest.Mode, dir string) {
	for i, f := range matrixFiles {
		up := randomBytes(f.size, uint64(i))
		c.Stor(mode, "STOR", f.name, up)
		sameBytes(t, fmt.Sprintf("%s uploaded with STOR (%s)", f.name, mode), readFile(t, dir, f.name), up)

		down := randomBytes(f.size, uint64(100+i))
		writeFile(t, dir, "dl-"+f.name, down)
		sameBytes(t, fmt.Sprintf("%s downloaded with RETR (%s)", f.name, mode), c.Retr(mode, "dl-"+f.name), down)
	}
	if code, msg := c.Do("SIZE big"); code != 213 || msg != "5242880" {
		t.Errorf("SIZE big: %d %q", code, msg)
	}
}

func testResume(t *testing.T, c *ftptest.Conn, mode ftptest.Mode, dir string) {
	data := randomBytes(10000, 7)
	writeFile(t, dir, "resume", data)

	c.Cmd(350, "REST 4000")
	sameBytes(t, "REST 4000 + RETR", c.Retr(mode, "resume"), data[4000:])
	c.Cmd(350, "REST 10000")
	sameBytes(t, "REST at EOF + RETR", c.Retr(mode, "resume"), nil)

	writeFile(t, dir, "partial", data[:3000])
	c.Cmd(350, "REST 3000")
	c.Stor(mode, "STOR", "partial", data[3000:])
	sameBytes(t, "REST 3000 + STOR", readFile(t, dir, "partial"), data)

	writeFile(t, dir, "appended", data[:10])
	c.Stor(mode, "APPE", "appended", data[10:])
	sameBytes(t, "APPE", readFile(t, dir, "appended"), data)
	c.Stor(mode, "APPE", "new-by-appe", data[:5])
	sameBytes(t, "APPE of a new file", readFile(t, dir, "new-by-appe"), data[:5])

	c.Cmd(350, "REST 20000")
	if code, msg := c.Do("RETR resume"); code != 554 {
		t.Errorf("REST past EOF + RETR: %d %q, want 554", code, msg)
	}
}

func testSTOU(t *testing.T, c *ftptest.Conn, mode ftptest.Mode, dir string) {
	for i, want := range []string{"unique", "unique.1"} {
		data := randomBytes(100, uint64(200+i))
		opening := c.Stor(mode, "STOU", "unique", data)
		if opening != "FILE: "+want {
			t.Errorf("STOU #%d: 150 text %q, want %q", i, opening, "FILE: "+want)
		}
		sameBytes(t, "STOU "+want, readFile(t, dir, want), data)
	}
}

func testListings(t *testing.T, c *ftptest.Conn, mode ftptest.Mode) {
	want := []string{"appended", "big", "café ü.bin", "dl-big", "dl-café ü.bin", "dl-empty", "dl-one",
		"empty", "new-by-appe", "one", "partial", "resume", "unique", "unique.1"}
	_, nlst := c.Transfer(mode, "NLST", nil)
	if got := sortedLines(nlst); !slices.Equal(got, want) {
		t.Errorf("NLST (%s):\n%q\nwant\n%q", mode, got, want)
	}
	_, list := c.Transfer(mode, "LIST -la", nil)
	var names []string
	for _, line := range sortedLines(list) {
		f := strings.Fields(line)
		if len(f) < 9 || line[0] != '-' {
			t.Fatalf("LIST line %q is not in ls -l form", line)
		}
		names = append(names, strings.Join(f[8:], " "))
		if strings.HasSuffix(line, " big") && f[4] != "5242880" {
			t.Errorf("LIST size of big: %q", line)
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, want) {
		t.Errorf("LIST names (%s):\n%q\nwant\n%q", mode, names, want)
	}
	_, mlsd := c.Transfer(mode, "MLSD", nil)
	names = nil
	for _, line := range sortedLines(mlsd) {
		facts, name, ok := strings.Cut(line, " ")
		if !ok || !strings.HasPrefix(facts, "type=file;size=") {
			t.Fatalf("MLSD line %q", line)
		}
		names = append(names, name)
	}
	slices.Sort(names)
	if !slices.Equal(names, want) {
		t.Errorf("MLSD names (%s):\n%q\nwant\n%q", mode, names, want)
	}
}

// sortedLines splits CRLF-terminated lines and sorts them.
func sortedLines(b []byte) []string {
	s := string(b)
	if s != "" && !strings.HasSuffix(s, "\r\n") {
		return []string{"<not CRLF-terminated: " + s + ">"}
	}
	lines := strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n")
	if s == "" {
		lines = nil
	}
	slices.Sort(lines)
	return lines
}

// TestASCIIMode: with ascii_upload_enable/ascii_download_enable, TYPE A
// converts line ends on the fly; without them TYPE A moves bytes as they are
// (vsftpd's default, which stops "ASCII mode" from corrupting binaries).
func TestASCIIMode(t *testing.T) {
	t.Parallel()
	lf := []byte("one\ntwo\r\nthree\n\nend")
	crlf := []byte("one\r\ntwo\r\nthree\r\n\r\nend")
	t.Run("enabled", func(t *testing.T) {
		t.Parallel()
		s := start(t, "tcp4", func(o *ftp.Options) { o.ASCIIUpload, o.ASCIIDownload = true, true })
		writeFile(t, s.Root, "text", lf)
		c := ftptest.Login(t, s.Addr)
		// ASCII is the default type: no TYPE A needed (lftp's put -a).
		if msg := c.Cmd(211, "STAT"); !strings.Contains(msg, "TYPE: ASCII") {
			t.Errorf("STAT of a new session: %q, want TYPE: ASCII", msg)
		}
		sameBytes(t, "ASCII download by default", c.Retr(ftptest.EPSV, "text"), crlf)
		c.Stor(ftptest.EPSV, "STOR", "default", crlf)
		sameBytes(t, "ASCII upload by default", readFile(t, s.Root, "default"), []byte("one\ntwo\nthree\n\nend"))
		c.Cmd(200, "TYPE A")
		sameBytes(t, "ASCII download", c.Retr(ftptest.EPSV, "text"), crlf)
		c.Stor(ftptest.PORT, "STOR", "up", []byte("a\r\nb\r\n\rc\r"))
		sameBytes(t, "ASCII upload", readFile(t, s.Root, "up"), []byte("a\nb\n\rc\r"))
		big := bytes.Repeat([]byte("line of text\r\n"), 100000)
		c.Stor(ftptest.EPSV, "STOR", "big", big)
		sameBytes(t, "large ASCII upload", readFile(t, s.Root, "big"), bytes.ReplaceAll(big, []byte("\r\n"), []byte("\n")))
		c.Cmd(200, "TYPE I")
		sameBytes(t, "binary download", c.Retr(ftptest.EPSV, "text"), lf)
	})
	t.Run("disabled", func(t *testing.T) {
		t.Parallel()
		s := start(t, "tcp4", nil)
		writeFile(t, s.Root, "text", lf)
		c := ftptest.Login(t, s.Addr)
		c.Cmd(200, "TYPE A")
		sameBytes(t, "TYPE A download without ascii_download_enable", c.Retr(ftptest.EPSV, "text"), lf)
		c.Stor(ftptest.EPSV, "STOR", "up", crlf)
		sameBytes(t, "TYPE A upload without ascii_upload_enable", readFile(t, s.Root, "up"), crlf)
	})
}

// TestUploadNamesRefused: names the engine must never create.
func TestUploadNamesRefused(t *testing.T) {
	t.Parallel()
	s := start(t, "tcp4", nil)
	c := ftptest.Login(t, s.Addr)
	if code, msg := c.Do("STOR .wharf-upload-x"); code != 553 {
		t.Errorf("STOR of a temp-file name: %d %q, want 553", code, msg)
	}
	if ents, _ := os.ReadDir(s.Root); len(ents) != 0 {
		t.Errorf("root holds %v", ents)
	}
}
