package interop

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// Python ftplib, through testdata/ftplib_client.py: one run per operation.
// ftplib writes the raw bytes of a TYPE A download (the script reads the
// data connection itself), so the CRLF the server sends is checked byte for
// byte.
var ftplibClient = clientDef{
	name:     "ftplib",
	tool:     "python3",
	rawASCII: true,
	support:  ipv4Only,
	newDriver: func(t *testing.T, s *server, mode string) driver {
		return &ftplibDriver{s: s, mode: mode, dir: t.TempDir()}
	},
}

type ftplibDriver struct {
	s    *server
	mode string
	dir  string
}

func (d *ftplibDriver) run(t *testing.T, op string, args ...string) error {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("testdata", "ftplib_client.py"))
	if err != nil {
		return err
	}
	argv := append([]string{script, d.s.host, strconv.Itoa(d.s.port), d.s.user, d.mode, op}, args...)
	_, err = runTool(t, "python3", argv, d.s.pass+"\n", d.dir)
	return err
}

func (d *ftplibDriver) put(t *testing.T, local, remote string) error {
	return d.run(t, "put", local, remote)
}
func (d *ftplibDriver) get(t *testing.T, remote, local string) error {
	return d.run(t, "get", remote, local)
}

func (d *ftplibDriver) listings(t *testing.T, dir string) ([]listing, error) {
	out := filepath.Join(d.dir, "list.json")
	if err := d.run(t, "list", dir, out); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return nil, err
	}
	var res struct{ MLSD, NLST []string }
	if err := json.Unmarshal(b, &res); err != nil {
		return nil, err
	}
	return []listing{
		{"ftplib mlsd()", res.MLSD},
		{"ftplib nlst()", baseNames(dir, res.NLST)},
	}, nil
}

func (d *ftplibDriver) rename(t *testing.T, from, to string) error {
	return d.run(t, "rename", from, to)
}
func (d *ftplibDriver) remove(t *testing.T, name string) error { return d.run(t, "delete", name) }
func (d *ftplibDriver) mkdir(t *testing.T, name string) error  { return d.run(t, "mkdir", name) }
func (d *ftplibDriver) rmdir(t *testing.T, name string) error  { return d.run(t, "rmdir", name) }

func (d *ftplibDriver) resume(t *testing.T, kind, local, remote string) error {
	switch kind {
	case restRetr:
		return d.run(t, "rest-retr", remote, local)
	case restStor:
		return d.run(t, "rest-stor", local, remote)
	default:
		return d.run(t, "appe", local, remote)
	}
}

func (d *ftplibDriver) asciiGet(t *testing.T, remote, local string) (int64, error) {
	if err := d.run(t, "ascii-get", remote, local); err != nil {
		return -1, err
	}
	st, err := os.Stat(local)
	if err != nil {
		return -1, err
	}
	return st.Size(), nil
}

func (d *ftplibDriver) asciiPut(t *testing.T, local, remote string) error {
	return d.run(t, "ascii-put", local, remote)
}
