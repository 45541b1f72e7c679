package sftpd

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/crypto/ssh"
)

// The default algorithm lists: modern only. No SHA-1 anywhere (key
// exchange, MACs, host key signatures), no CBC, no 1024-bit groups. The
// NIST-curve key exchanges (ecdh-sha2-nistp*) and the ECDSA host key are
// left out of the defaults because ssh-audit rates NIST curves as a
// failure; they can be enabled with sftp_kex and sftp_host_key_algorithms.
// The encrypt-and-MAC hmac-sha2-256/512 (after their -etm forms) stay for
// libssh2 before 1.11 (curl on Debian 12), which has no ETM MACs, no GCM and
// no ChaCha20; ssh-audit rates them a warning, and sftp_macs can drop them.
var (
	DefaultKeyExchanges = []string{
		ssh.KeyExchangeMLKEM768X25519,
		ssh.KeyExchangeCurve25519,
		ssh.KeyExchangeDH16SHA512,
	}
	DefaultCiphers = []string{
		ssh.CipherChaCha20Poly1305,
		ssh.CipherAES256GCM,
		ssh.CipherAES128GCM,
		ssh.CipherAES256CTR,
		ssh.CipherAES192CTR,
		ssh.CipherAES128CTR,
	}
	DefaultMACs = []string{
		ssh.HMACSHA256ETM,
		ssh.HMACSHA512ETM,
		ssh.HMACSHA256,
		ssh.HMACSHA512,
	}
	DefaultHostKeyAlgorithms = []string{
		ssh.KeyAlgoED25519,
		ssh.KeyAlgoRSASHA512,
		ssh.KeyAlgoRSASHA256,
	}
)

// SupportedAlgorithms lists what may be configured, per kind ("key
// exchange", "cipher", "MAC", "host key"): the library's algorithms minus
// every one with SHA-1, CBC or a 1024-bit group.
func SupportedAlgorithms(kind string) []string {
	a := ssh.SupportedAlgorithms()
	switch kind {
	case "key exchange":
		return slices.DeleteFunc(a.KeyExchanges, func(k string) bool { return strings.HasSuffix(k, "-sha1") })
	case "cipher":
		return a.Ciphers
	case "MAC":
		return slices.DeleteFunc(a.MACs, func(m string) bool { return strings.Contains(m, "sha1") })
	case "host key":
		return []string{ssh.KeyAlgoED25519, ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256,
			ssh.KeyAlgoECDSA256, ssh.KeyAlgoECDSA384, ssh.KeyAlgoECDSA521}
	}
	return nil
}

// CheckAlgorithms refuses names that are not in SupportedAlgorithms(kind).
// An empty list is fine: it means the defaults.
func CheckAlgorithms(kind string, names []string) error {
	ok := SupportedAlgorithms(kind)
	for _, n := range names {
		if !slices.Contains(ok, n) {
			return fmt.Errorf("%s algorithm %q is not supported (choose from %s)", kind, n, strings.Join(ok, ","))
		}
	}
	return nil
}

// offeredHostKeys keeps the signers whose algorithm is allowed, restricting
// RSA keys to the allowed SHA-2 signatures (never ssh-rsa, which is SHA-1).
func offeredHostKeys(signers []ssh.Signer, allowed []string) ([]ssh.Signer, error) {
	var out []ssh.Signer
	for _, s := range signers {
		typ := s.PublicKey().Type()
		if typ != ssh.KeyAlgoRSA {
			if slices.Contains(allowed, typ) {
				out = append(out, s)
			}
			continue
		}
		var algos []string
		for _, a := range []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256} {
			if slices.Contains(allowed, a) {
				algos = append(algos, a)
			}
		}
		as, ok := s.(ssh.AlgorithmSigner)
		if len(algos) == 0 || !ok {
			continue
		}
		ms, err := ssh.NewSignerWithAlgorithms(as, algos)
		if err != nil {
			return nil, err
		}
		out = append(out, ms)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("sftpd: no host key matches the host key algorithms %s", strings.Join(allowed, ","))
	}
	return out, nil
}

// Offered reports whether a host key of k's type is offered under the host
// key algorithms algos (nil: DefaultHostKeyAlgorithms).
func Offered(k ssh.PublicKey, algos []string) bool {
	if len(algos) == 0 {
		algos = DefaultHostKeyAlgorithms
	}
	if k.Type() == ssh.KeyAlgoRSA {
		return slices.Contains(algos, ssh.KeyAlgoRSASHA512) || slices.Contains(algos, ssh.KeyAlgoRSASHA256)
	}
	return slices.Contains(algos, k.Type())
}
