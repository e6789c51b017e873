package source

import (
	"fmt"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
)

// Period is a report period to date: [From, To] as calendar dates in the
// province's time zone. To is today.
type Period struct {
	Name     string
	From, To time.Time
}

// CurrentPeriods returns the month, quarter and year to date that contain now.
func CurrentPeriods(now time.Time, loc *time.Location) []Period {
	now = now.In(loc)
	y, m, d := now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, loc)
	q := time.Month((int(m)-1)/3*3 + 1)
	return []Period{
		{Name: catalog.PeriodMonth, From: time.Date(y, m, 1, 0, 0, 0, 0, loc), To: today},
		{Name: catalog.PeriodQuarter, From: time.Date(y, q, 1, 0, 0, 0, 0, loc), To: today},
		{Name: catalog.PeriodYear, From: time.Date(y, 1, 1, 0, 0, 0, 0, loc), To: today},
	}
}

func (p Period) String() string {
	return fmt.Sprintf("%s %s..%s", p.Name, p.From.Format(time.DateOnly), p.To.Format(time.DateOnly))
}
