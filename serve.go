package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/govpulse/govpulse/collector"
	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/config"
	"github.com/govpulse/govpulse/collector/simulate"
	"github.com/govpulse/govpulse/collector/store"
	"github.com/govpulse/govpulse/exporters/prom"
	"github.com/govpulse/govpulse/exporters/vmpush"
)

// Shutdown (SIGTERM, SIGINT) runs these steps in order, each bounded, so
// that serve exits within shutdownBound: the compose file's
// stop_grace_period and the systemd unit's TimeoutStopSec must exceed it
// (TestStopTimeoutsCoverShutdown).
const (
	// shutdownHTTP: in-flight scrapes drain, then their connections close.
	shutdownHTTP = prom.ShutdownTimeout
	// shutdownPush: the push loop's attempt is cancelled; waiting for the
	// loop to return is bounded all the same.
	shutdownPush = time.Second
	// shutdownGrace: running collections may finish (a feed run saves its
	// state at its end); a reload waits as long for the old config's runs.
	shutdownGrace = 10 * time.Second
	// shutdownCancel: collections still running are cancelled and may
	// return (a feed checkpoints on the way out).
	shutdownCancel = collector.StopCancelWait
	// shutdownDemo: --demo's simulated province stops last.
	shutdownDemo = simulate.ShutdownGrace
	// shutdownBound is the sum: the longest serve takes to exit once asked.
	shutdownBound = shutdownHTTP + shutdownPush + shutdownGrace + shutdownCancel + shutdownDemo
)

