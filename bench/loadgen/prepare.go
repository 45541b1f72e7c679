package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// listDirs are the listing directories: name and number of files.
var listDirs = []struct {
	name  string
	files int
}{{"d20k", 20000}, {"d100k", 100000}}

func cmdPrepare(args []string, stderr io.Writer) error {
	fset := flag.NewFlagSet("prepare", flag.ContinueOnError)
	fset.SetOutput(stderr)
	data := fset.String("data", "", "directory to fill")
	if err := fset.Parse(args); err != nil {
		return err
	}
	if *data == "" {
		return errors.New("prepare: -data is required")
	}
	if err := os.MkdirAll(*data, 0o755); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		size int64
	}{{bigName, bigSize}, {tenName, tenSize}, {f64kName, f64kSize}} {
		if err := ensureFile(filepath.Join(*data, f.name), f.size, stderr); err != nil {
			return err
		}
	}
	for _, d := range listDirs {
		if err := ensureDir(filepath.Join(*data, d.name), d.files, stderr); err != nil {
			return err
		}
	}
	return nil
}

// ensureFile writes size pseudo-random bytes (incompressible, not sparse)
// unless a file of that size is already there.
func ensureFile(path string, size int64, log io.Writer) error {
	if fi, err := os.Stat(path); err == nil && fi.Size() == size {
		return nil
	}
	fmt.Fprintf(log, "prepare: writing %s (%d bytes)\n", path, size)
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	rng := rand.NewChaCha8([32]byte{'w', 'h', 'a', 'r', 'f'})
	bw := bufio.NewWriterSize(f, 1<<20)
	_, err = io.CopyN(bw, rng, size)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// ensureDir fills dir with n empty files named like a real upload area
// ("file-000123.dat"), unless it already holds exactly n entries.
func ensureDir(dir string, n int, log io.Writer) error {
	if ents, err := os.ReadDir(dir); err == nil && len(ents) == n {
		return nil
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	fmt.Fprintf(log, "prepare: creating %d files in %s\n", n, dir)
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i := range n {
		name := filepath.Join(dir, "file-"+strconv.Itoa(1000000 + i)[1:]+".dat")
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return err
		}
		f.Close()
	}
	return nil
}
