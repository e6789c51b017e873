package workday

import (
	"testing"
	"time"

	"github.com/govpulse/govpulse/internal/instants"
)

// At every hard instant, "due within one working day" agrees with a
// reference that counts the working minutes to the due time one minute at a
// time (weekday, not a holiday, inside 07:00–11:30 or 13:30–17:00), for due
// times from an hour before to ten days after.
func TestDueWithinAtHardInstants(t *testing.T) {
	c := defaultCal(t).WithLocation(instants.ICT)
	working := func(m time.Time) bool {
		if !c.IsWorkingDay(m) {
			return false
		}
		min := m.Hour()*60 + m.Minute()
		return (min >= 7*60 && min < 11*60+30) || (min >= 13*60+30 && min < 17*60)
	}
	for _, in := range instants.Hard {
		now := in.Time
		for k := -1; k < 240; k += 7 {
			due := now.Add(time.Duration(k) * time.Hour)
			minutes := 0
			for m := now; m.Before(due); m = m.Add(time.Minute) {
				if working(m) {
					minutes++
				}
			}
			want := !due.Before(now) && minutes <= 8*60
			if got := c.DueWithin(now.UTC(), due.UTC(), c.DayLength()); got != want {
				t.Errorf("%s: due %s: DueWithin = %v, reference %v (%d working minutes)", in.Name, due.Format("2006-01-02 15:04"), got, want, minutes)
			}
		}
	}
}
