package permfs_test

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"runtime"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"wharf/internal/vfs"
	"wharf/internal/vfs/permfs"
)

// op is one operation done two ways: through a vfs.FS, and with the
// syscalls the kernel would be asked for, so that the kernel itself can
// say what the answer should be.
type op struct {
	vfs    func(fsys vfs.FS, args []string) error
	kernel func(dirfd int, args []string) error
}

var mtime = time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)

var ops = map[string]op{
	"read":     {vfsRead, kernelRead},
	"list":     {vfsList, kernelList},
	"stat":     {func(f vfs.FS, a []string) error { _, err := f.Stat(a[0]); return err }, kernelStat(0)},
	"lstat":    {func(f vfs.FS, a []string) error { _, err := f.Lstat(a[0]); return err }, kernelStat(unix.AT_SYMLINK_NOFOLLOW)},
	"readlink": {func(f vfs.FS, a []string) error { _, err := f.Readlink(a[0]); return err }, kernelReadlink},
	"put":      {vfsUpload(vfs.Truncate), kernelPut},
	"append":   {vfsUpload(vfs.Append), kernelAppend},
	"mkdir": {func(f vfs.FS, a []string) error { return f.Mkdir(a[0], 0o755) },
		func(d int, a []string) error { return unix.Mkdirat(d, a[0], 0o755) }},
	"remove": {func(f vfs.FS, a []string) error { return f.Remove(a[0]) },
		func(d int, a []string) error { return unix.Unlinkat(d, a[0], 0) }},
	"rmdir": {func(f vfs.FS, a []string) error { return f.RemoveDir(a[0]) },
		func(d int, a []string) error { return unix.Unlinkat(d, a[0], unix.AT_REMOVEDIR) }},
	"rename": {func(f vfs.FS, a []string) error { return f.Rename(a[0], a[1]) },
		func(d int, a []string) error { return unix.Renameat(d, a[0], d, a[1]) }},
	"chmod": {func(f vfs.FS, a []string) error { return f.Chmod(a[0], 0o600) },
		func(d int, a []string) error { return unix.Fchmodat(d, a[0], 0o600, 0) }},
	"chtimes": {func(f vfs.FS, a []string) error { return f.Chtimes(a[0], mtime, mtime) },
		kernelChtimes},
	"symlink": {func(f vfs.FS, a []string) error { return f.Symlink("target", a[0]) },
		func(d int, a []string) error { return unix.Symlinkat("target", d, a[0]) }},
}

func vfsRead(fsys vfs.FS, a []string) error {
	f, err := fsys.Open(a[0])
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.ReadAll(f)
	return err
}

