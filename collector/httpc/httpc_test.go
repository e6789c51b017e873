package httpc

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
)

// fast is a config with short waits and a generous rate limit, so tests that
// are not about timing stay quick.
func fast(u string) Config {
	return Config{
		URL:          u,
		Timeout:      2 * time.Second,
		Retries:      Int(3),
		RetryWait:    5 * time.Millisecond,
		RetryMaxWait: 20 * time.Millisecond,
		RateLimit:    1000,
		Burst:        100,
	}
}

// logBuf collects the client's debug log so tests can look for leaks.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func mustNew(t *testing.T, c Config, logger *slog.Logger) *Client {
	t.Helper()
	if logger == nil {
		logger = newLogger(t.Output())
	}
	cl, err := New(c, logger)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return cl
}

// seqServer answers with statuses[i] on the i-th request (the last one
// repeats) and records when each request came.
type seqServer struct {
	*httptest.Server
	mu    sync.Mutex
	times []time.Time
}

func newSeqServer(t *testing.T, header http.Header, statuses ...int) *seqServer {
	s := &seqServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		i := len(s.times)
		s.times = append(s.times, time.Now())
		s.mu.Unlock()
		st := statuses[min(i, len(statuses)-1)]
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(st)
		fmt.Fprintf(w, `{"status":%d}`, st)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *seqServer) requests() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.times)
}

func TestGetRetries(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		statuses []int
		retries  int
		reason   string // "" for success
		requests int
		msg      string // suffix of the error message
	}{
		"500 then 200":       {[]int{500, 200}, 3, "", 2, ""},
		"502 429 200":        {[]int{502, 429, 200}, 3, "", 3, ""},
		"404 is not retried": {[]int{404, 200}, 3, catalog.ReasonHTTP4xx, 1, "upstream answered 404 Not Found after 1 attempt"},
		"401 is not retried": {[]int{401, 200}, 3, catalog.ReasonHTTP4xx, 1, "upstream answered 401 Unauthorized after 1 attempt"},
		"persistent 503":     {[]int{503}, 3, catalog.ReasonHTTP5xx, 4, "upstream answered 503 Service Unavailable after 4 attempts"},
		"persistent 503, 1 retry": {[]int{503}, 1, catalog.ReasonHTTP5xx, 2,
			"upstream answered 503 Service Unavailable after 2 attempts"},
		"persistent 429":        {[]int{429}, 2, catalog.ReasonHTTP429, 3, "upstream answered 429 Too Many Requests after 3 attempts"},
		"retries: 0 means none": {[]int{503, 200}, 0, catalog.ReasonHTTP5xx, 1, "upstream answered 503 Service Unavailable after 1 attempt"},
		"last status wins":      {[]int{503, 500, 429}, 2, catalog.ReasonHTTP429, 3, "upstream answered 429 Too Many Requests after 3 attempts"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newSeqServer(t, nil, tc.statuses...)
			cfg := fast(srv.URL + "/api")
			cfg.Retries = Int(tc.retries)
			cl := mustNew(t, cfg, nil)
			body, err := cl.Get(t.Context(), "/report", url.Values{"key": {"sekrit-query"}})
			if got := len(srv.requests()); got != tc.requests {
				t.Errorf("requests = %d, want %d", got, tc.requests)
			}
			if tc.reason == "" {
				if err != nil {
					t.Fatalf("Get: %v", err)
				}
				if string(body) != `{"status":200}` {
					t.Errorf("body = %q", body)
				}
				return
			}
			if got := source.Reason(err); got != tc.reason {
				t.Fatalf("reason = %q, want %q (err %v)", got, tc.reason, err)
			}
			want := fmt.Sprintf("cannot get %q: %s", srv.URL+"/api/report", tc.msg)
			if err.Error() != want {
				t.Errorf("error = %q\nwant    %q", err, want)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	cases := map[string]func() string{
		"seconds": func() string { return "1" },
		// HTTP dates have whole seconds: +2s waits between 1 and 2 s.
		"http date": func() string { return time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat) },
	}
	for name, value := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newSeqServer(t, http.Header{"Retry-After": {value()}}, 429, 200)
			cfg := fast(srv.URL)
			cfg.RetryMaxWait = 5 * time.Second
			cl := mustNew(t, cfg, nil)
			if _, err := cl.Get(t.Context(), "/x", nil); err != nil {
				t.Fatalf("Get: %v", err)
			}
			times := srv.requests()
			if len(times) != 2 {
				t.Fatalf("requests = %d, want 2", len(times))
			}
			if gap := times[1].Sub(times[0]); gap < 900*time.Millisecond {
				t.Errorf("second request %v after the first, want >= ~1s (Retry-After ignored)", gap)
			}
		})
	}

	t.Run("capped by retry_max_wait", func(t *testing.T) {
		t.Parallel()
		srv := newSeqServer(t, http.Header{"Retry-After": {"3600"}}, 503, 200)
		// With a deadline, an uncapped hour-long wait would fail at once with
		// "no time left", so success proves the cap.
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		if _, err := mustNew(t, fast(srv.URL), nil).Get(ctx, "/x", nil); err != nil {
			t.Fatalf("Get: %v", err)
		}
	})

	t.Run("no time left before the deadline", func(t *testing.T) {
		t.Parallel()
		srv := newSeqServer(t, http.Header{"Retry-After": {"2"}}, 503, 200)
		cfg := fast(srv.URL)
		cfg.RetryMaxWait = 5 * time.Second
		ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
		defer cancel()
		_, err := mustNew(t, cfg, nil).Get(ctx, "/x", nil)
		if got := source.Reason(err); got != catalog.ReasonHTTP5xx {
			t.Fatalf("reason = %q, want http_5xx (err %v)", got, err)
		}
		if !strings.Contains(err.Error(), "503 Service Unavailable after 1 attempt (no time left") {
			t.Errorf("error = %q", err)
		}
		if n := len(srv.requests()); n != 1 {
			t.Errorf("requests = %d, want 1", n)
		}
	})
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	slow := func(t *testing.T) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(3 * time.Second):
			}
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	t.Run("per attempt", func(t *testing.T) {
		t.Parallel()
		srv := slow(t)
		cfg := fast(srv.URL)
		cfg.Timeout = 100 * time.Millisecond
		cfg.Retries = Int(1)
		_, err := mustNew(t, cfg, nil).Get(t.Context(), "/slow", nil)
		if got := source.Reason(err); got != catalog.ReasonTimeout {
			t.Fatalf("reason = %q, want timeout (err %v)", got, err)
		}
		if !strings.Contains(err.Error(), "after 2 attempts") {
			t.Errorf("error = %q, want both attempts counted", err)
		}
	})
	t.Run("caller deadline", func(t *testing.T) {
		t.Parallel()
		srv := slow(t)
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := mustNew(t, fast(srv.URL), nil).Get(ctx, "/slow", nil)
		if got := source.Reason(err); got != catalog.ReasonTimeout {
			t.Fatalf("reason = %q, want timeout (err %v)", got, err)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error %v does not wrap context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Get returned after %v; the context should end it", d)
		}
	})
	t.Run("caller cancels during backoff", func(t *testing.T) {
		t.Parallel()
		srv := newSeqServer(t, nil, 503)
		cfg := fast(srv.URL)
		cfg.RetryWait, cfg.RetryMaxWait = 5*time.Second, 5*time.Second
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(100*time.Millisecond, cancel)
		_, err := mustNew(t, cfg, nil).Get(ctx, "/x", nil)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v does not wrap context.Canceled", err)
		}
		if !strings.Contains(err.Error(), "last answer 503 Service Unavailable after 1 attempt") {
			t.Errorf("error = %q", err)
		}
	})
}

