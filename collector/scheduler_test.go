package collector

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
	"github.com/govpulse/govpulse/collector/store"
)

// scripted is a source whose runs follow a script: each call takes the next
// step (a value, an error, a panic or a block until released).
type scripted struct {
	mu    sync.Mutex
	steps []func(ctx context.Context) (*source.Result, error)
	calls atomic.Int32
}

func (s *scripted) Collect(ctx context.Context) (*source.Result, error) {
	n := int(s.calls.Add(1)) - 1
	s.mu.Lock()
	step := s.steps[min(n, len(s.steps)-1)]
	s.mu.Unlock()
	return step(ctx)
}

func value(v float64) func(context.Context) (*source.Result, error) {
	return func(context.Context) (*source.Result, error) {
		r := &source.Result{}
		r.Add(catalog.DossiersCarriedOver, v, "000.00.31.H47", "DD", "month")
		return r, nil
	}
}

func fail(reason string) func(context.Context) (*source.Result, error) {
	return func(context.Context) (*source.Result, error) { return nil, source.Errorf(reason, "upstream broke") }
}

func boom(context.Context) (*source.Result, error) { panic("decoder bug") }

type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) { l.mu.Lock(); defer l.mu.Unlock(); return l.b.Write(p) }
func (l *logBuf) String() string              { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

func newTest(t *testing.T, src source.Source, timeout time.Duration) (*Scheduler, *store.Store, *logBuf) {
	t.Helper()
	lb := &logBuf{}
	logger := slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelInfo}))
	st := store.New(logger, 0)
	// A yearly schedule: only RunNow and the start-up run trigger it.
	s, err := newScheduler([]Job{{Name: "os", Kind: "onestop", Schedule: "0 0 1 1 *", Timeout: timeout, Source: src}}, st, nil, logger)
	if err != nil {
		t.Fatal(err)
	}
	return s, st, lb
}

func carried(t *testing.T, st *store.Store) float64 {
	t.Helper()
	ss := st.Snapshot().Source("os")
	if ss.Result == nil || len(ss.Result.Samples) != 1 {
		t.Fatalf("no data: %+v", ss)
	}
	return ss.Result.Samples[0].Value
}

func TestFailuresKeepDataAndLogOnce(t *testing.T) {
	src := &scripted{steps: []func(context.Context) (*source.Result, error){
		value(1), fail(catalog.ReasonHTTP5xx), fail(catalog.ReasonHTTP5xx), fail(catalog.ReasonHTTP5xx), boom, boom, value(2),
	}}
	s, st, logs := newTest(t, src, time.Second)
	for range 7 {
		s.RunNow("os")
		if got := st.Snapshot().Source("os"); got.Result == nil {
			t.Fatal("data lost")
		}
	}
	ss := st.Snapshot().Source("os")
	if !ss.Up || carried(t, st) != 2 || ss.Errors[catalog.ReasonHTTP5xx] != 3 || ss.Errors[catalog.ReasonPanic] != 2 {
		t.Fatalf("state after script: up=%v errors=%v", ss.Up, ss.Errors)
	}
	out := logs.String()
	if n := strings.Count(out, " reason=http_5xx"); n != 1 {
		t.Errorf("http_5xx logged %d times, want once:\n%s", n, out)
	}
	if n := strings.Count(out, " reason=panic"); n != 1 {
		t.Errorf("panic logged %d times, want once:\n%s", n, out)
	}
	if !strings.Contains(out, "source recovered") {
		t.Errorf("recovery not logged:\n%s", out)
	}
}

func TestPanicDoesNotStopFutureRuns(t *testing.T) {
	src := &scripted{steps: []func(context.Context) (*source.Result, error){boom, value(3)}}
	s, st, _ := newTest(t, src, time.Second)
	s.RunNow("os")
	if st.Snapshot().Source("os").Up {
		t.Fatal("up after panic")
	}
	s.RunNow("os") // with the wrong wrapper order this run would be skipped forever
	if carried(t, st) != 3 {
		t.Fatal("job did not run after a panic")
	}
}

func TestOverlappingRunIsSkipped(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	src := &scripted{steps: []func(context.Context) (*source.Result, error){
		func(ctx context.Context) (*source.Result, error) {
			started <- struct{}{}
			<-release
			return value(1)(ctx)
		},
	}}
	s, _, _ := newTest(t, src, 10*time.Second)
	go s.RunNow("os")
	<-started
	s.RunNow("os") // returns at once: skipped
	close(release)
	if n := src.calls.Load(); n != 1 {
		t.Fatalf("%d calls, want 1", n)
	}
}

