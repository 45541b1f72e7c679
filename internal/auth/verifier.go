package auth

import (
	"container/list"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"runtime"
	"runtime/debug"
	"sync"
	"time"
)

// Verifier checks passwords for the backends. It adds two things to
// VerifyPassword:
//
// Bounded concurrency. An argon2id verification with the default parameters
// allocates 64 MiB; a login storm of a thousand connections would otherwise
// ask for 64 GiB at once and thrash. At most MaxConcurrent hashes run; the
// rest queue (and give up when their context ends, e.g. the client left).
//
// A short-lived cache of successful verifications. FTP clients often open
// several sessions with the same credentials in quick succession (parallel
// transfers, reconnects), and each would otherwise pay the full hash. The
// cache key is HMAC-SHA256, under a random per-process key, of the user, the
// stored hash and the password. The trade-off: for up to TTL after a login, a
// dump of the process memory holds an HMAC of that password, which an attacker
// holding the dump (and thus the HMAC key) can test guesses against at SHA-256
// speed instead of argon2id speed. Because the stored hash is part of the key,
// a password change (or a deleted user, whose hash is no longer looked up)
// takes effect at once: the old entry is simply never asked for again and
// ages out. Only successes are cached, so wrong guesses always cost a full hash.
type Verifier struct {
	sem    chan struct{}
	verify func(hash, pw string) (bool, error)
	now    func() time.Time
	cache  *credCache // nil when caching is off
	macKey []byte

	mu       sync.Mutex
	inFlight map[[sha256.Size]byte]*flight // verifications under way, by cache key
}

// flight is one verification that identical concurrent logins wait for, so
// that a storm of logins with the same credentials costs one hash, not one
// each (300 clients of one account would otherwise queue for 300 hashes).
type flight struct {
	done chan struct{}
	ok   bool
	err  error
}

// VerifierOptions configure NewVerifier. The zero value gives the defaults.
type VerifierOptions struct {
	MaxConcurrent int           // hashes at once; 0 = GOMAXPROCS
	CacheTTL      time.Duration // 0 = 60s; negative disables the cache
	CacheSize     int           // entries; 0 = 10000; negative disables the cache

	// Verify replaces VerifyPassword; tests use it to count hash calls.
	Verify func(hash, pw string) (bool, error)
	// Now replaces time.Now; tests use it to expire entries without sleeping.
	Now func() time.Time
}

// Defaults for VerifierOptions.
const (
	DefaultCacheTTL  = 60 * time.Second
	DefaultCacheSize = 10000
)

