package cli

import (
	"fmt"

	"wharf/internal/config"
	"wharf/internal/daemon"
)

// runCheckConfig loads the config with the same code serve uses and starts
// nothing. Exit 0: no errors (warnings may be printed); 1: errors.
func runCheckConfig(e env) int {
	fs := newFlagSet("check-config", e)
	var cf configFlags
	cf.register(fs)
	if fs.Parse(e.args) != nil {
		return 2
	}
	name, cfg, diags, err := loadForCheck(cf)
	for _, d := range diags {
		fmt.Fprintln(e.stdout, d.String())
	}
	if err != nil {
		fmt.Fprintf(e.stdout, "%s: not valid: fix the errors above\n", name)
		return 1
	}
	if err := daemon.Check(cfg); err != nil {
		fmt.Fprintf(e.stdout, "%s: not valid: %v\n", name, err)
		return 1
	}
	if err := daemon.CheckPorts(cfg); err != nil {
		fmt.Fprintf(e.stdout, "%s: not valid: %v\n", name, err)
		return 1
	}
	fmt.Fprintf(e.stdout, "%s: ok (%d warning(s))\n", name, len(diags))
	return 0
}

func loadForCheck(cf configFlags) (string, *config.Config, []config.Diagnostic, error) {
	if cf.file == "" {
		cfg, diags, err := config.Parse("embedded-default", daemon.EmbeddedConfig, cf.opts)
		return "embedded-default", cfg, diags, err
	}
	cfg, diags, err := config.Load(cf.file, cf.opts)
	return cf.file, cfg, diags, err
}
