package daemon

import (
	"cmp"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"wharf/internal/certs"
	"wharf/internal/config"
	"wharf/internal/ftp"
)

// tlsSetup is FTPS's part of the daemon: the options for the engine and
// the certificate store that SIGHUP reloads.
type tlsSetup struct {
	config   *tls.Config // nil: FTPS off
	store    *certs.Store
	warnings []string
}

// buildTLS reads the ssl_* keys. With ssl_enable=NO it returns a zero
// setup (FTPS off).
func buildTLS(c *config.Config, log *slog.Logger) (tlsSetup, error) {
	if !c.Bool("ssl_enable") {
		return tlsSetup{}, nil
	}
	store, err := certs.Load(c.Str("rsa_cert_file"), c.Str("rsa_private_key_file"))
	if err != nil {
		return tlsSetup{}, fmt.Errorf("%s: rsa_cert_file: %w", c.Where("rsa_cert_file"), err)
	}
	minV, maxV, warnings, err := tlsVersions(c)
	if err != nil {
		return tlsSetup{}, err
	}
	suites, cipherWarnings := cipherSuites(c)
	warnings = append(warnings, cipherWarnings...)
	cfg := &tls.Config{
		GetCertificate: store.GetCertificate,
		MinVersion:     minV,
		MaxVersion:     maxV,
		CipherSuites:   suites,
		// Full-size records from the first byte: FTPS data connections
		// are bulk transfers, not web pages waiting for a first paint.
		DynamicRecordSizingDisabled: true,
	}
	if err := clientCertPolicy(c, cfg); err != nil {
		return tlsSetup{}, err
	}
	sniPolicy(c, cfg)
	if c.Bool("debug_ssl") {
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			log.Info("TLS handshake", "version", tls.VersionName(cs.Version), "suite", tls.CipherSuiteName(cs.CipherSuite),
				"resumed", cs.DidResume, "sni", cs.ServerName, "client_certs", len(cs.PeerCertificates))
			return nil
		}
	}
	return tlsSetup{store: store, warnings: warnings, config: cfg}, nil
}

// tlsOptions are the engine's FTPS options for config c (the server's, or
// a user's overlay: the force_* keys may differ per user).
func (t tlsSetup) tlsOptions(c *config.Config) ftp.TLSOptions {
	if t.config == nil {
		return ftp.TLSOptions{}
	}
	return ftp.TLSOptions{
		Config:           t.config,
		ForceLocalLogins: c.Bool("force_local_logins_ssl"),
		ForceLocalData:   c.Bool("force_local_data_ssl"),
		ForceAnonLogins:  c.Bool("force_anon_logins_ssl"),
		ForceAnonData:    c.Bool("force_anon_data_ssl"),
		AllowAnon:        c.Bool("allow_anon_ssl"),
		RequireReuse:     c.Bool("require_ssl_reuse"),
		StrictReadEOF:    c.Bool("strict_ssl_read_eof"),
	}
}

// tlsVersions turns ssl_tlsv1..ssl_tlsv1_3 into Go's min/max. SSL 2 and 3
// are never offered (the config refuses ssl_sslv2/ssl_sslv3=YES). Go's
// TLS takes a range, so a version turned off between two that are on
// (ssl_tlsv1=YES with vsftpd's ssl_tlsv1_1=NO, say) is on too, with a
// warning: refusing to start would break vsftpd configs that work.
func tlsVersions(c *config.Config) (minV, maxV uint16, warnings []string, err error) {
	keys := []struct {
		key string
		v   uint16
	}{{"ssl_tlsv1", tls.VersionTLS10}, {"ssl_tlsv1_1", tls.VersionTLS11}, {"ssl_tlsv1_2", tls.VersionTLS12}, {"ssl_tlsv1_3", tls.VersionTLS13}}
	for _, k := range keys {
		if c.Bool(k.key) {
			minV = cmp.Or(minV, k.v)
			maxV = k.v
		}
	}
	if minV == 0 {
		return 0, 0, nil, errors.New("ssl_enable=YES but every TLS version is off: set ssl_tlsv1_2=YES or ssl_tlsv1_3=YES")
	}
	for _, k := range keys {
		if k.v > minV && k.v < maxV && !c.Bool(k.key) {
			warnings = append(warnings, fmt.Sprintf("%s: %s=NO is ignored: Go's TLS takes a range of versions, so %s is on "+
				"between %s and %s", c.Where(k.key), k.key, tls.VersionName(k.v), tls.VersionName(minV), tls.VersionName(maxV)))
		}
	}
	return minV, maxV, warnings, nil
}

// clientCertPolicy applies ssl_request_cert, require_cert, validate_cert
// and ca_certs_file as vsftpd does.
func clientCertPolicy(c *config.Config, cfg *tls.Config) error {
	validate := c.Bool("validate_cert")
	if validate || c.Str("ca_certs_file") != "" {
		pool, err := loadCAs(c)
		if err != nil {
			return err
		}
		cfg.ClientCAs = pool
	}
	switch {
	case c.Bool("require_cert") && validate:
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	case c.Bool("require_cert"):
		cfg.ClientAuth = tls.RequireAnyClientCert
	case validate:
		cfg.ClientAuth = tls.VerifyClientCertIfGiven
	case c.Bool("ssl_request_cert"):
		cfg.ClientAuth = tls.RequestClientCert
	}
	return nil
}

func loadCAs(c *config.Config) (*x509.CertPool, error) {
	path := c.Str("ca_certs_file")
	if path == "" {
		return nil, fmt.Errorf("%s: validate_cert=YES needs ca_certs_file: the CAs client certificates must chain to", c.Where("validate_cert"))
	}
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: ca_certs_file: %w", c.Where("ca_certs_file"), err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: ca_certs_file %s holds no PEM certificate", c.Where("ca_certs_file"), path)
	}
	return pool, nil
}

// sniPolicy refuses a handshake naming another host (ssl_sni_hostname).
func sniPolicy(c *config.Config, cfg *tls.Config) {
	want := c.Str("ssl_sni_hostname")
	if want == "" {
		return
	}
	cfg.GetConfigForClient = func(h *tls.ClientHelloInfo) (*tls.Config, error) {
		if h.ServerName != "" && !strings.EqualFold(h.ServerName, want) {
			return nil, fmt.Errorf("SNI name %q is not %q (ssl_sni_hostname)", h.ServerName, want)
		}
		return nil, nil
	}
}
