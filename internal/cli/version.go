package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version is set at release build time with -ldflags "-X wharf/internal/cli.Version=...".
var Version = "dev"

func runVersion(e env) int {
	rev := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				rev = " " + s.Value
			}
		}
	}
	fmt.Fprintf(e.stdout, "wharf %s%s (%s %s/%s)\n", Version, rev, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return 0
}
