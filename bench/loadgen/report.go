package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// results groups records: workload -> server -> metric -> values.
type results struct {
	vals    map[string]map[string]map[string][]float64
	notes   map[string]map[string]map[string][]string // workload -> server -> key -> distinct values
	na      map[string]map[string]string              // workload -> server -> why not applicable
	errs    map[string]map[string][]string
	servers map[string][]string // per workload, in order of first appearance
}

func newResults() *results {
	return &results{
		vals:    map[string]map[string]map[string][]float64{},
		notes:   map[string]map[string]map[string][]string{},
		na:      map[string]map[string]string{},
		errs:    map[string]map[string][]string{},
		servers: map[string][]string{},
	}
}

func (r *results) add(rec Record) {
	if !slices.Contains(r.servers[rec.Workload], rec.Server) {
		r.servers[rec.Workload] = append(r.servers[rec.Workload], rec.Server)
	}
	if rec.Error != "" {
		if r.errs[rec.Workload] == nil {
			r.errs[rec.Workload] = map[string][]string{}
		}
		r.errs[rec.Workload][rec.Server] = append(r.errs[rec.Workload][rec.Server], rec.Error)
	}
	if rec.NA != "" {
		if r.na[rec.Workload] == nil {
			r.na[rec.Workload] = map[string]string{}
		}
		r.na[rec.Workload][rec.Server] = rec.NA
	}
	for k, v := range rec.Notes {
		if r.notes[rec.Workload] == nil {
			r.notes[rec.Workload] = map[string]map[string][]string{}
		}
		bySrv := r.notes[rec.Workload]
		if bySrv[rec.Server] == nil {
			bySrv[rec.Server] = map[string][]string{}
		}
		if !slices.Contains(bySrv[rec.Server][k], v) {
			bySrv[rec.Server][k] = append(bySrv[rec.Server][k], v)
		}
	}
	if r.vals[rec.Workload] == nil {
		r.vals[rec.Workload] = map[string]map[string][]float64{}
	}
	bySrv := r.vals[rec.Workload]
	if bySrv[rec.Server] == nil {
		bySrv[rec.Server] = map[string][]float64{}
	}
	for k, v := range rec.Metrics {
		bySrv[rec.Server][k] = append(bySrv[rec.Server][k], v)
	}
}

// readResults parses a JSONL file of Records.
func readResults(rd io.Reader) (*results, error) {
	res := newResults()
	sc := bufio.NewScanner(rd)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var rec Record
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		res.add(rec)
	}
	return res, sc.Err()
}

// stat is the median, min and max of a series.
type stat struct {
	med, min, max float64
	n             int
}

func summarize(v []float64) (stat, bool) {
	if len(v) == 0 {
		return stat{}, false
	}
	s := slices.Clone(v)
	slices.Sort(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return stat{med: med, min: s[0], max: s[len(s)-1], n: len(s)}, true
}

// orderServers puts wharf first, then the others in order of appearance.
func orderServers(s []string) []string {
	out := slices.Clone(s)
	slices.SortStableFunc(out, func(a, b string) int {
		switch {
		case a == "wharf" && b != "wharf":
			return -1
		case b == "wharf" && a != "wharf":
			return 1
		}
		return 0
	})
	return out
}

func cmdReport(args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("report", flag.ContinueOnError)
	fset.SetOutput(stderr)
	in := fset.String("in", "", "JSONL results")
	md := fset.String("md", "", "also write Markdown here")
	header := fset.String("header", "", "Markdown file put before the tables")
	footer := fset.String("footer", "", "Markdown file put after the tables")
	if err := fset.Parse(args); err != nil {
		return err
	}
	if *in == "" {
		return errors.New("report: -in is required")
	}
	f, err := os.Open(*in)
	if err != nil {
		return err
	}
	defer f.Close()
	res, err := readResults(f)
	if err != nil {
		return fmt.Errorf("%s: %w", *in, err)
	}
	var b strings.Builder
	writeTables(&b, res)
	io.WriteString(stdout, b.String())
	if *md == "" {
		return nil
	}
	return writeMarkdown(*md, *header, b.String(), *footer)
}

func writeMarkdown(path, header, tables, footer string) error {
	var out strings.Builder
	for _, part := range []string{header, "", footer} {
		if part == "" {
			out.WriteString(tables)
			continue
		}
		b, err := os.ReadFile(part)
		if err != nil {
			return err
		}
		out.Write(b)
		out.WriteString("\n")
	}
	return os.WriteFile(path, []byte(out.String()), 0o644)
}

// writeTables writes one Markdown table per workload of the catalog that
// has results.
func writeTables(w io.Writer, res *results) {
	for _, wl := range catalog {
		if len(res.servers[wl.Name]) == 0 {
			continue
		}
		writeTable(w, wl, res)
	}
}

func writeTable(w io.Writer, wl Workload, res *results) {
	fmt.Fprintf(w, "### %s (`%s`)\n\n", wl.Title, wl.Name)
	servers := orderServers(res.servers[wl.Name])
	head := tableHead(wl)
	fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(head, " | "), strings.Repeat("---|", len(head)))
	for _, srv := range servers {
		fmt.Fprintf(w, "| %s |\n", strings.Join(row(wl, srv, res), " | "))
	}
	fmt.Fprintf(w, "\n%s\n", legend(wl, res))
	writeErrors(w, wl, servers, res)
	fmt.Fprintln(w)
}

