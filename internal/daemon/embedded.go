package daemon

import _ "embed"

// EmbeddedConfig is the configuration `wharf serve` runs without -c.
//
//go:embed embedded.conf
var EmbeddedConfig []byte
