package collector

import (
	"time"

	"github.com/robfig/cron/v3"

	"github.com/govpulse/govpulse/collector/workday"
)

// maxSkippedRuns bounds the walk over runs that are not due (a holiday
// break of a minute-level office-hours schedule): past it the run found is
// taken as due, so a strange schedule can make staleness early, never absent.
const maxSkippedRuns = 20000

// DueFunc returns when a run of sched is next due after t: the schedule's
// next run, except that an office-hours schedule (one that never runs on a
// Saturday or Sunday, such as "0 8 * * 1-5") is not due on the public
// holidays of cal either. Staleness is judged from it, so such a source is
// not stale over a weekend or Tết. A nil cal knows no holidays.
func DueFunc(sched cron.Schedule, cal *workday.Calendar) func(t time.Time) time.Time {
	// cron reads a schedule without CRON_TZ in time.Local, as the
	// scheduler's cron does.
	next := func(t time.Time) time.Time { return sched.Next(t.In(time.Local)) }
	if cal == nil || !officeHours(sched, cal.Location()) {
		return next
	}
	return func(t time.Time) time.Time {
		n := next(t)
		for i := 0; i < maxSkippedRuns && !n.IsZero() && !cal.IsWorkingDay(n); i++ {
			n = next(n)
		}
		return n
	}
}

// officeHours reports whether sched never runs on a weekend, probing the
// weekends of one year (a day-of-month schedule may hit a weekend in some
// months only: then it is not an office-hours schedule).
func officeHours(sched cron.Schedule, loc *time.Location) bool {
	// 3 January 2026 is a Saturday.
	sat := time.Date(2026, time.January, 3, 0, 0, 0, 0, loc)
	fired := false
	for w := 0; w < 53; w++ {
		start := sat.AddDate(0, 0, 7*w)
		n := sched.Next(start.Add(-time.Second).In(time.Local))
		if n.IsZero() {
			return fired
		}
		fired = true
		if n.Before(start.AddDate(0, 0, 2)) {
			return false
		}
	}
	return fired
}
