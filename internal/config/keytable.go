package config

import (
	"fmt"
	"sort"
	"strings"
)

// Type is the value type of a key, which decides how its value is read.
type Type int

const (
	TypeBool    Type = iota // YES/NO, also TRUE/FALSE/1/0, in any case
	TypeInt                 // a number; a leading 0 makes it octal, as in vsftpd (021 is 17)
	TypeOctal               // permission bits or a umask, conventionally written with a leading 0 (077)
	TypeString              // everything after the first '=', verbatim
	TypeSeconds             // a number of seconds, read like TypeInt
)

func (t Type) String() string {
	switch t {
	case TypeBool:
		return "bool"
	case TypeInt:
		return "int"
	case TypeOctal:
		return "octal"
	case TypeString:
		return "string"
	case TypeSeconds:
		return "seconds"
	}
	return fmt.Sprintf("Type(%d)", int(t))
}

// numeric reports whether values of the type are read as numbers (Config.Int).
func (t Type) numeric() bool { return t == TypeInt || t == TypeOctal || t == TypeSeconds }

// Status says what Wharf does with a key.
type Status int

const (
	// Implemented keys take effect.
	Implemented Status = iota
	// NotNeeded keys are accepted with any valid value and have no effect; Reason says what Wharf does instead.
	NotNeeded
	// Refused keys will not be implemented: accepted at their default value, an error otherwise; Reason says
	// why and what to use instead.
	Refused
)

func (s Status) String() string {
	switch s {
	case Implemented:
		return "implemented"
	case NotNeeded:
		return "not needed"
	case Refused:
		return "refused"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Key describes one configuration key. Default is written as Normalize writes values: YES/NO, octal with a
// leading 0, decimal numbers, strings verbatim ("" is vsftpd's "(none)").
type Key struct {
	Name    string
	Type    Type
	Default string
	Doc     string
	Status  Status
	Reason  string
}

// keyInfo is a table entry with its default parsed once.
type keyInfo struct {
	Key
	def   value
	wharf bool // one of Wharf's own keys rather than vsftpd's
}

var (
	byName map[string]*keyInfo
	sorted []Key
)

func init() {
	byName = make(map[string]*keyInfo, len(vsftpdKeys)+len(wharfKeys))
	add := func(keys []Key, wharf bool) {
		for _, k := range keys {
			if _, dup := byName[k.Name]; dup {
				panic("config: key listed twice: " + k.Name)
			}
			def, err := parseValue(k.Type, k.Default)
			if err != nil {
				panic(fmt.Sprintf("config: default of %s: %v", k.Name, err))
			}
			byName[k.Name] = &keyInfo{Key: k, def: def, wharf: wharf}
			sorted = append(sorted, k)
		}
	}
	add(vsftpdKeys, false)
	add(wharfKeys, true)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
}

// Keys returns every known key, vsftpd's and Wharf's own, sorted by name.
func Keys() []Key { return append([]Key(nil), sorted...) }

// Lookup returns the key called name (names are case-sensitive, as in vsftpd).
func Lookup(name string) (Key, bool) {
	if k, ok := byName[name]; ok {
		return k.Key, true
	}
	return Key{}, false
}

// suggest returns the known key closest to an unknown name, or "" when none is close enough to be a likely
// typo. Case and surrounding blanks are ignored, so "LISTEN" and "listen " find "listen".
func suggest(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	if n == "" || len(n) > 64 {
		return ""
	}
	limit := 2
	switch {
	case len(n) < 5:
		limit = 1
	case len(n) >= 14:
		limit = 3
	}
	best, bestD := "", limit+1
	for _, k := range sorted { // sorted, so ties go to the first name alphabetically
		if d := editDistance(n, k.Name); d < bestD {
			best, bestD = k.Name, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
