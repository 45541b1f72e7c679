package ftp

import (
	"bufio"
	"io"
	"io/fs"
	"net"
	"path"

	"wharf/internal/ftp/listing"
)

// listFormat is one of the three listing commands' output styles.
type listFormat int

const (
	fmtLong  listFormat = iota // LIST
	fmtNames                   // NLST
	fmtFacts                   // MLSD
)

func (s *session) cmdLIST(arg string) error { return s.list("LIST", arg, fmtLong) }
func (s *session) cmdNLST(arg string) error { return s.list("NLST", arg, fmtNames) }
func (s *session) cmdMLSD(arg string) error { return s.list("MLSD", arg, fmtFacts) }

// list streams a directory listing over a data connection. LIST and NLST
// take ls-style options before the path; MLSD takes a bare path.
func (s *session) list(kind, arg string, format listFormat) error {
	if !s.rights.list {
		return reply(550, "Permission denied: directory listings are disabled for this account.")
	}
	flags, p := listing.Flags{}, arg
	if format != fmtFacts {
		flags, p = listing.SplitArgs(arg)
	}
	vpath, name, err := s.resolve(p)
	if err != nil {
		return err
	}
	fi, err := s.fs.Stat(name)
	if err != nil {
		return err
	}
	if !fi.IsDir() && format == fmtFacts {
		return reply(501, "MLSD needs a directory; use MLST for a single file.")
	}
	opts := s.listOptions(flags, name)
	recursive := flags.Recursive && s.opts.LsRecurseEnable && format == fmtLong
	return s.startTransfer(xferJob{
		kind: kind, path: vpath, opening: "Here comes the directory listing.",
		run: func(_ *transfer, data net.Conn) (int64, error) {
			cw := &countingWriter{w: deadlineWriter{data, s.opts.DataTimeout}}
			bw := bufio.NewWriterSize(cw, 32<<10)
			err := s.writeListing(bw, name, path.Base(p), fi, format, opts, recursive)
			if ferr := bw.Flush(); err == nil {
				err = ferr
			}
			return cw.n, err
		},
	})
}

func (s *session) listOptions(flags listing.Flags, dirName string) listing.Options {
	return listing.Options{
		HideIDs:      s.opts.HideIDs,
		Names:        s.opts.UserNames,
		ShowDotFiles: s.opts.ForceDotFiles || flags.All,
		Readlink: func(entry string) (string, error) {
			return s.fs.Readlink(path.Join(dirName, entry))
		},
	}
}

// writeListing writes a directory's listing, or one line for a file.
func (s *session) writeListing(w *bufio.Writer, name, shown string, fi fs.FileInfo, format listFormat, opts listing.Options, recursive bool) error {
	if !fi.IsDir() {
		switch format {
		case fmtNames:
			_, err := io.WriteString(w, shown+"\r\n")
			return err
		default:
			return listing.WriteLongEntry(w, shown, fi, opts)
		}
	}
	if recursive {
		return s.writeRecursive(w, name, opts)
	}
	return s.writeDir(w, name, format, opts)
}

func (s *session) writeDir(w *bufio.Writer, name string, format listFormat, opts listing.Options) error {
	dir, err := s.openDir(name)
	if err != nil {
		return err
	}
	defer dir.Close()
	switch format {
	case fmtNames:
		return listing.WriteNLST(w, dir, opts)
	case fmtFacts:
		return listing.WriteMLSD(w, dir, s.factOptions())
	default:
		return listing.WriteLIST(w, dir, opts)
	}
}

// writeRecursive is `ls -lR` (ls_recurse_enable): each directory's listing
// under a "path:" header. Only the names of one directory's subdirectories
// are held at a time, besides the stack of directories still to visit.
func (s *session) writeRecursive(w *bufio.Writer, root string, opts listing.Options) error {
	stack := []string{root}
	for len(stack) > 0 {
		name := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if name != root {
			io.WriteString(w, "\r\n"+displayPath(name)+":\r\n")
		}
		dirOpts := opts
		dirOpts.Readlink = func(e string) (string, error) { return s.fs.Readlink(path.Join(name, e)) }
		if err := s.writeDir(w, name, fmtLong, dirOpts); err != nil {
			return err
		}
		subs, err := s.subdirs(name, opts.ShowDotFiles)
		if err != nil {
			return err
		}
		stack = append(stack, subs...)
	}
	return nil
}

func displayPath(name string) string {
	if name == "." {
		return "."
	}
	return "./" + name
}

func (s *session) subdirs(name string, dotFiles bool) ([]string, error) {
	dir, err := s.openDir(name)
	if err != nil {
		return nil, err
	}
	defer dir.Close()
	var subs []string
	for {
		ents, err := dir.ReadDir(listing.PageSize)
		for _, e := range ents {
			if e.IsDir() && (dotFiles || e.Name()[0] != '.') {
				subs = append(subs, path.Join(name, e.Name()))
			}
		}
		if err == io.EOF {
			return subs, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func (s *session) factOptions() listing.FactOptions {
	return listing.FactOptions{CanRead: s.rights.download, CanWrite: s.rights.upload && s.rights.modify, CanList: s.rights.list}
}

// countingWriter counts bytes for the transfer log.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
