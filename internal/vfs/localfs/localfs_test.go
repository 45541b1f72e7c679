package localfs_test

import (
	"testing"

	"wharf/internal/vfs"
	"wharf/internal/vfs/localfs"
	"wharf/internal/vfs/vfstest"
)

func TestConformance(t *testing.T) {
	vfstest.Run(t, func(t *testing.T) vfs.FS {
		return newFS(t, t.TempDir(), localfs.DefaultOptions())
	})
}

func newFS(t *testing.T, root string, opts localfs.Options) *localfs.FS {
	t.Helper()
	f, err := localfs.New(root, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
