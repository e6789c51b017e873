package httpc

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
)

// userAgent names govpulse and its version to upstream operators, who
// otherwise see an anonymous client hammering their server.
var userAgent = func() string {
	v := "dev"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	return "govpulse/" + v + " (+https://github.com/govpulse/govpulse)"
}()

// Client reads one upstream. It is safe for concurrent use.
type Client struct {
	cfg    Config
	base   *url.URL
	limits *Limits
	bucket *bucket
	rc     *resty.Client
	log    *slog.Logger
	auth   tokenSource // nil: no Authorization header
}

// New builds a client whose rate limit is its own: nothing else shares its
// bucket. Sources of a config share theirs through NewShared.
func New(c Config, logger *slog.Logger) (*Client, error) {
	return NewShared(c, logger, NewLimits())
}

// NewShared validates c (after SetDefaults), reads its secrets once to fail
// early, and builds the client, which shares the bucket of its upstream host
// (and of its OAuth2 token URL's) with every other Client of limits. logger
// may be nil.
func NewShared(c Config, logger *slog.Logger, limits *Limits) (*Client, error) {
	if limits == nil {
		return nil, fmt.Errorf("BUG: httpc.NewShared without Limits")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	c.SetDefaults()
	if err := c.Validate().Err(); err != nil {
		return nil, fmt.Errorf("invalid http config: %w", err)
	}
	// Copy what the caller could still change under us.
	if c.OAuth2 != nil {
		o := *c.OAuth2
		o.Scopes = append([]string(nil), o.Scopes...)
		c.OAuth2 = &o
	}
	headers := make(map[string]string, len(c.Headers))
	for k, v := range c.Headers {
		headers[k] = v
	}
	c.Headers = headers

	base, _ := url.Parse(c.URL) // checked by Validate
	cl := &Client{
		cfg:    c,
		base:   base,
		limits: limits,
		bucket: limits.bucketFor(base, c.RateLimit, c.Burst),
		log:    logger,
	}

	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	if c.InsecureSkipVerify {
		tr.TLSClientConfig.InsecureSkipVerify = true // #nosec G402 -- explicit operator choice, warned below
		logger.Warn("TLS certificate verification is disabled", "url", display(base))
	}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("invalid http config: ca_file: %s", readError(c.CAFile, err))
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("invalid http config: ca_file: no PEM certificate in %q", c.CAFile)
		}
		tr.TLSClientConfig.RootCAs = pool
	}
	hc := &http.Client{Transport: tr, Timeout: c.Timeout, CheckRedirect: stripOnRedirect(c.Headers)}
	cl.rc = resty.NewWithClient(hc).
		SetLogger(discardLogger{}).  // resty's own messages carry full URLs with query strings
		SetDoNotParseResponse(true). // bodies are read here, under the size cap
		SetRetryCount(*c.Retries).
		SetRetryWaitTime(c.RetryWait).
		SetRetryMaxWaitTime(c.RetryMaxWait).
		AddRetryCondition(retryable).
		AddRetryHook(cl.onRetry).
		SetRetryAfter(cl.retryAfter).
		OnBeforeRequest(waitForToken)

	bearer := secretSource{value: c.BearerToken, file: c.BearerTokenFile, env: c.BearerTokenEnv}
	switch {
	case c.OAuth2 != nil:
		cl.auth = newOAuth2Source(cl, c.OAuth2)
	case bearer.count() > 0:
		// Read at every request: an unreadable token fails runs, not start.
		cl.auth = bearerSource{bearer}
	}
	return cl, nil
}

// maxRedirects is how many redirects a request follows, as net/http's default.
const maxRedirects = 10

// stripOnRedirect is the client's CheckRedirect. net/http drops Authorization
// on a redirect to another domain, but it forwards every other header, and it
// keeps Authorization when only the port changes. A redirect to another host
// (host and port) or from https to http therefore loses Authorization and the
// config's own headers (X-Api-Key, …), which are credentials as often as not.
func stripOnRedirect(headers map[string]string) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return fmt.Errorf("stopped after %d redirects", maxRedirects)
		}
		first := via[0].URL
		if req.URL.Host == first.Host && (req.URL.Scheme == first.Scheme || req.URL.Scheme == "https") {
			return nil
		}
		req.Header.Del("Authorization")
		for k := range headers {
			req.Header.Del(k)
		}
		return nil
	}
}

