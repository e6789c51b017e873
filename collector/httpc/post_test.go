package httpc

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
)

// postServer answers with statuses[i] on the i-th request (the last one
// repeats) and records each request's method, headers and body.
type postServer struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	method, path, query string
	header              http.Header
	body                string
}

func newPostServer(t *testing.T, answer string, statuses ...int) *postServer {
	s := &postServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		i := len(s.reqs)
		s.reqs = append(s.reqs, recorded{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), string(b)})
		s.mu.Unlock()
		st := statuses[min(i, len(statuses)-1)]
		w.WriteHeader(st)
		if st == http.StatusOK {
			_, _ = io.WriteString(w, answer)
			return
		}
		fmt.Fprintf(w, `{"status":%d}`, st)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *postServer) requests() []recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]recorded(nil), s.reqs...)
}

func TestPost(t *testing.T) {
	t.Parallel()
	const req = `{"timeType":"month","year":2024,"month":8}`
	const answer = `{"code":"OK","data":{}}`

	t.Run("sends JSON with auth and returns the body", func(t *testing.T) {
		t.Parallel()
		srv := newPostServer(t, answer, 200)
		cfg := fast(srv.URL + "/api")
		cfg.BearerToken = "t0ken"
		cfg.Headers = map[string]string{"X-Tenant": "h47"}
		body, err := mustNew(t, cfg, nil).Post(t.Context(), "/v1/reporting/evaluation/service-results", url.Values{"lang": {"vi"}}, []byte(req))
		if err != nil {
			t.Fatalf("Post: %v", err)
		}
		if string(body) != answer {
			t.Errorf("body = %q", body)
		}
		got := srv.requests()
		if len(got) != 1 {
			t.Fatalf("requests = %d, want 1", len(got))
		}
		r := got[0]
		checks := map[string][2]string{
			"method":        {r.method, http.MethodPost},
			"path":          {r.path, "/api/v1/reporting/evaluation/service-results"},
			"query":         {r.query, "lang=vi"},
			"body":          {r.body, req},
			"Content-Type":  {r.header.Get("Content-Type"), "application/json"},
			"Accept":        {r.header.Get("Accept"), "application/json"},
			"Authorization": {r.header.Get("Authorization"), "Bearer t0ken"},
			"X-Tenant":      {r.header.Get("X-Tenant"), "h47"},
		}
		for k, c := range checks {
			if c[0] != c[1] {
				t.Errorf("%s = %q, want %q", k, c[0], c[1])
			}
		}
		if !strings.HasPrefix(r.header.Get("User-Agent"), "govpulse/") {
			t.Errorf("User-Agent = %q", r.header.Get("User-Agent"))
		}
	})

	t.Run("a retry sends the whole body again", func(t *testing.T) {
		t.Parallel()
		srv := newPostServer(t, answer, 503, 429, 200)
		if _, err := mustNew(t, fast(srv.URL), nil).Post(t.Context(), "/x", nil, []byte(req)); err != nil {
			t.Fatalf("Post: %v", err)
		}
		got := srv.requests()
		if len(got) != 3 {
			t.Fatalf("requests = %d, want 3", len(got))
		}
		for i, r := range got {
			if r.body != req {
				t.Errorf("attempt %d body = %q, want %q", i+1, r.body, req)
			}
		}
	})

	t.Run("4xx is not retried", func(t *testing.T) {
		t.Parallel()
		srv := newPostServer(t, answer, 400, 200)
		_, err := mustNew(t, fast(srv.URL), nil).Post(t.Context(), "/x", url.Values{"key": {"sekrit"}}, []byte(req))
		if got := source.Reason(err); got != catalog.ReasonHTTP4xx {
			t.Fatalf("reason = %q, want %q (err %v)", got, catalog.ReasonHTTP4xx, err)
		}
		want := fmt.Sprintf("cannot post %q: upstream answered 400 Bad Request after 1 attempt", srv.URL+"/x")
		if err.Error() != want {
			t.Errorf("error = %q\nwant    %q", err, want)
		}
		if n := len(srv.requests()); n != 1 {
			t.Errorf("requests = %d, want 1", n)
		}
	})

	t.Run("body cap", func(t *testing.T) {
		t.Parallel()
		srv := newPostServer(t, strings.Repeat("x", 2048), 200)
		cfg := fast(srv.URL)
		cfg.MaxBodyBytes = 1024
		_, err := mustNew(t, cfg, nil).Post(t.Context(), "/x", nil, []byte(req))
		if got := source.Reason(err); got != catalog.ReasonTooLarge {
			t.Fatalf("reason = %q, want %q (err %v)", got, catalog.ReasonTooLarge, err)
		}
	})

	t.Run("config headers win over the JSON content type", func(t *testing.T) {
		t.Parallel()
		srv := newPostServer(t, answer, 200)
		cfg := fast(srv.URL)
		cfg.Headers = map[string]string{"Content-Type": "application/json; charset=utf-8"}
		if _, err := mustNew(t, cfg, nil).Post(t.Context(), "/x", nil, []byte(req)); err != nil {
			t.Fatalf("Post: %v", err)
		}
		if got := srv.requests()[0].header.Get("Content-Type"); got != "application/json; charset=utf-8" {
			t.Errorf("Content-Type = %q", got)
		}
	})
}
