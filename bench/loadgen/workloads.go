package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"wharf/bench/loadgen/ftpc"
	"wharf/bench/loadgen/proctree"
)

// Names and sizes of the data set (see prepare.go).
const (
	bigName   = "big.bin"
	bigSize   = 1 << 30
	tenName   = "f10m.bin"
	tenSize   = 10 << 20
	f64kName  = "f64k.bin" // ftps100's transfers
	f64kSize  = 64 << 10
	smallSize = 4 << 10
	mib       = 1 << 20
)

func mbPerSec(bytes int64, d time.Duration) float64 {
	return float64(bytes) / d.Seconds() / 1e6
}

// upName is a per-run upload name, so runs never see each other's files.
func (e *env) upName(kind string, i int) string {
	return fmt.Sprintf("up-%s-%s-r%d-%d.bin", kind, e.server, e.rep, i)
}

// removeLocal deletes an upload through the local path (cleanup, untimed).
func (e *env) removeLocal(name string) {
	if e.data != "" {
		os.RemoveAll(filepath.Join(e.data, name))
	}
}

func runRetr1G(e *env) ([]Record, error) { return retrBig(e, e.dialBinary, false) }
func runStor1G(e *env) ([]Record, error) { return storBig(e, e.dialBinary, "1g", false) }

// dialer opens a logged-in, binary-mode control connection: plain FTP
// (env.dialBinary) or FTPS with PROT P (env.dialFTPS).
type dialer func(context.Context) (*ftpc.Conn, error)

// retrBig downloads the 1 GiB file once over a connection from dial.
func retrBig(e *env, dial dialer, withTLS bool) ([]Record, error) {
	c, err := dial(context.Background())
	if err != nil {
		return nil, err
	}
	defer c.Quit()
	cpu := e.cpuMeter()
	self := selfCPU()
	start := time.Now()
	n, err := c.Retr(bigName, io.Discard)
	d := time.Since(start)
	if err != nil {
		return nil, err
	}
	if n != bigSize {
		return nil, fmt.Errorf("RETR %s: got %d bytes, want %d", bigName, n, bigSize)
	}
	return bigRecord(c, n, d, cpu(), self, withTLS), nil
}

// storBig uploads the 1 GiB file once over a connection from dial and
// checks the server's copy has every byte.
func storBig(e *env, dial dialer, kind string, withTLS bool) ([]Record, error) {
	src, err := os.Open(filepath.Join(e.data, bigName))
	if err != nil {
		return nil, err
	}
	defer src.Close()
	c, err := dial(context.Background())
	if err != nil {
		return nil, err
	}
	defer c.Quit()
	name := e.upName(kind, 0)
	defer e.removeLocal(name)
	syscall.Sync() // no dirty pages of an earlier run to throttle this one
	cpu := e.cpuMeter()
	self := selfCPU()
	start := time.Now()
	n, err := c.Stor(name, src)
	d := time.Since(start)
	if err != nil {
		return nil, err
	}
	if n != bigSize {
		return nil, fmt.Errorf("STOR: sent %d bytes, want %d", n, bigSize)
	}
	if fi, err := os.Stat(filepath.Join(e.data, name)); e.data != "" && (err != nil || fi.Size() != bigSize) {
		return nil, fmt.Errorf("STOR: the server's file is not %d bytes (%v)", bigSize, err)
	}
	return bigRecord(c, n, d, cpu(), self, withTLS), nil
}

// bigRecord is a 1 GiB transfer's record; over TLS it adds the client's CPU
// (encryption is a cost on both ends) and the connection's TLS figures.
func bigRecord(c *ftpc.Conn, n int64, d time.Duration, serverCPU float64, self time.Duration, withTLS bool) []Record {
	m := map[string]float64{"MBps": mbPerSec(n, d), "seconds": d.Seconds(), "cpu_s": serverCPU}
	if !withTLS {
		return one(m)
	}
	m["client_cpu_s"] = (selfCPU() - self).Seconds()
	return []Record{tlsRecord(m, c.TLSStats())}
}

