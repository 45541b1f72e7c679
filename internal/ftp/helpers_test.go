package ftp_test

import (
	"bytes"
	"crypto/sha256"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"wharf/internal/ftp"
	"wharf/internal/ftp/ftptest"
)

// start runs a server for User over a fresh temporary root; edit, when not
// nil, adjusts the options first.
func start(t *testing.T, network string, edit func(*ftp.Options)) *ftptest.Server {
	t.Helper()
	root := t.TempDir()
	opts := ftptest.Options(root)
	if edit != nil {
		edit(&opts)
	}
	s := ftptest.Start(t, network, opts)
	s.Root = root
	return s
}

// randomBytes returns n reproducible pseudo-random bytes.
func randomBytes(n int, seed uint64) []byte {
	r := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), 1})
	b := make([]byte, n)
	r.Read(b)
	return b
}

func writeFile(t *testing.T, root, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(root, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, root, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sameBytes(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: got %d bytes sha256 %x, want %d bytes sha256 %x",
			what, len(got), sha256.Sum256(got), len(want), sha256.Sum256(want))
	}
}

// waitFor polls cond until it holds or d passes. It is only for state
// that has no event to wait on (a session's end inside the server).
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// freePortRange finds n consecutive ports that can be bound on ip now,
// below the kernel's ephemeral range so that no outgoing connection takes
// one meanwhile.
func freePortRange(t *testing.T, ip string, n int) (lo, hi int) {
	t.Helper()
	for attempt := 0; attempt < 200; attempt++ {
		lo = 20000 + rand.IntN(10000)
		if ok := canBindAll(ip, lo, lo+n-1); ok {
			return lo, lo + n - 1
		}
	}
	t.Fatal("no free port range found")
	return 0, 0
}

func canBindAll(ip string, lo, hi int) bool {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for p := lo; p <= hi; p++ {
		l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(p)))
		if err != nil {
			return false
		}
		ls = append(ls, l)
	}
	return true
}
