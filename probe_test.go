package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestProbe: probe succeeds on a 2xx answer and fails on anything else, a
// refused connection included (that is what Docker's health check sees).
func TestProbe(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/-/healthy" {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("OK"))
	}))
	defer srv.Close()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"probe", "--url", srv.URL + "/-/healthy"}, &out, &out); err != nil {
		t.Fatalf("healthy: %v", err)
	}
	if !strings.Contains(out.String(), "200 OK") {
		t.Errorf("probe printed %q", out.String())
	}
	if err := run(context.Background(), []string{"probe", "--url", srv.URL + "/-/ready"}, &out, &out); err == nil || !strings.Contains(err.Error(), "503") {
		t.Errorf("503: err = %v", err)
	}
	url := srv.URL
	srv.Close()
	if err := run(context.Background(), []string{"probe", "--url", url + "/-/healthy", "--timeout", "2s"}, &out, &out); err == nil {
		t.Error("closed server: no error")
	}
}