// Get fetches the base URL + path with query and returns the body, at most
// MaxBodyBytes long. It sends Accept: application/json unless the config's
// headers say otherwise.
func (c *Client) Get(ctx context.Context, path string, query url.Values) ([]byte, error) {
	var body []byte
	err := c.Stream(ctx, path, query, func(r io.Reader) error {
		var err error
		body, err = io.ReadAll(r)
		return err
	})
	if err != nil {
		return nil, err
	}
	return body, nil
}

// Post sends body (JSON) to the base URL + path with query and returns the
// response body, at most MaxBodyBytes long, with the same retries, rate limit,
// size cap and authorization as Get. It is meant for the read-only query
// endpoints some upstreams expose as POST (the national portal's reporting
// API): a retried POST is sent again, so never use it for a request that
// changes anything upstream. Content-Type and Accept are application/json
// unless the config's headers say otherwise.
func (c *Client) Post(ctx context.Context, path string, query url.Values, body []byte) ([]byte, error) {
	target, shown := c.resolve(path, query)
	op := fmt.Sprintf("post %q", shown)
	resp, err := c.authorized(ctx, http.MethodPost, target, op, body)
	if err != nil {
		return nil, err
	}
	rb := resp.RawBody()
	defer func() { _ = rb.Close() }() // read side: nothing to lose once the body is read
	if n := resp.RawResponse.ContentLength; n > c.cfg.MaxBodyBytes {
		return nil, tooLarge(op, c.cfg.MaxBodyBytes)
	}
	out, err := io.ReadAll(&limitedReader{r: rb, n: c.cfg.MaxBodyBytes, limit: c.cfg.MaxBodyBytes, op: op})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Stream is Get for large feeds: fn reads the body as it arrives. Reading more
// than MaxBodyBytes fails with a too_large error, and other read failures are
// classified too (timeout, transport), so fn may simply wrap what it gets with
// %w. Stream returns fn's error unchanged. Retries end once the status line is
// in: a body that breaks off half way is not fetched again.
func (c *Client) Stream(ctx context.Context, path string, query url.Values, fn func(io.Reader) error) error {
	target, shown := c.resolve(path, query)
	op := fmt.Sprintf("get %q", shown)
	resp, err := c.authorized(ctx, http.MethodGet, target, op, nil)
	if err != nil {
		return err
	}
	body := resp.RawBody()
	defer func() { _ = body.Close() }() // read side: nothing to lose once the body is read
	if n := resp.RawResponse.ContentLength; n > c.cfg.MaxBodyBytes {
		return tooLarge(op, c.cfg.MaxBodyBytes)
	}
	return fn(&limitedReader{r: body, n: c.cfg.MaxBodyBytes, limit: c.cfg.MaxBodyBytes, op: op})
}

// authorized sends the request with the current token; when an OAuth2 token
// is refused with 401 it fetches a new one and tries once more, since the
// server may have revoked it before its announced expiry (a Keycloak restart
// does). A non-nil body is sent as JSON; resty re-reads the byte slice on
// every attempt, so retries send it whole.
func (c *Client) authorized(ctx context.Context, method, target, op string, body []byte) (*resty.Response, error) {
	for try := 0; ; try++ {
		tok := ""
		if c.auth != nil {
			var err error
			if tok, err = c.auth.token(ctx); err != nil {
				return nil, err
			}
		}
		resp, err := c.send(ctx, method, target, op, c.bucket, func(r *resty.Request) {
			r.SetHeader("Accept", "application/json")
			if body != nil {
				r.SetHeader("Content-Type", "application/json")
				r.SetBody(body)
			}
			for k, v := range c.cfg.Headers {
				r.SetHeader(k, v)
			}
			if tok != "" {
				r.SetHeader("Authorization", "Bearer "+tok)
			}
		})
		if err != nil && try == 0 && tok != "" && statusOf(resp) == http.StatusUnauthorized && c.auth.invalidate(tok) {
			c.log.Debug("upstream refused the token, fetching a new one", "op", op)
			continue
		}
		return resp, err
	}
}

// call is the per-request state the resty hooks need; it travels in the
// request's context because resty's hooks only see the response.
type call struct {
	op      string
	bucket  *bucket
	lastErr error
}

type callKey struct{}

func callOf(ctx context.Context) *call {
	st, _ := ctx.Value(callKey{}).(*call)
	return st
}

// send runs one request with resty's retries. On success the response body is
// open and the caller must close it. On failure the error is classified; resp
// may still be non-nil (its body closed) so the caller can look at the status.
func (c *Client) send(ctx context.Context, method, target, op string, b *bucket, prep func(*resty.Request)) (*resty.Response, error) {
	st := &call{op: op, bucket: b}
	req := c.rc.R().SetContext(context.WithValue(ctx, callKey{}, st))
	req.SetHeader("User-Agent", userAgent)
	prep(req)
	resp, err := req.Execute(method, target)
	attempts := req.Attempt
	if resp != nil && resp.RawResponse != nil && (err != nil || !resp.IsSuccess()) {
		discard(resp.RawBody())
	}
	switch {
	case errors.Is(err, errNoTimeToRetry) && statusOf(resp) != 0:
		return resp, statusError(op, resp, attempts, " (no time left before the deadline to retry)")
	case ctx.Err() != nil:
		// The caller gave up (during an attempt, a backoff or the rate limiter wait).
		if resp != nil && resp.RawResponse != nil && resp.IsSuccess() {
			discard(resp.RawBody())
		}
		last := ""
		if statusOf(resp) != 0 && !resp.IsSuccess() {
			last = fmt.Sprintf(" (last answer %s after %s)", resp.Status(), plural(attempts))
		}
		return resp, source.Errorf(ctxReason(ctx.Err()), "cannot %s: %w%s", op, ctx.Err(), last)
	case err != nil:
		err = stripURL(err)
		reason := catalog.ReasonTransport
		if isTimeout(err) {
			reason = catalog.ReasonTimeout
		}
		return resp, source.Errorf(reason, "cannot %s after %s: %w", op, plural(attempts), err)
	case !resp.IsSuccess():
		return resp, statusError(op, resp, attempts, "")
	}
	return resp, nil
}

// retryable is the only retry condition. It replaces resty's default (which
// retries transport errors only), so it must retry errors itself.
func retryable(resp *resty.Response, err error) bool {
	if err != nil {
		// resp is nil only when a before-request hook failed: the caller's
		// context ended while waiting for the rate limiter.
		if resp == nil {
			return false
		}
		// A certificate that failed verification will fail again.
		var cv *tls.CertificateVerificationError
		return !errors.As(err, &cv)
	}
	s := resp.StatusCode()
	return s == http.StatusTooManyRequests || s >= 500
}

// onRetry runs after every attempt that retryable accepted, including the
// last one. It closes the abandoned body so the connection can be reused.
func (c *Client) onRetry(resp *resty.Response, err error) {
	if resp == nil {
		return
	}
	if st := callOf(resp.Request.Context()); st != nil {
		st.lastErr = err
	}
	if resp.RawResponse != nil {
		discard(resp.RawBody())
	}
}

// errNoTimeToRetry stops the retries when the wait would outlast the
// caller's deadline: failing now reports the upstream's status instead of a
// bare "context deadline exceeded".
var errNoTimeToRetry = errors.New("no time left to retry")

// retryAfter decides the wait before the next attempt: the server's
// Retry-After when it sent one, else capped exponential backoff with jitter.
// resty calls it only when another attempt will follow, so it also logs.
func (c *Client) retryAfter(_ *resty.Client, resp *resty.Response) (time.Duration, error) {
	attempt := resp.Request.Attempt
	wait := backoff(c.cfg.RetryWait, c.cfg.RetryMaxWait, attempt)
	if ra, ok := parseRetryAfter(resp.Header().Get("Retry-After"), time.Now()); ok {
		// resty raises a shorter wait to retry_wait; do the same here so the log is true.
		wait = min(max(ra, c.cfg.RetryWait), c.cfg.RetryMaxWait)
	}
	ctx := resp.Request.Context()
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
		return 0, errNoTimeToRetry
	}
	args := []any{"attempt", attempt, "status", resp.StatusCode(), "wait", wait}
	if st := callOf(ctx); st != nil {
		args = append(args, "op", st.op)
		if st.lastErr != nil {
			args = append(args, "error", stripURL(st.lastErr).Error())
		}
	}
	c.log.Debug("retrying upstream request", args...)
	return wait, nil
}

