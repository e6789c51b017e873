package collector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/config"
	"github.com/govpulse/govpulse/collector/source"
	"github.com/govpulse/govpulse/collector/store"
	"github.com/govpulse/govpulse/collector/workday"
)

var nowFunc = time.Now

// loadLocation falls back to a fixed UTC+7 zone when the system has no tzdata
// for Vietnam's zone (it has had no DST since 1975).
func loadLocation(name string) (*time.Location, error) {
	loc, err := time.LoadLocation(name)
	if err != nil && name == config.DefaultTimezone {
		return time.FixedZone("ICT", 7*3600), nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot load time zone %q: %w", name, err)
	}
	return loc, nil
}

// UnitsSource is the store name of the unit lists' internal source.
const UnitsSource = "units"

// Lookup returns every sample of m in sn, across sources.
func Lookup(sn *store.Snapshot, m *catalog.Metric) []source.Sample {
	var out []source.Sample
	for _, st := range sn.Sources {
		if st.Result == nil {
			continue
		}
		for _, smp := range st.Result.Samples {
			if smp.Metric == m {
				out = append(out, smp)
			}
		}
	}
	return out
}

// Scheduler runs every source on its cron schedule and publishes to the store.
type Scheduler struct {
	logger *slog.Logger
	store  *store.Store
	cron   *cron.Cron

	// ctx is cancelled at shutdown past the grace period: running jobs stop.
	ctx    context.Context
	cancel context.CancelFunc

	jobs     map[string]cron.Job
	derived  map[string]bool // sources computed from the others' data
	wg       sync.WaitGroup  // the start-up runs
	stopOnce sync.Once
	// cancelWait is StopCancelWait (tests shorten it).
	cancelWait time.Duration

	mu           sync.Mutex
	lastFault    map[string]string // last logged failure per source: log once
	lastRejected map[string]string // last logged rejection summary per source
}

// Job is one scheduled source.
type Job struct {
	Name, Kind, Schedule string
	Timeout              time.Duration
	Source               source.Source
}

// NewScheduler builds the sources of cfg and registers them in st (down until
// their first run). It does not start anything. clock is the time the sources
// collect for (the periods they ask for); nil is the wall clock. The demo
// passes its own; health timestamps and the schedule always use the wall clock.
func NewScheduler(cfg *config.Config, st *store.Store, logger *slog.Logger, clock func() time.Time) (*Scheduler, error) {
	env, err := Env(cfg, logger)
	if err != nil {
		return nil, err
	}
	if clock != nil {
		env.Now = clock
	}
	// Holidays make an office-hours schedule's runs not due (DueFunc); a
	// calendar that cannot load only loses that refinement.
	cal, err := workday.Default()
	if err == nil {
		cal = cal.WithLocation(env.Location)
	} else {
		logger.Warn("no holiday calendar: office-hours schedules are due on public holidays", "err", err)
		cal = nil
	}
	env.Lookup = func(m *catalog.Metric) []source.Sample { return Lookup(st.Snapshot(), m) }
	srcs, err := Build(cfg, env)
	if err != nil {
		return nil, err
	}
	st.Publish(UnitsSource, Units(cfg), nowFunc(), 0)
	st.Register(UnitsSource, catalog.SourceUnits, 0, true)
	jobs := make([]Job, 0, len(cfg.Sources))
	for _, sc := range cfg.Sources {
		jobs = append(jobs, Job{Name: sc.Name, Kind: sc.Type, Schedule: sc.Schedule, Timeout: sc.Timeout, Source: srcs[sc.Name]})
	}
	return newScheduler(jobs, st, cal, logger)
}

func newScheduler(jobs []Job, st *store.Store, cal *workday.Calendar, logger *slog.Logger) (*Scheduler, error) {
	cl := cronLogger{logger}
	s := &Scheduler{
		logger:       logger,
		store:        st,
		cron:         cron.New(cron.WithParser(config.CronParser), cron.WithLogger(cl)),
		jobs:         map[string]cron.Job{},
		derived:      map[string]bool{},
		lastFault:    map[string]string{},
		lastRejected: map[string]string{},
		cancelWait:   StopCancelWait,
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	for _, jb := range jobs {
		sched, err := config.CronParser.Parse(jb.Schedule)
		if err != nil {
			return nil, fmt.Errorf("cannot parse the schedule of source %q: %w", jb.Name, err)
		}
		st.Register(jb.Name, jb.Kind, config.Interval(sched), false)
		st.SetDue(jb.Name, nowFunc(), DueFunc(sched, cal))
		// Set on every build, so a reload that changes the limit (or the
		// source's type) takes effect.
		limit, ok := jb.Source.(source.RejectLimiter)
		if ok {
			st.SetRejectLimit(jb.Name, limit.MaxRejectedShare(), true)
		} else {
			st.SetRejectLimit(jb.Name, 0, false)
		}
		// SkipIfStillRunning must wrap Recover: the other order loses the
		// running token when a job panics and the job never runs again. The
		// chain is per job rather than cron-wide so that the start-up run
		// shares the skip token with scheduled runs.
		j := cron.NewChain(cron.SkipIfStillRunning(cl), cron.Recover(cl)).Then(s.job(jb.Name, jb.Source, jb.Timeout))
		s.jobs[jb.Name] = j
		if jb.Kind == catalog.SourceRating {
			s.derived[jb.Name] = true
		}
		s.cron.Schedule(sched, j)
	}
	return s, nil
}

// Start runs every source once at once, so data appears without waiting for
// the first tick, and starts the schedule.
//
// Derived sources (ratings) start after the others' first runs, so that
// their first result already has data to derive from.
func (s *Scheduler) Start() {
	var first sync.WaitGroup
	for name, j := range s.jobs {
		if s.derived[name] {
			continue
		}
		first.Add(1)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer first.Done()
			j.Run()
		}()
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		first.Wait()
		for name, j := range s.jobs {
			if s.derived[name] {
				j.Run()
			}
		}
	}()
	s.cron.Start()
}