// runLoginStorm starts n clients at the same instant; each connects, reads
// the greeting and logs in. The time is until the last attempt resolved.
func runLoginStorm(e *env) ([]Record, error) {
	n := e.n(300)
	conns := make([]*ftpc.Conn, n)
	errs := make([]error, n)
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			conns[i], errs[i] = e.dial(context.Background())
		}()
	}
	time.Sleep(50 * time.Millisecond) // let every goroutine reach the gate
	cpu := e.cpuMeter()
	start := time.Now()
	close(gate)
	wg.Wait()
	d := time.Since(start)
	cpuS := cpu()
	var ok []*ftpc.Conn
	fails, firstErr := 0, error(nil)
	for i, c := range conns {
		if errs[i] != nil {
			fails++
			firstErr = cmpErr(firstErr, errs[i])
			continue
		}
		ok = append(ok, c)
	}
	quitAll(ok)
	if fails > 0 {
		fmt.Fprintf(e.log, "  login300 %s: %d failed, e.g. %v\n", e.server, fails, firstErr)
	}
	return one(map[string]float64{"seconds": d.Seconds(), "failed": float64(fails), "cpu_s": cpuS}), nil
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

// burst is the outcome of running one job on many connections at once.
type burst struct {
	wall  time.Duration // until the last job finished
	bytes int64
	fails int
	err   error   // the first failure
	cpu   float64 // server CPU seconds meanwhile
	// clientCPU is loadgen's own CPU meanwhile: on loopback the receiving
	// end does most of TCP's work, so this shows how the sender's way of
	// sending loads the client.
	clientCPU float64
}

// concurrent runs job on every connection at the same instant.
func (e *env) concurrent(conns []*ftpc.Conn, job func(i int, c *ftpc.Conn) (int64, error)) burst {
	gate := make(chan struct{})
	ns := make([]int64, len(conns))
	errs := make([]error, len(conns))
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			ns[i], errs[i] = job(i, c)
		}()
	}
	time.Sleep(50 * time.Millisecond)
	cpu := e.cpuMeter()
	self := selfCPU()
	start := time.Now()
	close(gate)
	wg.Wait()
	b := burst{wall: time.Since(start), cpu: cpu(), clientCPU: (selfCPU() - self).Seconds()}
	for i := range conns {
		b.bytes += ns[i]
		if errs[i] != nil {
			b.fails++
			b.err = cmpErr(b.err, errs[i])
		}
	}
	return b
}

// metrics are the figures of a concurrent transfer workload.
func (b burst) metrics(loginFails int) map[string]float64 {
	return map[string]float64{"seconds": b.wall.Seconds(), "MBps": mbPerSec(b.bytes, b.wall),
		"failed": float64(b.fails + loginFails), "cpu_s": b.cpu, "client_cpu_s": b.clientCPU}
}

func runRetrMany(e *env) ([]Record, error) {
	n := e.n(300)
	conns, loginFails, lerr := e.loginMany(n, 16)
	defer quitAll(conns)
	if loginFails > 0 {
		fmt.Fprintf(e.log, "  retr300 %s: %d logins failed, e.g. %v\n", e.server, loginFails, lerr)
	}
	b := e.concurrent(conns, func(_ int, c *ftpc.Conn) (int64, error) {
		n, err := c.Retr(tenName, io.Discard)
		if err == nil && n != tenSize {
			err = fmt.Errorf("RETR: %d bytes, want %d", n, tenSize)
		}
		return n, err
	})
	if b.fails > 0 {
		fmt.Fprintf(e.log, "  retr300 %s: %d transfers failed, e.g. %v\n", e.server, b.fails, b.err)
	}
	return one(b.metrics(loginFails)), nil
}

func runStorMany(e *env) ([]Record, error) {
	n := e.n(100)
	conns, loginFails, lerr := e.loginMany(n, 16)
	defer quitAll(conns)
	if loginFails > 0 {
		fmt.Fprintf(e.log, "  stor100 %s: %d logins failed, e.g. %v\n", e.server, loginFails, lerr)
	}
	defer func() {
		for i := range conns {
			e.removeLocal(e.upName("10m", i))
		}
	}()
	syscall.Sync()
	b := e.concurrent(conns, func(i int, c *ftpc.Conn) (int64, error) {
		src, err := os.Open(filepath.Join(e.data, tenName))
		if err != nil {
			return 0, err
		}
		defer src.Close()
		return c.Stor(e.upName("10m", i), src)
	})
	if b.fails > 0 {
		fmt.Fprintf(e.log, "  stor100 %s: %d transfers failed, e.g. %v\n", e.server, b.fails, b.err)
	}
	return one(b.metrics(loginFails)), nil
}