func TestTimeoutAndShutdown(t *testing.T) {
	hang := func(ctx context.Context) (*source.Result, error) { <-ctx.Done(); return nil, ctx.Err() }
	src := &scripted{steps: []func(context.Context) (*source.Result, error){hang}}
	s, st, _ := newTest(t, src, 50*time.Millisecond)
	s.RunNow("os")
	if ss := st.Snapshot().Source("os"); ss.Errors[catalog.ReasonTimeout] != 1 {
		t.Fatalf("errors %v, want one timeout", ss.Errors)
	}

	// Shutdown cancels a run that outlives the grace period, and returns.
	s2, _, _ := newTest(t, &scripted{steps: []func(context.Context) (*source.Result, error){hang}}, time.Hour)
	before := runtime.NumGoroutine()
	s2.Start()
	time.Sleep(20 * time.Millisecond)
	done := make(chan struct{})
	go func() { s2.Stop(50 * time.Millisecond); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Stop did not return")
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Fatalf("goroutines: %d after stop, %d before start", n, before)
	}
}

// Stop is bounded even by a run that ignores its context: past the grace it
// is cancelled, and past the cancel wait left behind. A second Stop returns
// at once; StopContext skips the grace when its context is done.
func TestStopIsBounded(t *testing.T) {
	stuck := make(chan struct{})
	defer close(stuck)
	started := make(chan struct{}, 2)
	deaf := func(context.Context) (*source.Result, error) {
		started <- struct{}{}
		<-stuck
		return value(1)(context.Background())
	}
	stopWithin := func(name string, stop func(), within time.Duration) {
		t.Helper()
		done := make(chan struct{})
		go func() { stop(); close(done) }()
		select {
		case <-done:
		case <-time.After(within):
			t.Fatalf("%s did not return within %s", name, within)
		}
	}

	s, _, logs := newTest(t, &scripted{steps: []func(context.Context) (*source.Result, error){deaf}}, time.Hour)
	s.cancelWait = 50 * time.Millisecond
	s.Start()
	<-started
	stopWithin("Stop", func() { s.Stop(50 * time.Millisecond) }, 5*time.Second)
	if !strings.Contains(logs.String(), "leaving them behind") {
		t.Errorf("the run left behind was not logged:\n%s", logs)
	}
	stopWithin("a second Stop", func() { s.Stop(time.Hour) }, time.Second)

	s2, _, _ := newTest(t, &scripted{steps: []func(context.Context) (*source.Result, error){deaf}}, time.Hour)
	s2.cancelWait = 50 * time.Millisecond
	s2.Start()
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // shutting down
	stopWithin("StopContext with a done context", func() { s2.StopContext(ctx, time.Hour) }, 5*time.Second)
}

func TestStartRunsAtOnce(t *testing.T) {
	src := &scripted{steps: []func(context.Context) (*source.Result, error){value(5)}}
	s, st, _ := newTest(t, src, time.Second)
	s.Start()
	defer s.Stop(time.Second)
	deadline := time.Now().Add(5 * time.Second)
	for st.Snapshot().Source("os").LastRun.IsZero() {
		if time.Now().After(deadline) {
			t.Fatal("no start-up run")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if carried(t, st) != 5 {
		t.Fatal("wrong data")
	}
	_ = errors.New
}

// A derived source's start-up run comes after the others' first runs.
func TestDerivedStartsAfterOthers(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(&logBuf{}, nil))
	st := store.New(logger, 0)
	release := make(chan struct{})
	slow := &scripted{steps: []func(context.Context) (*source.Result, error){func(ctx context.Context) (*source.Result, error) {
		<-release
		return value(1)(ctx)
	}}}
	var sawData atomic.Bool
	derived := &scripted{steps: []func(context.Context) (*source.Result, error){func(ctx context.Context) (*source.Result, error) {
		sawData.Store(st.Snapshot().Source("os").Result != nil)
		return &source.Result{}, nil
	}}}
	s, err := newScheduler([]Job{
		{Name: "os", Kind: catalog.SourceOnestop, Schedule: "0 0 1 1 *", Timeout: time.Second, Source: slow},
		{Name: "rating", Kind: catalog.SourceRating, Schedule: "0 0 1 1 *", Timeout: time.Second, Source: derived},
	}, st, nil, logger)
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	time.Sleep(20 * time.Millisecond)
	if derived.calls.Load() != 0 {
		t.Fatal("derived source ran before the others finished")
	}
	close(release)
	s.Stop(5 * time.Second)
	if derived.calls.Load() != 1 || !sawData.Load() {
		t.Fatalf("derived calls %d, saw data %v", derived.calls.Load(), sawData.Load())
	}
}