func runServe(ctx context.Context, args []string, _, stderr io.Writer) error {
	fs := newFlagSet("serve", stderr)
	file := fs.String("config.file", "govpulse.yml", "configuration file")
	listen := fs.String("web.listen-address", ":9470", "address to serve /metrics on")
	webConfig := fs.String("web.config.file", "", "exporter-toolkit web config (TLS, basic auth)")
	maxRequests := fs.Int("web.max-requests", prom.DefaultMaxRequests, "requests served at once; more are answered 503 at once (0 for no cap)")
	enablePprof := fs.Bool("web.enable-pprof", false, "serve Go's profiles under /debug/pprof/ (CPU, heap, goroutines) to profile a live daemon; keep the port private")
	lifecycle := fs.Bool("web.enable-lifecycle", false, "enable POST /-/reload (SIGHUP reloads either way)")
	noExporterMetrics := fs.Bool("web.disable-exporter-metrics", false, "leave out go_*, process_* and promhttp_* metrics: the scrape then serves only pre-rendered bytes")
	demo := fs.Bool("demo", false, "run the built-in simulated province in-process and collect from it (ignores --config.file)")
	seed := fs.Int64("demo.seed", 47, "seed of the simulated province")
	demoProvince := fs.String("demo.province", "", `province code the demo runs as, e.g. 01 (default: the demo city's 48): its name and province-level agency say so, and without --vm.push-extra-labels its pushes carry province="<code>"; agency codes stay the demo's`)
	demoTime := addClockFlag(fs, "demo.time")
	demoFrozen := fs.Bool("demo.frozen", false, "the simulated clock stands still at --demo.time: every collection reads the same figures (screenshots, side-by-side comparisons, HA pairs in tests)")
	var push vmpush.Config
	fs.StringVar(&push.URL, "vm.push-url", "", "also push every snapshot to VictoriaMetrics' import endpoint, e.g. http://vm:8428/api/v1/import/prometheus")
	fs.DurationVar(&push.Interval, "vm.push-interval", vmpush.DefaultInterval, "how often to push to VictoriaMetrics")
	fs.DurationVar(&push.Timeout, "vm.push-timeout", vmpush.DefaultTimeout, "timeout of one push attempt (up to three attempts per interval)")
	fs.StringVar(&push.ExtraLabels, "vm.push-extra-labels", "", `labels added to every pushed sample, e.g. province="49"`)
	lf := addLogFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	logger := lf.logger(stderr)
	var clock func() time.Time // the sources' clock: the wall clock but for the demo
	if *demo {
		var err error
		if clock, err = demoClock(*demoTime, *demoFrozen); err != nil {
			return err
		}
	}

	cfg, stop, err := loadConfig(ctx, *demo, *file, *seed, clock, logger)
	if err != nil {
		return err
	}
	defer stop()
	if *demoProvince != "" && !*demo {
		return errors.New("--demo.province needs --demo")
	}
	if *demo && *demoProvince != "" {
		if err := setDemoProvince(cfg, *demoProvince); err != nil {
			return fmt.Errorf("--demo.province: %w", err)
		}
		// The province code goes on the series by the push's label (a
		// scrape adds it as a target label).
		if push.ExtraLabels == "" {
			push.ExtraLabels = catalog.LabelProvince + "=" + strconv.Quote(*demoProvince)
		}
	}
	for _, w := range cfg.Warnings {
		logger.Warn("config: " + w)
	}

	if push.URL != "" {
		if err := push.Validate(); err != nil {
			return fmt.Errorf("--vm.push-url: %w", err)
		}
	}
	d, err := newDaemon(cfg, clock, logger, !*noExporterMetrics)
	if err != nil {
		return err
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", *listen)
	if err != nil {
		return fmt.Errorf("cannot listen on %q: %w", *listen, err)
	}
	scfg := prom.ServerConfig{ListenAddress: *listen, WebConfigFile: *webConfig, Version: Version, Ready: readyFunc(d.store), MaxRequests: *maxRequests, EnablePprof: *enablePprof}
	if *maxRequests <= 0 {
		scfg.MaxRequests = -1 // no cap
	}
	var live prometheus.Gatherer = d.live
	if *noExporterMetrics {
		live = prom.Static(d.live) // build info only: gathered once
	} else {
		scfg.Instrument = d.live
	}
	scfg.PerScrape = d.perScrape
	pushStats := &vmpush.Stats{Changed: d.perScrape.Changed}
	if push.URL != "" {
		// In the per-scrape part even with --web.disable-exporter-metrics:
		// gathered again after every push, so the next scrape shows it.
		d.perScrape.MustRegister(pushStats)
	}
	mux := prom.NewMux(d.exposition, live, scfg, logger)

	reload := func() error {
		if *demo {
			return errDemoReload
		}
		return d.reload(ctx, *file, logger)
	}
	mux.HandleFunc("POST /-/reload", func(w http.ResponseWriter, _ *http.Request) {
		if !*lifecycle {
			http.Error(w, "the lifecycle API is off: start govpulse with --web.enable-lifecycle to reload over HTTP, or send it SIGHUP", http.StatusForbidden)
			return
		}
		if err := reload(); err != nil {
			code := http.StatusInternalServerError
			if errors.Is(err, errDemoReload) {
				code = http.StatusConflict // nothing to reload: the request, not the server, is wrong
			}
			http.Error(w, "config not reloaded, the running one stays:\n"+err.Error(), code)
			return
		}
		_, _ = io.WriteString(w, "OK")
	})
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				if err := reload(); errors.Is(err, errDemoReload) { // other errors are logged by reload
					logger.Warn("SIGHUP: config not reloaded", "err", err)
				}
			}
		}
	}()

	// Deferred steps run in reverse: the HTTP drain (in Serve), the push
	// loop, the collections, then --demo's simulator (registered above).
	d.start()
	defer d.stop(shutdownGrace)
	if push.URL != "" {
		pushCtx, stopPush := context.WithCancel(ctx)
		pushed := make(chan struct{})
		go func() {
			defer close(pushed)
			vmpush.Run(pushCtx, push, func(w io.Writer) { _, _ = d.exposition.WriteTo(w) }, pushStats, logger)
		}()
		defer func() {
			stopPush()
			select {
			case <-pushed:
			case <-time.After(shutdownPush):
				logger.Warn("push to VictoriaMetrics still running at shutdown: leaving it behind")
			}
		}()
	}
	logger.Info("govpulse serving", "address", ln.Addr().String(), "sources", len(cfg.Sources), "agencies", len(cfg.Agencies), "demo", *demo)
	return prom.Serve(ctx, ln, mux, scfg, logger)
}

// errDemoReload refuses a reload under --demo, whose config is built in.
var errDemoReload = errors.New("the demo's config is built in: there is no config file to reload")

