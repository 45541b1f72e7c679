package auth

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/go-crypt/crypt/algorithm"
	"github.com/go-crypt/crypt/algorithm/md5crypt"
	"github.com/go-crypt/crypt/algorithm/scrypt"
	"github.com/go-crypt/crypt/algorithm/shacrypt"
	"github.com/go-crypt/x/yescrypt"
)

// The crypt(3) families found in /etc/shadow, verified with go-crypt so that
// wharf stays pure Go. bcrypt ($2b$) is registered in password.go already.
// Only verification is offered: new hashes are always argon2id.
//
// go-crypt's decoders accept any key length and most costs; the checks here
// add what a login path needs: a hash that could not have come from crypt(3)
// is reported as malformed at load time instead of silently never matching,
// and a cost that would make one login spin for minutes or allocate gigabytes
// is refused (a shadow file is root's data, but a typo is still a typo).
const (
	// maxShaCryptRounds: glibc allows 999,999,999 (minutes per login);
	// 10 million is ~2.5 s of sha512crypt on one core, 2000 times glibc's
	// default of 5000.
	maxShaCryptRounds = 10_000_000
	// maxYescryptMemory: 128*r*N bytes. mkpasswd's highest cost (-R 11,
	// "$y$jFT$") is exactly 1 GiB; Debian's default ("$y$j9T$") is 16 MiB.
	maxYescryptMemory = 1 << 30
)

// cryptFamily describes one $id$ family.
type cryptFamily struct {
	name   string
	decode func(string) (algorithm.Digest, error)
	keyLen int                  // characters of the final field
	cost   func([]string) error // bounds the cost, given the '$' fields
}

var cryptFamilies = map[string]cryptFamily{
	"1": {name: "md5crypt", decode: md5crypt.Decode, keyLen: 22},
	"5": {name: "sha256crypt", decode: shacrypt.Decode, keyLen: 43, cost: shaCryptCost},
	"6": {name: "sha512crypt", decode: shacrypt.Decode, keyLen: 86, cost: shaCryptCost},
	"y": {name: "yescrypt", decode: scrypt.DecodeVariant(scrypt.VariantYescrypt), keyLen: 43, cost: yescryptCost},
}

func init() {
	for id, f := range cryptFamilies {
		verifiers[id] = scheme{
			check:  func(hash string) error { _, err := f.parse(hash); return err },
			verify: f.verify,
		}
	}
}

func (f cryptFamily) verify(hash, pw string) (bool, error) {
	d, err := f.parse(hash)
	if err != nil {
		return false, err
	}
	ok, err := d.MatchAdvanced(pw)
	if err != nil {
		return false, fmt.Errorf("%w: %s: %v", ErrMalformedHash, f.name, err)
	}
	return ok, nil
}

// parse checks the shape and cost of hash, then decodes it. Errors name the
// family but never include the hash.
func (f cryptFamily) parse(hash string) (algorithm.Digest, error) {
	bad := func(why string) error { return fmt.Errorf("%w: %s: %s", ErrMalformedHash, f.name, why) }
	fields := strings.Split(hash, "$")
	if len(fields) < 4 {
		return nil, bad("want $id$[params$]salt$hash")
	}
	if key := fields[len(fields)-1]; len(key) != f.keyLen || !isCrypt64(key) {
		return nil, bad(fmt.Sprintf("hash must be %d characters of [./0-9A-Za-z]", f.keyLen))
	}
	if f.cost != nil {
		if err := f.cost(fields); err != nil {
			return nil, bad(err.Error())
		}
	}
	d, err := f.decode(hash)
	if err != nil {
		return nil, bad(trimDecodeError(err))
	}
	return d, nil
}

// shaCryptCost bounds "rounds=N" in $5$rounds=N$salt$hash; without it glibc
// uses 5000 rounds.
func shaCryptCost(fields []string) error {
	p, ok := strings.CutPrefix(fields[2], "rounds=")
	if !ok {
		return nil
	}
	n, err := strconv.ParseUint(p, 10, 64)
	if err != nil || n > maxShaCryptRounds {
		return fmt.Errorf("rounds must be at most %d", maxShaCryptRounds)
	}
	return nil
}

// yescryptCost bounds the memory that the parameter field asks for.
func yescryptCost(fields []string) error {
	if len(fields) != 5 {
		return fmt.Errorf("want $y$params$salt$hash")
	}
	_, ln, r, err := yescrypt.DecodeSetting([]byte(fields[2]))
	if err != nil {
		return fmt.Errorf("bad parameters")
	}
	if ln < 1 || ln > 30 || r < 1 || r > maxYescryptMemory/128 || uint64(128*r)<<ln > maxYescryptMemory {
		return fmt.Errorf("parameters ask for more than %d MiB", maxYescryptMemory>>20)
	}
	return nil
}

func isCrypt64(s string) bool {
	for _, c := range []byte(s) {
		ok := c == '.' || c == '/' || '0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z'
		if !ok {
			return false
		}
	}
	return true
}

// trimDecodeError keeps go-crypt's reason but drops any quoted input it may
// echo, so a hash fragment never reaches a log line.
func trimDecodeError(err error) string {
	msg := err.Error()
	if i := strings.IndexAny(msg, "'\""); i >= 0 {
		msg = strings.TrimRight(msg[:i], " :")
	}
	return msg
}