func runIdle(e *env) ([]Record, error) {
	if e.pid == 0 {
		return nil, fmt.Errorf("idle300 needs -pid")
	}
	base, err := proctree.MeasureTree(e.pid, true)
	if err != nil {
		return nil, err
	}
	conns, fails, lerr := e.loginMany(e.n(300), 16)
	defer quitAll(conns)
	if fails > 0 {
		fmt.Fprintf(e.log, "  idle300 %s: %d logins failed, e.g. %v\n", e.server, fails, lerr)
	}
	time.Sleep(2 * time.Second) // let forked sessions settle
	m, err := proctree.MeasureTree(e.pid, true)
	if err != nil {
		return nil, err
	}
	return one(map[string]float64{
		"rss_mib": float64(m.RSS) / 1024, "pss_mib": float64(m.PSS) / 1024,
		"procs": float64(m.Procs), "base_rss_mib": float64(base.RSS) / 1024,
		"failed": float64(fails),
	}), nil
}

// lineCounter counts '\n' in what it is given.
type lineCounter struct{ n int }

func (l *lineCounter) Write(p []byte) (int, error) {
	l.n += bytes.Count(p, []byte{'\n'})
	return len(p), nil
}

// listing times one LIST or NLST of dir and samples the server tree's RSS
// meanwhile. A listing that comes back short is an error: a server that
// caps listings (Pure-FTPd's -L) would otherwise look fast.
func listing(verb, dir string, want int) runFunc {
	return func(e *env) ([]Record, error) {
		c, err := e.dial(context.Background())
		if err != nil {
			return nil, err
		}
		defer c.Quit()
		var s *proctree.Sampler
		var base proctree.Mem
		if e.pid != 0 {
			base, _ = proctree.MeasureTree(e.pid, false)
			s = proctree.StartSampler(e.pid, 5*time.Millisecond)
		}
		var lc lineCounter
		cpu := e.cpuMeter()
		start := time.Now()
		if verb == "LIST" {
			_, err = c.List(dir, &lc)
		} else {
			_, err = c.Nlst(dir, &lc)
		}
		d := time.Since(start)
		m := map[string]float64{"seconds": d.Seconds(), "lines": float64(lc.n), "cpu_s": cpu()}
		if s != nil {
			m["peak_rss_mib"] = float64(s.Stop().RSS) / 1024
			m["base_rss_mib"] = float64(base.RSS) / 1024
		}
		if err == nil && lc.n < want {
			err = fmt.Errorf("%s %s: %d lines, want at least %d", verb, dir, lc.n, want)
		}
		return one(m), err
	}
}

// runSmallStor stores 2,000 files of 4 KiB in one session, each with its
// own EPSV and data connection, into a fresh directory.
func runSmallStor(e *env) ([]Record, error) {
	n := e.n(2000)
	c, err := e.dialBinary(context.Background())
	if err != nil {
		return nil, err
	}
	defer c.Quit()
	dir := fmt.Sprintf("small-%s-r%d", e.server, e.rep)
	e.removeLocal(dir)
	defer e.removeLocal(dir)
	if err := c.Mkd(dir); err != nil {
		return nil, err
	}
	body := bytes.Repeat([]byte("wharf-bench\n"), smallSize/12+1)[:smallSize]
	fails := 0
	syscall.Sync()
	cpu := e.cpuMeter()
	start := time.Now()
	for i := range n {
		if _, err := c.Stor(fmt.Sprintf("%s/f%05d", dir, i), bytes.NewReader(body)); err != nil {
			fails++
			if fails > 20 {
				return nil, fmt.Errorf("giving up after %d failed STORs: %w", fails, err)
			}
		}
	}
	d := time.Since(start)
	return one(map[string]float64{"files_per_s": float64(n-fails) / d.Seconds(), "failed": float64(fails), "cpu_s": cpu()}), nil
}