func TestBodyCap(t *testing.T) {
	t.Parallel()
	const limit = 1000
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		body := bytes.Repeat([]byte("x"), n)
		if r.URL.Query().Get("chunked") == "" {
			w.Header().Set("Content-Length", strconv.Itoa(n))
			w.Write(body)
			return
		}
		// Flushing before the end forces chunked encoding: no Content-Length.
		w.Write(body[:n/2])
		w.(http.Flusher).Flush()
		w.Write(body[n/2:])
	}))
	t.Cleanup(srv.Close)
	cfg := fast(srv.URL)
	cfg.MaxBodyBytes = limit
	cl := mustNew(t, cfg, nil)

	get := func(ctx context.Context, q url.Values) (int, error) {
		b, err := cl.Get(ctx, "/feed", q)
		return len(b), err
	}
	stream := func(ctx context.Context, q url.Values) (int, error) {
		n := 0
		err := cl.Stream(ctx, "/feed", q, func(r io.Reader) error {
			b, err := io.ReadAll(r)
			n = len(b)
			if err != nil {
				return fmt.Errorf("decode feed: %w", err)
			}
			return nil
		})
		return n, err
	}
	for _, m := range []struct {
		name string
		fn   func(context.Context, url.Values) (int, error)
	}{{"Get", get}, {"Stream", stream}} {
		for _, chunked := range []bool{false, true} {
			for _, n := range []int{limit, limit + 1, 10 * limit} {
				name := fmt.Sprintf("%s/chunked=%v/%d", m.name, chunked, n)
				t.Run(name, func(t *testing.T) {
					q := url.Values{"n": {strconv.Itoa(n)}}
					if chunked {
						q.Set("chunked", "1")
					}
					got, err := m.fn(t.Context(), q)
					if n <= limit {
						if err != nil || got != n {
							t.Fatalf("got %d bytes, %v; want %d bytes", got, err, n)
						}
						return
					}
					if r := source.Reason(err); r != catalog.ReasonTooLarge {
						t.Fatalf("reason = %q, want too_large (err %v)", r, err)
					}
					if !strings.Contains(err.Error(), "response body exceeds max_body_bytes (1000 bytes)") {
						t.Errorf("error = %q", err)
					}
				})
			}
		}
	}

	t.Run("Stream returns fn's error", func(t *testing.T) {
		mine := errors.New("mine")
		err := cl.Stream(t.Context(), "/feed", url.Values{"n": {"10"}}, func(io.Reader) error { return mine })
		if err != mine {
			t.Errorf("Stream = %v, want fn's error unchanged", err)
		}
	})
}

