package ftpsinterop

import (
	"fmt"
	"io"
	"strings"

	"wharf/internal/testbin"
)

type cellKey struct{ client, kind, tls, mode string }

// matrix is the FTPS matrix's summary, printed by TestMain after the run.
var matrix testbin.Summary[cellKey]

// writeMatrix renders the matrix (on stdout, and to $WHARF_FTPS_MATRIX).
func writeMatrix(w io.Writer) {
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
					fmt.Fprintf(w, " %-15s |", matrix.Result(cellKey{c.name, k, v, m}))
				}
				fmt.Fprintln(w)
			}
		}
	}
	fmt.Fprintln(w)
	for _, n := range matrix.Notes() {
		fmt.Fprintln(w, "- "+n)
	}
	fmt.Fprintln(w)
}
