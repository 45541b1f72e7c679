package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestReapAdoptsOrphans: a process whose parent exits is adopted by reap
// (not by init), and reap waits for it before it exits, so its CPU time
// lands in reap's cutime. The test binary plays reap in a child of its own.
func TestReapAdoptsOrphans(t *testing.T) {
	if cmd := os.Getenv("LOADGEN_REAP_CMD"); cmd != "" {
		if err := cmdReap([]string{"--", "sh", "-c", cmd}); err != nil {
			t.Fatal(err)
		}
		return
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "ppid")
	// The orphan waits until its parent ($1) has gone and writes its new one.
	orphan := filepath.Join(dir, "orphan.sh")
	script := `ppid() { cut -d' ' -f4 /proc/$$/stat; }
while [ "$(ppid)" = "$1" ]; do :; done
ppid > ` + out + ".tmp && mv " + out + ".tmp " + out + "\n"
	if err := os.WriteFile(orphan, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	reaper := exec.Command(os.Args[0], "-test.run=^TestReapAdoptsOrphans$")
	reaper.Env = append(os.Environ(), "LOADGEN_REAP_CMD=sh "+orphan+" $$ & exit 0")
	if b, err := reaper.CombinedOutput(); err != nil {
		t.Fatalf("reap: %v\n%s", err, b)
	}
	// reap returned only after the orphan ended, so its file is there.
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("the orphan wrote nothing before reap ended: %v", err)
	}
	if got, want := strings.TrimSpace(string(b)), strconv.Itoa(reaper.Process.Pid); got != want {
		t.Errorf("the orphan's new parent is %s, want reap (%s)", got, want)
	}
}
