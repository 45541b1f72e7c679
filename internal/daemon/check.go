package daemon

import (
	"fmt"

	"wharf/internal/config"
)

// Check runs the start-up checks that need more than the config text (a
// users file that loads, anonymous settings that fit, a passive address
// that resolves) without opening any socket: `wharf check-config` and
// `wharf serve` share it through New.
func Check(cfg *config.Config) error {
	if err := checkAnonymous(cfg); err != nil {
		return err
	}
	if _, err := pasvAddress(cfg); err != nil {
		return err
	}
	if cfg.Bool("local_enable") && cfg.Str("users_file") == "" {
		return fmt.Errorf("local_enable=YES but no users_file is set: nobody could log in (create one with `wharf user add -f FILE NAME`)")
	}
	return nil
}
