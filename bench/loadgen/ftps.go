package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"wharf/bench/loadgen/ftpc"
)

// FTPS workloads: explicit FTPS (AUTH TLS, PBSZ 0, PROT P), every data
// connection resuming its control connection's TLS session (ftpc/tls.go).
//
// The client is Go's crypto/tls for every server. Its settings are the same
// for all: TLS 1.2 and 1.3 offered (each server picks; the report shows
// what it picked), key exchange on P-256 only (the one group every server
// accepts: Debian's vsftpd and Pure-FTPd configure OpenSSL for P-256
// alone, and Go would otherwise lead with the post-quantum X25519MLKEM768,
// which only Wharf would accept, making its handshakes dearer for a reason
// that is not the server's code), and Go's default cipher-suite order
// (AES-128-GCM first on hardware with AES instructions).

// tlsConfig is the client config, built once per process.
func (e *env) tlsConfig() (*tls.Config, error) {
	if e.tlsCfg != nil {
		return e.tlsCfg, nil
	}
	cfg := &tls.Config{
		ServerName:       e.tlsName,
		MinVersion:       tls.VersionTLS12,
		CurvePreferences: []tls.CurveID{tls.CurveP256},
	}
	if e.tlsCA == "" {
		cfg.InsecureSkipVerify = true
	} else {
		pem, err := os.ReadFile(e.tlsCA)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: no PEM certificate", e.tlsCA)
		}
		cfg.RootCAs = pool
	}
	e.tlsCfg = cfg
	return cfg, nil
}

// dialFTPS connects and runs AUTH TLS, USER/PASS, PBSZ 0, PROT P and
// TYPE I, in curl's order. When a step after the connect fails, the
// connection comes back closed with the error, for its TLS counters.
func (e *env) dialFTPS(ctx context.Context) (*ftpc.Conn, error) {
	cfg, err := e.tlsConfig()
	if err != nil {
		return nil, err
	}
	c, err := ftpc.Dial(ctx, e.addr, ftpc.Options{Timeout: e.timeout})
	if err != nil {
		return nil, err
	}
	c.PASV = e.pasv
	for _, step := range []func() error{
		func() error { return c.AuthTLS(cfg) },
		func() error { return c.Login(e.user, e.pass) },
		c.ProtP,
		c.Binary,
	} {
		if err := step(); err != nil {
			c.Close()
			return c, err
		}
	}
	return c, nil
}

// tlsRecord adds a connection's TLS figures to a record.
func tlsRecord(m map[string]float64, st ftpc.TLSStats) Record {
	m["resumed"] = float64(st.DataResumed)
	m["data_conns"] = float64(st.DataConns)
	return Record{Metrics: m, Notes: map[string]string{"tls": st.Describe()}}
}

func runFTPSRetr1G(e *env) ([]Record, error) { return retrBig(e, e.dialFTPS, true) }
func runFTPSStor1G(e *env) ([]Record, error) { return storBig(e, e.dialFTPS, "tls1g", true) }

// ftps100Transfers is the number of RETRs each ftps100 client makes.
const ftps100Transfers = 10

// runFTPSMany starts n clients at the same instant; each connects, runs
// AUTH TLS, logs in, PBSZ/PROT P, and downloads the 64 KiB file
// ftps100Transfers times, each on a new data connection that must resume
// the control connection's session. The time is until the last client is
// done (QUIT is not timed). A client that fails at any step counts as
// failed; its handshakes up to then still count.
func runFTPSMany(e *env) ([]Record, error) {
	if _, err := e.tlsConfig(); err != nil {
		return nil, err
	}
	n := e.n(100)
	type outcome struct {
		conn  *ftpc.Conn
		stats ftpc.TLSStats
		err   error
	}
	outs := make([]outcome, n)
	var ready, done sync.WaitGroup
	gate := make(chan struct{})
	for i := range n {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-gate
			o := &outs[i]
			o.conn, o.err = e.dialFTPS(context.Background())
			if o.err != nil {
				if o.conn != nil {
					o.stats, o.conn = o.conn.TLSStats(), nil
				}
				return
			}
			for range ftps100Transfers {
				got, err := o.conn.Retr(f64kName, io.Discard)
				if err == nil && got != f64kSize {
					err = fmt.Errorf("RETR: %d bytes, want %d", got, f64kSize)
				}
				if err != nil {
					o.err = err
					break
				}
			}
			o.stats = o.conn.TLSStats()
		}()
	}
	ready.Wait()
	cpu := e.cpuMeter()
	self := selfCPU()
	start := time.Now()
	close(gate)
	done.Wait()
	wall := time.Since(start)
	cpuS, clientS := cpu(), (selfCPU() - self).Seconds()

	var total ftpc.TLSStats
	handshakes := 0
	fails, firstErr := 0, error(nil)
	var conns []*ftpc.Conn
	tlsSeen := ""
	for _, o := range outs {
		if o.conn != nil {
			conns = append(conns, o.conn)
		}
		if o.err != nil {
			fails++
			firstErr = cmpErr(firstErr, o.err)
		}
		if tlsSeen == "" {
			tlsSeen = o.stats.Describe()
		}
		handshakes += o.stats.Handshakes()
		total.DataConns += o.stats.DataConns
		total.DataResumed += o.stats.DataResumed
	}
	quitAll(conns)
	if fails > 0 {
		fmt.Fprintf(e.log, "  ftps100 %s: %d clients failed, e.g. %v\n", e.server, fails, firstErr)
	}
	return []Record{{
		Metrics: map[string]float64{
			"seconds":           wall.Seconds(),
			"handshakes":        float64(handshakes),
			"handshakes_per_s":  float64(handshakes) / wall.Seconds(),
			"resumptions_per_s": float64(total.DataResumed) / wall.Seconds(),
			"resumed":           float64(total.DataResumed),
			"data_conns":        float64(total.DataConns),
			"failed":            float64(fails),
			"cpu_s":             cpuS,
			"client_cpu_s":      clientS,
		},
		Notes: map[string]string{"tls": tlsSeen},
	}}, nil
}
