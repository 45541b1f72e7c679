//go:build !cgo

package main

// Without cgo there is no libpam. This stub exists so that
// `CGO_ENABLED=0 go build ./...`, the way wharf itself is built, still
// compiles the whole module; a helper built like this fails every login
// with a PAM error that says how to rebuild it.
func converse(args, string) result {
	return result{code: exitPAMError, reason: "wharf-pam-helper was built without cgo: rebuild it with CGO_ENABLED=1 (needs gcc and libpam0g-dev)"}
}
