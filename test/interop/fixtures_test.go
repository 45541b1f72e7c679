package interop

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// fixture is a file the clients upload and download, compared by sha256.
type fixture struct {
	label string // subtest name
	name  string // remote (and local) file name
	size  int64
	path  string // the local copy, in the shared fixture directory
	sum   string // hex sha256
}

const (
	mib     = 1 << 20
	bigSize = 200 * mib
)

// The texts of the ASCII-mode checks: LF is what a Unix file holds, CRLF
// what travels in TYPE A.
const (
	textLF   = "first line\nsecond line, caf\u00e9\n\n\tindented last line\n"
	textName = "text-lf.txt"
)

var textCRLF = strings.ReplaceAll(textLF, "\n", "\r\n")

var (
	fixturesOnce sync.Once
	fixturesAll  []fixture
	fixturesErr  error
)

// fixtures returns the transfer fixtures, generating them once per run in
// the shared directory: 0 B, 1 B, 5 MiB, 200 MiB, and a UTF-8 name with a
// space. With big=false the 200 MiB file is left out (it is still
// generated once, by whichever test asks for it first).
func fixtures(t testing.TB, big bool) []fixture {
	t.Helper()
	fixturesOnce.Do(func() {
		dir := filepath.Join(workDir, "fixtures")
		if fixturesErr = os.MkdirAll(dir, 0o755); fixturesErr != nil {
			return
		}
		for _, f := range []fixture{
			{label: "0B", name: "empty.bin", size: 0},
			{label: "1B", name: "one-byte.bin", size: 1},
			{label: "5MiB", name: "five-mib.bin", size: 5 * mib},
			{label: "200MiB", name: "big-200mib.bin", size: bigSize},
			{label: "utf8-name", name: "caf\u00e9 \u00fc.bin", size: 64*1024 + 7},
		} {
			f.path = filepath.Join(dir, f.name)
			if f.sum, fixturesErr = writeRandom(f.path, f.name, f.size); fixturesErr != nil {
				return
			}
			fixturesAll = append(fixturesAll, f)
		}
	})
	if fixturesErr != nil {
		t.Fatalf("generating fixtures: %v", fixturesErr)
	}
	var out []fixture
	for _, f := range fixturesAll {
		if f.size == bigSize && !big {
			continue
		}
		out = append(out, f)
	}
	return out
}

// fixtureByLabel finds one fixture (generating the set if needed).
func fixtureByLabel(t testing.TB, label string) fixture {
	t.Helper()
	for _, f := range fixtures(t, true) {
		if f.label == label {
			return f
		}
	}
	t.Fatalf("no fixture %q", label)
	return fixture{}
}

// writeRandom writes size deterministic pseudo-random bytes (seeded by
// seed) to path and returns their sha256, hashing while writing.
func writeRandom(path, seed string, size int64) (string, error) {
	var key [32]byte
	copy(key[:], seed)
	src := rand.NewChaCha8(key)
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	w := bufio.NewWriterSize(io.MultiWriter(f, h), 1<<20)
	if _, err := io.CopyN(w, src, size); err != nil {
		f.Close()
		return "", err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), f.Close()
}

// fileSHA256 streams a file through sha256.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// checkSHA256 fails t unless the file at path has the fixture's content.
func checkSHA256(t testing.TB, path string, f fixture) {
	t.Helper()
	sum, err := fileSHA256(path)
	if err != nil {
		t.Errorf("%s: %v", f.name, err)
		return
	}
	if sum != f.sum {
		st, _ := os.Stat(path)
		var size int64 = -1
		if st != nil {
			size = st.Size()
		}
		t.Errorf("%s: sha256 %s (%d bytes), want %s (%d bytes)", path, sum, size, f.sum, f.size)
	}
}

// linkOrCopy makes dst hold src's content: a hard link when possible (the
// server only reads these files), a copy otherwise.
func linkOrCopy(src, dst string) error {
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// copyPrefix writes the first n bytes of src to dst (a new file).
func copyPrefix(src, dst string, n int64) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.CopyN(out, in, n); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// copySuffix writes src from byte off on to dst (a new file).
func copySuffix(src, dst string, off int64) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if _, err := in.Seek(off, io.SeekStart); err != nil {
		return err
	}
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
