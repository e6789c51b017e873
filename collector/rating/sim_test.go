package rating

import (
	"log/slog"
	"math"
	"net/http/httptest"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/httpc"
	"github.com/govpulse/govpulse/collector/portal"
	"github.com/govpulse/govpulse/collector/simulate"
	"github.com/govpulse/govpulse/collector/source"
)

// Against the simulated province: the one-stop counts (as the onestop
// source exports them) and the portal source's samples feed the rating
// source. Where the simulator scores a group from the same counts with the
// catalog's rule, govpulse's estimate must match the official figure, and
// the 10% flag must pick exactly the agencies the simulator runs above 10%.
func TestAgainstSimulator(t *testing.T) {
	ict := simulate.ICT
	now := time.Date(2026, 11, 20, 10, 30, 0, 0, ict)
	sim := simulate.New(simulate.Options{Seed: 47, Now: func() time.Time { return now }})
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()

	env := source.Env{
		Logger:   slog.New(slog.DiscardHandler),
		Now:      func() time.Time { return now },
		Location: ict,
		Agencies: map[string]source.Agency{},
	}
	for _, a := range sim.Agencies() {
		env.Agencies[a.Code] = a
	}

	snap := snapshot{}
	month := time.Date(2026, 11, 1, 0, 0, 0, 0, ict)
	for _, r := range sim.Report(month, now) {
		for ch, v := range map[string]int{catalog.ChannelInPerson: r.Received.InPerson, catalog.ChannelOnline: r.Received.Online, catalog.ChannelPostal: r.Received.Postal} {
			snap.add(catalog.DossiersReceived, float64(v), r.Agency, r.Field, catalog.PeriodMonth, ch)
		}
		snap.add(catalog.DossiersCarriedOver, float64(r.CarriedOver), r.Agency, r.Field, catalog.PeriodMonth)
		snap.add(catalog.DossiersResolved, float64(r.Resolved.Early), r.Agency, r.Field, catalog.PeriodMonth, catalog.ResolvedEarly)
		snap.add(catalog.DossiersResolved, float64(r.Resolved.OnTime), r.Agency, r.Field, catalog.PeriodMonth, catalog.ResolvedOnTime)
		snap.add(catalog.DossiersResolved, float64(r.Resolved.Late), r.Agency, r.Field, catalog.PeriodMonth, catalog.ResolvedLate)
		snap.add(catalog.DossiersInProgress, float64(r.InProgress.NotDue), r.Agency, r.Field, catalog.PeriodMonth, catalog.InProgressNotDue)
		snap.add(catalog.DossiersInProgress, float64(r.InProgress.Overdue), r.Agency, r.Field, catalog.PeriodMonth, catalog.InProgressOverdue)
	}
	cl, err := httpc.New(httpc.Config{URL: srv.URL, RateLimit: 1000, Burst: 100}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := portal.New("portal", portal.Config{Periods: []string{catalog.PeriodMonth}}, cl, env)
	if err != nil {
		t.Fatal(err)
	}
	pres, err := ps.Collect(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	official := map[string]float64{}
	for _, smp := range pres.Samples {
		snap.add(smp.Metric, smp.Value, smp.Labels...)
		if smp.Metric == catalog.QD766GroupScore {
			official[smp.Labels[0]+"/"+smp.Labels[1]] = smp.Value
		}
	}

	env.Lookup = func(m *catalog.Metric) []source.Sample { return snap[m] }
	rs, err := New("rating", Config{}, env)
	if err != nil {
		t.Fatal(err)
	}
	res, err := rs.Collect(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var critical []string
	compared := 0
	for _, smp := range res.Samples {
		switch smp.Metric {
		case catalog.QD766EstimateScore:
			want, ok := official[smp.Labels[0]+"/"+smp.Labels[1]]
			if !ok {
				t.Errorf("estimate %v has no official figure beside it", smp.Labels)
				continue
			}
			compared++
			// The simulator rounds to 0.01.
			if math.Abs(smp.Value-want) > 0.0051 {
				t.Errorf("estimate %v = %.4f, official %.2f", smp.Labels, smp.Value, want)
			}
		case catalog.AgencyLateCritical:
			if smp.Value == 1 {
				critical = append(critical, smp.Labels[0])
			}
		}
	}
	if compared < len(sim.Agencies()) { // tien_do for every unit, dvctt too
		t.Errorf("compared %d estimates with official figures, want at least one per agency", compared)
	}
	_, over10 := sim.LateAgencies()
	sort.Strings(over10)
	if !slices.Equal(critical, over10) {
		t.Errorf("late critical = %v, the simulator runs %v above 10%%", critical, over10)
	}
	for _, c := range sim.ChronicallyLate() {
		if !slices.Contains(critical, c) {
			t.Errorf("chronically late %s not flagged", c)
		}
	}
}
