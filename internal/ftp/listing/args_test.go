package listing

import "testing"

func TestSplitArgs(t *testing.T) {
	tests := []struct {
		arg   string
		flags Flags
		path  string
	}{
		{"", Flags{}, ""},
		{"/dir", Flags{}, "/dir"},
		{"-la /dir", Flags{All: true, Long: true}, "/dir"},
		{"-l", Flags{Long: true}, ""},
		{"-a", Flags{All: true}, ""},
		{"-A", Flags{All: true}, ""},
		{"-R", Flags{Recursive: true}, ""},
		{"-lR sub", Flags{Long: true, Recursive: true}, "sub"},
		{"-l -a dir", Flags{Long: true, All: true}, "dir"},
		{"-l   dir", Flags{Long: true}, "dir"},
		{"-ltrhF1 dir", Flags{Long: true}, "dir"}, // unknown letters ignored
		{"-z", Flags{}, ""},                       // an option word of unknown letters only
		{"my -file", Flags{}, "my -file"},
		{"-", Flags{}, "-"},
		{"- dir", Flags{}, "- dir"},
		{"-l -", Flags{Long: true}, "-"},
		{"-my.file", Flags{}, "-my.file"},
		{"--", Flags{}, "--"},
		{"-l my file with spaces", Flags{Long: true}, "my file with spaces"},
		{"-l dir -a", Flags{Long: true}, "dir -a"}, // options only before the path
		{"-l\u00e9 x", Flags{}, "-l\u00e9 x"},      // non-ASCII: a path, not options
	}
	for _, tt := range tests {
		flags, path := SplitArgs(tt.arg)
		if flags != tt.flags || path != tt.path {
			t.Errorf("SplitArgs(%q) = %+v, %q; want %+v, %q", tt.arg, flags, path, tt.flags, tt.path)
		}
	}
}
