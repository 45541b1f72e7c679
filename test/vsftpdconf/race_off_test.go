//go:build !race

package vsftpdconf

const raceEnabled = false
