//go:build !unix

package listing

import "io/fs"

// ownerOf has no numeric owner to offer off Unix: one link, owner "ftp".
func ownerOf(fs.FileInfo) (nlink uint64, uid, gid uint32, ok bool) {
	return 1, 0, 0, false
}