// StopCancelWait bounds how long Stop waits for runs it cancelled to return
// (a feed saves its state on the way out). A run still going past it is left
// behind: its context is cancelled, and the process is exiting or the config
// being replaced.
const StopCancelWait = 3 * time.Second

// Stop stops scheduling and waits for running jobs up to grace; past it their
// context is cancelled and Stop waits up to StopCancelWait for them to
// return. It returns within grace + StopCancelWait; a second call returns at
// once.
func (s *Scheduler) Stop(grace time.Duration) { s.StopContext(context.Background(), grace) }

// StopContext is Stop whose grace also ends when ctx is done: a shutdown
// cuts short a reload's wait for the old config's runs.
func (s *Scheduler) StopContext(ctx context.Context, grace time.Duration) {
	s.stopOnce.Do(func() { s.stop(ctx, grace) })
}

func (s *Scheduler) stop(ctx context.Context, grace time.Duration) {
	defer s.cancel()
	done := s.cron.Stop()
	waitAll := make(chan struct{})
	go func() {
		<-done.Done()
		s.wg.Wait()
		close(waitAll)
	}()
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-waitAll:
		return
	case <-t.C:
		s.logger.Warn("sources still running when their schedule stops: cancelling them", "grace", grace)
	case <-ctx.Done():
		s.logger.Warn("sources still running at shutdown: cancelling them now")
	}
	s.cancel()
	c := time.NewTimer(s.cancelWait)
	defer c.Stop()
	select {
	case <-waitAll:
	case <-c.C:
		s.logger.Error("sources still running after being cancelled: leaving them behind", "waited", s.cancelWait)
	}
}

// RunNow runs one source synchronously (tests, and reload).
func (s *Scheduler) RunNow(name string) {
	if j, ok := s.jobs[name]; ok {
		j.Run()
	}
}

func (s *Scheduler) job(name string, src source.Source, timeout time.Duration) cron.Job {
	return cron.FuncJob(func() {
		start := nowFunc()
		ctx, cancel := context.WithTimeout(s.ctx, timeout)
		defer cancel()
		res, err := s.collect(ctx, src)
		dur := nowFunc().Sub(start)
		if err != nil {
			s.store.Fail(name, err, start, dur)
			s.logFault(name, err)
			return
		}
		s.store.Publish(name, res, start, dur)
		s.logRecovery(name, res, dur)
	})
}

// collect calls the source, turning a panic into a failed run so the store
// records it; cron.Recover is the second net.
func (s *Scheduler) collect(ctx context.Context, src source.Source) (res *source.Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, &source.Error{Reason: catalog.ReasonPanic, Err: &panicError{v: r, stack: debug.Stack()}}
		}
	}()
	return src.Collect(ctx)
}

// logFault logs a failure once per reason: a source down for a day does not
// write a line per run.
func (s *Scheduler) logFault(name string, err error) {
	reason := source.Reason(err)
	s.mu.Lock()
	repeated := s.lastFault[name] == reason
	s.lastFault[name] = reason
	s.mu.Unlock()
	if repeated {
		s.logger.Debug("source still failing", "source", name, "reason", reason, "err", err)
		return
	}
	attrs := []any{"source", name, "reason", reason, "err", err}
	var pe *panicError
	if errors.As(err, &pe) {
		attrs = append(attrs, "stack", string(pe.stack))
	}
	s.logger.Error("source failed; serving its last good data", attrs...)
}

// panicError keeps the stack out of the message (it is stored as the
// source's last error) but available to the one log line.
type panicError struct {
	v     any
	stack []byte
}

func (p *panicError) Error() string { return fmt.Sprintf("BUG: source panicked: %v", p.v) }

func (s *Scheduler) logRecovery(name string, res *source.Result, dur time.Duration) {
	rej := ""
	if len(res.Rejected) > 0 {
		rej = fmt.Sprint(res.Rejected) // fmt sorts map keys
	}
	s.mu.Lock()
	was, failed := s.lastFault[name]
	delete(s.lastFault, name)
	rejChanged := s.lastRejected[name] != rej
	s.lastRejected[name] = rej
	s.mu.Unlock()
	if failed {
		s.logger.Info("source recovered", "source", name, "previous_reason", was)
	}
	if rej != "" && rejChanged {
		s.logger.Warn("source dropped invalid records (codes and counts only; see govpulse_source_records_rejected_total)", "source", name, "rejected", rej)
	}
	s.logger.Debug("source collected", "source", name, "samples", len(res.Samples), "duration", dur)
}

// cronLogger adapts slog to cron's two-method logger (cron's default writes
// to stdout).
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}
