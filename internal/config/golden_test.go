package config

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// TestGolden parses each testdata/*.conf and compares the diagnostics and the normalised config with the
// matching .golden file. A line "#-o key=value" in a .conf file (a comment to the parser) adds an override.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.conf")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/*.conf: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got := goldenOutput(filepath.Base(file), data)
			golden := strings.TrimSuffix(file, ".conf") + ".golden"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/config -run TestGolden -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s (go test ./internal/config -run TestGolden -update "+
					"rewrites it; review the diff)\ngot:\n%s\nwant:\n%s", golden, got, want)
			}
		})
	}
}

func goldenOutput(name string, data []byte) []byte {
	var overrides []string
	for _, line := range strings.Split(string(data), "\n") {
		if o, ok := strings.CutPrefix(strings.TrimSuffix(line, "\r"), "#-o "); ok {
			overrides = append(overrides, o)
		}
	}
	c, diags, err := Parse(name, data, overrides)
	var b bytes.Buffer
	b.WriteString("# diagnostics\n")
	for _, d := range diags {
		b.WriteString(d.String() + "\n")
	}
	b.WriteString("# normalized\n")
	if err != nil {
		b.WriteString("(none: the config has errors)\n")
		return b.Bytes()
	}
	b.Write(c.Normalize())
	return b.Bytes()
}
