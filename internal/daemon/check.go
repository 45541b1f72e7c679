package daemon

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"syscall"

	"wharf/internal/auth"
	"wharf/internal/config"
)

// Check runs every start-up check without opening a socket or starting
// anything: the checks below plus building what serve builds (accounts,
// policy files, chroot list, banner, passive address, certificate), so that
// `wharf check-config` reports exactly what `wharf serve` would refuse.
func Check(cfg *config.Config) error {
	if err := checkStandalone(cfg); err != nil {
		return err
	}
	if _, err := pasvAddress(cfg); err != nil {
		return err
	}
	if _, err := buildTLS(cfg, slog.New(slog.DiscardHandler)); err != nil {
		return err
	}
	if _, err := buildAccounts(cfg, auth.NewVerifier(auth.VerifierOptions{})); err != nil {
		return err
	}
	if _, err := buildPolicy(cfg); err != nil {
		return err
	}
	if _, err := newChrootPolicy(cfg); err != nil {
		return err
	}
	_, err := bannerText(cfg)
	return err
}

// checkStandalone runs the checks that building the servers does not
// already make; New calls only these, so nothing is read twice at start.
func checkStandalone(cfg *config.Config) error {
	if err := checkAnonymous(cfg); err != nil {
		return err
	}
	if err := checkKeyFile(cfg); err != nil {
		return err
	}
	if (cfg.Bool("implicit_ssl") || cfg.Int("implicit_ssl_port") != 0) && !cfg.Bool("ssl_enable") {
		return fmt.Errorf("%s: implicit FTPS needs ssl_enable=YES and a certificate", cfg.Where("implicit_ssl_port"))
	}
	if err := checkDir(cfg, "user_config_dir"); err != nil {
		return err
	}
	if err := checkDataPortPrivilege(cfg); err != nil {
		return err
	}
	return checkSFTP(cfg)
}

// checkKeyFile reports an unreadable rsa_private_key_file at its own line
// (loading the pair would blame rsa_cert_file).
func checkKeyFile(cfg *config.Config) error {
	cert, key := cfg.Str("rsa_cert_file"), cfg.Str("rsa_private_key_file")
	if !cfg.Bool("ssl_enable") || key == "" {
		return nil
	}
	if _, err := os.Stat(cert); err != nil {
		return nil // the pair's loading names the missing certificate
	}
	f, err := os.Open(key)
	if err != nil {
		return fmt.Errorf("%s: rsa_private_key_file: cannot read %s: %w", cfg.Where("rsa_private_key_file"), key, errors.Unwrap(err))
	}
	return f.Close()
}

// checkDir reports a directory key naming something that is not there.
func checkDir(cfg *config.Config, key string) error {
	dir := cfg.Str(key)
	if dir == "" {
		return nil
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("%s: %s: %s is not a directory", cfg.Where(key), key, dir)
	}
	return nil
}

// checkDataPortPrivilege tells, before the first active transfer fails,
// that connect_from_port_20 needs the right to bind ftp_data_port.
func checkDataPortPrivilege(cfg *config.Config) error {
	port := cfg.Int("ftp_data_port")
	if !cfg.Bool("connect_from_port_20") || port >= 1024 {
		return nil
	}
	l, err := net.Listen("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if errors.Is(err, syscall.EACCES) {
		return fmt.Errorf("%s: connect_from_port_20=YES: binding port %d needs root or CAP_NET_BIND_SERVICE (or set connect_from_port_20=NO)", cfg.Where("connect_from_port_20"), port)
	}
	if err == nil {
		l.Close()
	}
	return nil
}

// CheckPorts tells whether the control and implicit-FTPS ports are free
// (check-config; serve finds out by listening).
func CheckPorts(cfg *config.Config) error {
	ls, err := listenControl(cfg, cfg.Bool("ssl_enable"))
	for _, l := range ls {
		l.Close()
	}
	return err
}
