//go:build race

package interop

// raceEnabled: `go test -race` builds the wharf binary with -race too, and a
// data race the server reports fails the test that ran it.
const raceEnabled = true
