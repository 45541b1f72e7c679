package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"wharf/internal/config"
	"wharf/internal/daemon"
	"wharf/internal/logging"
)

func runServe(e env) int {
	fs := newFlagSet("serve", e)
	var cf configFlags
	cf.register(fs)
	if fs.Parse(e.args) != nil {
		return 2
	}
	var demo *demoSetup
	cfg, err := loadConfig(e, cf, &demo)
	if demo != nil {
		defer demo.cleanup()
	}
	if err != nil {
		fmt.Fprintln(e.stderr, "wharf: not starting:", err)
		return 1
	}
	log, err := logging.New(e.stderr, cfg.Str("log_format"), cfg.Str("log_level"))
	if err != nil {
		fmt.Fprintln(e.stderr, "wharf: not starting:", err)
		return 1
	}
	d, err := daemon.New(cfg, log)
	if err != nil {
		fmt.Fprintln(e.stderr, "wharf: not starting:", err)
		return 1
	}
	if demo != nil {
		demo.announce(e.stdout, cfg, d.Addrs(), d.CertFingerprint(), d.SFTPAddr(), d.SFTPHostKeyFingerprints())
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	go reloadOnHUP(ctx, d)
	if err := d.Run(ctx); err != nil {
		fmt.Fprintln(e.stderr, "wharf:", err)
		return 1
	}
	return 0
}

// loadConfig loads -c FILE, or the embedded demo configuration (setting up
// its temporary directory and demo user) when there is no -c. Diagnostics
// go to stderr, warnings included.
func loadConfig(e env, cf configFlags, demo **demoSetup) (*config.Config, error) {
	var cfg *config.Config
	var diags []config.Diagnostic
	var err error
	if cf.file == "" {
		if *demo, err = newDemo(cf.opts); err != nil {
			return nil, err
		}
		cfg, diags, err = config.Parse("embedded-default", daemon.EmbeddedConfig, (*demo).overrides(cf.opts))
	} else {
		cfg, diags, err = config.Load(cf.file, cf.opts)
	}
	for _, d := range diags {
		fmt.Fprintln(e.stderr, d.String())
	}
	return cfg, err
}

func reloadOnHUP(ctx context.Context, d *daemon.Daemon) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			d.Reload()
		}
	}
}