// waitForToken is the before-request hook: every attempt, retries included,
// takes a token from the host's bucket.
func waitForToken(_ *resty.Client, r *resty.Request) error {
	ctx := r.Context()
	if st := callOf(ctx); st != nil && st.bucket != nil {
		return st.bucket.wait(ctx)
	}
	return nil
}

// backoff is "equal jitter": a random wait between half and all of
// min(maxWait, base·2^(attempt-1)), never below base. The jitter keeps
// sources that failed together from retrying together.
func backoff(base, maxWait time.Duration, attempt int) time.Duration {
	d := base
	for i := 1; i < attempt && d < maxWait; i++ {
		d *= 2
	}
	d = min(d, maxWait)
	if half := d / 2; half > 0 {
		d = half + rand.N(half+1) //nolint:gosec // G404: retry jitter, not a secret; math/rand is right here
	}
	return max(d, base)
}

// parseRetryAfter reads a Retry-After value: delay seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(min(s, int64(24*time.Hour/time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// resolve joins the base URL and path, merges the base URL's query with
// query (query wins), and returns the target and the form shown in errors and
// logs: no query string (it may hold API keys) and no credentials.
func (c *Client) resolve(path string, query url.Values) (target, shown string) {
	u := *c.base
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	p := strings.TrimSuffix(c.base.Path, "/")
	if path != "" {
		p += "/" + strings.TrimPrefix(path, "/")
	}
	u.Path, u.RawPath = p, ""
	q := c.base.Query()
	for k, v := range query {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	return u.String(), display(&u)
}

func display(u *url.URL) string {
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}

// statusOf is resp.StatusCode() that accepts a nil resp.
func statusOf(resp *resty.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode()
}

func statusError(op string, resp *resty.Response, attempts int, note string) error {
	reason := catalog.ReasonOther // 1xx and 3xx that were not followed
	switch s := resp.StatusCode(); {
	case s == http.StatusTooManyRequests:
		reason = catalog.ReasonHTTP429
	case s >= 500:
		reason = catalog.ReasonHTTP5xx
	case s >= 400:
		reason = catalog.ReasonHTTP4xx
	}
	return source.Errorf(reason, "cannot %s: upstream answered %s after %s%s", op, resp.Status(), plural(attempts), note)
}

func tooLarge(op string, limit int64) error {
	return source.Errorf(catalog.ReasonTooLarge, "cannot %s: response body exceeds max_body_bytes (%d bytes)", op, limit)
}

func plural(attempts int) string {
	if attempts == 1 {
		return "1 attempt"
	}
	return strconv.Itoa(attempts) + " attempts"
}

// stripURL unwraps *url.Error, whose message repeats the full URL, query
// string included.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// ctxReason classifies the end of the caller's context: a deadline is a
// timeout; a cancellation (shutdown, reload) is nobody's fault upstream.
func ctxReason(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return catalog.ReasonTimeout
	}
	return catalog.ReasonOther
}

