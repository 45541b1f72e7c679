package testbin

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
)

// Summary is a results table that parallel tests fill in and TestMain
// prints after the run: a result per cell (of key type K), and notes. Its
// zero value is empty and ready; it is safe for concurrent use.
type Summary[K comparable] struct {
	mu    sync.Mutex
	cells map[K]string
	notes []string
}

// Set records cell k's result.
func (s *Summary[K]) Set(k K, result string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cells == nil {
		s.cells = map[K]string{}
	}
	s.cells[k] = result
}

// Result is cell k's result, or "not run".
func (s *Summary[K]) Result(k K) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.cells[k]; ok {
		return r
	}
	return "not run"
}

// Note records a note, unless the same note is already there.
func (s *Summary[K]) Note(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if note := fmt.Sprintf(format, args...); !slices.Contains(s.notes, note) {
		s.notes = append(s.notes, note)
	}
}

// Notes returns the notes in order.
func (s *Summary[K]) Notes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(slices.Values(s.notes))
}

// Report prints the table write renders on standard output and, when the
// environment variable env names a file, writes it there too (CI prints
// that file). With no result set, it prints nothing.
func (s *Summary[K]) Report(env string, write func(io.Writer)) {
	s.mu.Lock()
	empty := len(s.cells) == 0
	s.mu.Unlock()
	if empty {
		return
	}
	var b strings.Builder
	write(&b)
	fmt.Print(b.String())
	if path := os.Getenv(env); path != "" {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", env, err)
		}
	}
}
