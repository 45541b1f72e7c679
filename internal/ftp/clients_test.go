package ftp_test

import (
	"bytes"
	"io"
	"slices"
	"testing"
	"time"

	jftp "github.com/jlaffaye/ftp"
	"github.com/secsy/goftp"

	"wharf/internal/ftp/ftptest"
)

// TestJlaffayeClient drives the server with github.com/jlaffaye/ftp in
// passive mode: EPSV, and PASV on IPv4; LIST parsed as ls -l and MLSD.
func TestJlaffayeClient(t *testing.T) {
	t.Parallel()
	cases := []struct {
		network     string
		disableEPSV bool
		disableMLSD bool
	}{
		{"tcp4", false, false},
		{"tcp4", true, true},
		{"tcp6", false, true},
	}
	for _, tc := range cases {
		name := tc.network + map[bool]string{false: "/EPSV", true: "/PASV"}[tc.disableEPSV]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := start(t, tc.network, nil)
			c, err := jftp.Dial(s.Addr, jftp.DialWithTimeout(ftptest.ReplyTimeout),
				jftp.DialWithDisabledEPSV(tc.disableEPSV), jftp.DialWithDisabledMLSD(tc.disableMLSD))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Quit()
			if err := c.Login(ftptest.User, ftptest.Pass); err != nil {
				t.Fatal(err)
			}
			exerciseJlaffaye(t, c)
		})
	}
}

func exerciseJlaffaye(t *testing.T, c *jftp.ServerConn) {
	data := randomBytes(1<<20+17, 3)
	must(t, c.MakeDir("dir"))
	must(t, c.ChangeDir("dir"))
	if wd, err := c.CurrentDir(); err != nil || wd != "/dir" {
		t.Fatalf("CurrentDir = %q, %v", wd, err)
	}
	must(t, c.Stor("café ü.bin", bytes.NewReader(data)))
	if n, err := c.FileSize("café ü.bin"); err != nil || n != int64(len(data)) {
		t.Fatalf("FileSize = %d, %v", n, err)
	}
	r, err := c.Retr("café ü.bin")
	must(t, err)
	got, err := io.ReadAll(r)
	must(t, err)
	must(t, r.Close())
	sameBytes(t, "jlaffaye Retr", got, data)

	r, err = c.RetrFrom("café ü.bin", 1000)
	must(t, err)
	got, err = io.ReadAll(r)
	must(t, err)
	must(t, r.Close())
	sameBytes(t, "jlaffaye RetrFrom", got, data[1000:])

	must(t, c.Append("café ü.bin", bytes.NewReader([]byte("tail"))))
	must(t, c.Rename("café ü.bin", "renamed file"))
	must(t, c.Stor("empty", bytes.NewReader(nil)))
	entries, err := c.List("")
	must(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name)
		if e.Name == "renamed file" && (e.Size != uint64(len(data)+4) || e.Type != jftp.EntryTypeFile) {
			t.Errorf("List entry %+v", e)
		}
		if time.Since(e.Time) > time.Hour || time.Until(e.Time) > time.Hour {
			t.Errorf("List entry %q has time %v", e.Name, e.Time)
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"empty", "renamed file"}) {
		t.Errorf("List names %q", names)
	}
	nl, err := c.NameList("")
	must(t, err)
	slices.Sort(nl)
	if !slices.Equal(nl, []string{"empty", "renamed file"}) {
		t.Errorf("NameList %q", nl)
	}
	must(t, c.Delete("renamed file"))
	must(t, c.Delete("empty"))
	must(t, c.ChangeDirToParent())
	must(t, c.RemoveDir("dir"))
	must(t, c.NoOp())
}

// TestGoftpActive drives the server with github.com/secsy/goftp in active
// mode: it sends PORT over IPv4 and EPRT over IPv6.
func TestGoftpActive(t *testing.T) {
	t.Parallel()
	for _, network := range []string{"tcp4", "tcp6"} {
		t.Run(network, func(t *testing.T) {
			t.Parallel()
			s := start(t, network, nil)
			c, err := goftp.DialConfig(goftp.Config{
				User: ftptest.User, Password: ftptest.Pass, ActiveTransfers: true,
				Timeout: ftptest.ReplyTimeout, IPv6Lookup: network == "tcp6",
			}, s.Addr)
			must(t, err)
			defer c.Close()
			data := randomBytes(2<<20+5, 9)
			must(t, c.Store("café ü.bin", bytes.NewReader(data)))
			sameBytes(t, "goftp Store", readFile(t, s.Root, "café ü.bin"), data)
			var buf bytes.Buffer
			if err := c.Retrieve("café ü.bin", &buf); err != nil {
				t.Fatal(err)
			}
			sameBytes(t, "goftp Retrieve", buf.Bytes(), data)
			infos, err := c.ReadDir("/")
			must(t, err)
			if len(infos) != 1 || infos[0].Name() != "café ü.bin" || infos[0].Size() != int64(len(data)) {
				t.Errorf("ReadDir: %v", infos)
			}
			must(t, c.Delete("café ü.bin"))
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