// tableHead is the header row of a workload's table.
func tableHead(wl Workload) []string {
	head := []string{"server"}
	if wl.Ceiling {
		head[0] = "method"
	}
	for _, m := range wl.Metrics {
		head = append(head, m.Label+" median (min–max)")
		if m.Den != "" {
			head[len(head)-1] = m.Label + " (median)"
		}
		if m.Ratio {
			head = append(head, "÷ Wharf")
		}
	}
	for _, n := range wl.Notes {
		head = append(head, n.Label)
	}
	if wl.Of != "" {
		head = append(head, "of ceiling")
	}
	return append(head, "runs")
}

func row(wl Workload, srv string, res *results) []string {
	cells := []string{srv}
	bySrv := res.vals[wl.Name]
	if why := res.na[wl.Name][srv]; why != "" && len(bySrv[srv]) == 0 {
		// One cell says why; the rest are dashes.
		cells = append(cells, "n/a ("+why+")")
		for len(cells) < len(tableHead(wl)) {
			cells = append(cells, "–")
		}
		return cells
	}
	runs := 0
	for _, m := range wl.Metrics {
		st, ok := summarize(bySrv[srv][m.Key])
		runs = max(runs, st.n)
		if m.Den != "" {
			den, dok := summarize(bySrv[srv][m.Den])
			cells = append(cells, fmtFraction(st, ok, den, dok))
		} else {
			cells = append(cells, fmtStat(st, ok, m.Digits))
		}
		if m.Ratio {
			cells = append(cells, ratioCell(st, ok, bySrv["wharf"][m.Key]))
		}
	}
	for _, n := range wl.Notes {
		if v := res.notes[wl.Name][srv][n.Key]; len(v) > 0 {
			cells = append(cells, strings.Join(v, "; "))
		} else {
			cells = append(cells, "–")
		}
	}
	if wl.Of != "" {
		cells = append(cells, ofCeiling(wl, srv, res))
	}
	return append(cells, fmt.Sprint(runs))
}

func fmtStat(st stat, ok bool, digits int) string {
	if !ok {
		return "–"
	}
	if st.min == st.max {
		return fmt.Sprintf("%.*f", digits, st.med)
	}
	return fmt.Sprintf("%.*f (%.*f–%.*f)", digits, st.med, digits, st.min, digits, st.max)
}

// fmtFraction is "N/M" of two medians, with N's range when the runs
// differ: "8/10 (7–10)".
func fmtFraction(num stat, ok bool, den stat, dok bool) string {
	if !ok || !dok {
		return "–"
	}
	s := fmt.Sprintf("%.0f/%.0f", num.med, den.med)
	if num.min != num.max {
		s += fmt.Sprintf(" (%.0f–%.0f)", num.min, num.max)
	}
	return s
}

func ratioCell(st stat, ok bool, wharf []float64) string {
	ws, wok := summarize(wharf)
	if !ok || !wok || ws.med == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", st.med/ws.med)
}

// bestCeiling is the best median among the ceiling methods of one
// direction ("retr": the server sends; "stor": it receives), and its name.
func bestCeiling(dir string, res *results) (float64, string) {
	best, name := 0.0, ""
	for _, m := range ceilMethods {
		if m.stor != (dir == "stor") {
			continue
		}
		if st, ok := summarize(res.vals["ceiling"][m.name]["MBps"]); ok && st.med > best {
			best, name = st.med, m.name
		}
	}
	return best, name
}

func ofCeiling(wl Workload, srv string, res *results) string {
	best, _ := bestCeiling(wl.Of, res)
	st, ok := summarize(res.vals[wl.Name][srv][wl.Metrics[0].Key])
	if !ok || best == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f%%", 100*st.med/best)
}

func legend(wl Workload, res *results) string {
	var parts []string
	for _, m := range wl.Metrics {
		if !m.Ratio {
			continue
		}
		dir := "lower is better"
		if m.Higher {
			dir = "higher is better"
		}
		parts = append(parts, fmt.Sprintf("%s: %s", m.Label, dir))
	}
	s := "Median of the runs, with min–max."
	if len(parts) > 0 {
		s += " ÷ Wharf is the server's median divided by Wharf's (" + strings.Join(parts, "; ") + ")."
	}
	if wl.Of != "" {
		if _, name := bestCeiling(wl.Of, res); name != "" {
			s += " Of ceiling: the median as a share of the best ceiling row of that direction, \"" + name + "\"."
		}
	}
	return s
}

func writeErrors(w io.Writer, wl Workload, servers []string, res *results) {
	for _, srv := range servers {
		errs := res.errs[wl.Name][srv]
		if len(errs) > 0 {
			fmt.Fprintf(w, "\n**%s: %d failed run(s)**, e.g. `%s`\n", srv, len(errs), errs[0])
		}
	}
}