func TestBearerToken(t *testing.T) {
	const tok = "bearer-VALUE-42"
	dir := t.TempDir()
	file := filepath.Join(dir, "token")
	if err := os.WriteFile(file, []byte(tok+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOVPULSE_TEST_TOKEN", tok)

	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization"))
		mu.Unlock()
		if r.URL.Path == "/denied" {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		if r.URL.Path == "/broken" {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.Write([]byte("{}"))
	}))
	t.Cleanup(srv.Close)

	cases := map[string]func(*Config){
		"inline": func(c *Config) { c.BearerToken = tok },
		"file":   func(c *Config) { c.BearerTokenFile = file },
		"env":    func(c *Config) { c.BearerTokenEnv = "GOVPULSE_TEST_TOKEN" },
	}
	for name, set := range cases {
		t.Run(name, func(t *testing.T) {
			mu.Lock()
			seen = nil
			mu.Unlock()
			cfg := fast(srv.URL)
			set(&cfg)
			logs := &logBuf{}
			cl := mustNew(t, cfg, newLogger(logs))
			if _, err := cl.Get(t.Context(), "/ok", nil); err != nil {
				t.Fatalf("Get: %v", err)
			}
			var errs []error
			for _, p := range []string{"/denied", "/broken"} {
				_, err := cl.Get(t.Context(), p, nil)
				if err == nil {
					t.Fatalf("Get %s succeeded", p)
				}
				errs = append(errs, err)
			}
			mu.Lock()
			defer mu.Unlock()
			for i, h := range seen {
				if h != "Bearer "+tok {
					t.Errorf("request %d Authorization = %q", i, h)
				}
			}
			for _, err := range errs {
				if strings.Contains(err.Error(), tok) || strings.Contains(fmt.Sprintf("%+v", err), tok) {
					t.Errorf("error %q contains the token", err)
				}
			}
			if strings.Contains(logs.String(), tok) {
				t.Errorf("log contains the token:\n%s", logs)
			}
		})
	}

	t.Run("file is re-read", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "token")
		os.WriteFile(f, []byte("first"), 0o600)
		cfg := fast(srv.URL)
		cfg.BearerTokenFile = f
		cl := mustNew(t, cfg, nil)
		mu.Lock()
		seen = nil
		mu.Unlock()
		cl.Get(t.Context(), "/ok", nil)
		os.WriteFile(f, []byte("second"), 0o600)
		cl.Get(t.Context(), "/ok", nil)
		mu.Lock()
		defer mu.Unlock()
		if want := []string{"Bearer first", "Bearer second"}; !slices.Equal(seen, want) {
			t.Errorf("Authorization headers = %q, want %q", seen, want)
		}
	})
}

// keycloak is a fake token endpoint plus an API that accepts only the latest
// token it issued.
type keycloak struct {
	fetches   atomic.Int32
	apiCalls  atomic.Int32
	basicOnly bool // refuse credentials in the form
	formOnly  bool // refuse HTTP Basic
	mu        sync.Mutex
	valid     string
	forms     []url.Values
}

const (
	kcClient = "govpulse"
	kcSecret = "s3cr3t&with:odd=chars"
)

func (k *keycloak) handler(t *testing.T) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /realms/digo/protocol/openid-connect/token", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Errorf("token request: %v", err)
		}
		k.mu.Lock()
		k.forms = append(k.forms, r.PostForm)
		k.mu.Unlock()
		id, secret, basic := r.BasicAuth()
		if basic {
			// RFC 6749 §2.3.1: both parts are form-encoded inside Basic.
			id, _ = url.QueryUnescape(id)
			secret, _ = url.QueryUnescape(secret)
		} else {
			id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		}
		if (basic && k.formOnly) || (!basic && k.basicOnly) || id != kcClient || secret != kcSecret ||
			r.PostForm.Get("grant_type") != "client_credentials" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"invalid_client","error_description":"Invalid client or Invalid client credentials"}`))
			return
		}
		n := k.fetches.Add(1)
		tok := fmt.Sprintf("kc-token-%d", n)
		k.mu.Lock()
		k.valid = tok
		k.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":%q,"expires_in":300,"refresh_expires_in":0,"token_type":"Bearer","not-before-policy":0,"scope":"profile"}`, tok)
	})
	mux.HandleFunc("GET /api/", func(w http.ResponseWriter, r *http.Request) {
		k.apiCalls.Add(1)
		k.mu.Lock()
		ok := k.valid != "" && r.Header.Get("Authorization") == "Bearer "+k.valid
		k.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Write([]byte(`{"ok":true}`))
	})
	return mux
}

// revoke makes the API refuse every token issued so far.
func (k *keycloak) revoke() {
	k.mu.Lock()
	k.valid = ""
	k.mu.Unlock()
}

func oauthConfig(base string) Config {
	cfg := fast(base + "/api")
	cfg.OAuth2 = &OAuth2{
		TokenURL:     base + "/realms/digo/protocol/openid-connect/token",
		ClientID:     kcClient,
		ClientSecret: kcSecret,
		Scopes:       []string{"profile", "report.read"},
	}
	return cfg
}

