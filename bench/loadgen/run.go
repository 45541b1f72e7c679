package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"wharf/bench/loadgen/ftpc"
	"wharf/bench/loadgen/proctree"
)

// Record is one result line of the JSONL file.
type Record struct {
	Workload string             `json:"workload"`
	Server   string             `json:"server"`
	Rep      int                `json:"rep"`
	Metrics  map[string]float64 `json:"metrics,omitempty"`
	// Notes are text figures, e.g. "tls": "TLS 1.3 TLS_AES_128_GCM_SHA256".
	Notes map[string]string `json:"notes,omitempty"`
	// NA says why the server cannot run the workload (e.g. it does not
	// speak SFTP): the report prints n/a and the reason.
	NA    string    `json:"na,omitempty"`
	Error string    `json:"error,omitempty"`
	Time  time.Time `json:"time"`
}

// env is what a workload needs to reach its server.
type env struct {
	server  string
	addr    string
	user    string
	pass    string
	pid     int    // the server's PID, for memory figures (0: none)
	data    string // the data directory every server serves, as a local path
	rep     int
	clients int // overrides the workload's client count when > 0
	pasv    bool
	ceilDir string // ceiling: "retr", "stor" or "" for both
	timeout time.Duration
	log     io.Writer

	// FTPS: the CA (the servers' self-signed certificate) and the name it
	// is checked against, also the session cache key (see ftpc/tls.go).
	tlsCA, tlsName string
	tlsCfg         *tls.Config // built from them at the first use
	// SFTP: the private key for the OpenSSH client.
	sshKey string
}

type runFunc func(e *env) ([]Record, error)

var runners = map[string]runFunc{
	"ceiling":   runCeiling,
	"retr1g":    runRetr1G,
	"stor1g":    runStor1G,
	"login300":  runLoginStorm,
	"retr300":   runRetrMany,
	"stor100":   runStorMany,
	"idle300":   runIdle,
	"list20k":   listing("LIST", "d20k", 20000),
	"list100k":  listing("LIST", "d100k", 100000),
	"nlst20k":   listing("NLST", "d20k", 20000),
	"nlst100k":  listing("NLST", "d100k", 100000),
	"smallstor": runSmallStor,

	"ftps-retr1g": runFTPSRetr1G,
	"ftps-stor1g": runFTPSStor1G,
	"ftps100":     runFTPSMany,
	"sftp-up1g":   sftpOneGiB(true),
	"sftp-down1g": sftpOneGiB(false),
}

