package auth

import (
	"errors"
	"strings"
	"testing"

	"github.com/go-crypt/x/yescrypt"
)

// Vectors made on Debian 12 with libxcrypt (mkpasswd from the whois package)
// and OpenSSL (openssl passwd -6/-5/-1), all of the password below, which
// has non-ASCII letters and a space to catch encoding slips.
const cryptPW = "pässwörd 1"

var cryptVectors = []struct{ name, hash string }{
	{"yescrypt debian default", "$y$j9T$TqWGVJhQUOdJBDrfCQzyf/$hDjTsEns5YqJTR.lAx5pavmFZ4iYj9MOlop0vjMbFe8"},
	{"yescrypt cheap", "$y$j7T$zdeprIqHJeJE59Shv5x8E/$vf4ucLL2FviHOvFBnj.oVj5HM2z5TwFrNjRlXdIBs91"},
	{"sha512crypt", "$6$fojvAWN8s499.CKk$o9Vaeh.7./wgKAcp5IC6gvjIQ5LwyzymHubGGxFL/cIPjinUovw14oibgypdkM1AeN7BSlopeBSnzr6/ICT2E1"},
	{"sha512crypt rounds", "$6$rounds=10000$iF3UnQw2Hicbt9I3$q4qHPmcmRBEbaq4JFvFHRnxjLlh6Z72BzZv3e0opJ.hKQSOssUaGfBo.eXZaEjKIg5HYi1zKI1j6MEnTmS4Y60"},
	{"sha512crypt openssl", "$6$ZZZZ$9UxpmxGZYxTG.HiKGw2vobMxJED8wrdE8wUdI8EXgqkn/W92Wlce3BEaJTfaQRo5Eql7a6gs.fmB588.KvSaq0"},
	{"sha256crypt", "$5$SmB2HPbSpvHWT6oD$q4UzAKn/ILFsydHvW.xz1bVKU9r2ATCEMncy4583Qx1"},
	{"sha256crypt openssl", "$5$YYYY$waJazcKW71FYQiWoUxaytn4M7ctBHmlcwTJbJgcEcY0"},
	{"md5crypt", "$1$FL.iuu5T$/jYucWfez7C4sgzXBQ7aB0"},
	{"md5crypt openssl", "$1$XXXX$XBBcXJ8.CQKTzXfts44Pe."},
	{"bcrypt 2b libxcrypt", "$2b$05$QjM8h1B8xVhBfN4HvaQcP.KW804qkW5A69scRocSYJUP.H5o2p26y"},
}

func TestCryptVerify(t *testing.T) {
	for _, v := range cryptVectors {
		t.Run(v.name, func(t *testing.T) {
			if err := CheckHash(v.hash); err != nil {
				t.Fatalf("CheckHash: %v", err)
			}
			for _, tc := range []struct {
				pw   string
				want bool
			}{
				{cryptPW, true},
				{"pässwörd 2", false},
				{"passwort 1", false},
				{"", false},
				{cryptPW + "\x00", false}, // crypt(3) would stop at NUL; we must not
			} {
				got, err := VerifyPassword(v.hash, tc.pw)
				if got != tc.want || err != nil {
					t.Errorf("VerifyPassword(%q) = %v, %v; want %v", tc.pw, got, err, tc.want)
				}
			}
		})
	}
}

func TestCryptEmptyPasswordHash(t *testing.T) {
	// mkpasswd -m yescrypt '': a hash of the empty password is a hash like any
	// other; refusing empty passwords is the backend's decision.
	const h = "$y$j9T$uJTiCKQ6f9kMTKzMepAHq0$cpNpD6T.Bq.3GTM7fH6TzR3735U021BGhkdliaPaZS4"
	if ok, err := VerifyPassword(h, ""); !ok || err != nil {
		t.Fatalf("VerifyPassword = %v, %v", ok, err)
	}
}

func TestCryptMalformed(t *testing.T) {
	sha512 := cryptVectors[2].hash
	hugeY := "$y$" + string(yescrypt.EncodeSetting(182, 20, 32)) + "$TqWGVJhQUOdJBDrfCQzyf/$hDjTsEns5YqJTR.lAx5pavmFZ4iYj9MOlop0vjMbFe8"
	tests := []struct {
		name, hash string
		err        error
	}{
		{"sha512 truncated", sha512[:len(sha512)-1], ErrMalformedHash},
		{"sha512 bad char", sha512[:len(sha512)-1] + "!", ErrMalformedHash},
		{"sha512 no salt field", "$6$" + sha512[20:], ErrMalformedHash},
		{"sha512 rounds too high", strings.Replace(cryptVectors[3].hash, "10000", "999999999", 1), ErrMalformedHash},
		{"sha512 rounds below glibc minimum", strings.Replace(cryptVectors[3].hash, "10000", "10", 1), ErrMalformedHash},
		{"sha512 rounds not a number", strings.Replace(cryptVectors[3].hash, "10000", "1e4", 1), ErrMalformedHash},
		{"sha256 with sha512 length", "$5$SmB2HPbSpvHWT6oD$" + sha512[20:], ErrMalformedHash},
		{"yescrypt short", "$y$j9T$abc$def", ErrMalformedHash},
		{"yescrypt 4 GiB", hugeY, ErrMalformedHash},
		{"yescrypt bad params", "$y$!!!$TqWGVJhQUOdJBDrfCQzyf/$hDjTsEns5YqJTR.lAx5pavmFZ4iYj9MOlop0vjMbFe8", ErrMalformedHash},
		{"md5crypt short", "$1$salt$abc", ErrMalformedHash},
		{"gost-yescrypt", "$gy$j9T$salt$hash", ErrUnknownHash},
		{"descrypt", "abJnggxhB/yWI", ErrUnknownHash},
		{"locked", "!" + sha512, ErrUnknownHash},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := CheckHash(tt.hash); !errors.Is(err, tt.err) {
				t.Errorf("CheckHash = %v; want %v", err, tt.err)
			}
			ok, err := VerifyPassword(tt.hash, cryptPW)
			if ok || !errors.Is(err, tt.err) {
				t.Errorf("VerifyPassword = %v, %v; want false, %v", ok, err, tt.err)
			}
			if err != nil && len(tt.hash) > 12 && strings.Contains(err.Error(), tt.hash[len(tt.hash)-12:]) {
				t.Errorf("error %q leaks the hash", err)
			}
		})
	}
}

// The Verifier is what backends call; prove a shadow hash goes through it.
func TestCryptThroughVerifier(t *testing.T) {
	v := NewVerifier(VerifierOptions{})
	ok, err := v.Verify(t.Context(), "alice", cryptVectors[0].hash, cryptPW)
	if !ok || err != nil {
		t.Fatalf("Verify = %v, %v", ok, err)
	}
}

func BenchmarkCryptVerify(b *testing.B) {
	for _, v := range cryptVectors {
		b.Run(v.name, func(b *testing.B) {
			for b.Loop() {
				VerifyPassword(v.hash, cryptPW)
			}
		})
	}
}
