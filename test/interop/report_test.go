package interop

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"wharf/internal/testbin"
)

// The client matrix's outcome per cell, printed by TestMain after the run.

var (
	clientOrder = []string{"curl", "lftp", "ftplib", "tnftp"}
	modeOrder   = []string{"PASV", "EPSV", "PORT", "EPRT"}
	ipOrder     = []string{loopback4, loopback6}
)

type cellKey struct{ client, mode, ip string }

// resultTable is the matrix's summary, with the cells that cannot run
// grouped by reason.
type resultTable struct {
	testbin.Summary[cellKey]
	mu sync.Mutex
	na map[string][]string // N/A reason -> cells
}

var matrix = &resultTable{na: map[string][]string{}}

// notApplicable records a cell that cannot run, and why.
func (r *resultTable) notApplicable(client, mode, ip, why string) {
	r.Set(cellKey{client, mode, ip}, "N/A")
	r.mu.Lock()
	defer r.mu.Unlock()
	r.na[why] = append(r.na[why], client+" "+mode+" "+testbin.URLHost(ip))
}

func (r *resultTable) set(client, mode, ip, result string) { r.Set(cellKey{client, mode, ip}, result) }

// report prints the table on stdout (and to $WHARF_INTEROP_MATRIX).
func (r *resultTable) report() { r.Report("WHARF_INTEROP_MATRIX", r.write) }

func (r *resultTable) write(w io.Writer) {
	fmt.Fprintln(w, "\nInterop matrix (client x mode x address): pass, FAIL, N/A (see notes)")
	fmt.Fprintf(w, "%-8s", "client")
	for _, m := range modeOrder {
		for _, ip := range ipOrder {
			fmt.Fprintf(w, " | %-16s", m+" "+testbin.URLHost(ip))
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, strings.Repeat("-", 8+len(modeOrder)*len(ipOrder)*19))
	for _, c := range clientOrder {
		fmt.Fprintf(w, "%-8s", c)
		for _, m := range modeOrder {
			for _, ip := range ipOrder {
				fmt.Fprintf(w, " | %-16s", r.Result(cellKey{c, m, ip}))
			}
		}
		fmt.Fprintln(w)
	}
	for _, n := range r.Notes() {
		fmt.Fprintln(w, "  - "+n)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	reasons := make([]string, 0, len(r.na))
	for why := range r.na {
		reasons = append(reasons, why)
	}
	sort.Strings(reasons)
	for _, why := range reasons {
		fmt.Fprintf(w, "  - N/A (%s): %s\n", strings.Join(r.na[why], ", "), why)
	}
	fmt.Fprintln(w)
}
