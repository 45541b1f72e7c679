package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// Errors from password hashing. VerifyPassword wraps them with the scheme
// name but never with the hash or the password, so they are safe to log.
var (
	ErrUnknownHash   = errors.New("auth: unsupported password hash format")
	ErrMalformedHash = errors.New("auth: malformed password hash")
	ErrEmptyPassword = errors.New("auth: empty password")
)

// Argon2Params are the cost parameters of an argon2id hash.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over memory
	Threads uint8  // lanes
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultArgon2Params are used for every new hash. They follow RFC 9106
// section 4's second recommendation (64 MiB, t=3) and sit well above OWASP's
// floor for argon2id (19 MiB, t=2, p=1): memory hardness is what makes GPU and
// ASIC guessing expensive, and 64 MiB costs a server ~50-100 ms per login on one
// core. p=2 rather than RFC 9106's p=4 because logins run concurrently anyway
// (the Verifier bounds them to GOMAXPROCS); more lanes would only shorten the
// wall time while taking cores from other logins. 16-byte salt and 32-byte key
// are the RFC's recommendation.
var DefaultArgon2Params = Argon2Params{Memory: 64 * 1024, Time: 3, Threads: 2, SaltLen: 16, KeyLen: 32}

// Bounds for hashes read from a file: a hash is data, and a hostile or
// mistyped one must not make one login allocate gigabytes or spin for minutes.
const (
	maxArgon2Memory = 1 << 20 // KiB = 1 GiB
	maxArgon2Time   = 64
	minArgon2Salt   = 8
	minArgon2Key    = 16
	maxArgon2Key    = 128
)

// scheme verifies one family of hashes, identified by the id between the
// first two '$' of a modular crypt / PHC string ("argon2id", "2b", "y", ...).
type scheme struct {
	check  func(hash string) error             // parse only, no hashing
	verify func(hash, pw string) (bool, error) // false, nil on a wrong password
}

// verifiers is the extension point for more schemes: the crypt(3) families
// ($y$, $6$, $5$, $1$ via go-crypt) are added here by a later file's init.
var verifiers = map[string]scheme{
	"argon2id": {check: checkArgon2id, verify: verifyArgon2id},
	"2a":       {check: checkBcrypt, verify: verifyBcrypt},
	"2b":       {check: checkBcrypt, verify: verifyBcrypt},
	"2y":       {check: checkBcrypt, verify: verifyBcrypt},
}

// HashPassword hashes pw with argon2id and DefaultArgon2Params.
func HashPassword(pw string) (string, error) {
	return HashPasswordWith(pw, DefaultArgon2Params)
}

