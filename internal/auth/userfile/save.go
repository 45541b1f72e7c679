package userfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// WriteTo writes the file in its text form: comments and blank lines as they
// were read, users in canonical form.
func (f *File) WriteTo(w io.Writer) (int64, error) {
	var n int64
	for _, l := range f.lines {
		s := l.raw
		if l.user != nil {
			s = l.user.String()
		}
		m, err := io.WriteString(w, s+"\n")
		n += int64(m)
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// String is u's line in the file.
func (u *User) String() string {
	s := strings.Join([]string{u.Name, u.Hash, u.Home, FormatPerms(u.Perms)}, ":")
	if len(u.Options) == 0 {
		return s
	}
	kv := make([]string, len(u.Options))
	for i, o := range u.Options {
		kv[i] = o.Key + "=" + o.Value
	}
	return s + ":" + strings.Join(kv, ",")
}

// Save writes the file to path atomically: a reader (the server reloading)
// sees the old file or the new one, never a torn one, and a crash leaves one
// of the two. It writes a temporary file in the same directory (rename is
// atomic only within a file system), fsyncs it, renames it over path and
// fsyncs the directory so the rename itself is durable. The result has mode
// 0600 (it holds password hashes). When run as root over an existing file, it
// keeps that file's owner and group, so that `sudo wharf user add` does not
// leave a file the unprivileged daemon can no longer read.
//
// If path is a symlink, the link is replaced by a regular file. Two Saves
// racing on the same path do not corrupt it, but the last one wins.
func (f *File) Save(path string) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("userfile: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			err = fmt.Errorf("userfile: saving %s: %w", path, err)
		}
	}()
	if err := prepareTemp(tmp, path); err != nil {
		return err
	}
	if err := f.writeSync(tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// prepareTemp sets the mode, and the owner of the file being replaced.
func prepareTemp(tmp *os.File, path string) error {
	if err := tmp.Chmod(0o600); err != nil {
		return err
	}
	if os.Geteuid() != 0 {
		return nil
	}
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return tmp.Chown(int(st.Uid), int(st.Gid))
	}
	return nil
}

func (f *File) writeSync(tmp *os.File) error {
	bw := bufio.NewWriter(tmp)
	if _, err := f.WriteTo(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	return tmp.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
