package proctree

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	tail := " 0 0 0 0 0 0 0 0 0 11 22 33 44 20 0 1"
	cases := []struct {
		in   string
		want Stat
	}{
		{"1234 (vsftpd) S 1" + tail, Stat{1234, 1, 11, 22, 33, 44}},
		{"77 (a b) c) (d) R 76" + tail, Stat{77, 76, 11, 22, 33, 44}},
		{"5 ()) S 4" + tail, Stat{5, 4, 11, 22, 33, 44}},
	}
	for _, c := range cases {
		got, err := ParseStat([]byte(c.in))
		if err != nil || got != c.want {
			t.Errorf("ParseStat(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "12 vsftpd S 1" + tail, "x (a) S 1" + tail, "12 (a) S 1 2 3", "12 (a) S y" + tail} {
		if _, err := ParseStat([]byte(bad)); err == nil {
			t.Errorf("ParseStat(%q) succeeded", bad)
		}
	}
}

func TestField(t *testing.T) {
	text := []byte("Name:\tvsftpd\nVmHWM:\t  9000 kB\nVmRSS:\t  8612 kB\nPss:   1200 kB\n")
	if v, ok := Field(text, "VmRSS"); !ok || v != 8612 {
		t.Errorf("VmRSS = %d, %v", v, ok)
	}
	if v, ok := Field(text, "Pss"); !ok || v != 1200 {
		t.Errorf("Pss = %d, %v", v, ok)
	}
	if _, ok := Field(text, "Vm"); ok {
		t.Error("a prefix of a field name matched")
	}
	if _, ok := Field(text, "Rss"); ok {
		t.Error("missing field found")
	}
}

// fakeProc builds a /proc with the given pid -> (ppid, rss, pss) entries.
func fakeProc(t *testing.T, procs map[int][3]int) {
	t.Helper()
	dir := t.TempDir()
	for pid, v := range procs {
		d := filepath.Join(dir, strconv.Itoa(pid))
		os.MkdirAll(d, 0o755)
		stat := strconv.Itoa(pid) + " (x y) S " + strconv.Itoa(v[0]) + " 0 0 0 0 0 0 0 0 0 " +
			strconv.Itoa(v[1]) + " 1 " + strconv.Itoa(v[2]) + " 0 20 0 1\n" // utime=rss, stime=1, cutime=pss, cstime=0
		os.WriteFile(filepath.Join(d, "stat"), []byte(stat), 0o644)
		os.WriteFile(filepath.Join(d, "status"), []byte("Name:\tx\nVmRSS:\t"+strconv.Itoa(v[1])+" kB\n"), 0o644)
		os.WriteFile(filepath.Join(d, "smaps_rollup"), []byte("Rss: 1 kB\nPss:\t"+strconv.Itoa(v[2])+" kB\n"), 0o644)
	}
	os.MkdirAll(filepath.Join(dir, "self"), 0o755)
	os.WriteFile(filepath.Join(dir, "uptime"), []byte("1 1\n"), 0o644)
	old := procRoot
	procRoot = dir
	t.Cleanup(func() { procRoot = old })
}

func TestTreeAndMeasure(t *testing.T) {
	fakeProc(t, map[int][3]int{
		1:   {0, 1, 1},
		100: {1, 1000, 500},  // the server
		101: {100, 200, 50},  // session
		102: {101, 300, 60},  // session's helper
		103: {100, 400, 70},  // another session
		200: {1, 9999, 9999}, // unrelated
	})
	pids, err := Tree(100)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pids, []int{100, 101, 103, 102}) {
		t.Fatalf("Tree = %v", pids)
	}
	m, err := Measure(pids, true)
	if err != nil || m != (Mem{Procs: 4, RSS: 1900, PSS: 680}) {
		t.Fatalf("Measure = %+v, %v", m, err)
	}
	if m, _ := Measure(pids, false); m.PSS != 0 {
		t.Fatalf("PSS read without asking: %+v", m)
	}
	if _, err := Measure([]int{555}, false); err != ErrGone {
		t.Fatalf("Measure of a gone process: %v", err)
	}
	if _, err := Tree(555); err == nil {
		t.Fatal("Tree of a missing root succeeded")
	}
	// Without schedstat: utime+stime, plus cutime+cstime, of the four:
	// (1000+1+500)+(200+1+50)+(300+1+60)+(400+1+70) = 2584 ticks.
	cpu, err := CPUTime(100)
	if err != nil || cpu != 25840*time.Millisecond {
		t.Fatalf("CPUTime = %v, %v", cpu, err)
	}
	// Per-thread schedstat, when there, replaces utime+stime: 100's two
	// threads give 7 s instead of 10.01 s.
	for tid, ns := range map[string]string{"100": "4000000000", "104": "3000000000"} {
		d := filepath.Join(procRoot, "100", "task", tid)
		os.MkdirAll(d, 0o755)
		os.WriteFile(filepath.Join(d, "schedstat"), []byte(ns+" 123 4\n"), 0o644)
	}
	cpu, err = CPUTime(100)
	if err != nil || cpu != 25840*time.Millisecond-10010*time.Millisecond+7*time.Second {
		t.Fatalf("CPUTime with schedstat = %v, %v", cpu, err)
	}
}

func TestSamplerOnSelf(t *testing.T) {
	s := StartSampler(os.Getpid(), time.Millisecond)
	time.Sleep(5 * time.Millisecond)
	peak := s.Stop()
	if peak.Procs < 1 || peak.RSS <= 0 {
		t.Fatalf("peak = %+v", peak)
	}
}
