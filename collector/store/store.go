// Package store keeps the latest good result of every source and publishes it,
// with every source's health, as an immutable Snapshot by atomic swap.
//
// Exporters read Snapshots and never call upstreams, so a scrape never waits
// on a government server, and a failed run never erases the last good data.
package store

import (
	"log/slog"
	"maps"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
)

// SourceState is one source's last good data and health inside a Snapshot.
// It is never modified after publication.
type SourceState struct {
	Name string
	Kind string
	// Internal sources (the unit lists) carry data but no health metrics.
	Internal bool
	// Interval is the nominal time between runs (0 if unscheduled).
	Interval time.Duration
	// Due returns when a run is next due after a time (nil if unscheduled);
	// Since is when the source was scheduled. See NextDue.
	Due   func(after time.Time) time.Time
	Since time.Time
	// Result is the last good result, nil before the first success.
	Result      *source.Result
	Up          bool
	LastSuccess time.Time
	LastRun     time.Time
	Duration    time.Duration
	LastError   string
	// Errors and Rejected are cumulative counts by reason since start; Read
	// counts the records read, runs refused for their share included.
	Errors   map[string]uint64
	Rejected map[string]uint64
	Read     uint64
	// RejectedShare is the share the last counted run rejected (every
	// success, and failures that carry source.Counts); HasShare is false
	// before the first.
	RejectedShare float64
	HasShare      bool
	// RejectLimit is the share above which the source fails a run
	// (source.RejectLimiter); HasRejectLimit is false for sources without one.
	RejectLimit    float64
	HasRejectLimit bool
}

// Snapshot is the immutable state every exporter reads.
type Snapshot struct {
	// Gen increases with every publication.
	Gen     uint64
	Sources []*SourceState // sorted by Name
}

// Source returns the named source's state, or nil.
func (s *Snapshot) Source(name string) *SourceState {
	for _, st := range s.Sources {
		if st.Name == name {
			return st
		}
	}
	return nil
}

// Store publishes Snapshots. Its methods are safe for concurrent use.
type Store struct {
	logger *slog.Logger
	// MaxSeriesPerMetric caps the samples of one metric in one result; the
	// excess is dropped and counted as cardinality_cap. 0 means no cap.
	maxSeries int

	mu   sync.Mutex // serialises publications and subscriber calls
	cur  atomic.Pointer[Snapshot]
	subs []func(*Snapshot)
}

// New returns an empty store.
func New(logger *slog.Logger, maxSeriesPerMetric int) *Store {
	s := &Store{logger: logger, maxSeries: maxSeriesPerMetric}
	s.cur.Store(&Snapshot{})
	return s
}

// Snapshot returns the current snapshot. Callers must not modify it.
func (s *Store) Snapshot() *Snapshot { return s.cur.Load() }

// Subscribe calls fn with every snapshot published from now on, in order,
// and once at once with the current one. fn runs under the publication lock:
// it must not call Publish or Fail.
func (s *Store) Subscribe(fn func(*Snapshot)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subs = append(s.subs, fn)
	fn(s.cur.Load())
}

// Register declares a source so that it is reported (down, never succeeded)
// before its first run. Registering an existing name updates kind and interval
// and keeps its data (config reload).
func (s *Store) Register(name, kind string, interval time.Duration, internal bool) {
	s.update(name, func(st *SourceState) {
		st.Kind, st.Interval, st.Internal = kind, interval, internal
	})
}

// SetDue records when the source's runs are due, from since on (see
// SourceState.NextDue).
func (s *Store) SetDue(name string, since time.Time, due func(after time.Time) time.Time) {
	s.update(name, func(st *SourceState) { st.Since, st.Due = since, due })
}

// SetRejectLimit records the rejected share above which the source's runs
// fail (has false: the source has no such limit).
func (s *Store) SetRejectLimit(name string, limit float64, has bool) {
	s.update(name, func(st *SourceState) { st.RejectLimit, st.HasRejectLimit = limit, has })
}

// NextDue is when the source's next run is due after its last success (or,
// before any success, after it was scheduled): the instant from which, if no
// run succeeds, its data is overdue. Zero if it has no schedule.
func (st *SourceState) NextDue() time.Time {
	if st.Due == nil {
		return time.Time{}
	}
	from := st.Since
	if st.LastSuccess.After(from) {
		from = st.LastSuccess
	}
	return st.Due(from)
}

