//go:build race

package vsftpdconf

// raceEnabled: `go test -race` builds wharf with -race too, and a data race
// a server reports fails the test that ran it.
const raceEnabled = true