func vfsList(fsys vfs.FS, a []string) error {
	d, err := fsys.OpenDir(a[0])
	if err != nil {
		return err
	}
	defer d.Close()
	for {
		if _, err := d.ReadDir(100); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

func vfsUpload(mode vfs.UploadMode) func(vfs.FS, []string) error {
	return func(fsys vfs.FS, a []string) error {
		u, err := fsys.Upload(a[0], vfs.UploadOptions{Mode: mode})
		if err != nil {
			return err
		}
		if _, err := io.WriteString(u, "new data"); err != nil {
			u.Abort()
			return err
		}
		return u.Commit()
	}
}

func kernelRead(d int, a []string) error {
	fd, err := unix.Openat(d, a[0], unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err == nil {
		unix.Close(fd)
	}
	return err
}

// kernelList reads the directory and then, as a listing that shows sizes
// and modes does, stats inside it, which takes search permission.
func kernelList(d int, a []string) error {
	fd, err := unix.Openat(d, a[0], unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	f := os.NewFile(uintptr(fd), a[0])
	defer f.Close()
	if _, err := f.ReadDir(-1); err != nil {
		return err
	}
	var st unix.Stat_t
	return unix.Fstatat(d, a[0]+"/.", &st, 0)
}

func kernelStat(flags int) func(int, []string) error {
	return func(d int, a []string) error {
		var st unix.Stat_t
		return unix.Fstatat(d, a[0], &st, flags)
	}
}

func kernelReadlink(d int, a []string) error {
	_, err := unix.Readlinkat(d, a[0], make([]byte, 256))
	return err
}

// kernelPut is what an FTP server running as the user would need for an
// atomic STOR: open(O_WRONLY) on an existing target (the user means to
// overwrite it), then a new file beside it, renamed over it.
func kernelPut(d int, a []string) error {
	var st unix.Stat_t
	switch err := unix.Fstatat(d, a[0], &st, unix.AT_SYMLINK_NOFOLLOW); {
	case err == nil:
		if err := kernelOpenWrite(d, a[0], 0); err != nil {
			return err
		}
	case !errors.Is(err, unix.ENOENT):
		return err
	}
	tmp := path.Join(path.Dir(a[0]), ".oracle-tmp")
	if err := kernelOpenWrite(d, tmp, unix.O_CREAT|unix.O_EXCL); err != nil {
		return err
	}
	return unix.Renameat(d, tmp, d, a[0])
}

// kernelAppend opens the file for writing, creating it when missing. It
// does not pass O_CREAT for an existing file: fs.protected_regular would
// refuse that in a sticky directory, a rule permfs does not emulate.
func kernelAppend(d int, a []string) error {
	err := kernelOpenWrite(d, a[0], 0)
	if errors.Is(err, unix.ENOENT) {
		err = kernelOpenWrite(d, a[0], unix.O_CREAT|unix.O_EXCL)
	}
	return err
}

func kernelOpenWrite(d int, name string, flags int) error {
	fd, err := unix.Openat(d, name, unix.O_WRONLY|unix.O_CLOEXEC|flags, 0o644)
	if err == nil {
		unix.Close(fd)
	}
	return err
}

func kernelChtimes(d int, a []string) error {
	ts := unix.NsecToTimespec(mtime.UnixNano())
	return unix.UtimesNanoAt(d, a[0], []unix.Timespec{ts, ts}, 0)
}

// asKernel runs fn with the credentials of cred, from a directory
// descriptor on root opened by the test process (so that the directories
// above root, which the test made private, are not in the way).
func asKernel(t *testing.T, root string, cred permfs.Cred, fn func(int, []string) error, args []string) error {
	t.Helper()
	dirfd, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	mustDo(t, err)
	defer unix.Close(dirfd)
	done := make(chan error, 1)
	go func() {
		// Linux keeps credentials per thread, and raw syscalls change only
		// the calling one (syscall.Setuid would change every thread). The
		// thread is never unlocked, so the runtime ends it, credentials
		// and all, when this goroutine returns.
		runtime.LockOSThread()
		if err := setThreadCred(cred); err != nil {
			done <- fmt.Errorf("%w: %v", errNoCred, err)
			return
		}
		done <- fn(dirfd, args)
	}()
	err = <-done
	if errors.Is(err, errNoCred) {
		t.Fatal(err)
	}
	return err
}

var errNoCred = errors.New("cannot take on the test user's credentials")

// setThreadCred makes the calling thread act as cred: groups first, then
// gids, then uids, after which the thread has no privilege left. uid 0
// keeps the test's own credentials.
func setThreadCred(cred permfs.Cred) error {
	if cred.UID == 0 {
		return nil
	}
	gids := cred.GIDs
	if _, _, e := syscall.RawSyscall(syscall.SYS_SETGROUPS, uintptr(len(gids)), uintptr(unsafe.Pointer(&gids[0])), 0); e != 0 {
		return e
	}
	runtime.KeepAlive(gids)
	gid, uid := uintptr(gids[0]), uintptr(cred.UID)
	if _, _, e := syscall.RawSyscall(syscall.SYS_SETRESGID, gid, gid, gid); e != 0 {
		return e
	}
	if _, _, e := syscall.RawSyscall(syscall.SYS_SETRESUID, uid, uid, uid); e != 0 {
		return e
	}
	return nil
}

// verdict sums up an error for comparison.
func verdict(err error) string {
	switch {
	case err == nil:
		return "allowed"
	case errors.Is(err, fs.ErrPermission):
		return "denied"
	}
	return "failed: " + err.Error()
}
