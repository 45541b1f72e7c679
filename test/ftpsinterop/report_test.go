package ftpsinterop

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
)

type cellKey struct{ client, kind, tls, mode string }

type resultTable struct {
	mu    sync.Mutex
	cells map[cellKey]string
	notes []string
}

var matrix = &resultTable{cells: map[cellKey]string{}}

func (r *resultTable) set(k cellKey, result string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cells[k] = result
}

func (r *resultTable) note(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := fmt.Sprintf(format, args...)
	for _, old := range r.notes {
		if old == n {
			return
		}
	}
	r.notes = append(r.notes, n)
}

// report prints the table on stdout (and to $WHARF_FTPS_MATRIX).
func (r *resultTable) report() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.cells) == 0 {
		return
	}
	var b strings.Builder
	r.write(&b)
	fmt.Print(b.String())
	if path := os.Getenv("WHARF_FTPS_MATRIX"); path != "" {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "ftpsinterop: writing", path+":", err)
		}
	}
}

func (r *resultTable) write(w io.Writer) {
	fmt.Fprintf(w, "\nFTPS matrix: %d transfers per cell in one session, sha256-checked; pass, FAIL, N/A (see notes)\n\n", transfersPerCell)
	fmt.Fprintf(w, "| %-14s | %-8s | %-7s |", "client", "FTPS", "TLS")
	for _, m := range modes {
		fmt.Fprintf(w, " %-15s |", m)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "|%s|%s|%s|", strings.Repeat("-", 16), strings.Repeat("-", 10), strings.Repeat("-", 9))
	for range modes {
		fmt.Fprintf(w, "%s|", strings.Repeat("-", 17))
	}
	fmt.Fprintln(w)
	for _, c := range clients {
		for _, k := range kinds {
			for _, v := range versions {
				fmt.Fprintf(w, "| %-14s | %-8s | %-7s |", c.name, k, "TLS "+v)
				for _, m := range modes {
					res, ok := r.cells[cellKey{c.name, k, v, m}]
					if !ok {
						res = "not run"
					}
					fmt.Fprintf(w, " %-15s |", res)
				}
				fmt.Fprintln(w)
			}
		}
	}
	notes := append([]string(nil), r.notes...)
	sort.Strings(notes)
	fmt.Fprintln(w)
	for _, n := range notes {
		fmt.Fprintln(w, "- "+n)
	}
	fmt.Fprintln(w)
}
