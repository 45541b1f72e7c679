package permfs_test

import (
	"os"
	"slices"
	"testing"

	"wharf/internal/vfs"
	"wharf/internal/vfs/localfs"
	"wharf/internal/vfs/memfs"
	"wharf/internal/vfs/permfs"
	"wharf/internal/vfs/vfstest"
)

// TestConformance runs the backend suite through permfs with the test
// process's own credentials: the owner of a fresh tree must be able to do
// everything the suite does. (As root that is the inner FS itself; see
// TestConformanceAsUser for the checks at work.)
func TestConformance(t *testing.T) {
	cred := ownCred(t)
	vfstest.Run(t, func(t *testing.T) vfs.FS {
		inner, err := localfs.New(t.TempDir(), localfs.DefaultOptions())
		mustDo(t, err)
		t.Cleanup(func() { inner.Close() })
		return permfs.New(inner, cred)
	})
}

// TestConformanceAsUser runs the suite as an ordinary user who owns the
// tree, as a system account in its home directory: every operation goes
// through the checks, and localfs gives what it creates to that user.
func TestConformanceAsUser(t *testing.T) {
	needRoot(t)
	cred := users["alice"]
	vfstest.Run(t, func(t *testing.T) vfs.FS {
		root := t.TempDir()
		mustDo(t, os.Chown(root, aliceID, aliceID))
		return open(t, root, cred)
	})
}

// TestConformanceNoOwnership: a backend without ownership information
// (memfs) is not restricted at all.
func TestConformanceNoOwnership(t *testing.T) {
	vfstest.Run(t, func(t *testing.T) vfs.FS {
		return permfs.New(memfs.New(memfs.Options{Umask: 0o022}), users["carol"])
	})
}

// ownCred is the test process's uid with its gid first, then its
// supplementary groups.
func ownCred(t *testing.T) permfs.Cred {
	cred := permfs.Cred{UID: uint32(os.Getuid()), GIDs: []uint32{uint32(os.Getgid())}}
	groups, err := os.Getgroups()
	mustDo(t, err)
	for _, g := range groups {
		if !slices.Contains(cred.GIDs, uint32(g)) {
			cred.GIDs = append(cred.GIDs, uint32(g))
		}
	}
	return cred
}