func TestOAuth2(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"basic", "form"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			kc := &keycloak{formOnly: mode == "form", basicOnly: mode == "basic"}
			srv := httptest.NewServer(kc.handler(t))
			t.Cleanup(srv.Close)
			logs := &logBuf{}
			cl := mustNew(t, oauthConfig(srv.URL), newLogger(logs))
			ctx := t.Context()

			for i := range 3 {
				if _, err := cl.Get(ctx, "/report", nil); err != nil {
					t.Fatalf("call %d: %v", i, err)
				}
			}
			if n := kc.fetches.Load(); n != 1 {
				t.Errorf("after 3 calls: %d token fetches, want 1", n)
			}

			kc.revoke()
			if _, err := cl.Get(ctx, "/report", nil); err != nil {
				t.Fatalf("call after revocation: %v", err)
			}
			if n := kc.fetches.Load(); n != 2 {
				t.Errorf("after a 401: %d token fetches, want 2", n)
			}
			if n := kc.apiCalls.Load(); n != 5 {
				t.Errorf("API calls = %d, want 5 (3 + refused + repeated)", n)
			}

			// Past expiry (300 s minus the 30 s margin) the token is renewed unasked.
			o := cl.auth.(*oauth2Source)
			o.now = func() time.Time { return time.Now().Add(271 * time.Second) }
			if _, err := cl.Get(ctx, "/report", nil); err != nil {
				t.Fatalf("call after expiry: %v", err)
			}
			if n := kc.fetches.Load(); n != 3 {
				t.Errorf("after expiry: %d token fetches, want 3", n)
			}

			kc.mu.Lock()
			form := kc.forms[len(kc.forms)-1]
			kc.mu.Unlock()
			if got := form.Get("scope"); got != "profile report.read" {
				t.Errorf("scope = %q", got)
			}
			if strings.Contains(logs.String(), "kc-token-") || strings.Contains(logs.String(), kcSecret) {
				t.Errorf("log contains a secret:\n%s", logs)
			}
		})
	}

	t.Run("concurrent callers share one fetch", func(t *testing.T) {
		t.Parallel()
		kc := &keycloak{}
		srv := httptest.NewServer(kc.handler(t))
		t.Cleanup(srv.Close)
		cl := mustNew(t, oauthConfig(srv.URL), nil)
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				if _, err := cl.Get(t.Context(), "/report", nil); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if n := kc.fetches.Load(); n != 1 {
			t.Errorf("token fetches = %d, want 1", n)
		}
	})

	t.Run("wrong secret", func(t *testing.T) {
		t.Parallel()
		kc := &keycloak{}
		srv := httptest.NewServer(kc.handler(t))
		t.Cleanup(srv.Close)
		cfg := oauthConfig(srv.URL)
		cfg.OAuth2.ClientSecret = "wrong-secret-value"
		_, err := mustNew(t, cfg, nil).Get(t.Context(), "/report", nil)
		if got := source.Reason(err); got != catalog.ReasonHTTP4xx {
			t.Fatalf("reason = %q, want http_4xx (err %v)", got, err)
		}
		want := fmt.Sprintf("cannot get an OAuth2 token from %q: upstream answered 401 Unauthorized after 1 attempt",
			srv.URL+"/realms/digo/protocol/openid-connect/token")
		if err.Error() != want {
			t.Errorf("error = %q\nwant    %q", err, want)
		}
		if n := kc.apiCalls.Load(); n != 0 {
			t.Errorf("API called %d times without a token", n)
		}
	})
}

func mustShared(t *testing.T, c Config, limits *Limits) *Client {
	t.Helper()
	cl, err := NewShared(c, newLogger(t.Output()), limits)
	if err != nil {
		t.Fatalf("NewShared: %v", err)
	}
	return cl
}

func TestRateLimitShared(t *testing.T) {
	t.Parallel()
	srv := newSeqServer(t, nil, 200)
	cfg := fast(srv.URL)
	cfg.RateLimit, cfg.Burst = 5, 1
	limits := NewLimits()
	a, b := mustShared(t, cfg, limits), mustShared(t, cfg, limits)
	if a.bucket != b.bucket {
		t.Fatal("two clients of one config to one host have separate buckets")
	}
	if c := mustNew(t, cfg, nil); c.bucket == a.bucket {
		t.Fatal("New shares a bucket it was not given")
	}
	start := time.Now()
	for _, cl := range []*Client{a, b, a} {
		if _, err := cl.Get(t.Context(), "/", nil); err != nil {
			t.Fatal(err)
		}
	}
	// Burst 1 at 5/s: the 2nd and 3rd requests wait 200 ms each.
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("3 requests took %v, want >= ~400ms at 5/s shared", d)
	}

	// A caller that gives up while queued gets a timeout at once.
	a.Get(t.Context(), "/", nil) // empty the bucket
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, err := b.Get(ctx, "/", nil)
	if d := time.Since(start); d > 150*time.Millisecond {
		t.Errorf("queued caller returned after %v, want about its 20ms deadline", d)
	}
	if got := source.Reason(err); got != catalog.ReasonTimeout {
		t.Errorf("queued past the deadline: reason %q (err %v), want timeout", got, err)
	}
}

