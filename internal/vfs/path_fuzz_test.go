package vfs

import (
	"path"
	"strings"
	"testing"
)

func FuzzResolvePath(f *testing.F) {
	seeds := [][2]string{
		{"/", ""}, {"/", "."}, {"/", ".."}, {"/a/b", "../../../../etc/passwd"},
		{"/a", "/b/../../c"}, {"/", "a//b///c/"}, {"/x", "./.././y"},
		{"/", "café ü.bin"}, {"/", "a\x00b"}, {"/", "a\r\nb"}, {"/", "..."},
		{"/a", "..a/b.."}, {"", "x"}, {"relative", "../.."}, {"/", "/"},
		{"//", "//"}, {"/", "a/./../b/./"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, rawCwd, p string) {
		// A session's cwd is always an earlier result of Resolve; Resolve
		// does not vet cwd itself (a cwd with CR would leak into results).
		cwd, err := Resolve("/", rawCwd)
		if err != nil {
			return
		}
		v, err := Resolve(cwd, p)
		if err != nil {
			if !strings.ContainsAny(p, "\x00\r\n") {
				t.Fatalf("Resolve(%q, %q) refused a clean name: %v", cwd, p, err)
			}
			return
		}
		checkVirtual(t, v)
		rel := Rel(v)
		checkRel(t, v, rel)
		// Resolving again, from anywhere, is a fixed point.
		if again, err := Resolve(cwd, v); err != nil || again != v {
			t.Fatalf("Resolve(%q, %q) = %q, %v; not a fixed point", cwd, v, again, err)
		}
		if back, _ := Resolve("/", rel); back != v {
			t.Fatalf("Resolve(\"/\", Rel(%q)) = %q", v, back)
		}
	})
}

func checkVirtual(t *testing.T, v string) {
	t.Helper()
	if !strings.HasPrefix(v, "/") || path.Clean(v) != v {
		t.Fatalf("Resolve gave %q: not a clean absolute path", v)
	}
	if hasDotDot(v) {
		t.Fatalf("Resolve gave %q with a .. element", v)
	}
}

func checkRel(t *testing.T, v, rel string) {
	t.Helper()
	if strings.HasPrefix(rel, "/") || rel == "" || hasDotDot(rel) {
		t.Fatalf("Rel(%q) = %q", v, rel)
	}
	if (rel == ".") != (v == "/") {
		t.Fatalf("Rel(%q) = %q: only the root is \".\"", v, rel)
	}
	if path.Clean(rel) != rel {
		t.Fatalf("Rel(%q) = %q is not clean", v, rel)
	}
}
