package prom

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/exporter-toolkit/web"
)

// DefaultListenAddress is where govpulse listens unless configured otherwise.
const DefaultListenAddress = ":9470"

// ShutdownTimeout bounds how long Serve waits for in-flight scrapes on exit;
// past it the remaining connections are closed.
const ShutdownTimeout = 5 * time.Second

// Defaults of the server's bounds (ServerConfig fields left at zero).
const (
	// DefaultMaxRequests is how many requests are served at once; more get
	// 503 at once (--web.max-requests).
	DefaultMaxRequests = 40
	// DefaultReadHeaderTimeout: a client that does not send its request
	// headers within this time is disconnected.
	DefaultReadHeaderTimeout = 10 * time.Second
	// DefaultReadTimeout bounds reading a whole request.
	DefaultReadTimeout = 30 * time.Second
	// DefaultWriteTimeout bounds a response, from the end of the request
	// headers: a scrape is a copy of pre-rendered bytes, a client that cannot
	// take them in a minute is dropped.
	DefaultWriteTimeout = time.Minute
	// DefaultIdleTimeout closes keep-alive connections idle this long.
	DefaultIdleTimeout = 2 * time.Minute
)

// ServerConfig is the web part of govpulse's configuration, from the
// --web.* flags.
type ServerConfig struct {
	// ListenAddress is where to listen; DefaultListenAddress if empty.
	ListenAddress string
	// WebConfigFile is an exporter-toolkit web config (TLS, basic auth,
	// rate limit); empty for plain HTTP.
	WebConfigFile string
	// Version is shown on the landing page.
	Version string
	// Ready reports whether govpulse is ready to be scraped (e.g. every source
	// ran once); nil means always ready.
	Ready func() bool
	// Instrument, if set, receives the promhttp_metric_handler_requests_total
	// and _in_flight metrics of /metrics. Pass the live registry so they show
	// up in the live part.
	Instrument prometheus.Registerer
	// PerScrape, if set, is a few series that change on events and must
	// show at once, such as a reload's outcome, unlike the live part (at most
	// LiveMaxAge old). An *Events is gathered again only after it changed;
	// any other Gatherer on every scrape.
	PerScrape prometheus.Gatherer
	// EnablePprof mounts net/http/pprof's profiles under /debug/pprof/
	// (--web.enable-pprof): off by default, since a profile shows the
	// process's internals and a CPU profile costs CPU while it runs.
	EnablePprof bool
	// MaxRequests caps the requests served at once (DefaultMaxRequests if
	// 0, no cap if negative); more are answered 503 without waiting.
	MaxRequests int
	// Timeouts of the http.Server; the Default* constants if 0.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// limit serves at most n requests of h at once and answers the rest 503 at
// once, so slow or stuck clients cannot pile up goroutines and memory.
func limit(h http.Handler, n int) http.Handler {
	if n < 0 {
		return h
	}
	if n == 0 {
		n = DefaultMaxRequests
	}
	sem := make(chan struct{}, n)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case sem <- struct{}{}:
			defer func() { <-sem }()
			h.ServeHTTP(w, r)
		default:
			w.Header().Set("Retry-After", "1")
			http.Error(w, fmt.Sprintf("too many requests in flight (--web.max-requests=%d)", n), http.StatusServiceUnavailable)
		}
	})
}

func (c ServerConfig) listenAddress() string {
	if c.ListenAddress == "" {
		return DefaultListenAddress
	}
	return c.ListenAddress
}

// Listen opens the TCP listener of c.ListenAddress (DefaultListenAddress if
// empty), for Serve.
func (c ServerConfig) Listen() (net.Listener, error) {
	var lc net.ListenConfig // what net.Listen uses; nothing to cancel while binding a port
	l, err := lc.Listen(context.Background(), "tcp", c.listenAddress())
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %q: %w", c.listenAddress(), err)
	}
	return l, nil
}

// NewMux returns govpulse's HTTP routes: the landing page at "/", /metrics
// (exp's handler with the live part from live), /-/healthy (the process is up)
// and /-/ready (cfg.Ready, 503 until true).
func NewMux(exp *Exposition, live prometheus.Gatherer, cfg ServerConfig, logger *slog.Logger) *http.ServeMux {
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	var metrics http.Handler = exp.handler(live, cfg.PerScrape, logger)
	if cfg.Instrument != nil {
		metrics = promhttp.InstrumentMetricHandler(cfg.Instrument, metrics)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics)
	mux.HandleFunc("GET /-/healthy", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "OK")
	})
	mux.HandleFunc("GET /-/ready", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if cfg.Ready != nil && !cfg.Ready() {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, "Not ready")
			return
		}
		_, _ = io.WriteString(w, "OK")
	})
	if cfg.EnablePprof {
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	}
	landing, err := web.NewLandingPage(web.LandingConfig{
		Name:        "govpulse",
		Description: "Administrative reform and digital transformation KPIs — Chỉ số CCHC & CĐS",
		Version:     cfg.Version,
		Profiling:   strconv.FormatBool(cfg.EnablePprof),
		Links: []web.LandingLinks{
			{Address: "/metrics", Text: "Metrics", Description: "the current snapshot of every source, and govpulse's own health"},
			{Address: "/-/healthy", Text: "Health"},
			{Address: "/-/ready", Text: "Readiness"},
		},
	})
	if err != nil {
		// The template is fixed and compiled into the binary: this cannot
		// happen at run time, and /metrics must still be served if it did.
		logger.Error("BUG: cannot build the landing page", "err", err)
		return mux
	}
	mux.Handle("GET /", landing)
	return mux
}

// Serve serves h on l through exporter-toolkit, which applies the web config
// (TLS, basic auth) named in cfg, until ctx is done; then it shuts down
// gracefully, waiting up to ShutdownTimeout for scrapes in flight and then
// closing the connections still open. At most
// cfg.MaxRequests requests are served at once, and every connection is bound
// by the server timeouts. It returns nil after a
// shutdown asked for by ctx, or the error that stopped serving (e.g. an invalid
// web config file). It closes l.
func Serve(ctx context.Context, l net.Listener, h http.Handler, cfg ServerConfig, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	srv := &http.Server{
		Handler: limit(h, cfg.MaxRequests),
		// A stuck or slow client must not hold a connection forever.
		ReadHeaderTimeout: orDefault(cfg.ReadHeaderTimeout, DefaultReadHeaderTimeout),
		ReadTimeout:       orDefault(cfg.ReadTimeout, DefaultReadTimeout),
		WriteTimeout:      orDefault(cfg.WriteTimeout, DefaultWriteTimeout),
		IdleTimeout:       orDefault(cfg.IdleTimeout, DefaultIdleTimeout),
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	addrs := []string{cfg.listenAddress()}
	systemd := false
	webConfig := cfg.WebConfigFile
	flags := &web.FlagConfig{
		WebListenAddresses: &addrs,
		WebSystemdSocket:   &systemd,
		WebConfigFile:      &webConfig,
	}
	done := make(chan error, 1)
	go func() { done <- web.ServeMultiple([]net.Listener{l}, srv, flags, logger) }()
	select {
	case err := <-done:
		_ = l.Close()
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("cannot serve on %s: %w", l.Addr(), err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		// A scrape that outlives the drain must not hold the exit, nor
		// make an asked-for shutdown fail: cut it off.
		logger.Warn("requests still in flight at shutdown: closing their connections", "timeout", ShutdownTimeout)
		_ = srv.Close()
		err = nil
	}
	serr := <-done
	_ = l.Close() // already closed unless serving failed before it started
	if serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("cannot shut down the server on %s: %w", l.Addr(), err)
	}
	return nil
}
