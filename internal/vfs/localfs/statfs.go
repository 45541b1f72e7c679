package localfs

import (
	"syscall"
)

// Statfs reports the size of the filesystem holding the root and the space
// an unprivileged user may still fill (f_bavail), in bytes, for SFTP's
// statvfs and FTP's AVBL-style answers.
func (f *FS) Statfs() (total, free uint64, err error) {
	d, err := f.root.Open(".")
	if err != nil {
		return 0, 0, f.wrapErr("statfs", ".", err)
	}
	defer d.Close()
	sc, err := d.SyscallConn()
	if err != nil {
		return 0, 0, err
	}
	var st syscall.Statfs_t
	var serr error
	if err := sc.Control(func(fd uintptr) { serr = syscall.Fstatfs(int(fd), &st) }); err != nil {
		return 0, 0, err
	}
	if serr != nil {
		return 0, 0, f.wrapErr("statfs", ".", serr)
	}
	bsize := uint64(st.Bsize)
	return uint64(st.Blocks) * bsize, uint64(st.Bavail) * bsize, nil
}
