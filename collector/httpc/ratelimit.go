package httpc

import (
	"context"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"
)

// bucket is a token bucket: rate tokens per second, at most burst saved up.
// A caller takes a token at once and sleeps until the balance it left behind
// is paid off, so waiting callers are served in arrival order.
type bucket struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64 // may be negative: tokens already promised to sleepers
	last   time.Time
}

// wait blocks until the caller may send one request, or ctx ends.
func (b *bucket) wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	now := time.Now()
	b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	b.tokens--
	var d time.Duration
	if b.tokens < 0 {
		d = time.Duration(-b.tokens / b.rate * float64(time.Second))
	}
	b.mu.Unlock()
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		// Give the token back so an abandoned request does not slow the others.
		b.mu.Lock()
		b.tokens++
		b.mu.Unlock()
		return ctx.Err()
	}
}

// Limits holds one bucket per upstream host:port for the Clients of one
// loaded config: the limit protects the upstream server, not one source's
// share of it, so Clients built with the same Limits share a host's bucket.
// The config's loader makes a new Limits for every load (collector.Build),
// so a reload's rate_limit takes effect whether it is higher or lower; the
// old config's buckets go with its sources.
type Limits struct {
	mu sync.Mutex
	m  map[string]*bucket
}

// NewLimits returns an empty set of buckets.
func NewLimits() *Limits { return &Limits{m: make(map[string]*bucket)} }

// bucketFor returns the shared bucket of u's host:port. When Clients to the
// same host ask for different limits the strictest wins: the point is not to
// overload a fragile server, whichever source asks.
func (l *Limits) bucketFor(u *url.URL, rate float64, burst int) *bucket {
	key := hostKey(u)
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.m[key]
	if b == nil {
		b = &bucket{rate: rate, burst: float64(burst), tokens: float64(burst), last: time.Now()}
		l.m[key] = b
		return b
	}
	b.mu.Lock()
	b.rate = min(b.rate, rate)
	b.burst = min(b.burst, float64(burst))
	b.tokens = min(b.tokens, b.burst)
	b.mu.Unlock()
	return b
}

// Limit returns the rate (requests per second) and burst that apply to
// rawURL's host:port, or ok false if no Client of l reads that host.
func (l *Limits) Limit(rawURL string) (rate float64, burst int, ok bool) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return 0, 0, false
	}
	l.mu.Lock()
	b := l.m[hostKey(u)]
	l.mu.Unlock()
	if b == nil {
		return 0, 0, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.rate, int(b.burst), true
}

// hostKey is "host:port" with the scheme's default port filled in, so
// https://x and https://x:443 share a bucket.
func hostKey(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}
