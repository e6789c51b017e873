package source

import (
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/internal/instants"
)

// At every hard instant, read in UTC as a server's clock may give it, the
// periods match a reference that walks back day by day while the calendar
// month (or quarter, or year) in the province stays the same.
func TestCurrentPeriodsAtHardInstants(t *testing.T) {
	for _, in := range instants.Hard {
		ps := CurrentPeriods(in.Time.UTC(), instants.ICT)
		y, m, d := in.Time.Date() // in ICT
		today := time.Date(y, m, d, 0, 0, 0, 0, instants.ICT)
		same := map[string]func(a, b time.Time) bool{
			catalog.PeriodMonth:   func(a, b time.Time) bool { return a.Year() == b.Year() && a.Month() == b.Month() },
			catalog.PeriodQuarter: func(a, b time.Time) bool { return a.Year() == b.Year() && (a.Month()-1)/3 == (b.Month()-1)/3 },
			catalog.PeriodYear:    func(a, b time.Time) bool { return a.Year() == b.Year() },
		}
		if len(ps) != len(same) {
			t.Fatalf("%s: %d periods", in.Name, len(ps))
		}
		for _, p := range ps {
			from := today
			for same[p.Name](from.AddDate(0, 0, -1), today) {
				from = from.AddDate(0, 0, -1)
			}
			if !p.From.Equal(from) || !p.To.Equal(today) {
				t.Errorf("%s: %s, want %s %s..%s", in.Name, p, p.Name, from.Format(time.DateOnly), today.Format(time.DateOnly))
			}
		}
	}
}