// Within one config the strictest limit to a host wins; a later config (a
// reload) starts from its own limits, so raising rate_limit takes effect as
// lowering it does. Rates are read from the buckets: no timing.
func TestRateLimitPerConfig(t *testing.T) {
	t.Parallel()
	const host = "http://dvc.example.gov.vn:8080"
	slow, fast50, strict := fast(host+"/a"), fast(host+"/b"), fast("http://DVC.example.gov.vn:8080/c")
	slow.RateLimit, slow.Burst = 1, 1
	fast50.RateLimit, fast50.Burst = 50, 10
	strict.RateLimit, strict.Burst = 0.5, 3

	first := NewLimits()
	a := mustShared(t, slow, first)
	if r, b, ok := first.Limit(host); !ok || r != 1 || b != 1 || a.bucket.rate != 1 {
		t.Fatalf("first config: rate %v burst %d (%v), want 1 and 1", r, b, ok)
	}

	second := NewLimits() // the reloaded config, raised to 50 rps
	b := mustShared(t, fast50, second)
	if b.bucket == a.bucket || b.bucket.rate != 50 || b.bucket.burst != 10 {
		t.Fatalf("second config's client: rate %v burst %v (shared with the first: %v), want 50 and 10", b.bucket.rate, b.bucket.burst, b.bucket == a.bucket)
	}
	if r, _, _ := second.Limit(host); r != 50 {
		t.Fatalf("second config's limit for the host: %v, want 50", r)
	}
	if a.bucket.rate != 1 {
		t.Errorf("the first config's bucket changed: rate %v", a.bucket.rate)
	}

	// A third source of the second config to the same host (case and all)
	// is stricter: the host's one bucket takes its rate and the lower burst.
	c := mustShared(t, strict, second)
	if c.bucket != b.bucket || b.bucket.rate != 0.5 || b.bucket.burst != 3 {
		t.Fatalf("strictest within a config: shared %v, rate %v burst %v; want one bucket at 0.5 and 3", c.bucket == b.bucket, b.bucket.rate, b.bucket.burst)
	}
	if _, _, ok := second.Limit("http://other.example.gov.vn"); ok {
		t.Error("a host no client reads has a limit")
	}
}

func TestHostKey(t *testing.T) {
	for in, want := range map[string]string{
		"https://DVC.QuangNam.gov.vn/api": "dvc.quangnam.gov.vn:443",
		"https://dvc.quangnam.gov.vn:443": "dvc.quangnam.gov.vn:443",
		"http://10.0.0.1/x":               "10.0.0.1:80",
		"http://[::1]:8080":               "[::1]:8080",
	} {
		u, _ := url.Parse(in)
		if got := hostKey(u); got != want {
			t.Errorf("hostKey(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestHeadersAndURL(t *testing.T) {
	t.Parallel()
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		w.WriteHeader(http.StatusNotFound)
	}))
	t.Cleanup(srv.Close)
	cfg := fast(srv.URL + "/dvc/api/?apikey=topsecret&lang=vi")
	cfg.Headers = map[string]string{"X-Tenant": "qnm"}
	_, err := mustNew(t, cfg, nil).Get(t.Context(), "bao-cao/tong-hop", url.Values{"lang": {"en"}, "thang": {"2026-04"}})
	if got == nil {
		t.Fatal("no request")
	}
	if got.URL.Path != "/dvc/api/bao-cao/tong-hop" {
		t.Errorf("path = %q", got.URL.Path)
	}
	if q := got.URL.Query(); q.Get("apikey") != "topsecret" || q.Get("lang") != "en" || q.Get("thang") != "2026-04" {
		t.Errorf("query = %v", q)
	}
	for h, want := range map[string]string{"Accept": "application/json", "X-Tenant": "qnm"} {
		if v := got.Header.Get(h); v != want {
			t.Errorf("%s = %q, want %q", h, v, want)
		}
	}
	if ua := got.Header.Get("User-Agent"); !strings.HasPrefix(ua, "govpulse/") {
		t.Errorf("User-Agent = %q", ua)
	}
	if err == nil || strings.Contains(err.Error(), "topsecret") || strings.Contains(err.Error(), "thang") {
		t.Errorf("error %v shows the query", err)
	}
}

func TestTLS(t *testing.T) {
	t.Parallel()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("{}"))
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	srv.StartTLS()
	t.Cleanup(srv.Close)

	t.Run("verified by default", func(t *testing.T) {
		_, err := mustNew(t, fast(srv.URL), nil).Get(t.Context(), "/", nil)
		if got := source.Reason(err); got != catalog.ReasonTransport {
			t.Fatalf("reason = %q, want transport (err %v)", got, err)
		}
		// A certificate that failed verification is not retried.
		if !strings.Contains(err.Error(), "after 1 attempt:") {
			t.Errorf("error = %q", err)
		}
	})
	t.Run("ca_file", func(t *testing.T) {
		ca := filepath.Join(t.TempDir(), "ca.pem")
		pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
		if err := os.WriteFile(ca, pemBytes, 0o600); err != nil {
			t.Fatal(err)
		}
		cfg := fast(srv.URL)
		cfg.CAFile = ca
		if _, err := mustNew(t, cfg, nil).Get(t.Context(), "/", nil); err != nil {
			t.Fatalf("Get: %v", err)
		}
	})
	t.Run("insecure_skip_verify", func(t *testing.T) {
		cfg := fast(srv.URL)
		cfg.InsecureSkipVerify = true
		logs := &logBuf{}
		if _, err := mustNew(t, cfg, newLogger(logs)).Get(t.Context(), "/", nil); err != nil {
			t.Fatalf("Get: %v", err)
		}
		if !strings.Contains(logs.String(), "level=WARN") {
			t.Errorf("no warning logged:\n%s", logs)
		}
	})
}

