package auth

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// countingVerifier wraps VerifyPassword and counts the hashes it runs, on a
// clock the test moves by hand.
type countingVerifier struct {
	*Verifier
	calls atomic.Int64
	clock time.Time
}

func newCounting(t *testing.T, o VerifierOptions) *countingVerifier {
	t.Helper()
	c := &countingVerifier{clock: time.Unix(1_000_000, 0)}
	o.Verify = func(h, pw string) (bool, error) {
		c.calls.Add(1)
		return VerifyPassword(h, pw)
	}
	o.Now = func() time.Time { return c.clock }
	c.Verifier = NewVerifier(o)
	return c
}

func (c *countingVerifier) check(t *testing.T, user, hash, pw string, want bool, wantCalls int64) {
	t.Helper()
	ok, err := c.Verify(context.Background(), user, hash, pw)
	if err != nil || ok != want {
		t.Fatalf("Verify(%s, %s) = %v, %v; want %v", user, pw, ok, err, want)
	}
	if got := c.calls.Load(); got != wantCalls {
		t.Fatalf("after Verify(%s, %s): %d hash calls, want %d", user, pw, got, wantCalls)
	}
}

func TestVerifierCache(t *testing.T) {
	v := newCounting(t, VerifierOptions{})
	h1, h2 := mustHash(t, "pw"), mustHash(t, "pw")

	v.check(t, "alice", h1, "pw", true, 1)
	v.check(t, "alice", h1, "pw", true, 1)     // hit
	v.check(t, "alice", h2, "pw", true, 2)     // password changed: new hash misses
	v.check(t, "alice", h1, "wrong", false, 3) // wrong password: never cached
	v.check(t, "alice", h1, "wrong", false, 4)
	v.check(t, "bob", h1, "pw", true, 5) // same hash, other user: separate entry
	v.check(t, "alice", h1, "pw", true, 5)
}

func TestVerifierCacheTTL(t *testing.T) {
	v := newCounting(t, VerifierOptions{CacheTTL: 10 * time.Second})
	h := mustHash(t, "pw")
	v.check(t, "alice", h, "pw", true, 1)
	v.clock = v.clock.Add(9 * time.Second)
	v.check(t, "alice", h, "pw", true, 1) // hits do not extend the TTL
	v.clock = v.clock.Add(time.Second)
	v.check(t, "alice", h, "pw", true, 2)
	v.check(t, "alice", h, "pw", true, 2)
}

func TestVerifierCacheBounded(t *testing.T) {
	v := newCounting(t, VerifierOptions{CacheSize: 2})
	h := mustHash(t, "pw")
	v.check(t, "a", h, "pw", true, 1)
	v.check(t, "b", h, "pw", true, 2)
	v.check(t, "c", h, "pw", true, 3) // evicts a, the oldest
	if n := v.cache.len(); n != 2 {
		t.Fatalf("cache holds %d entries, want 2", n)
	}
	v.check(t, "c", h, "pw", true, 3)
	v.check(t, "b", h, "pw", true, 3)
	v.check(t, "a", h, "pw", true, 4)
}

func TestVerifierCacheDisabled(t *testing.T) {
	for _, o := range []VerifierOptions{{CacheTTL: -1}, {CacheSize: -1}} {
		v := newCounting(t, o)
		h := mustHash(t, "pw")
		v.check(t, "alice", h, "pw", true, 1)
		v.check(t, "alice", h, "pw", true, 2)
	}
}

func TestVerifierCacheKeyUnambiguous(t *testing.T) {
	v := NewVerifier(VerifierOptions{})
	// With plain concatenation these two would collide.
	if v.cacheKey("a", "b\x00c", "d") == v.cacheKey("a\x00b", "c", "d") {
		t.Fatal("cache keys collide")
	}
}

func TestVerifierPropagatesHashErrors(t *testing.T) {
	v := newCounting(t, VerifierOptions{})
	_, err := v.Verify(context.Background(), "alice", "$gy$x$y", "pw")
	if !errors.Is(err, ErrUnknownHash) {
		t.Fatalf("err = %v, want ErrUnknownHash", err)
	}
}

// TestVerifierBoundsConcurrency runs in a synctest bubble so "all other
// goroutines are blocked" is a fact rather than a sleep.
func TestVerifierBoundsConcurrency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var inFlight, peak atomic.Int64
		release := make(chan struct{})
		v := NewVerifier(VerifierOptions{MaxConcurrent: 2, Verify: func(string, string) (bool, error) {
			n := inFlight.Add(1)
			if n > peak.Load() {
				peak.Store(n)
			}
			<-release
			inFlight.Add(-1)
			return false, nil
		}})
		var wg sync.WaitGroup
		for i := range 5 {
			// Distinct users: identical credentials would share one hash.
			wg.Go(func() { v.Verify(context.Background(), fmt.Sprint("u", i), "h", "p") })
		}
		synctest.Wait()
		if n := inFlight.Load(); n != 2 {
			t.Fatalf("%d hashes running, want 2 (the rest queued)", n)
		}
		close(release)
		wg.Wait()
		if p := peak.Load(); p != 2 {
			t.Fatalf("peak concurrency %d, want 2", p)
		}
	})
}

func TestVerifierQueuedCallerGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		v := NewVerifier(VerifierOptions{MaxConcurrent: 1, Verify: func(string, string) (bool, error) {
			<-release
			return true, nil
		}})
		go v.Verify(context.Background(), "u", "h", "p")
		synctest.Wait() // the first caller holds the only slot
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := v.Verify(ctx, "u2", "h", "p"); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if err := v.VerifyDummy(ctx, "p"); !errors.Is(err, context.Canceled) {
			t.Fatalf("VerifyDummy err = %v, want context.Canceled", err)
		}
		close(release)
	})
}

func TestVerifyDummyHashes(t *testing.T) {
	var calls atomic.Int64
	v := NewVerifier(VerifierOptions{Verify: func(h, pw string) (bool, error) {
		calls.Add(1)
		return false, CheckHash(h)
	}})
	if err := v.VerifyDummy(context.Background(), "guess"); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 1 {
		t.Fatalf("VerifyDummy ran %d hashes, want 1", calls.Load())
	}
}

// TestVerifierCoalescesConcurrentLogins: many identical logins at once cost
// one hash, and every one of them gets the answer.
func TestVerifierCoalescesConcurrentLogins(t *testing.T) {
	var calls atomic.Int32
	release := make(chan struct{})
	v := NewVerifier(VerifierOptions{Verify: func(hash, pw string) (bool, error) {
		calls.Add(1)
		<-release
		return pw == "right", nil
	}})
	const n = 50
	results := make(chan bool, n)
	for range n {
		go func() {
			ok, _ := v.Verify(context.Background(), "alice", "$argon2id$x", "right")
			results <- ok
		}()
	}
	// Wait until the first hash is running and the others are queued on it.
	for v.waiters() < 1 {
		runtime.Gosched()
	}
	close(release)
	for range n {
		if !<-results {
			t.Fatal("a coalesced login was refused")
		}
	}
	if c := calls.Load(); c != 1 {
		t.Errorf("%d hashes for %d identical concurrent logins, want 1", c, n)
	}
}

// waiters is for tests: the verifications under way.
func (v *Verifier) waiters() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.inFlight)
}