// HashPasswordWith hashes pw with argon2id and the given parameters, as a PHC
// string: $argon2id$v=19$m=65536,t=3,p=2$<salt>$<key> (unpadded base64).
// Cheap parameters are for tests only.
func HashPasswordWith(pw string, p Argon2Params) (string, error) {
	if pw == "" {
		return "", ErrEmptyPassword
	}
	if p.Time < 1 || p.Threads < 1 || p.Memory < 8*uint32(p.Threads) || p.SaltLen < minArgon2Salt || p.KeyLen < minArgon2Key {
		return "", fmt.Errorf("auth: argon2id parameters too weak: %+v", p)
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return formatArgon2id(p, salt, key), nil
}

func formatArgon2id(p Argon2Params, salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// VerifyPassword reports whether pw matches hash. A wrong password is
// (false, nil); an error means the hash itself is unusable.
func VerifyPassword(hash, pw string) (bool, error) {
	s, err := lookupScheme(hash)
	if err != nil {
		return false, err
	}
	return s.verify(hash, pw)
}

// CheckHash reports whether hash is in a supported format and well formed,
// without hashing anything. Loaders use it to reject a bad entry up front
// instead of failing at the user's first login.
func CheckHash(hash string) error {
	s, err := lookupScheme(hash)
	if err != nil {
		return err
	}
	return s.check(hash)
}

func lookupScheme(hash string) (scheme, error) {
	id := schemeID(hash)
	if id == "" {
		return scheme{}, fmt.Errorf("%w: not a $id$ string", ErrUnknownHash)
	}
	s, ok := verifiers[id]
	if !ok {
		return scheme{}, fmt.Errorf("%w: $%s$", ErrUnknownHash, id)
	}
	return s, nil
}

// schemeID returns the id of "$id$..." or "" if hash has no such prefix.
func schemeID(hash string) string {
	rest, ok := strings.CutPrefix(hash, "$")
	if !ok {
		return ""
	}
	id, _, ok := strings.Cut(rest, "$")
	if !ok || len(id) > 16 {
		return ""
	}
	return id
}

func verifyArgon2id(hash, pw string) (bool, error) {
	p, salt, key, err := parseArgon2id(hash)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

func checkArgon2id(hash string) error {
	_, _, _, err := parseArgon2id(hash)
	return err
}

// parseArgon2id parses $argon2id$v=19$m=M,t=T,p=P$salt$key.
func parseArgon2id(hash string) (p Argon2Params, salt, key []byte, err error) {
	bad := func(why string) error { return fmt.Errorf("%w: argon2id: %s", ErrMalformedHash, why) }
	f := strings.Split(hash, "$")
	if len(f) != 6 || f[0] != "" || f[1] != "argon2id" {
		return p, nil, nil, bad("want $argon2id$v=19$m=..,t=..,p=..$salt$hash")
	}
	var v int
	if _, err := fmt.Sscanf(f[2], "v=%d", &v); err != nil || v != argon2.Version || f[2] != fmt.Sprintf("v=%d", v) {
		return p, nil, nil, bad("only version v=19 is supported")
	}
	if err := parseArgon2Costs(f[3], &p); err != nil {
		return p, nil, nil, bad(err.Error())
	}
	if salt, err = base64.RawStdEncoding.Strict().DecodeString(f[4]); err != nil || len(salt) < minArgon2Salt {
		return p, nil, nil, bad("salt must be unpadded base64 of at least 8 bytes")
	}
	if key, err = base64.RawStdEncoding.Strict().DecodeString(f[5]); err != nil || len(key) < minArgon2Key || len(key) > maxArgon2Key {
		return p, nil, nil, bad("hash must be unpadded base64 of 16..128 bytes")
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}

// parseArgon2Costs parses "m=65536,t=3,p=2" and bounds it.
func parseArgon2Costs(s string, p *Argon2Params) error {
	var m, t, par uint64
	n, err := fmt.Sscanf(s, "m=%d,t=%d,p=%d", &m, &t, &par)
	if err != nil || n != 3 || s != fmt.Sprintf("m=%d,t=%d,p=%d", m, t, par) {
		return errors.New("costs must be m=<KiB>,t=<passes>,p=<lanes>")
	}
	switch {
	case par < 1 || par > 255:
		return errors.New("p must be 1..255")
	case t < 1 || t > maxArgon2Time:
		return fmt.Errorf("t must be 1..%d", maxArgon2Time)
	case m < 8*par || m > maxArgon2Memory:
		return fmt.Errorf("m must be 8*p..%d KiB", maxArgon2Memory)
	}
	p.Memory, p.Time, p.Threads = uint32(m), uint32(t), uint8(par)
	return nil
}

// verifyBcrypt covers $2a$, $2b$ and $2y$ (PHP's name for 2b). bcrypt reads
// only the first 72 bytes of a password, like every other implementation.
func verifyBcrypt(hash, pw string) (bool, error) {
	err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
		return false, nil
	default:
		return false, fmt.Errorf("%w: bcrypt: %v", ErrMalformedHash, err)
	}
}

func checkBcrypt(hash string) error {
	// Cost parses version and cost; the rest must be 53 chars of bcrypt's
	// base64 (22 salt + 31 hash), which Cost does not check.
	if _, err := bcrypt.Cost([]byte(hash)); err != nil {
		return fmt.Errorf("%w: bcrypt: %v", ErrMalformedHash, err)
	}
	if len(hash) != 60 {
		return fmt.Errorf("%w: bcrypt: want 60 characters", ErrMalformedHash)
	}
	return nil
}