func cmdRun(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var e env
	var wl, out string
	fs.StringVar(&wl, "w", "", "workload (see `loadgen list`)")
	fs.StringVar(&e.server, "server", "", "server label for the results")
	fs.StringVar(&e.addr, "addr", "127.0.0.1:2121", "server control address")
	fs.StringVar(&e.user, "user", "", "login name")
	fs.StringVar(&e.pass, "pass", "", "password")
	fs.IntVar(&e.pid, "pid", 0, "server PID (memory figures walk its process tree)")
	fs.StringVar(&e.data, "data", "", "local path of the directory the server serves as the user's root")
	fs.IntVar(&e.rep, "rep", 1, "repetition number, recorded")
	fs.IntVar(&e.clients, "clients", 0, "override the workload's number of clients (for quick tests)")
	fs.BoolVar(&e.pasv, "pasv", false, "use PASV instead of EPSV")
	fs.StringVar(&e.ceilDir, "dir", "", "ceiling only: run the `retr` (send) or stor (receive) methods only")
	fs.DurationVar(&e.timeout, "timeout", 90*time.Second, "per reply and per connect")
	fs.StringVar(&e.tlsCA, "tls-ca", "", "FTPS: PEM certificate(s) to trust (none: the certificate is not checked)")
	fs.StringVar(&e.tlsName, "tls-name", "127.0.0.1", "FTPS: the name the certificate is checked against (also the TLS session cache key)")
	fs.StringVar(&e.sshKey, "ssh-key", "", "SFTP: private key file for the OpenSSH sftp client")
	var na string
	fs.StringVar(&na, "na", "", "record that the server cannot run the workload, and why, instead of running it")
	fs.StringVar(&out, "out", "", "append JSON records to this file (default: stdout)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	run, ok := runners[wl]
	if !ok {
		return fmt.Errorf("unknown workload %q", wl)
	}
	if e.server == "" && wl != "ceiling" {
		return errors.New("-server is required")
	}
	e.log = stderr
	if na != "" {
		return writeRecords([]Record{{NA: na}}, wl, &e, out, stdout, stderr)
	}
	recs, err := run(&e)
	if err != nil {
		recs = append(recs, Record{Workload: wl, Server: e.server, Error: err.Error()})
	}
	return writeRecords(recs, wl, &e, out, stdout, stderr)
}

func writeRecords(recs []Record, wl string, e *env, out string, stdout, stderr io.Writer) error {
	w := stdout
	if out != "" {
		f, err := os.OpenFile(out, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	enc := json.NewEncoder(w)
	for _, r := range recs {
		r.Workload, r.Rep, r.Time = wl, e.rep, time.Now().UTC()
		if r.Server == "" {
			r.Server = e.server
		}
		if err := enc.Encode(r); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "  %-9s %-10s rep %d: %s\n", wl, r.Server, e.rep, summary(r))
	}
	return nil
}

func summary(r Record) string {
	if r.Error != "" {
		return "ERROR " + r.Error
	}
	if r.NA != "" {
		return "n/a: " + r.NA
	}
	keys := make([]string, 0, len(r.Metrics))
	for k := range r.Metrics {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%.4g ", k, r.Metrics[k])
	}
	for _, k := range slices.Sorted(maps.Keys(r.Notes)) {
		fmt.Fprintf(&b, "%s=%q ", k, r.Notes[k])
	}
	return b.String()
}

// cpuMeter starts measuring the CPU time of the server's process tree; the
// function it returns gives the seconds spent since (0 without -pid).
func (e *env) cpuMeter() func() float64 {
	if e.pid == 0 {
		return func() float64 { return 0 }
	}
	start, err := proctree.CPUTime(e.pid)
	return func() float64 {
		end, err2 := proctree.CPUTime(e.pid)
		if err != nil || err2 != nil {
			return 0
		}
		return (end - start).Seconds()
	}
}

// one makes the single record most workloads return.
func one(m map[string]float64) []Record { return []Record{{Metrics: m}} }

// dial connects and logs in.
func (e *env) dial(ctx context.Context) (*ftpc.Conn, error) {
	c, err := ftpc.Dial(ctx, e.addr, ftpc.Options{Timeout: e.timeout})
	if err != nil {
		return nil, err
	}
	c.PASV = e.pasv
	if err := c.Login(e.user, e.pass); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// dialBinary is dial followed by TYPE I.
func (e *env) dialBinary(ctx context.Context) (*ftpc.Conn, error) {
	c, err := e.dial(ctx)
	if err != nil {
		return nil, err
	}
	if err := c.Binary(); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// n is the number of clients: the workload's own unless overridden.
func (e *env) n(def int) int {
	if e.clients > 0 {
		return e.clients
	}
	return def
}

// loginMany opens n logged-in binary-mode sessions, at most par at a time
// so that no server's listen backlog overflows: this is setup, not what
// is measured. Sessions that fail are counted, not fatal.
func (e *env) loginMany(n, par int) (conns []*ftpc.Conn, failures int, firstErr error) {
	conns = make([]*ftpc.Conn, n)
	errs := make([]error, n)
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			conns[i], errs[i] = e.dialBinary(context.Background())
		}()
	}
	wg.Wait()
	ok := conns[:0]
	for i, c := range conns {
		if errs[i] != nil {
			failures++
			if firstErr == nil {
				firstErr = errs[i]
			}
			continue
		}
		ok = append(ok, c)
	}
	return ok, failures, firstErr
}

// quitAll closes sessions politely, in parallel.
func quitAll(conns []*ftpc.Conn) {
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() { defer wg.Done(); c.Quit() }()
	}
	wg.Wait()
}
