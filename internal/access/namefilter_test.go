package access

import "testing"

func TestNameFilter(t *testing.T) {
	tests := []struct {
		pattern, path string
		want          bool
	}{
		{"{*.mp3,*.mov,.private}", "/music/a.mp3", true},
		{"{*.mp3,*.mov,.private}", "/a.mp4", false},
		{"{*.mp3,*.mov,.private}", "/.private/notes.txt", true},
		{"{*.mp3,*.mov,.private}", "/x/.private", true},
		{"*.exe", "/setup.exe", true},
		{"*.exe", "/setup.exe.txt", false},
		{"secret?", "/dir/secret1/file", true},
		{"", "/anything", false},
		{"{}", "/anything", false},
	}
	for _, tt := range tests {
		f, err := ParseNameFilter(tt.pattern)
		if err != nil {
			t.Fatalf("%q: %v", tt.pattern, err)
		}
		if got := f.MatchPath(tt.path); got != tt.want {
			t.Errorf("%q MatchPath(%q) = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
	}
}

func TestNameFilterErrors(t *testing.T) {
	for _, p := range []string{"{*.mp3", "[a-", "{a,[}"} {
		if _, err := ParseNameFilter(p); err == nil {
			t.Errorf("ParseNameFilter(%q) accepted a bad pattern", p)
		}
	}
}

func FuzzNameFilter(f *testing.F) {
	for _, s := range []string{"{*.mp3,*.mov,.private}", "*", "{a,b}", "[x]", ""} {
		f.Add(s, "/a/b.mp3")
	}
	f.Fuzz(func(t *testing.T, pattern, p string) {
		nf, err := ParseNameFilter(pattern)
		if err != nil {
			return
		}
		if nf.Empty() && nf.MatchPath(p) {
			t.Fatal("an empty filter matched")
		}
	})
}
