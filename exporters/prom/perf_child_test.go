package prom

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// The server side of TestPerformance's loopback runs: the test binary run
// again as a separate process, so its getrusage is the server's CPU alone.

// perfChildEnv carries "<mode>,<size>" to the child; mode is one of
// perfModes.
const perfChildEnv = "GOVPULSE_PERF_CHILD"

// perfModes are the servers compared: the floor, and govpulse as the daemon
// wires it with default flags and with --web.disable-exporter-metrics.
var perfModes = []string{"floor", "default", "slim"}

// perfFloor writes the snapshot part's pre-rendered bytes for the asked
// encoding with Content-Type and Content-Length (and Content-Encoding for
// gzip), nothing else: what no exporter can go below.
func perfFloor(plain, gz []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, hdr := plain, w.Header()
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			body = gz
			hdr.Set("Content-Encoding", "gzip")
		}
		hdr.Set("Content-Type", ContentType)
		hdr.Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	})
}

// perfPerScrape imitates the daemon's per-scrape part (the reload outcome
// and the push counters, in an Events), in both flag sets. It changes once a
// second, as if a push landed every second (the daemon's push interval is
// 15 s or more), so the measured scrapes pay for regathering it too.
func perfPerScrape() *Events {
	ev := NewEvents()
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "perf_config_last_reload", Help: "Reload outcome."}, []string{"what"})
	g.WithLabelValues("successful").Set(1)
	g.WithLabelValues("success_timestamp_seconds").Set(1.75e9)
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "perf_pushes_total", Help: "Pushes."})
	c.Add(3)
	ev.MustRegister(g, c)
	var tick func()
	tick = func() {
		c.Inc()
		ev.Changed()
		time.AfterFunc(time.Second, tick) // lives as long as the test process
	}
	time.AfterFunc(time.Second, tick)
	return ev
}

// perfHandler is mode's /metrics server over e, wired as serve.go does.
func perfHandler(mode string, e *Exposition) (http.Handler, error) {
	r := e.cur.Load()
	switch mode {
	case "floor":
		return perfFloor(r.plain, r.gz), nil // a rendering is never modified
	case "default":
		live := NewLiveRegistry("perf", "perf")
		return NewMux(e, live, ServerConfig{Instrument: live, PerScrape: perfPerScrape()}, discard()), nil
	case "slim":
		reg := prometheus.NewRegistry()
		reg.MustRegister(BuildInfo("perf", "perf"))
		return NewMux(e, Static(reg), ServerConfig{PerScrape: perfPerScrape()}, discard()), nil
	}
	return nil, fmt.Errorf("unknown perf mode %q", mode)
}

// perfWithCPU routes /cpu to this process's user+sys CPU in ns and the
// rest to h: the same wrapping for every mode.
func perfWithCPU(h http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/cpu", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, strconv.FormatInt(int64(processCPU()), 10))
	})
	mux.Handle("/", h)
	return mux
}

// TestPerfChild is the server process; it runs only when TestPerformance
// starts it. It prints "PERF_ADDR host:port", serves until its stdin closes
// (the parent holds the pipe, so it dies with the parent) and never runs
// past a hard 30 minutes.
func TestPerfChild(t *testing.T) {
	spec := os.Getenv(perfChildEnv)
	if spec == "" {
		t.Skip("started by TestPerformance only")
	}
	hard := time.AfterFunc(30*time.Minute, func() {
		fmt.Fprintln(os.Stderr, "perf child: hard timeout, exiting")
		os.Exit(2)
	})
	defer hard.Stop()
	mode, sizeText, _ := strings.Cut(spec, ",")
	size, err := strconv.Atoi(sizeText)
	if err != nil {
		t.Fatalf("%s=%q: %v", perfChildEnv, spec, err)
	}
	sn := benchSnapshot(size)
	e := NewExposition(discard())
	e.Update(sn)
	h, err := perfHandler(mode, e)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC() // start every mode from the same settled heap

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(os.Stdout)
	fmt.Fprintf(w, "PERF_ADDR %s\n", l.Addr())
	_ = w.Flush()
	// MaxRequests as the daemon's default; the scrapes are sequential.
	if err := Serve(ctx, l, perfWithCPU(h), ServerConfig{ListenAddress: l.Addr().String()}, discard()); err != nil {
		t.Error(err)
	}
	// The floor's process holds the same heap as ours.
	runtime.KeepAlive(sn)
	runtime.KeepAlive(e)
}
