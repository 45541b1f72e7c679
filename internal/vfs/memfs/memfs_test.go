package memfs_test

import (
	"testing"

	"wharf/internal/vfs"
	"wharf/internal/vfs/memfs"
	"wharf/internal/vfs/vfstest"
)

func TestConformance(t *testing.T) {
	vfstest.Run(t, func(t *testing.T) vfs.FS {
		return memfs.New(memfs.Options{Umask: 0o022})
	})
}
