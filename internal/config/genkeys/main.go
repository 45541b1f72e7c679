// Command genkeys writes the configuration key reference (config.KeysMarkdown) into README.md, between the
// <!-- BEGIN KEYS --> and <!-- END KEYS --> markers. Run it from the repository root:
//
//	go run ./internal/config/genkeys
//
// It creates README.md with just that block when the file does not exist, and appends the block when the file
// has no markers yet; everything outside the markers is left alone.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"

	"wharf/internal/config"
)

const (
	begin = "<!-- BEGIN KEYS -->"
	end   = "<!-- END KEYS -->"
)

func main() {
	readme := flag.String("readme", "README.md", "the README to update")
	flag.Parse()
	if err := run(*readme); err != nil {
		fmt.Fprintln(os.Stderr, "genkeys:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Stat("go.mod"); err != nil {
			return fmt.Errorf("%s does not exist and this is not the repository root: run from the root", path)
		}
	}
	updated, err := splice(old, config.KeysMarkdown())
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if bytes.Equal(updated, old) {
		fmt.Println(path, "is up to date")
		return nil
	}
	if err := os.WriteFile(path, updated, 0o644); err != nil {
		return err
	}
	fmt.Println("updated", path)
	return nil
}

// splice replaces what lies between the markers with block (which ends with a newline).
func splice(old []byte, block string) ([]byte, error) {
	fresh := begin + "\n" + block + end
	i, j := bytes.Index(old, []byte(begin)), bytes.Index(old, []byte(end))
	switch {
	case i < 0 && j < 0 && len(old) == 0:
		return []byte(fresh + "\n"), nil
	case i < 0 && j < 0:
		sep := "\n"
		if !bytes.HasSuffix(old, []byte("\n")) {
			sep = "\n\n"
		}
		return append(append(old, sep...), fresh+"\n"...), nil
	case i < 0 || j < i:
		return nil, errors.New("the key reference markers are missing or out of order: " +
			"put " + begin + " before " + end)
	}
	out := append([]byte(nil), old[:i]...)
	out = append(out, fresh...)
	return append(out, old[j+len(end):]...), nil
}