func TestTransportError(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close() // nothing listens there now
	_, err := mustNew(t, fast(u), nil).Get(t.Context(), "/", url.Values{"k": {"v"}})
	if got := source.Reason(err); got != catalog.ReasonTransport {
		t.Fatalf("reason = %q, want transport (err %v)", got, err)
	}
	want := fmt.Sprintf("cannot get %q after 4 attempts: dial tcp", u+"/")
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %q\nwant prefix %q", err, want)
	}
}

func TestSecretNeverPrints(t *testing.T) {
	const value = "p@ss-VALUE"
	cfg := Config{URL: "https://x", BearerToken: value, OAuth2: &OAuth2{ClientSecret: value}}
	s := Secret(value)

	var js bytes.Buffer
	slog.New(slog.NewJSONHandler(&js, nil)).Info("m", "secret", s, "cfg", cfg, "oauth2", *cfg.OAuth2)
	var txt bytes.Buffer
	slog.New(slog.NewTextHandler(&txt, nil)).Info("m", "secret", s, "cfg", cfg)
	jsonOut, _ := json.Marshal(cfg)
	yamlOut, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{
		"%v":        fmt.Sprintf("%v", s),
		"%s":        fmt.Sprintf("%s", s), //nolint:staticcheck // the test is of %s itself
		"%q":        fmt.Sprintf("%q", s),
		"%+v":       fmt.Sprintf("%+v", s),
		"%#v":       fmt.Sprintf("%#v", s),
		"%x":        fmt.Sprintf("%x", s),
		"cfg %+v":   fmt.Sprintf("%+v", cfg),
		"cfg %#v":   fmt.Sprintf("%#v", cfg),
		"oauth %+v": fmt.Sprintf("%+v", *cfg.OAuth2),
		"slog json": js.String(),
		"slog text": txt.String(),
		"json":      string(jsonOut),
		"yaml":      string(yamlOut),
	}
	for name, out := range outputs {
		if strings.Contains(out, value) || strings.Contains(out, fmt.Sprintf("%x", value)) {
			t.Errorf("%s shows the secret: %s", name, out)
		}
	}
	if !strings.Contains(outputs["yaml"], "bearer_token: <secret>") {
		t.Errorf("yaml = %s", yamlOut)
	}
	if !strings.Contains(outputs["slog json"], `"secret":"<secret>"`) {
		t.Errorf("slog json = %s", js.String())
	}
}

func TestYAMLDecode(t *testing.T) {
	const doc = `
url: https://dichvucong.quangnam.gov.vn/api
timeout: 30s
retries: 5
retry_wait: 250ms
retry_max_wait: 5s
rate_limit: 1.5
burst: 3
max_body_bytes: 1048576
ca_file: /etc/govpulse/ca.pem
oauth2:
  token_url: https://sso.quangnam.gov.vn/realms/digo/protocol/openid-connect/token
  client_id: govpulse
  client_secret_file: /run/secrets/kc
  scopes: [report]
headers:
  X-Tenant: qnm
`
	var c Config
	dec := yaml.NewDecoder(strings.NewReader(doc))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		t.Fatal(err)
	}
	if c.Timeout != 30*time.Second || c.RetryWait != 250*time.Millisecond || c.RateLimit != 1.5 ||
		c.OAuth2 == nil || c.OAuth2.ClientSecretFile != "/run/secrets/kc" || c.Headers["X-Tenant"] != "qnm" {
		t.Errorf("decoded %+v", c)
	}

	dec = yaml.NewDecoder(strings.NewReader("url: https://x\nretry: 2\n"))
	dec.KnownFields(true)
	if err := dec.Decode(&Config{}); err == nil {
		t.Error("unknown key accepted")
	}
}