// NewVerifier returns a Verifier; it is safe for concurrent use.
func NewVerifier(o VerifierOptions) *Verifier {
	if o.MaxConcurrent <= 0 {
		o.MaxConcurrent = runtime.GOMAXPROCS(0)
	}
	if o.CacheTTL == 0 {
		o.CacheTTL = DefaultCacheTTL
	}
	if o.CacheSize == 0 {
		o.CacheSize = DefaultCacheSize
	}
	if o.Verify == nil {
		o.Verify = VerifyPassword
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	v := &Verifier{
		sem:      make(chan struct{}, o.MaxConcurrent),
		verify:   o.Verify,
		now:      o.Now,
		macKey:   make([]byte, 32),
		inFlight: map[[sha256.Size]byte]*flight{},
	}
	rand.Read(v.macKey) // never fails (crypto/rand aborts the process instead)
	if o.CacheTTL > 0 && o.CacheSize > 0 {
		v.cache = newCredCache(o.CacheTTL, o.CacheSize)
	}
	return v
}

// Verify reports whether password matches the stored hash of user. A wrong
// password is (false, nil). An error is either the context's (the caller gave
// up while queued) or an unusable hash.
func (v *Verifier) Verify(ctx context.Context, user, hash, password string) (bool, error) {
	var key [sha256.Size]byte
	if v.cache != nil {
		key = v.cacheKey(user, hash, password)
		if v.cache.hit(key, v.now()) {
			return true, nil
		}
	}
	if v.cache == nil {
		return v.hashBounded(ctx, hash, password)
	}
	return v.verifyOnce(ctx, key, hash, password)
}

// verifyOnce runs the hash for key, or waits for the identical verification
// already under way, and caches a success.
func (v *Verifier) verifyOnce(ctx context.Context, key [sha256.Size]byte, hash, password string) (bool, error) {
	v.mu.Lock()
	f, waiting := v.inFlight[key]
	if !waiting {
		f = &flight{done: make(chan struct{})}
		v.inFlight[key] = f
	}
	v.mu.Unlock()
	if waiting {
		select {
		case <-f.done:
			return f.ok, f.err
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
	f.ok, f.err = v.hashBounded(ctx, hash, password)
	if f.ok && f.err == nil {
		v.cache.add(key, v.now())
	}
	v.mu.Lock()
	delete(v.inFlight, key)
	v.mu.Unlock()
	close(f.done)
	return f.ok, f.err
}

// VerifyDummy spends about the time of one failed verification with the
// default parameters and returns only the context's error. Backends call it
// for a user that does not exist, so response time does not reveal which
// names do.
func (v *Verifier) VerifyDummy(ctx context.Context, password string) error {
	dummy, err := dummyHash()
	if err != nil {
		return err
	}
	_, err = v.hashBounded(ctx, dummy, password)
	return err
}

// dummyHash is an argon2id hash of a random password, made once per process
// with the default parameters (a fixed string in the source would do as
// well, but would silently stop matching the defaults if they change).
var dummyHash = sync.OnceValues(func() (string, error) {
	return HashPassword(rand.Text())
})

// hashBounded runs one verification under the semaphore.
func (v *Verifier) hashBounded(ctx context.Context, hash, password string) (bool, error) {
	select {
	case v.sem <- struct{}{}:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	defer v.release()
	return v.verify(hash, password)
}

// release frees a hashing slot. When no other hash is running it also hands
// argon2id's 64 MiB working memory back to the OS: otherwise a burst of
// logins leaves the process hundreds of MiB larger for minutes, which on a
// server holding thousands of idle sessions is most of its footprint.
func (v *Verifier) release() {
	<-v.sem
	if len(v.sem) == 0 {
		debug.FreeOSMemory()
	}
}

// cacheKey is HMAC-SHA256(macKey, len-prefixed user, hash, password). Length
// prefixes rather than NUL separators keep the encoding unambiguous even for
// a password containing NUL.
func (v *Verifier) cacheKey(user, stored, password string) [sha256.Size]byte {
	m := hmac.New(sha256.New, v.macKey)
	for _, s := range []string{user, stored, password} {
		writeField(m, s)
	}
	var k [sha256.Size]byte
	m.Sum(k[:0])
	return k
}

func writeField(h hash.Hash, s string) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(s)))
	h.Write(n[:])
	h.Write([]byte(s))
}

// credCache is a bounded set of keys with a fixed time to live. Entries are
// added in time order and never refreshed, so insertion order is expiry
// order: the list front is both the oldest and the first to expire.
type credCache struct {
	mu    sync.Mutex
	ttl   time.Duration
	max   int
	order *list.List // of *cacheEntry, oldest first
	byKey map[[sha256.Size]byte]*list.Element
}

type cacheEntry struct {
	key     [sha256.Size]byte
	expires time.Time
}

func newCredCache(ttl time.Duration, max int) *credCache {
	return &credCache{ttl: ttl, max: max, order: list.New(), byKey: make(map[[sha256.Size]byte]*list.Element)}
}

func (c *credCache) hit(k [sha256.Size]byte, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[k]
	if !ok {
		return false
	}
	if !now.Before(el.Value.(*cacheEntry).expires) {
		c.remove(el)
		return false
	}
	return true
}

func (c *credCache) add(k [sha256.Size]byte, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[k]; ok {
		c.remove(el) // re-added below with a fresh expiry, at the back
	}
	c.byKey[k] = c.order.PushBack(&cacheEntry{key: k, expires: now.Add(c.ttl)})
	for c.order.Len() > c.max || c.expiredFront(now) {
		c.remove(c.order.Front())
	}
}

func (c *credCache) expiredFront(now time.Time) bool {
	f := c.order.Front()
	return f != nil && !now.Before(f.Value.(*cacheEntry).expires)
}

func (c *credCache) remove(el *list.Element) {
	delete(c.byKey, el.Value.(*cacheEntry).key)
	c.order.Remove(el)
}

// len is for tests.
func (c *credCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
