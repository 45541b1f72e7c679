package main

import (
	"strings"
	"testing"
)

func TestSummarize(t *testing.T) {
	cases := []struct {
		in   []float64
		want stat
	}{
		{[]float64{3}, stat{3, 3, 3, 1}},
		{[]float64{5, 1, 3}, stat{3, 1, 5, 3}},
		{[]float64{4, 1, 3, 2}, stat{2.5, 1, 4, 4}},
	}
	for _, c := range cases {
		got, ok := summarize(c.in)
		if !ok || got != c.want {
			t.Errorf("summarize(%v) = %+v, want %+v", c.in, got, c.want)
		}
	}
	if _, ok := summarize(nil); ok {
		t.Error("summarize(nil) ok")
	}
}

func TestOrderServers(t *testing.T) {
	got := orderServers([]string{"vsftpd", "proftpd", "wharf", "pyftpdlib"})
	if strings.Join(got, ",") != "wharf,vsftpd,proftpd,pyftpdlib" {
		t.Fatalf("got %v", got)
	}
}

const sample = `{"workload":"ceiling","server":"` + ceilRetr + `","rep":1,"metrics":{"MBps":4000}}
{"workload":"retr1g","server":"vsftpd","rep":1,"metrics":{"MBps":3000,"cpu_s":0.3}}
{"workload":"retr1g","server":"wharf","rep":1,"metrics":{"MBps":2000,"cpu_s":0.5}}
{"workload":"retr1g","server":"wharf","rep":2,"metrics":{"MBps":2400,"cpu_s":0.7}}
{"workload":"retr1g","server":"wharf","rep":3,"metrics":{"MBps":2200,"cpu_s":0.6}}
{"workload":"retr1g","server":"vsftpd","rep":2,"error":"RETR: boom"}

{"workload":"login300","server":"wharf","rep":1,"metrics":{"seconds":0.5,"failed":0}}
`

func TestReportTables(t *testing.T) {
	res, err := readResults(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	writeTables(&b, res)
	out := b.String()
	for _, want := range []string{
		"| wharf | 2200 (2000–2400) | 1.00× | 0.600 (0.500–0.700) | 1.00× | 55% | 3 |",
		"| vsftpd | 3000 | 1.36× | 0.300 | 0.50× | 75% | 1 |",
		"**vsftpd: 1 failed run(s)**, e.g. `RETR: boom`",
		"| wharf | 0.500 | 1.00× | 0 | – | – | 1 |",
		"### SFTP upload and download of 1 GiB (vs OpenSSH sftp-server)\n\nn/a (not measured yet)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "stor1g") {
		t.Error("a workload without results got a table")
	}
	if strings.Index(out, "| wharf | 2200") > strings.Index(out, "| vsftpd | 3000") {
		t.Error("wharf is not the first row")
	}
}

func TestReadResultsBadLine(t *testing.T) {
	_, err := readResults(strings.NewReader("{\"workload\":1}\n"))
	if err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("err = %v", err)
	}
}

func TestCatalogHasRunners(t *testing.T) {
	for _, w := range catalog {
		if _, ok := runners[w.Name]; ok == w.NotBuilt {
			t.Errorf("workload %s: runner present = %v, not built = %v", w.Name, ok, w.NotBuilt)
		}
	}
}
