package ftpsinterop

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// fixture is a file the clients upload and download, compared by sha256.
type fixture struct {
	label string
	size  int64
	path  string // in the shared fixture directory
	sum   string // hex sha256
}

const (
	kib = 1 << 10
	mib = 1 << 20
)

// fixtureSizes: the empty file, one byte, a few TLS records, and enough to
// keep a data connection busy for many records and several copy chunks.
var fixtureSizes = []struct {
	label string
	size  int64
}{{"0B", 0}, {"1B", 1}, {"64KiB", 64 * kib}, {"5MiB", 5 * mib}}

var fixtureSet []fixture

func makeFixtures(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, fs := range fixtureSizes {
		f := fixture{label: fs.label, size: fs.size, path: filepath.Join(dir, fs.label+".bin")}
		var err error
		if f.sum, err = writeRandom(f.path, f.label, f.size); err != nil {
			return err
		}
		fixtureSet = append(fixtureSet, f)
	}
	return nil
}

// writeRandom writes size deterministic pseudo-random bytes and returns
// their sha256.
func writeRandom(path, seed string, size int64) (string, error) {
	var key [32]byte
	copy(key[:], seed)
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	w := bufio.NewWriterSize(io.MultiWriter(f, h), 1<<20)
	if _, err := io.CopyN(w, rand.NewChaCha8(key), size); err != nil {
		f.Close()
		return "", err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), f.Close()
}

func fileSHA256(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	return hex.EncodeToString(h.Sum(nil)), n, err
}

// checkFile fails t unless path holds f's content.
func checkFile(t testing.TB, what, path string, f fixture) {
	t.Helper()
	sum, n, err := fileSHA256(path)
	switch {
	case err != nil:
		t.Errorf("%s: %v", what, err)
	case sum != f.sum:
		t.Errorf("%s: %s has sha256 %s (%d bytes), want %s (%d bytes)", what, path, sum, n, f.sum, f.size)
	}
}

// linkOrCopy makes dst hold src's content (a hard link when possible).
func linkOrCopy(src, dst string) error {
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}

// op is one transfer of a cell's plan.
type op struct {
	put    bool   // upload local to remote; else download remote to local
	local  string // absolute local path
	remote string // path relative to the user's root, no leading slash
	fix    fixture
}

// transfersPerCell is how many transfers each cell makes in one session.
const transfersPerCell = 20

// plan lays out a cell's transfers: uploads and downloads alternating,
// sizes cycling through the fixtures, so that every size goes both ways
// and a download follows every upload. Download sources are linked into
// the user's root (dl/); local files go to work.
func plan(t testing.TB, root, work string) []op {
	t.Helper()
	if err := os.Mkdir(filepath.Join(root, "dl"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range fixtureSet {
		if err := linkOrCopy(f.path, filepath.Join(root, "dl", f.label+".bin")); err != nil {
			t.Fatal(err)
		}
	}
	var ops []op
	for i := range transfersPerCell {
		f := fixtureSet[(i/2)%len(fixtureSet)]
		if i%2 == 0 {
			ops = append(ops, op{put: true, local: f.path, remote: fmt.Sprintf("up-%02d-%s.bin", i, f.label), fix: f})
		} else {
			ops = append(ops, op{local: filepath.Join(work, fmt.Sprintf("get-%02d-%s.bin", i, f.label)), remote: "dl/" + f.label + ".bin", fix: f})
		}
	}
	return ops
}

// writeTestFile puts a small file in the user's root.
func writeTestFile(t testing.TB, s *server, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(s.root, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
