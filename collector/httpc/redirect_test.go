package httpc

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// TestRedirectToAnotherHostDropsHeaders: the configured headers and the bearer
// token reach the configured host, but not the host it redirects to; a
// redirect on the same host keeps them.
func TestRedirectToAnotherHostDropsHeaders(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []http.Header
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Clone())
		mu.Unlock()
		_, _ = w.Write([]byte(`{}`))
	}))
	defer other.Close()
	var first []http.Header
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		first = append(first, r.Header.Clone())
		mu.Unlock()
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, other.URL+"/data", http.StatusFound)
		case "/here":
			http.Redirect(w, r, "/data", http.StatusFound)
		default:
			_, _ = w.Write([]byte(`{}`))
		}
	}))
	defer origin.Close()

	c, err := New(Config{URL: origin.URL, Headers: map[string]string{"X-Api-Key": "s3cr3t-key"}, BearerToken: "s3cr3t-token"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(context.Background(), "/away", nil); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if len(got) != 1 {
		t.Fatalf("the other host got %d requests", len(got))
	}
	if v := got[0].Get("X-Api-Key"); v != "" {
		t.Errorf("X-Api-Key %q reached the host redirected to", v)
	}
	if v := got[0].Get("Authorization"); v != "" {
		t.Errorf("Authorization %q reached the host redirected to", v)
	}
	if first[0].Get("X-Api-Key") != "s3cr3t-key" {
		t.Errorf("the configured host did not get X-Api-Key: %v", first[0])
	}
	mu.Unlock()

	if _, err := c.Get(context.Background(), "/here", nil); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(first) != 3 || first[2].Get("X-Api-Key") != "s3cr3t-key" || first[2].Get("Authorization") != "Bearer s3cr3t-token" {
		t.Errorf("a redirect on the same host lost the headers: %d requests, last %v", len(first), first[len(first)-1])
	}
}
