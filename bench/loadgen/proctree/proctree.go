// Package proctree measures the memory of a server and every process it
// forked: vsftpd and ProFTPD run one or two processes per session, so the
// figure that compares with a single-process server is the sum over the
// whole tree rooted at the listener's PID.
package proctree

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"
)

// procRoot is /proc; tests point it at a fake tree.
var procRoot = "/proc"

// ParseStat returns the PID and parent PID from the text of /proc/PID/stat.
// The command name (field 2) is in parentheses and may itself contain
// spaces and parentheses, so the fields after it are found from the last ')'.
func ParseStat(b []byte) (pid, ppid int, err error) {
	open := bytes.IndexByte(b, '(')
	close := bytes.LastIndexByte(b, ')')
	if open < 1 || close < open {
		return 0, 0, fmt.Errorf("proctree: malformed stat %.40q", b)
	}
	pid, err = strconv.Atoi(string(bytes.TrimSpace(b[:open])))
	if err != nil {
		return 0, 0, fmt.Errorf("proctree: malformed pid in stat: %w", err)
	}
	// After ") " come: state, ppid, ...
	rest := bytes.Fields(b[close+1:])
	if len(rest) < 2 {
		return 0, 0, fmt.Errorf("proctree: short stat %.40q", b)
	}
	ppid, err = strconv.Atoi(string(rest[1]))
	if err != nil {
		return 0, 0, fmt.Errorf("proctree: malformed ppid in stat: %w", err)
	}
	return pid, ppid, nil
}

// Tree returns root and all its descendants, root first. Processes that
// exit while /proc is read are skipped.
func Tree(root int) ([]int, error) {
	if _, err := os.Stat(filepath.Join(procRoot, strconv.Itoa(root))); err != nil {
		return nil, err
	}
	children := map[int][]int{}
	ents, err := os.ReadDir(procRoot)
	if err != nil {
		return nil, err
	}
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join(procRoot, e.Name(), "stat"))
		if err != nil {
			continue // exited meanwhile
		}
		pid, ppid, err := ParseStat(b)
		if err != nil {
			return nil, err
		}
		children[ppid] = append(children[ppid], pid)
	}
	out := []int{root}
	for i := 0; i < len(out); i++ {
		kids := children[out[i]]
		slices.Sort(kids)
		out = append(out, kids...)
	}
	return out, nil
}

// Field returns the value in kB of a "Name:   1234 kB" line of a /proc
// status or smaps_rollup text, and whether it was there.
func Field(text []byte, name string) (int64, bool) {
	sc := bufio.NewScanner(bytes.NewReader(text))
	prefix := []byte(name + ":")
	for sc.Scan() {
		line := sc.Bytes()
		if !bytes.HasPrefix(line, prefix) {
			continue
		}
		f := bytes.Fields(line[len(prefix):])
		if len(f) == 0 {
			return 0, false
		}
		v, err := strconv.ParseInt(string(f[0]), 10, 64)
		return v, err == nil
	}
	return 0, false
}

// Mem is the memory of a set of processes, in KiB.
type Mem struct {
	Procs int
	RSS   int64 // sum of VmRSS
	PSS   int64 // sum of Pss from smaps_rollup (shared pages split fairly)
}

// ErrGone means none of the processes exist any more.
var ErrGone = errors.New("proctree: no process left")

// Measure sums RSS, and PSS when withPSS, over pids. A process that exited
// meanwhile is left out. smaps_rollup is much slower to read than status,
// so samplers ask for RSS only.
func Measure(pids []int, withPSS bool) (Mem, error) {
	var m Mem
	for _, pid := range pids {
		dir := filepath.Join(procRoot, strconv.Itoa(pid))
		st, err := os.ReadFile(filepath.Join(dir, "status"))
		if err != nil {
			continue
		}
		rss, ok := Field(st, "VmRSS")
		if !ok {
			continue // a zombie or kernel thread has no VmRSS
		}
		m.Procs++
		m.RSS += rss
		if withPSS {
			if sm, err := os.ReadFile(filepath.Join(dir, "smaps_rollup")); err == nil {
				pss, _ := Field(sm, "Pss")
				m.PSS += pss
			}
		}
	}
	if m.Procs == 0 {
		return m, ErrGone
	}
	return m, nil
}

// MeasureTree is Tree followed by Measure.
func MeasureTree(root int, withPSS bool) (Mem, error) {
	pids, err := Tree(root)
	if err != nil {
		return Mem{}, err
	}
	return Measure(pids, withPSS)
}

// Sampler records the peak total RSS of a process tree while it runs. The
// tree is re-walked every rewalk samples, so a process forked for a new
// session is counted soon after it appears.
type Sampler struct {
	stop chan struct{}
	done chan struct{}

	mu   sync.Mutex
	peak Mem
}

// StartSampler samples the tree of root every interval until Stop.
func StartSampler(root int, interval time.Duration) *Sampler {
	s := &Sampler{stop: make(chan struct{}), done: make(chan struct{})}
	go s.run(root, interval)
	return s
}

func (s *Sampler) run(root int, interval time.Duration) {
	defer close(s.done)
	const rewalk = 10
	t := time.NewTicker(interval)
	defer t.Stop()
	var pids []int
	for i := 0; ; i++ {
		if i%rewalk == 0 {
			if p, err := Tree(root); err == nil {
				pids = p
			}
		}
		s.sample(pids)
		select {
		case <-s.stop:
			s.sample(pids)
			return
		case <-t.C:
		}
	}
}

func (s *Sampler) sample(pids []int) {
	m, err := Measure(pids, false)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if m.RSS > s.peak.RSS {
		s.peak = m
	}
}

// Stop ends sampling and returns the peak.
func (s *Sampler) Stop() Mem {
	close(s.stop)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}