func TestSetDefaults(t *testing.T) {
	var c Config
	c.SetDefaults()
	want := Config{Timeout: 20 * time.Second, Retries: Int(3), RetryWait: 500 * time.Millisecond, RetryMaxWait: 10 * time.Second,
		RateLimit: 2, Burst: 2, MaxBodyBytes: 64 << 20}
	// Compare through the pointer's value: the pointers differ.
	if *c.Retries != *want.Retries {
		t.Errorf("default retries %d, want %d", *c.Retries, *want.Retries)
	}
	c.Retries, want.Retries = nil, nil
	if fmt.Sprint(c) != fmt.Sprint(want) {
		t.Errorf("defaults = %+v\nwant       %+v", c, want)
	}
	c = Config{Timeout: time.Second, Retries: Int(1)}
	c.SetDefaults()
	if c.Timeout != time.Second || *c.Retries != 1 {
		t.Errorf("SetDefaults overwrote set fields: %+v", c)
	}
}

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte("abc\n"), 0o600)
	emptyFile := filepath.Join(dir, "empty")
	os.WriteFile(emptyFile, []byte("\n"), 0o600)
	missing := filepath.Join(dir, "missing")
	t.Setenv("GOVPULSE_TEST_SECRET", "xyz")

	const ok = "https://dvc.quangnam.gov.vn/api"
	oauth := func() *OAuth2 {
		return &OAuth2{TokenURL: "https://sso/realms/digo/protocol/openid-connect/token", ClientID: "govpulse", ClientSecretEnv: "GOVPULSE_TEST_SECRET"}
	}
	cases := map[string]struct {
		cfg  Config
		want source.Problems
	}{
		"minimal":      {Config{URL: ok}, nil},
		"full oauth2":  {Config{URL: ok, OAuth2: oauth()}, nil},
		"bearer file":  {Config{URL: ok, BearerTokenFile: tokenFile}, nil},
		"no url":       {Config{}, source.Problems{{Path: "url", Msg: "is required"}}},
		"relative url": {Config{URL: "/api"}, source.Problems{{Path: "url", Msg: "must be an absolute http or https URL"}}},
		"ftp url":      {Config{URL: "ftp://x/y"}, source.Problems{{Path: "url", Msg: "must be an absolute http or https URL"}}},
		"no host":      {Config{URL: "https:///api"}, source.Problems{{Path: "url", Msg: "must be an absolute http or https URL"}}},
		"credentials":  {Config{URL: "https://u:p@x/"}, source.Problems{{Path: "url", Msg: "must not contain credentials; use bearer_token or oauth2"}}},
		"negative values": {
			Config{URL: ok, Timeout: -1, Retries: Int(-1), RetryWait: -1, RetryMaxWait: -1, RateLimit: -1, Burst: -1, MaxBodyBytes: -1},
			source.Problems{
				{Path: "timeout", Msg: "must not be negative"}, {Path: "retry_wait", Msg: "must not be negative"}, {Path: "retry_max_wait", Msg: "must not be negative"},
				{Path: "retries", Msg: "must not be negative"}, {Path: "rate_limit", Msg: "must be a positive number of requests per second"},
				{Path: "burst", Msg: "must not be negative"}, {Path: "max_body_bytes", Msg: "must not be negative"},
			},
		},
		"max wait below wait": {Config{URL: ok, RetryWait: 20 * time.Second}, source.Problems{{Path: "retry_max_wait", Msg: "must not be less than retry_wait (20s)"}}},
		"missing ca_file":     {Config{URL: ok, CAFile: missing}, source.Problems{{Path: "ca_file", Msg: fmt.Sprintf("cannot read %q: no such file or directory", missing)}}},
		"ca_file not PEM":     {Config{URL: ok, CAFile: tokenFile}, source.Problems{{Path: "ca_file", Msg: fmt.Sprintf("no PEM certificate in %q", tokenFile)}}},
		"two bearer forms": {Config{URL: ok, BearerToken: "a", BearerTokenEnv: "GOVPULSE_TEST_SECRET"},
			source.Problems{{Path: "bearer_token", Msg: "only one of bearer_token, bearer_token_file and bearer_token_env may be set"}}},
		"missing token file": {Config{URL: ok, BearerTokenFile: missing},
			source.Problems{{Path: "bearer_token_file", Msg: fmt.Sprintf("cannot read %q: no such file or directory", missing) + secretLater, Warning: true}}},
		"empty token file": {Config{URL: ok, BearerTokenFile: emptyFile}, source.Problems{{Path: "bearer_token_file", Msg: fmt.Sprintf("%q is empty", emptyFile) + secretLater, Warning: true}}},
		"unset token env": {Config{URL: ok, BearerTokenEnv: "GOVPULSE_TEST_UNSET"},
			source.Problems{{Path: "bearer_token_env", Msg: `environment variable "GOVPULSE_TEST_UNSET" is not set or empty` + secretLater, Warning: true}}},
		"bearer and oauth2": {Config{URL: ok, BearerToken: "a", OAuth2: oauth()}, source.Problems{{Path: "oauth2", Msg: "cannot be used together with a bearer token"}}},
		"empty oauth2": {Config{URL: ok, OAuth2: &OAuth2{}}, source.Problems{
			{Path: "oauth2.token_url", Msg: "is required"}, {Path: "oauth2.client_id", Msg: "is required"},
			{Path: "oauth2.client_secret", Msg: "one of client_secret, client_secret_file and client_secret_env is required"},
		}},
		"oauth2 bad url and two secrets": {Config{URL: ok, OAuth2: &OAuth2{TokenURL: "sso/token", ClientID: "c", ClientSecret: "s", ClientSecretFile: tokenFile}}, source.Problems{
			{Path: "oauth2.token_url", Msg: "must be an absolute http or https URL"},
			{Path: "oauth2.client_secret", Msg: "only one of client_secret, client_secret_file and client_secret_env may be set"},
		}},
		"oauth2 missing secret file": {Config{URL: ok, OAuth2: &OAuth2{TokenURL: "https://sso/t", ClientID: "c", ClientSecretFile: missing, Scopes: []string{"a", "b c", ""}}}, source.Problems{
			{Path: "oauth2.client_secret_file", Msg: fmt.Sprintf("cannot read %q: no such file or directory", missing) + secretLater, Warning: true},
			{Path: "oauth2.scopes[1]", Msg: "must be one non-empty scope without spaces"},
			{Path: "oauth2.scopes[2]", Msg: "must be one non-empty scope without spaces"},
		}},
		"headers": {Config{URL: ok, BearerTokenFile: tokenFile, Headers: map[string]string{"Bad Name": "x", "X-Ok": "fine", "X-Crlf": "a\r\nb", "authorization": "Basic x"}}, source.Problems{
			{Path: "headers.Bad Name", Msg: "is not a valid header name"},
			{Path: "headers.X-Crlf", Msg: "must not contain line breaks"},
			{Path: "headers.authorization", Msg: "conflicts with the bearer token or oauth2 settings"},
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := tc.cfg.Validate()
			if !slices.Equal(got, tc.want) {
				t.Errorf("Validate =\n  %q\nwant\n  %q", got, tc.want)
			}
		})
	}
}

