package prom

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// serveHandler runs Serve with h on a fresh 127.0.0.1 port until the test ends.
func serveHandler(t *testing.T, h http.Handler, cfg ServerConfig) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.ListenAddress = l.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, l, h, cfg, discard()) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Serve did not return after cancel")
		}
	})
	return l.Addr().String()
}

// TestMaxRequests: with the cap reached by requests in flight, the next one is
// answered 503 at once; once they finish, requests are served again.
func TestMaxRequests(t *testing.T) {
	release := make(chan struct{})
	var inFlight atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			inFlight.Add(1)
			select {
			case <-release:
			case <-time.After(10 * time.Second):
			}
		}
		_, _ = io.WriteString(w, "OK")
	})
	addr := serveHandler(t, h, ServerConfig{MaxRequests: 2})
	client := &http.Client{Timeout: 5 * time.Second}
	var wg sync.WaitGroup
	codes := make(chan int, 2)
	for range 2 {
		wg.Go(func() {
			resp, err := client.Get("http://" + addr + "/slow")
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			codes <- resp.StatusCode
		})
	}
	free := sync.OnceFunc(func() { close(release) })
	defer func() { free(); wg.Wait() }()
	deadline := time.Now().Add(5 * time.Second)
	for inFlight.Load() < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the slow requests did not start")
		}
		time.Sleep(5 * time.Millisecond)
	}
	start := time.Now()
	resp, err := client.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "too many requests") {
		t.Fatalf("request over the cap: %d %q, want 503", resp.StatusCode, body)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("the 503 took %v", d)
	}

	free()
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != http.StatusOK {
			t.Errorf("a slow request got %d", c)
		}
	}
	resp, err = client.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("after the slow requests: %d", resp.StatusCode)
	}
}

// TestSlowClientsAreCut: clients that never finish their request headers
// hold no request slot and are disconnected after the read-header timeout.
func TestSlowClientsAreCut(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "OK") })
	addr := serveHandler(t, h, ServerConfig{MaxRequests: 1, ReadHeaderTimeout: 200 * time.Millisecond})
	var conns []net.Conn
	for range 5 {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := io.WriteString(c, "GET /metrics HTTP/1.1\r\nHost: x\r\n"); err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("with slow clients connected: %d, want 200", resp.StatusCode)
	}
	for i, c := range conns {
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err := io.ReadAll(c) // the server answers 408 or just closes
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Errorf("slow client %d still connected after 5 s", i)
		}
	}
}
