package testbin

import (
	"fmt"
	"os"
	"slices"
	"sync"
)

// Notes collects the distinct notes of a summary report; it is safe for
// concurrent use.
type Notes struct {
	mu   sync.Mutex
	list []string
}

// Add records a note, unless the same note is already there.
func (n *Notes) Add(format string, args ...any) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if note := fmt.Sprintf(format, args...); !slices.Contains(n.list, note) {
		n.list = append(n.list, note)
	}
}

// Sorted returns the notes in order.
func (n *Notes) Sorted() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Sorted(slices.Values(n.list))
}

// Publish prints a summary report on standard output and, when the
// environment variable env names a file, writes it there too (CI prints
// that file after the run).
func Publish(report, env string) error {
	fmt.Print(report)
	path := os.Getenv(env)
	if path == "" {
		return nil
	}
	if err := os.WriteFile(path, []byte(report), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
