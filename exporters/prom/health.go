package prom

import (
	"slices"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
	"github.com/govpulse/govpulse/collector/store"
)

// healthSamples returns the per-source health of sn as catalog samples, so the
// collector and the pre-rendered exposition share one definition of every value.
// Internal sources (the unit lists) get none: they carry data, not health.
func healthSamples(sn *store.Snapshot) *source.Result {
	r := &source.Result{}
	for _, st := range sn.Sources {
		if st.Internal {
			continue
		}
		up := 0.0
		if st.Up {
			up = 1
		}
		r.Add(catalog.SourceUp, up, st.Name)
		r.Add(catalog.SourceLastSuccess, unixSeconds(st.LastSuccess), st.Name)
		r.Add(catalog.SourceDuration, st.Duration.Seconds(), st.Name)
		// Every reason is emitted, 0 when it never happened, so that rate() and
		// increase() see the first failure instead of a series appearing at 1.
		for _, reason := range reasons(catalog.ErrorReasons, st.Errors) {
			r.Add(catalog.SourceErrors, float64(st.Errors[reason]), st.Name, reason)
		}
		for _, reason := range reasons(catalog.RejectReasons, st.Rejected) {
			r.Add(catalog.SourceRejected, float64(st.Rejected[reason]), st.Name, reason)
		}
		r.Add(catalog.SourceRead, float64(st.Read), st.Name)
		if st.HasShare {
			r.Add(catalog.SourceRejectedShare, st.RejectedShare, st.Name)
		}
		if st.HasRejectLimit {
			r.Add(catalog.SourceRejectedLimit, st.RejectLimit, st.Name)
		}
		n := 0
		if st.Result != nil {
			n = len(st.Result.Samples)
		}
		r.Add(catalog.SourceSamples, float64(n), st.Name)
		if st.Interval > 0 {
			r.Add(catalog.SourceSchedule, st.Interval.Seconds(), st.Name)
		}
		if due := st.NextDue(); !due.IsZero() {
			r.Add(catalog.SourceNextRun, unixSeconds(due), st.Name)
		}
	}
	return r
}

// reasons returns the catalogue's reasons followed by any other reason counted
// in got (a source may classify an error itself; its count must not vanish).
func reasons(known []string, got map[string]uint64) []string {
	var extra []string
	for r := range got {
		if !slices.Contains(known, r) {
			extra = append(extra, r)
		}
	}
	if extra == nil {
		return known
	}
	slices.Sort(extra)
	return append(slices.Clip(known), extra...)
}

// unixSeconds is t as fractional Unix seconds, 0 for the zero time ("never").
func unixSeconds(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9
}
