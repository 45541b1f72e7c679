package config

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEKeyReference fails when README.md's key reference differs from the key table.
func TestREADMEKeyReference(t *testing.T) {
	const begin, end = "<!-- BEGIN KEYS -->\n", "<!-- END KEYS -->"
	const fix = "run go run ./internal/config/genkeys from the repository root"
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatalf("%v: %s", err, fix)
	}
	_, rest, ok := strings.Cut(string(data), begin)
	block, _, ok2 := strings.Cut(rest, end)
	if !ok || !ok2 {
		t.Fatalf("README.md has no %q ... %q block: %s", strings.TrimSpace(begin), end, fix)
	}
	if block != KeysMarkdown() {
		t.Fatalf("README.md's key reference is out of date: %s", fix)
	}
}
