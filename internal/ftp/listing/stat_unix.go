//go:build unix

package listing

import (
	"io/fs"
	"syscall"
)

// ownerOf returns the link count and numeric owner of an entry when the
// backend exposes a syscall.Stat_t (localfs does); ok is false otherwise,
// and the caller shows "ftp" as owner and group.
func ownerOf(fi fs.FileInfo) (nlink uint64, uid, gid uint32, ok bool) {
	st, isStat := fi.Sys().(*syscall.Stat_t)
	if !isStat || st == nil {
		return 1, 0, 0, false
	}
	// Nlink's width differs between platforms (uint16 on Darwin).
	return uint64(st.Nlink), st.Uid, st.Gid, true
}