func TestNewRejectsInvalid(t *testing.T) {
	_, err := New(Config{URL: "nope", BearerToken: "tok-x", BearerTokenEnv: "Y"}, nil)
	want := "invalid http config: url: must be an absolute http or https URL\nbearer_token: only one of bearer_token, bearer_token_file and bearer_token_env may be set"
	if err == nil || err.Error() != want {
		t.Errorf("New = %v\nwant %s", err, want)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)
	cases := map[string]struct {
		v    string
		want time.Duration
		ok   bool
	}{
		"seconds":   {"7", 7 * time.Second, true},
		"zero":      {"0", 0, true},
		"date":      {"Wed, 01 Apr 2026 08:00:30 GMT", 30 * time.Second, true},
		"past date": {"Wed, 01 Apr 2026 07:00:00 GMT", 0, true},
		"empty":     {"", 0, false},
		"negative":  {"-3", 0, false},
		"garbage":   {"soon", 0, false},
	}
	for name, tc := range cases {
		got, ok := parseRetryAfter(tc.v, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: parseRetryAfter(%q) = %v, %v; want %v, %v", name, tc.v, got, ok, tc.want, tc.ok)
		}
	}
}

func TestBackoff(t *testing.T) {
	base, capped := 100*time.Millisecond, time.Second
	for attempt := 1; attempt <= 8; attempt++ {
		full := min(base<<(attempt-1), capped)
		for range 50 {
			d := backoff(base, capped, attempt)
			if d < max(full/2, base) || d > full {
				t.Fatalf("attempt %d: backoff %v outside [%v, %v]", attempt, d, max(full/2, base), full)
			}
		}
	}
}

// TestBasicEncoding pins the RFC 6749 form-encoding of Basic credentials,
// which plain SetBasicAuth would get wrong for secrets with ':' or '&'.
func TestBasicEncoding(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Get("Authorization")
		w.Write([]byte(`{"access_token":"t","expires_in":"60"}`))
	}))
	t.Cleanup(srv.Close)
	cfg := oauthConfig(srv.URL)
	cl := mustNew(t, cfg, nil)
	if _, err := cl.auth.token(t.Context()); err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(got, "Basic "))
	if want := "govpulse:s3cr3t%26with%3Aodd%3Dchars"; string(raw) != want {
		t.Errorf("Basic credentials = %q, want %q", raw, want)
	}
	// expires_in as a string is accepted; a 60 s token is renewed after 30 s.
	o := cl.auth.(*oauth2Source)
	if life := time.Until(o.exp); life < 25*time.Second || life > 31*time.Second {
		t.Errorf("token cached for %v, want ~30s", life)
	}
}

// An explicit retries: 0 in YAML turns retries off; an absent key is the default.
func TestRetriesZeroFromYAML(t *testing.T) {
	for src, want := range map[string]int{"url: http://h\nretries: 0\n": 0, "url: http://h\n": DefaultRetries} {
		var c Config
		if err := yaml.Unmarshal([]byte(src), &c); err != nil {
			t.Fatal(err)
		}
		c.SetDefaults()
		if *c.Retries != want {
			t.Errorf("%q: retries %d, want %d", src, *c.Retries, want)
		}
	}
}

// A secret that is not readable does not stop the client from being built:
// each request fails, naming the variable, until it is set, and no request
// goes out without it.
func TestUnreadableSecretFailsRuns(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Write([]byte("{}"))
	}))
	t.Cleanup(srv.Close)
	cfg := fast(srv.URL)
	cfg.BearerTokenEnv = "GOVPULSE_TEST_LATER"
	cl := mustNew(t, cfg, newLogger(&logBuf{}))
	_, err := cl.Get(t.Context(), "/ok", nil)
	if err == nil || !strings.Contains(err.Error(), `"GOVPULSE_TEST_LATER" is not set`) {
		t.Fatalf("request without the secret: %v", err)
	}
	if calls.Load() != 0 {
		t.Fatalf("%d requests went out without the token", calls.Load())
	}
	t.Setenv("GOVPULSE_TEST_LATER", "now-set")
	if _, err := cl.Get(t.Context(), "/ok", nil); err != nil {
		t.Fatalf("once set: %v", err)
	}
}
