package collector

import (
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/config"
	"github.com/govpulse/govpulse/collector/workday"
)

func TestDueFunc(t *testing.T) {
	cal, err := workday.Default()
	if err != nil {
		t.Fatal(err)
	}
	ict := time.FixedZone("ICT", 7*3600)
	cal = cal.WithLocation(ict)
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.ParseInLocation("2006-01-02 15:04", s, ict)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	f := func(spec, after, want string) {
		t.Helper()
		sched, err := config.CronParser.Parse(spec)
		if err != nil {
			t.Fatal(err)
		}
		if got := DueFunc(sched, cal)(at(after)); !got.Equal(at(want)) {
			t.Errorf("%q after %s: due %s, want %s", spec, after, got.In(ict).Format("2006-01-02 15:04 Mon"), want)
		}
	}
	office := "CRON_TZ=Asia/Ho_Chi_Minh 0 8 * * 1-5"
	// Friday's run: the next one due is Monday's, not Saturday's.
	f(office, "2026-03-06 08:00", "2026-03-09 08:00")
	// A Sunday, then the 1st of a month that is a Sunday (2026-03-01).
	f(office, "2026-03-01 00:30", "2026-03-02 08:00")
	// The last working day before Tết (Friday 13/02/2026): due again on the
	// first working day after it, Monday 23/02.
	f(office, "2026-02-13 08:00", "2026-02-23 08:00")
	// 1 January is a holiday and 2 January swapped: due on Monday 5 January.
	f(office, "2025-12-31 08:00", "2026-01-05 08:00")
	// The last minute of a quarter, a Tuesday: due on Wednesday 1 April.
	f(office, "2026-03-31 23:59", "2026-04-01 08:00")
	// Schedules that run every day are due every day, holidays included.
	f("CRON_TZ=Asia/Ho_Chi_Minh */5 * * * *", "2026-02-17 10:02", "2026-02-17 10:05")
	f("CRON_TZ=Asia/Ho_Chi_Minh 0 8 * * *", "2026-02-13 08:00", "2026-02-14 08:00")
	f("@every 1m", "2026-02-17 10:00", "2026-02-17 10:01")
	// A monthly run on the 1st can fall on a weekend: not office hours.
	f("CRON_TZ=Asia/Ho_Chi_Minh 0 8 1 * *", "2026-02-01 09:00", "2026-03-01 08:00")
}
