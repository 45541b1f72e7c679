package main

import "strings"

// Metric is one measured quantity of a workload.
type Metric struct {
	Key    string // key in Record.Metrics
	Label  string // column heading, with the unit
	Higher bool   // higher is better (throughput) rather than lower (time, memory)
	Digits int    // decimals shown
	Ratio  bool   // show the ratio to Wharf for this metric
	// Den, when set, is the key of a denominator: the cell reads "N/M"
	// (e.g. data connections resumed out of data connections made).
	Den string
}

// Note is a column of text the runs recorded (Record.Notes), e.g. the TLS
// version and cipher suite negotiated: the cell lists the distinct values.
type Note struct {
	Key   string
	Label string
}

// Workload is one benchmark of the catalog.
type Workload struct {
	Name  string
	Title string
	// Metrics shown in the table, in order, then the Notes.
	Metrics []Metric
	Notes   []Note
	// Protocol is what a server must speak to run the workload: "" (FTP),
	// "ftps" or "sftp". bench/run.sh records the others as n/a.
	Protocol string
	// Ceiling workloads run without a server: their rows are copy methods.
	Ceiling bool
	// Of is "retr" or "stor": the first metric is also shown as a share
	// of the best ceiling method of that direction.
	Of string
}

var (
	mbps    = Metric{Key: "MBps", Label: "MB/s", Higher: true, Ratio: true}
	secs    = Metric{Key: "seconds", Label: "time s", Digits: 3, Ratio: true}
	failed  = Metric{Key: "failed", Label: "failed"}
	peakRSS = Metric{Key: "peak_rss_mib", Label: "peak RSS MiB", Digits: 1, Ratio: true}
	lines   = Metric{Key: "lines", Label: "lines"}
	// cpu is the server's CPU time (user+system, all its processes) over
	// the timed part: much less sensitive than wall time to other load on
	// the machine.
	cpu = Metric{Key: "cpu_s", Label: "server CPU s", Digits: 3, Ratio: true}
	// clientCPU is loadgen's CPU over the timed part (concurrent runs).
	clientCPU = Metric{Key: "client_cpu_s", Label: "client CPU s", Digits: 3}
	// baseRSS is the tree's RSS just before the listing, after login.
	baseRSS = Metric{Key: "base_rss_mib", Label: "RSS before MiB", Digits: 1}
	// resumed counts the TLS data connections whose handshake resumed the
	// control connection's session, out of all of them.
	resumed = Metric{Key: "resumed", Label: "resumed", Den: "data_conns"}
	tlsNote = Note{Key: "tls", Label: "TLS negotiated"}
)

// The SSH ciphers of the SFTP workloads (one column pair each).
var sftpCiphers = []struct{ name, key string }{
	{"aes128-gcm@openssh.com", "aes"},
	{"chacha20-poly1305@openssh.com", "chacha"},
}

func sftpMetrics() []Metric {
	var ms []Metric
	for _, c := range sftpCiphers {
		short := c.name[:strings.IndexAny(c.name, "@")]
		ms = append(ms,
			Metric{Key: "MBps_" + c.key, Label: short + " MB/s", Higher: true, Ratio: true},
			Metric{Key: "cpu_s_" + c.key, Label: short + " server CPU s", Digits: 3, Ratio: true},
			Metric{Key: "client_cpu_s_" + c.key, Label: short + " client CPU s", Digits: 3})
	}
	return ms
}

// catalog is every workload, in the order of the report.
var catalog = []Workload{
	{Name: "ceiling", Title: "Ceiling: 1 GiB over a bare loopback TCP copy, no protocol", Ceiling: true,
		Metrics: []Metric{{Key: "MBps", Label: "MB/s", Higher: true},
			{Key: "cpu_s", Label: "CPU s, both ends", Digits: 3}}},
	{Name: "retr1g", Title: "RETR of a 1 GiB file from page cache, one stream",
		Metrics: []Metric{mbps, cpu}, Of: "retr"},
	{Name: "stor1g", Title: "STOR of 1 GiB, one stream",
		Metrics: []Metric{mbps, cpu}, Of: "stor"},
	{Name: "login300", Title: "300 clients connect and log in at once",
		Metrics: []Metric{secs, failed, cpu}},
	{Name: "retr300", Title: "300 concurrent RETRs of a 10 MiB file",
		Metrics: []Metric{secs, mbps, failed, cpu, clientCPU}},
	{Name: "stor100", Title: "100 concurrent STORs of 10 MiB",
		Metrics: []Metric{secs, mbps, failed, cpu, clientCPU}},
	{Name: "idle300", Title: "300 logged-in idle sessions: memory of all the server's processes",
		Metrics: []Metric{
			{Key: "rss_mib", Label: "RSS MiB", Digits: 1, Ratio: true},
			{Key: "pss_mib", Label: "PSS MiB", Digits: 1, Ratio: true},
			{Key: "procs", Label: "processes"},
			{Key: "base_rss_mib", Label: "RSS before MiB", Digits: 1},
			failed,
		}},
	{Name: "list20k", Title: "LIST of a directory of 20,000 files", Metrics: []Metric{secs, cpu, peakRSS, baseRSS, lines}},
	{Name: "list100k", Title: "LIST of a directory of 100,000 files", Metrics: []Metric{secs, cpu, peakRSS, baseRSS, lines}},
	{Name: "nlst20k", Title: "NLST of a directory of 20,000 files", Metrics: []Metric{secs, cpu, peakRSS, baseRSS, lines}},
	{Name: "nlst100k", Title: "NLST of a directory of 100,000 files", Metrics: []Metric{secs, cpu, peakRSS, baseRSS, lines}},
	{Name: "smallstor", Title: "2,000 STORs of 4 KiB in one session",
		Metrics: []Metric{{Key: "files_per_s", Label: "files/s", Higher: true, Ratio: true}, failed, cpu}},
	{Name: "ftps-retr1g", Title: "FTPS (explicit, PROT P) RETR of a 1 GiB file, one stream", Protocol: "ftps",
		Metrics: []Metric{mbps, cpu, clientCPU, resumed}, Notes: []Note{tlsNote}},
	{Name: "ftps-stor1g", Title: "FTPS (explicit, PROT P) STOR of 1 GiB, one stream", Protocol: "ftps",
		Metrics: []Metric{mbps, cpu, clientCPU, resumed}, Notes: []Note{tlsNote}},
	{Name: "ftps100", Title: "100 FTPS clients at once: each AUTH TLS, login, PROT P, then 10 RETRs of 64 KiB", Protocol: "ftps",
		Metrics: []Metric{secs,
			{Key: "handshakes_per_s", Label: "handshakes/s", Higher: true, Ratio: true},
			{Key: "resumptions_per_s", Label: "resumptions/s", Higher: true},
			resumed, failed, cpu, clientCPU},
		Notes: []Note{tlsNote}},
	{Name: "sftp-up1g", Title: "SFTP upload of 1 GiB (OpenSSH sftp client), per cipher", Protocol: "sftp",
		Metrics: sftpMetrics()},
	{Name: "sftp-down1g", Title: "SFTP download of a 1 GiB file (OpenSSH sftp client), per cipher", Protocol: "sftp",
		Metrics: sftpMetrics()},
}

// Names of two ceiling rows (tests refer to them).
const (
	ceilRetr = "sendfile 64 KiB blocking loop, Nagle on"
	ceilStor = "splice socket to file (os.File.ReadFrom)"
)
