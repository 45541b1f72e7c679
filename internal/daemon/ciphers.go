package daemon

import (
	"crypto/tls"
	"strings"

	"wharf/internal/config"
)

// openSSLSuites maps OpenSSL's names for the TLS 1.2 suites Go offers to
// Go's identifiers.
var openSSLSuites = map[string]uint16{
	"ECDHE-ECDSA-AES128-GCM-SHA256": tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	"ECDHE-RSA-AES128-GCM-SHA256":   tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	"ECDHE-ECDSA-AES256-GCM-SHA384": tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	"ECDHE-RSA-AES256-GCM-SHA384":   tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	"ECDHE-ECDSA-CHACHA20-POLY1305": tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	"ECDHE-RSA-CHACHA20-POLY1305":   tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	"ECDHE-ECDSA-AES128-SHA":        tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
	"ECDHE-RSA-AES128-SHA":          tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
	"ECDHE-ECDSA-AES256-SHA":        tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
	"ECDHE-RSA-AES256-SHA":          tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
}

// cipherSuites reads ssl_ciphers. Unset, Go's defaults apply (AES-GCM or
// ChaCha20 ordered by the CPU's AES support). Set, each name Go offers is
// kept in order; group words (HIGH, DEFAULT, ...) mean Go's defaults; names
// Go does not offer (3DES, RC4, DHE, CBC-SHA256, NULL, ...) are dropped
// with a warning. TLS 1.3's suites are not configurable in Go.
func cipherSuites(c *config.Config) ([]uint16, []string) {
	if !c.IsSet("ssl_ciphers") {
		return nil, nil
	}
	var ids []uint16
	var ignored []string
	groups := false
	for _, tok := range strings.FieldsFunc(c.Str("ssl_ciphers"), func(r rune) bool { return r == ':' || r == ',' || r == ' ' }) {
		switch {
		case strings.ContainsAny(tok[:1], "!-+@"):
			continue // exclusions and ordering directives: Go's defaults already exclude weak suites
		case isOpenSSLGroup(tok):
			groups = true
		case openSSLSuites[tok] != 0:
			ids = append(ids, openSSLSuites[tok])
		default:
			ignored = append(ignored, tok)
		}
	}
	var warnings []string
	if len(ignored) > 0 {
		warnings = append(warnings, c.Where("ssl_ciphers")+": ssl_ciphers: ignored (not offered by Go's TLS): "+strings.Join(ignored, ", "))
	}
	if groups || len(ids) == 0 {
		if len(ids) == 0 && !groups {
			warnings = append(warnings, c.Where("ssl_ciphers")+": ssl_ciphers: no usable suite named; using Go's secure defaults")
		}
		return nil, warnings
	}
	return ids, warnings
}

func isOpenSSLGroup(tok string) bool {
	switch strings.ToUpper(tok) {
	case "HIGH", "MEDIUM", "DEFAULT", "ALL", "COMPLEMENTOFDEFAULT", "SECURE128", "SECURE192", "SUITEB128", "SUITEB192",
		"ECDHE", "EECDH", "AESGCM", "AES", "AES128", "AES256", "CHACHA20", "TLSV1.2", "PROFILE=SYSTEM":
		return true
	}
	return false
}
