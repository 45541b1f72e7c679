package auth

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// cheap keeps tests fast; only TestHashPasswordDefaults pays the real cost.
var cheap = Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func mustHash(t *testing.T, pw string) string {
	t.Helper()
	h, err := HashPasswordWith(pw, cheap)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestHashPasswordDefaults(t *testing.T) {
	h, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Fatalf("hash %q does not use the default parameters", h)
	}
	if ok, err := VerifyPassword(h, "correct horse"); !ok || err != nil {
		t.Fatalf("VerifyPassword = %v, %v; want true", ok, err)
	}
}

func TestHashPasswordSalted(t *testing.T) {
	if mustHash(t, "pw") == mustHash(t, "pw") {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
}

func TestHashPasswordRejects(t *testing.T) {
	if _, err := HashPasswordWith("", cheap); !errors.Is(err, ErrEmptyPassword) {
		t.Errorf("empty password: err = %v", err)
	}
	weak := cheap
	weak.SaltLen = 4
	if _, err := HashPasswordWith("pw", weak); err == nil {
		t.Error("4-byte salt accepted")
	}
}

func TestVerifyPassword(t *testing.T) {
	bc, err := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	argon := mustHash(t, "s3cret")
	const (
		// Reference vectors: phc-winner-argon2 src/test.c, and openwall's
		// crypt_blowfish test suite.
		refArgon = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"
		refBcryp = "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"
	)
	tests := []struct {
		name, hash, pw string
		want           bool
		err            error
	}{
		{"argon2id ok", argon, "s3cret", true, nil},
		{"argon2id wrong", argon, "s3cre", false, nil},
		{"argon2id empty pw", argon, "", false, nil},
		{"argon2id reference", refArgon, "password", true, nil},
		{"argon2id reference wrong", refArgon, "passwore", false, nil},
		{"bcrypt 2a ok", string(bc), "s3cret", true, nil},
		{"bcrypt wrong", string(bc), "S3cret", false, nil},
		{"bcrypt reference", refBcryp, "U*U", true, nil},
		{"bcrypt 2y", "$2y$" + refBcryp[4:], "U*U", true, nil},
		{"bcrypt 2b", "$2b$" + refBcryp[4:], "U*U", true, nil},
		{"yescrypt truncated", "$y$j9T$abc$def", "pw", false, ErrMalformedHash}, // crypt_test.go has the crypt(3) families
		{"sha512crypt truncated", "$6$salt$hash", "pw", false, ErrMalformedHash},
		{"gost-yescrypt", "$gy$j9T$salt$hash", "pw", false, ErrUnknownHash},
		{"plain text", "s3cret", "s3cret", false, ErrUnknownHash},
		{"empty hash", "", "", false, ErrUnknownHash},
		{"argon2i", "$argon2i$v=19$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", "pw", false, ErrUnknownHash},
		{"argon2id v=16", strings.Replace(argon, "v=19", "v=16", 1), "s3cret", false, ErrMalformedHash},
		{"argon2id huge m", strings.Replace(argon, "m=64", "m=99999999", 1), "s3cret", false, ErrMalformedHash},
		{"argon2id t=0", strings.Replace(argon, "t=1", "t=0", 1), "s3cret", false, ErrMalformedHash},
		{"argon2id padded", argon + "=", "s3cret", false, ErrMalformedHash},
		{"argon2id spaced", strings.Replace(argon, "m=64", "m= 64", 1), "s3cret", false, ErrMalformedHash},
		{"argon2id short", "$argon2id$v=19$m=64,t=1,p=1", "s3cret", false, ErrMalformedHash},
		{"bcrypt truncated", string(bc[:40]), "s3cret", false, ErrMalformedHash},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := VerifyPassword(tt.hash, tt.pw)
			if got != tt.want || !errors.Is(err, tt.err) {
				t.Fatalf("VerifyPassword = %v, %v; want %v, %v", got, err, tt.want, tt.err)
			}
			if err != nil && strings.Contains(err.Error(), tt.pw) && tt.pw != "" {
				t.Errorf("error %q leaks the password", err)
			}
		})
	}
}

func TestCheckHash(t *testing.T) {
	bc, _ := bcrypt.GenerateFromPassword([]byte("x"), bcrypt.MinCost)
	tests := []struct {
		hash string
		err  error
	}{
		{mustHash(t, "x"), nil},
		{string(bc), nil},
		{"$2b$04$" + strings.Repeat("a", 50), ErrMalformedHash}, // 57 chars
		{"$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$!!!", ErrMalformedHash},
		{"$argon2id$v=19$m=4,t=1,p=1$c2FsdHNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", ErrMalformedHash},
		{"$md5$x", ErrUnknownHash},
		{"*", ErrUnknownHash},
		{"!locked", ErrUnknownHash},
	}
	for _, tt := range tests {
		if err := CheckHash(tt.hash); !errors.Is(err, tt.err) {
			t.Errorf("CheckHash(%q) = %v; want %v", tt.hash, err, tt.err)
		}
	}
}

func TestVerifierRegistryExtension(t *testing.T) {
	// The crypt(3) families will register here; prove the seam works.
	verifiers["test"] = scheme{
		check:  func(string) error { return nil },
		verify: func(h, pw string) (bool, error) { return h == "$test$"+pw, nil },
	}
	t.Cleanup(func() { delete(verifiers, "test") })
	if ok, err := VerifyPassword("$test$pw", "pw"); !ok || err != nil {
		t.Fatalf("registered scheme: %v, %v", ok, err)
	}
}
