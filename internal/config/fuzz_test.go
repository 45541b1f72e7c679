package config

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzConfig checks that Parse never panics, and that a config it accepts survives Normalize: parsing the
// normalised text gives a config that normalises to the same text and has the same implemented values.
func FuzzConfig(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.conf")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, "")
	}
	f.Add([]byte("anonymous_enable=NO\nlisten_port=021\nlocal_umask=22\n"), "max_clients=5")
	f.Add([]byte("ftpd_banner= a=b \t\r\n"), "ftpd_banner=\x00")
	f.Fuzz(func(t *testing.T, data []byte, override string) {
		var overrides []string
		if override != "" {
			overrides = []string{override}
		}
		c, diags, err := Parse("fuzz.conf", data, overrides)
		if (err != nil) != (c == nil) {
			t.Fatalf("config %v with error %v", c, err)
		}
		for _, d := range diags {
			_ = d.String()
		}
		if err != nil {
			return
		}
		norm := c.Normalize()
		c2, diags2, err := Parse("normalized.conf", norm, nil)
		if err != nil {
			t.Fatalf("the normalised config does not parse: %v\n%s", err, norm)
		}
		if norm2 := c2.Normalize(); !bytes.Equal(norm, norm2) {
			t.Fatalf("Normalize is not stable:\n%s\nthen:\n%s", norm, norm2)
		}
		for _, k := range Keys() {
			if k.Status == Implemented && c.get(k.Name, "", anyType) != c2.get(k.Name, "", anyType) {
				t.Fatalf("%s differs after the round trip:\n%s", k.Name, norm)
			}
		}
		for _, d := range diags2 {
			if d.Line > 0 && d.Severity == Warning && d.Key != "" {
				continue // e.g. trailing blanks in a string: kept, and warned about again
			}
			t.Fatalf("the normalised config draws a diagnostic the original did not need: %s (from %v)", d, diags)
		}
	})
}

func anyType(Type) bool { return true }
