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
	out := wantInReport(t, sample, []string{
		"| wharf | 2200 (2000–2400) | 1.00× | 0.600 (0.500–0.700) | 1.00× | 55% | 3 |",
		"| vsftpd | 3000 | 1.36× | 0.300 | 0.50× | 75% | 1 |",
		"**vsftpd: 1 failed run(s)**, e.g. `RETR: boom`",
		"| wharf | 0.500 | 1.00× | 0 | – | – | 1 |",
	})
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
	names := map[string]bool{}
	for _, w := range catalog {
		names[w.Name] = true
		if _, ok := runners[w.Name]; !ok {
			t.Errorf("workload %s has no runner", w.Name)
		}
		switch w.Protocol {
		case "", "ftps", "sftp":
		default:
			t.Errorf("workload %s: unknown protocol %q", w.Name, w.Protocol)
		}
	}
	for name := range runners {
		if !names[name] {
			t.Errorf("runner %s is not in the catalog", name)
		}
	}
}

const tlsSample = `{"workload":"ftps100","server":"wharf","rep":1,"metrics":{"seconds":2,"handshakes_per_s":550,"resumptions_per_s":500,"resumed":1000,"data_conns":1000,"failed":0},"notes":{"tls":"TLS 1.3 TLS_AES_128_GCM_SHA256"}}
{"workload":"ftps100","server":"wharf","rep":2,"metrics":{"seconds":4,"handshakes_per_s":275,"resumptions_per_s":250,"resumed":1000,"data_conns":1000,"failed":0},"notes":{"tls":"TLS 1.3 TLS_AES_128_GCM_SHA256"}}
{"workload":"ftps100","server":"vsftpd","rep":1,"metrics":{"seconds":8,"handshakes_per_s":100,"resumptions_per_s":90,"resumed":720,"data_conns":800,"failed":20},"notes":{"tls":"TLS 1.3 TLS_AES_256_GCM_SHA384"}}
{"workload":"ftps100","server":"vsftpd","rep":2,"metrics":{"seconds":8,"handshakes_per_s":100,"resumptions_per_s":90,"resumed":800,"data_conns":800,"failed":20},"notes":{"tls":"TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256"}}
{"workload":"ftps100","server":"pyftpdlib","rep":1,"na":"no TLS"}
{"workload":"sftp-up1g","server":"vsftpd","rep":1,"na":"does not speak SFTP"}
{"workload":"sftp-up1g","server":"wharf","rep":1,"metrics":{"MBps_aes":500,"cpu_s_aes":1,"client_cpu_s_aes":1,"MBps_chacha":300,"cpu_s_chacha":2,"client_cpu_s_chacha":2}}
`

func TestReportFractionsNotesAndNA(t *testing.T) {
	wantInReport(t, tlsSample, []string{
		"| server | time s median (min–max) | ÷ Wharf | handshakes/s median (min–max) | ÷ Wharf | resumptions/s median (min–max) | resumed (median) | failed median (min–max) | server CPU s median (min–max) | ÷ Wharf | client CPU s median (min–max) | TLS negotiated | runs |",
		"| wharf | 3.000 (2.000–4.000) | 1.00× | 412 (275–550) | 1.00× | 375 (250–500) | 1000/1000 | 0 | – | – | – | TLS 1.3 TLS_AES_128_GCM_SHA256 | 2 |",
		"| vsftpd | 8.000 | 2.67× | 100 | 0.24× | 90 | 760/800 (720–800) | 20 | – | – | – | TLS 1.3 TLS_AES_256_GCM_SHA384; TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256 | 2 |",
		"| pyftpdlib | n/a (no TLS) | – | – | – | – | – | – | – | – | – | – | – |",
		"| vsftpd | n/a (does not speak SFTP) | – | – | – | – | – | – | – | – | – |",
		"| wharf | 500 | 1.00× | 1.000 | 1.00× | 1.000 | 300 | 1.00× | 2.000 | 1.00× | 2.000 | 1 |",
	})
}

func TestSFTPCommandLine(t *testing.T) {
	args, err := sftpArgs("127.0.0.1:2222", "bench", "/k/id", "aes128-gcm@openssh.com")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(args, " ")
	for _, want := range []string{"-F /dev/null", "-i /k/id", "-c aes128-gcm@openssh.com", "-P 2222", "-b - bench@127.0.0.1", "BatchMode=yes"} {
		if !strings.Contains(got, want) {
			t.Errorf("args %q lack %q", got, want)
		}
	}
	if _, err := sftpArgs("127.0.0.1", "u", "k", "c"); err == nil {
		t.Error("an address without a port was accepted")
	}
	if b := sftpBatch(true, "/d/big.bin", "up.bin"); b != "put /d/big.bin up.bin\n" {
		t.Errorf("upload batch %q", b)
	}
	if b := sftpBatch(false, "/dev/null", "big.bin"); b != "get big.bin /dev/null\n" {
		t.Errorf("download batch %q", b)
	}
}

// wantInReport renders the tables of a JSONL sample, fails t for each line
// of wants they lack, and returns them.
func wantInReport(t *testing.T, sample string, wants []string) string {
	t.Helper()
	res, err := readResults(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	writeTables(&b, res)
	out := b.String()
	for _, want := range wants {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	return out
}
