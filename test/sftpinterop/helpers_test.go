package sftpinterop

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"wharf/internal/testbin"
)

// need skips the test when a client is missing, or fails it under CI=true.
func need(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		testbin.NeedTool(t, tool, debianPackage(tool))
	}
}

// debianPackage is the package that installs a client program.
func debianPackage(tool string) string {
	switch tool {
	case "ssh", "sftp", "scp":
		return "openssh-client"
	}
	return tool
}

// run runs a command with a timeout and returns its combined output; a
// non-zero exit fails the test unless wantFail is set, in which case a
// zero exit does.
func run(t *testing.T, wantFail bool, dir string, env []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader("")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	switch {
	case err != nil && !wantFail:
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
	case err == nil && wantFail:
		t.Fatalf("%s %s succeeded, want a failure\n%s", name, strings.Join(args, " "), out.String())
	}
	return out.String()
}

// Local test files, created once per test binary in a shared directory.
const (
	spaceName = "name with spaces é日本.bin"
	bigSize   = 200 << 20
)

var sizes = map[string]int64{
	"zero.bin": 0, "one.bin": 1, "five.bin": 5 << 20, spaceName: 100 << 10,
}

var (
	filesOnce sync.Once
	filesDir  string
	bigOnce   sync.Once
)

// localFiles returns the directory holding the small test files.
func localFiles(t *testing.T) string {
	t.Helper()
	filesOnce.Do(func() {
		filesDir = filepath.Join(w.dir, "files")
		os.Mkdir(filesDir, 0o755)
		seed := uint64(1)
		for name, size := range sizes {
			makeFile(t, filepath.Join(filesDir, name), size, seed)
			seed++
		}
	})
	return filesDir
}

// bigFile returns the 200 MiB file.
func bigFile(t *testing.T) string {
	t.Helper()
	dir := localFiles(t)
	bigOnce.Do(func() { makeFile(t, filepath.Join(dir, "big.bin"), bigSize, 99) })
	return filepath.Join(dir, "big.bin")
}

func makeFile(t *testing.T, path string, size int64, seed uint64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var key [32]byte
	key[0] = byte(seed)
	if _, err := io.CopyN(f, rand.NewChaCha8(key), size); err != nil {
		t.Fatal(err)
	}
}

func sum(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// sameFile fails unless the two files have the same SHA-256.
func sameFile(t *testing.T, got, want string) {
	t.Helper()
	if a, b := sum(t, got), sum(t, want); a != b {
		t.Errorf("%s (sha256 %s) differs from %s (sha256 %s)", got, a[:12], want, b[:12])
	}
}

// remoteDir makes an empty directory on the server's side for one test and
// returns its host path.
func remoteDir(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(w.data, name)
	os.RemoveAll(p)
	if err := os.Mkdir(p, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// prefixFile writes the first n bytes of src to dst (a partial transfer).
func prefixFile(t *testing.T, dst, src string, n int64) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if _, err := io.CopyN(out, in, n); err != nil {
		t.Fatal(err)
	}
}

// serverLog is what the server has logged so far.
func serverLog(t *testing.T) string {
	log, err := w.proc.Log()
	if err != nil {
		t.Fatal(err)
	}
	return log
}