// daemon is the wired pipeline: sources -> store -> exposition.
type daemon struct {
	store      *store.Store
	exposition *prom.Exposition
	live       *prometheus.Registry
	clock      func() time.Time // the sources' clock (nil: the wall clock)

	mu    sync.Mutex // serialises reloads
	sched *collector.Scheduler

	// reloads is the last config load's outcome, in perScrape: gathered
	// again after every change, also when the live part is gathered once.
	reloads   reloadStatus
	perScrape *prom.Events
}

func (d *daemon) start() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.sched.Start()
}

func (d *daemon) stop(grace time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.sched.Stop(grace)
}

// reload swaps in the config in file. The new sources are built before
// anything changes, so an invalid config, or one whose sources cannot be
// built, leaves the running config untouched. Sources that keep their name
// keep their last good data; removed ones leave the exposition.
// (max_series_per_metric takes effect at restart.) A shutdown (ctx done)
// cuts short its wait for the old config's runs, and the new config is then
// not started: the shutdown stays within its bound.
func (d *daemon) reload(ctx context.Context, file string, logger *slog.Logger) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	cfg, err := config.Load(file)
	if err == nil {
		for _, w := range cfg.Warnings {
			logger.Warn("config: " + w)
		}
		var next *collector.Scheduler
		if next, err = collector.NewScheduler(cfg, d.store, logger, d.clock); err == nil {
			d.sched.StopContext(ctx, shutdownGrace)
			if ctx.Err() != nil {
				return errors.New("shutting down: the new config is not started")
			}
			keep := map[string]bool{collector.UnitsSource: true}
			for _, s := range cfg.Sources {
				keep[s.Name] = true
			}
			d.store.Unregister(keep)
			d.sched = next
			d.sched.Start()
			d.reloads.record(nil, time.Now())
			logger.Info("config reloaded", "file", file, "sources", len(cfg.Sources), "agencies", len(cfg.Agencies))
			return nil
		}
	}
	d.reloads.record(err, time.Now())
	logger.Error("config not reloaded; the running one stays", "file", file, "err", err)
	return err
}

// newDaemon wires the pipeline; exporterMetrics adds the Go and process
// collectors to the live part.
func newDaemon(cfg *config.Config, clock func() time.Time, logger *slog.Logger, exporterMetrics bool) (*daemon, error) {
	d := &daemon{
		clock:      clock,
		store:      store.New(logger, cfg.MaxSeriesPerMetric),
		exposition: prom.NewExposition(logger),
		live:       prometheus.NewRegistry(),
		perScrape:  prom.NewEvents(),
	}
	d.reloads.changed = d.perScrape.Changed
	d.reloads.record(nil, time.Now()) // the config newDaemon runs was loaded
	d.perScrape.MustRegister(&d.reloads)
	d.store.Subscribe(d.exposition.Update)
	var err error
	if d.sched, err = collector.NewScheduler(cfg, d.store, logger, d.clock); err != nil {
		return nil, err
	}
	d.live.MustRegister(prom.BuildInfo(Version, revision()))
	if exporterMetrics {
		d.live.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	return d, nil
}

// readyFunc is ready once every source has run at least once, whatever the
// outcome: a source that is down is reported by metrics, not by readiness.
func readyFunc(st *store.Store) func() bool {
	return func() bool {
		for _, s := range st.Snapshot().Sources {
			if !s.Internal && s.LastRun.IsZero() {
				return false
			}
		}
		return true
	}
}

// startDemo serves the simulated province on a loopback port and returns the
// config that collects from it.
func startDemo(ctx context.Context, seed int64, clock func() time.Time, logger *slog.Logger) (*config.Config, func(), error) {
	sim := simulate.New(simulate.Options{Seed: seed, Now: clock})
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("cannot start the simulated province: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = sim.ServeListener(ctx, ln, logger.With("component", "simulate"))
	}()
	dir, err := os.MkdirTemp("", "govpulse-demo-")
	if err == nil {
		err = writeDemoFiles(dir)
	}
	var cfg *config.Config
	if err == nil {
		cfg, err = demoConfig(sim, "http://"+ln.Addr().String(), dir)
	}
	stop := func() { cancel(); <-done; _ = os.RemoveAll(dir) }
	if err != nil {
		stop()
		return nil, nil, err
	}
	cfg.StateDir = dir
	return cfg, stop, nil
}
