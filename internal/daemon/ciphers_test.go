package daemon

import (
	"crypto/tls"
	"slices"
	"strings"
	"testing"
)

func TestCipherSuites(t *testing.T) {
	pki := newPKI(t)
	for _, tc := range []struct {
		name    string
		value   string // ssl_ciphers; "-" leaves it unset
		want    []uint16
		warning string // a substring of the warnings, "" for none
	}{
		{"unset: Go's defaults", "-", nil, ""},
		{"vsftpd's default, one suite", "ECDHE-RSA-AES256-GCM-SHA384", []uint16{tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384}, ""},
		{"names in order", "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256",
			[]uint16{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}, ""},
		{"commas and spaces", "ECDHE-ECDSA-AES256-GCM-SHA384, ECDHE-ECDSA-AES128-SHA",
			[]uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA}, ""},
		{"a group word means Go's defaults", "HIGH", nil, ""},
		{"groups with exclusions", "HIGH:!aNULL:!MD5:@STRENGTH", nil, ""},
		{"group and names", "DEFAULT:ECDHE-RSA-AES128-GCM-SHA256", nil, ""},
		{"names Go lacks are dropped", "DHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:DES-CBC3-SHA:RC4-SHA",
			[]uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}, "DHE-RSA-AES256-GCM-SHA384, DES-CBC3-SHA, RC4-SHA"},
		{"nothing usable", "RC4-SHA:NULL-MD5", nil, "no usable suite"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var lines []string
			if tc.value != "-" {
				lines = append(lines, "ssl_ciphers="+tc.value)
			}
			b := setup(t, pki, lines...)
			if !slices.Equal(b.config.CipherSuites, tc.want) {
				t.Errorf("suites %v, want %v", names(b.config.CipherSuites), names(tc.want))
			}
			got := strings.Join(b.warnings, "\n")
			if tc.warning == "" && got != "" || !strings.Contains(got, tc.warning) {
				t.Errorf("warnings %q, want %q", got, tc.warning)
			}
		})
	}
}

// TestCipherSuitesNegotiated: a TLS 1.2 handshake uses the suite the list
// allows; TLS 1.3 (not configurable in Go) is unaffected.
func TestCipherSuitesNegotiated(t *testing.T) {
	pki := newPKI(t) // an ECDSA server certificate
	b := setup(t, pki, "ssl_ciphers=ECDHE-ECDSA-CHACHA20-POLY1305")
	cs, cerr, serr := handshake(b.config, clientFor(pki, tls.VersionTLS12, tls.VersionTLS12))
	if cerr != nil || serr != nil || cs.CipherSuite != tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 {
		t.Errorf("TLS 1.2: client %v, server %v, suite %s", cerr, serr, tls.CipherSuiteName(cs.CipherSuite))
	}
	client := clientFor(pki, tls.VersionTLS12, tls.VersionTLS12)
	client.CipherSuites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}
	if _, cerr, serr := handshake(b.config, client); cerr == nil && serr == nil {
		t.Error("TLS 1.2 with no suite in common succeeded")
	}
	cs, cerr, serr = handshake(b.config, clientFor(pki, tls.VersionTLS13, tls.VersionTLS13))
	if cerr != nil || serr != nil || cs.Version != tls.VersionTLS13 {
		t.Errorf("TLS 1.3: client %v, server %v", cerr, serr)
	}
}

// TestOpenSSLSuiteNames: every name in the table is the OpenSSL name of
// the Go suite it maps to, and names a suite Go still offers as secure.
func TestOpenSSLSuiteNames(t *testing.T) {
	secure := map[uint16]string{}
	for _, s := range tls.CipherSuites() {
		secure[s.ID] = s.Name
	}
	for name, id := range openSSLSuites {
		goName, ok := secure[id]
		if !ok {
			t.Errorf("%s maps to %s, which Go does not list as secure", name, tls.CipherSuiteName(id))
			continue
		}
		if want := openSSLName(goName); want != name {
			t.Errorf("%s maps to %s (OpenSSL calls that %s)", name, goName, want)
		}
	}
}

// openSSLName is OpenSSL's name of an ECDHE suite from its IANA name:
// TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 is ECDHE-RSA-AES128-GCM-SHA256.
func openSSLName(iana string) string {
	n := strings.TrimPrefix(iana, "TLS_")
	for _, r := range [][2]string{
		{"_WITH_", "_"}, {"AES_128", "AES128"}, {"AES_256", "AES256"},
		{"CHACHA20_POLY1305_SHA256", "CHACHA20_POLY1305"}, {"_CBC_SHA", "_SHA"},
	} {
		n = strings.ReplaceAll(n, r[0], r[1])
	}
	return strings.ReplaceAll(n, "_", "-")
}

func names(ids []uint16) []string {
	var out []string
	for _, id := range ids {
		out = append(out, tls.CipherSuiteName(id))
	}
	return out
}
