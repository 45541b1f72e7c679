package daemon

import (
	"fmt"

	"wharf/internal/certs"
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
	if cfg.Bool("ssl_enable") {
		if err := certs.Check(cfg.Str("rsa_cert_file"), cfg.Str("rsa_private_key_file")); err != nil {
			return fmt.Errorf("%s: rsa_cert_file: %w", cfg.Where("rsa_cert_file"), err)
		}
	}
	if (cfg.Bool("implicit_ssl") || cfg.Int("implicit_ssl_port") != 0) && !cfg.Bool("ssl_enable") {
		return fmt.Errorf("%s: implicit FTPS needs ssl_enable=YES and a certificate", cfg.Where("implicit_ssl_port"))
	}
	if cfg.Bool("local_enable") && cfg.Str("users_file") == "" {
		return fmt.Errorf("local_enable=YES but no users_file is set: nobody could log in (create one with `wharf user add -f FILE NAME`)")
	}
	if err := checkSFTP(cfg); err != nil {
		return err
	}
	return nil
}
