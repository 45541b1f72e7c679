package access

import (
	"errors"
	"path"
	"strings"
)

// NameFilter is vsftpd's deny_file / hide_file pattern: a comma-separated
// list of shell globs in braces, "{*.mp3,*.mov,.private}" (the braces are
// optional). A name matches when any glob matches it.
type NameFilter struct {
	globs []string
}

// ParseNameFilter compiles a pattern; "" gives a filter that matches
// nothing.
func ParseNameFilter(pattern string) (*NameFilter, error) {
	p := strings.TrimSpace(pattern)
	if p == "" {
		return &NameFilter{}, nil
	}
	if strings.HasPrefix(p, "{") {
		if !strings.HasSuffix(p, "}") {
			return nil, errors.New("unbalanced braces: write {glob1,glob2,...}")
		}
		p = p[1 : len(p)-1]
	}
	f := &NameFilter{}
	for _, g := range strings.Split(p, ",") {
		if g == "" {
			continue
		}
		if _, err := path.Match(g, ""); err != nil {
			return nil, errors.New("bad glob " + g + ": " + err.Error())
		}
		f.globs = append(f.globs, g)
	}
	return f, nil
}

// MatchName reports whether a single name (no slashes) matches.
func (f *NameFilter) MatchName(name string) bool {
	for _, g := range f.globs {
		if ok, _ := path.Match(g, name); ok {
			return true
		}
	}
	return false
}

// MatchPath reports whether a virtual path matches: the whole path, or any
// of its elements, so that a denied directory also denies what is in it.
func (f *NameFilter) MatchPath(p string) bool {
	if len(f.globs) == 0 {
		return false
	}
	if f.MatchName(p) {
		return true
	}
	for _, el := range strings.Split(p, "/") {
		if el != "" && f.MatchName(el) {
			return true
		}
	}
	return false
}

// Empty reports a filter that matches nothing.
func (f *NameFilter) Empty() bool { return len(f.globs) == 0 }