// discard drains a little of an abandoned body, so the connection can be
// reused, and closes it. Closing twice is harmless.
func discard(body io.ReadCloser) {
	if body == nil {
		return
	}
	_, _ = io.CopyN(io.Discard, body, 4<<10)
	_ = body.Close()
}

// limitedReader caps a body at n bytes and classifies read errors. It reads
// one byte past the cap to tell "exactly n" from "more than n".
type limitedReader struct {
	r     io.Reader
	n     int64 // bytes still allowed
	limit int64
	op    string
	err   error // sticky
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if int64(len(p)) > l.n+1 {
		p = p[:l.n+1]
	}
	n, err := l.r.Read(p)
	if int64(n) > l.n {
		n = int(l.n)
		l.n = 0
		l.err = tooLarge(l.op, l.limit)
		return n, l.err
	}
	l.n -= int64(n)
	switch {
	case err == nil, err == io.EOF:
		return n, err
	case isTimeout(err):
		l.err = source.Errorf(catalog.ReasonTimeout, "cannot %s: reading body: %w", l.op, err)
	case errors.Is(err, context.Canceled):
		l.err = source.Errorf(catalog.ReasonOther, "cannot %s: reading body: %w", l.op, err)
	default:
		l.err = source.Errorf(catalog.ReasonTransport, "cannot %s: reading body: %w", l.op, err)
	}
	return n, l.err
}

// discardLogger silences resty, which would print URLs with query strings.
type discardLogger struct{}

func (discardLogger) Errorf(string, ...any) {}
func (discardLogger) Warnf(string, ...any)  {}
func (discardLogger) Debugf(string, ...any) {}
