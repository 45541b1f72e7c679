package sftpd

import (
	"io"
	"os"
	"sync"

	"wharf/internal/vfs"
)

// list opens a directory for paged reading: the handle keeps the vfs.Dir
// open and each READDIR reads the next page (pkg/sftp asks for 100
// entries), so a directory of 100,000 entries is never held in memory.
func (h *handlers) list(n string) (*dirLister, error) {
	if !h.rights.list {
		return nil, errNoPermission
	}
	if err := h.opening(); err != nil {
		return nil, err
	}
	d, err := h.fs.OpenDir(n)
	if err != nil {
		return nil, h.fail("opendir", err)
	}
	h.c.handleOpened()
	return &dirLister{h: h, d: d}, nil
}

type dirLister struct {
	h *handlers

	mu   sync.Mutex
	d    vfs.Dir
	pos  int64 // entries handed out so far
	eof  bool
	done bool
}

// ListAt fills buf with the next entries. pkg/sftp always asks for offset
// pos (it counts what it got); any other offset cannot be served without
// re-reading the directory and is refused.
func (l *dirLister) ListAt(buf []os.FileInfo, off int64) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if off != l.pos {
		return 0, errBadMessage
	}
	n := 0
	for n < len(buf) && !l.eof {
		ents, err := l.d.ReadDir(len(buf) - n)
		for _, e := range ents {
			fi, ierr := e.Info()
			if ierr != nil {
				continue // removed since it was read
			}
			buf[n] = fi
			n++
		}
		if err == io.EOF || (err == nil && len(ents) == 0) {
			l.eof = true
		} else if err != nil {
			l.pos += int64(n)
			return n, l.h.fail("readdir", err)
		}
	}
	l.pos += int64(n)
	if l.eof {
		return n, io.EOF
	}
	return n, nil
}

func (l *dirLister) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done {
		return nil
	}
	l.done = true
	l.h.c.handleClosed()
	return l.h.fail("closedir", l.d.Close())
}
