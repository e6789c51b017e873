package simulate

import (
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/source"
	"github.com/govpulse/govpulse/internal/instants"
)

// At every hard instant the simulator's reports for the current month,
// quarter and year are consistent: every pair's flows grow from month to
// quarter to year (equal where the periods start on the same day), never
// shrink a minute later, and tomorrow has nothing yet.
func TestReportsAtHardInstants(t *testing.T) {
	flows := func(r Row) [6]int {
		return [6]int{r.Received.InPerson, r.Received.Online, r.Received.Postal, r.Resolved.Early, r.Resolved.OnTime, r.Resolved.Late}
	}
	byPair := func(rows []Row) map[[2]string][6]int {
		out := make(map[[2]string][6]int, len(rows))
		for _, r := range rows {
			out[[2]string{r.Agency, r.Field}] = flows(r)
		}
		return out
	}
	for _, in := range instants.Hard {
		now := in.Time
		sim := New(Options{Seed: 47, Now: func() time.Time { return now }})
		later := New(Options{Seed: 47, Now: func() time.Time { return now.Add(time.Minute) }})
		ps := source.CurrentPeriods(now.UTC(), ICT)
		var prev map[[2]string][6]int
		for i, p := range ps {
			got := byPair(sim.Report(p.From, p.To))
			if len(got) == 0 {
				t.Errorf("%s: %s has no rows (carried over and in-progress stocks are always there)", in.Name, p)
			}
			for k, f := range prev {
				g := got[k]
				for j := range f {
					if g[j] < f[j] || (p.From.Equal(ps[i-1].From) && g[j] != f[j]) {
						t.Fatalf("%s: %v flow %d: %s has %d, %s has %d", in.Name, k, j, p, g[j], ps[i-1], f[j])
					}
				}
			}
			next := byPair(later.Report(p.From, p.To))
			for k, f := range got {
				g := next[k]
				for j := range f {
					if g[j] < f[j] {
						t.Fatalf("%s: %v flow %d of %s shrank a minute later: %d then %d", in.Name, k, j, p, f[j], g[j])
					}
				}
			}
			prev = got
		}
		tomorrow := ps[0].To.AddDate(0, 0, 1)
		if rows := sim.Report(tomorrow, tomorrow); len(rows) != 0 {
			t.Errorf("%s: tomorrow already has %d rows", in.Name, len(rows))
		}
	}
}