// Unregister removes sources not in keep (config reload dropped them).
func (s *Store) Unregister(keep map[string]bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.cur.Load()
	next := &Snapshot{Gen: old.Gen + 1}
	for _, st := range old.Sources {
		if keep[st.Name] {
			next.Sources = append(next.Sources, st)
		}
	}
	s.swap(next)
}

// Publish records a successful run: res replaces the source's data.
func (s *Store) Publish(name string, res *source.Result, at time.Time, dur time.Duration) {
	// The share is the source's own judgement, before the store's gate.
	c := res.Counts()
	res = s.sanitize(name, res)
	c.Rejected = res.Rejected
	s.update(name, func(st *SourceState) {
		st.Result = res
		st.Up = true
		st.LastSuccess, st.LastRun, st.Duration = at, at, dur
		st.LastError = ""
		st.count(c)
	})
}

// Fail records a failed run: the source's data stays, its health drops.
// Records the run read and rejected before failing (source.Counts on its
// error) are counted all the same.
func (s *Store) Fail(name string, err error, at time.Time, dur time.Duration) {
	reason := source.Reason(err)
	c := source.CountsOf(err)
	s.update(name, func(st *SourceState) {
		st.Up = false
		st.LastRun, st.Duration = at, dur
		st.LastError = err.Error()
		st.Errors = maps.Clone(st.Errors)
		if st.Errors == nil {
			st.Errors = make(map[string]uint64)
		}
		st.Errors[reason]++
		if c != nil {
			st.count(*c)
		}
	})
}

// count adds a run's records to the cumulative counters and sets its share.
// st is a copy being published: maps are cloned before they change.
func (st *SourceState) count(c source.Counts) {
	if len(c.Rejected) > 0 {
		st.Rejected = maps.Clone(st.Rejected)
		if st.Rejected == nil {
			st.Rejected = make(map[string]uint64)
		}
		for r, n := range c.Rejected {
			if n > 0 { // a counter never goes down; a negative count must not wrap to 2^64
				st.Rejected[r] += uint64(n)
			}
		}
	}
	if c.Read > 0 {
		st.Read += uint64(c.Read)
	}
	st.RejectedShare, st.HasShare = c.Share, true
}

// update copies the named state (creating it), applies fn and publishes.
func (s *Store) update(name string, fn func(*SourceState)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.cur.Load()
	next := &Snapshot{Gen: old.Gen + 1, Sources: make([]*SourceState, 0, len(old.Sources)+1)}
	var found bool
	for _, st := range old.Sources {
		if st.Name == name {
			c := *st
			fn(&c)
			st, found = &c, true
		}
		next.Sources = append(next.Sources, st)
	}
	if !found {
		st := &SourceState{Name: name}
		fn(st)
		next.Sources = append(next.Sources, st)
		sort.Slice(next.Sources, func(i, j int) bool { return next.Sources[i].Name < next.Sources[j].Name })
	}
	s.swap(next)
}

func (s *Store) swap(next *Snapshot) {
	s.cur.Store(next)
	for _, fn := range s.subs {
		fn(next)
	}
}

// sanitize drops samples whose label values are not allowed codes, duplicates,
// and samples past the per-metric cap, counting each as rejected. Sources
// validate too; this is the last gate before anything is exported.
func (s *Store) sanitize(name string, res *source.Result) *source.Result {
	out := &source.Result{Samples: make([]source.Sample, 0, len(res.Samples)), Read: res.Read}
	for r, n := range res.Rejected {
		out.Reject(r, n)
	}
	perMetric := make(map[*catalog.Metric]int)
	seen := make(map[string]struct{}, len(res.Samples))
	var key []byte
	for _, smp := range res.Samples {
		if err := smp.Metric.ValidateLabels(smp.Labels); err != nil {
			out.Reject(catalog.RejectBadCode, 1)
			s.logger.Debug("dropped sample", "source", name, "err", err)
			continue
		}
		key = append(key[:0], smp.Metric.Name...)
		for _, l := range smp.Labels {
			key = append(key, 0)
			key = append(key, l...)
		}
		if _, dup := seen[string(key)]; dup {
			out.Reject(catalog.RejectDuplicate, 1)
			continue
		}
		if s.maxSeries > 0 && perMetric[smp.Metric] >= s.maxSeries {
			out.Reject(catalog.RejectCardinality, 1)
			continue
		}
		seen[string(key)] = struct{}{}
		perMetric[smp.Metric]++
		out.Samples = append(out.Samples, smp)
	}
	return out
}
