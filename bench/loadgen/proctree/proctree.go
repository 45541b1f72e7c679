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
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// procRoot is /proc; tests point it at a fake tree.
var procRoot = "/proc"

// Stat is what the benchmark reads from /proc/PID/stat.
type Stat struct {
	PID, PPID int
	// CPU time in clock ticks (USER_HZ, 100 per second on Linux): of the
	// process itself, and of its children that exited and were waited for.
	UTime, STime, CUTime, CSTime int64
}

// ClockTicks is USER_HZ, the unit of the CPU times in /proc/PID/stat. It is
// 100 on every Linux architecture Go supports.
const ClockTicks = 100

// ParseStat parses the text of /proc/PID/stat. The command name (field 2)
// is in parentheses and may itself contain spaces and parentheses, so the
// fields after it are found from the last ')'.
func ParseStat(b []byte) (Stat, error) {
	open := bytes.IndexByte(b, '(')
	close := bytes.LastIndexByte(b, ')')
	if open < 1 || close < open {
		return Stat{}, fmt.Errorf("proctree: malformed stat %.40q", b)
	}
	pid, err := strconv.Atoi(string(bytes.TrimSpace(b[:open])))
	if err != nil {
		return Stat{}, fmt.Errorf("proctree: malformed pid in stat: %w", err)
	}
	// After ") " come fields 3 (state), 4 (ppid), ... 14-17 (utime, stime,
	// cutime, cstime): field k is rest[k-3].
	rest := bytes.Fields(b[close+1:])
	if len(rest) < 15 {
		return Stat{}, fmt.Errorf("proctree: short stat %.40q", b)
	}
	var v [5]int64
	for i, k := range []int{4, 14, 15, 16, 17} {
		if v[i], err = strconv.ParseInt(string(rest[k-3]), 10, 64); err != nil {
			return Stat{}, fmt.Errorf("proctree: malformed field %d in stat: %w", k, err)
		}
	}
	return Stat{PID: pid, PPID: int(v[0]), UTime: v[1], STime: v[2], CUTime: v[3], CSTime: v[4]}, nil
}

func readStat(pid string) (Stat, error) {
	b, err := os.ReadFile(filepath.Join(procRoot, pid, "stat"))
	if err != nil {
		return Stat{}, err
	}
	return ParseStat(b)
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
		st, err := readStat(e.Name())
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ESRCH) {
			continue // exited meanwhile
		}
		if err != nil {
			return nil, err
		}
		children[st.PPID] = append(children[st.PPID], st.PID)
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

// CPUTime is the CPU time spent so far by root and every live descendant,
// plus what their exited children spent (vsftpd and ProFTPD reap their
// session processes, which moves the time of those into the reaper's
// cutime/cstime). The difference of two readings is what the server spent
// in between, whatever processes it used.
//
// A live process's time comes from /proc/PID/task/*/schedstat (nanoseconds
// on the CPU, exact): its utime and stime in /proc/PID/stat are tick samples that
// lag by up to a second for short-lived busy processes, which made a
// forking server's burst look almost free.
func CPUTime(root int) (time.Duration, error) {
	pids, err := Tree(root)
	if err != nil {
		return 0, err
	}
	var total time.Duration
	for _, pid := range pids {
		p := strconv.Itoa(pid)
		st, err := readStat(p)
		if err != nil {
			continue
		}
		ns, err := readSchedRuntime(p)
		if err != nil {
			ns = time.Duration(st.UTime+st.STime) * time.Second / ClockTicks
		}
		total += ns + time.Duration(st.CUTime+st.CSTime)*time.Second/ClockTicks
	}
	return total, nil
}

// readSchedRuntime sums the first field of /proc/PID/task/*/schedstat:
// the time each thread has spent on a CPU, in nanoseconds (the file of the
// process itself covers its main thread only, which in a Go server is
// mostly idle).
func readSchedRuntime(pid string) (time.Duration, error) {
	tasks, err := os.ReadDir(filepath.Join(procRoot, pid, "task"))
	if err != nil {
		return 0, err
	}
	var total time.Duration
	for _, t := range tasks {
		b, err := os.ReadFile(filepath.Join(procRoot, pid, "task", t.Name(), "schedstat"))
		if err != nil {
			continue // the thread exited
		}
		f := bytes.Fields(b)
		if len(f) == 0 {
			return 0, fmt.Errorf("proctree: empty schedstat")
		}
		ns, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil {
			return 0, err
		}
		total += time.Duration(ns)
	}
	return total, nil
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
