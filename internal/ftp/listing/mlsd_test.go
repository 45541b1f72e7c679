package listing

import (
	"bytes"
	"io/fs"
	"strings"
	"testing"
	"time"
)

func TestMLSTFacts(t *testing.T) {
	mt := time.Date(2026, 1, 2, 15, 4, 5, 999, time.FixedZone("CET", 3600))
	all := FactOptions{CanRead: true, CanWrite: true, CanList: true}
	tests := []struct {
		name   string
		mode   fs.FileMode
		size   int64
		fo     FactOptions
		isCdir bool
		want   string
	}{
		{"writable file", 0o644, 123, all, false,
			"type=file;size=123;modify=20260102140405;perm=adfrw;unix.mode=0644;"},
		{"read-only file", 0o444, 0, FactOptions{CanRead: true, CanList: true}, false,
			"type=file;size=0;modify=20260102140405;perm=r;unix.mode=0444;"},
		{"write-only file", 0o200, 5, FactOptions{CanWrite: true}, false,
			"type=file;size=5;modify=20260102140405;perm=adfw;unix.mode=0200;"},
		{"no rights", 0o600, 5, FactOptions{}, false,
			"type=file;size=5;modify=20260102140405;perm=;unix.mode=0600;"},
		{"dir", fs.ModeDir | 0o755, 4096, all, false,
			"type=dir;modify=20260102140405;perm=cdeflmp;unix.mode=0755;"},
		{"cdir", fs.ModeDir | 0o755, 4096, all, true,
			"type=cdir;modify=20260102140405;perm=cdeflmp;unix.mode=0755;"},
		{"read-only dir", fs.ModeDir | 0o555, 4096, FactOptions{CanRead: true, CanList: true}, false,
			"type=dir;modify=20260102140405;perm=el;unix.mode=0555;"},
		{"unlistable dir", fs.ModeDir | 0o711, 4096, FactOptions{}, false,
			"type=dir;modify=20260102140405;perm=e;unix.mode=0711;"},
		{"isCdir on a file is still a file", 0o644, 1, FactOptions{CanRead: true}, true,
			"type=file;size=1;modify=20260102140405;perm=r;unix.mode=0644;"},
		{"symlink", fs.ModeSymlink | 0o777, 6, all, false,
			"type=OS.unix=symlink;size=6;modify=20260102140405;perm=adfrw;unix.mode=0777;"},
		{"fifo", fs.ModeNamedPipe | 0o600, 0, FactOptions{}, false,
			"type=OS.unix=fifo;size=0;modify=20260102140405;perm=;unix.mode=0600;"},
		{"socket", fs.ModeSocket | 0o600, 0, FactOptions{}, false,
			"type=OS.unix=socket;size=0;modify=20260102140405;perm=;unix.mode=0600;"},
		{"char device", fs.ModeDevice | fs.ModeCharDevice | 0o666, 0, FactOptions{}, false,
			"type=OS.unix=chr;size=0;modify=20260102140405;perm=;unix.mode=0666;"},
		{"block device", fs.ModeDevice | 0o660, 0, FactOptions{}, false,
			"type=OS.unix=blk;size=0;modify=20260102140405;perm=;unix.mode=0660;"},
		{"special bits", fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky | 0o755, 1, FactOptions{}, false,
			"type=file;size=1;modify=20260102140405;perm=;unix.mode=7755;"},
		{"sticky dir", fs.ModeDir | fs.ModeSticky | 0o777, 0, FactOptions{}, false,
			"type=dir;modify=20260102140405;perm=e;unix.mode=1777;"},
	}
	for _, tt := range tests {
		fi := fakeInfo{name: "x", size: tt.size, mode: tt.mode, mtime: mt}
		if got := MLSTFacts(fi, tt.fo, tt.isCdir); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}

func TestWriteMLSD(t *testing.T) {
	mt := time.Date(2025, 12, 31, 23, 59, 59, 0, time.UTC)
	d := dirOf(
		entry("a file.txt", 10, 0o644, mt),
		entry(".profile", 20, 0o600, mt),
		entry("sub", 4096, fs.ModeDir|0o750, mt),
	)
	var buf bytes.Buffer
	if err := WriteMLSD(&buf, d, FactOptions{CanRead: true, CanList: true}); err != nil {
		t.Fatal(err)
	}
	want := "type=file;size=10;modify=20251231235959;perm=r;unix.mode=0644; a file.txt\r\n" +
		"type=file;size=20;modify=20251231235959;perm=r;unix.mode=0600; .profile\r\n" +
		"type=dir;modify=20251231235959;perm=el;unix.mode=0750; sub\r\n"
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

// TestFeatMLSTMatchesFacts keeps FEAT honest: every fact WriteMLSD emits is
// announced, in the same order, and marked as on by default.
func TestFeatMLSTMatchesFacts(t *testing.T) {
	facts := MLSTFacts(fakeInfo{mode: 0o644, mtime: now}, FactOptions{}, false)
	var names []string
	for _, f := range strings.Split(strings.TrimSuffix(facts, ";"), ";") {
		name, _, _ := strings.Cut(f, "=")
		names = append(names, name+"*")
	}
	want := "MLST " + strings.Join(names, ";") + ";"
	if FeatMLST != want {
		t.Errorf("FeatMLST = %q, facts emitted announce %q", FeatMLST, want)
	}
}
