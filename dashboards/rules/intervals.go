package rules

import (
	"fmt"
	"strings"
	"time"

	"github.com/govpulse/govpulse/collector/config"
	"github.com/govpulse/govpulse/collector/workday"
)

// Alertmanager time intervals, generated from the holiday calendar govpulse
// ships (deploy/holidays, or a feed source's own holiday files): leaders and
// agencies are told in office hours of working days only, IT at any hour.
const (
	// IntervalOfficeHours: the working hours (workday.DefaultHours) of
	// Monday to Friday and of the Saturdays and Sundays worked in
	// compensation.
	IntervalOfficeHours = "office-hours"
	// IntervalHolidays: every day off of the holiday calendar, whole days.
	IntervalHolidays = "holidays"
	// IntervalDigest: the first hour of a working day, when the daily
	// overdue digest goes out.
	IntervalDigest = "digest-window"
)

// digestWindow is how long after the start of the working day the digest
// may be sent: it goes out at the first flush in the window.
const digestWindow = time.Hour

// timeInterval is one entry of a named Alertmanager time interval (0.25:
// times, weekdays, days_of_month, months, years, location). Empty fields
// match any value; an entry with none matches always.
type timeInterval struct {
	Comment     string
	Times       [][2]string
	Weekdays    []string
	DaysOfMonth []string
	Months      []string
	Years       []string
	Location    string
	Always      bool
}

// namedInterval is one time_intervals entry.
type namedInterval struct {
	Name, Comment string
	Intervals     []timeInterval
}

// calendarOf returns the holiday calendar the deployment's sources use: the
// holiday files of a feed source, or the built-in ones.
func calendarOf(cfg *config.Config) (*workday.Calendar, error) {
	for _, s := range cfg.Sources {
		if s.Onestop != nil && s.Onestop.Feed != nil && len(s.Onestop.Feed.Holidays) > 0 {
			return workday.Load(s.Onestop.Feed.Holidays...)
		}
	}
	return workday.Default()
}

// clock renders an offset from midnight as Alertmanager's HH:MM.
func clock(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// timeIntervals renders the calendar's office hours, days off and digest
// window in loc for every year the calendar has a holiday file for. With
// alwaysOpen (tests only) the office hours and the digest window match at
// every instant and no day is off; the names, and so the routing tree, stay.
func timeIntervals(cal *workday.Calendar, loc string, alwaysOpen bool) ([]namedInterval, error) {
	if cal == nil {
		return nil, fmt.Errorf("no holiday calendar")
	}
	zone, err := time.LoadLocation(loc)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", loc, err)
	}
	cal = cal.WithLocation(zone)
	hours := workday.DefaultHours
	var times [][2]string
	for _, w := range hours {
		times = append(times, [2]string{clock(w.Start), clock(w.End)})
	}
	office := namedInterval{Name: IntervalOfficeHours, Comment: "Working hours, Monday to Friday and the weekend days worked in compensation (holiday files).",
		Intervals: []timeInterval{{Weekdays: []string{"monday:friday"}, Times: times, Location: loc}}}
	holidays := namedInterval{Name: IntervalHolidays, Comment: "Days off of the holiday calendar, whole days (holiday files for " + yearsText(cal.Years()) + ")."}
	first := hours[0].Start
	digest := namedInterval{Name: IntervalDigest, Comment: "The first hour of the working day: the daily digest goes out then (days off are muted by " + IntervalHolidays + ").",
		Intervals: []timeInterval{{Weekdays: []string{"monday:friday"}, Times: [][2]string{{clock(first), clock(first + digestWindow)}}, Location: loc}}}

	for _, y := range cal.Years() {
		// Runs of consecutive days off within a month, with their names.
		var run *timeInterval
		var runStart, runEnd int
		flush := func() {
			if run != nil {
				d := fmt.Sprint(runStart)
				if runEnd != runStart {
					d += ":" + fmt.Sprint(runEnd)
				}
				run.DaysOfMonth = []string{d}
				holidays.Intervals = append(holidays.Intervals, *run)
				run = nil
			}
		}
		for day := time.Date(y, 1, 1, 12, 0, 0, 0, zone); day.Year() == y; day = day.AddDate(0, 0, 1) {
			name, off := cal.Holiday(day)
			weekend := day.Weekday() == time.Saturday || day.Weekday() == time.Sunday
			if weekend && cal.IsWorkingDay(day) {
				flush()
				n := "worked in compensation"
				in := timeInterval{Comment: n, Years: []string{fmt.Sprint(y)}, Months: []string{strings.ToLower(day.Month().String())},
					DaysOfMonth: []string{fmt.Sprint(day.Day())}, Times: times, Location: loc}
				office.Intervals = append(office.Intervals, in)
				digest.Intervals = append(digest.Intervals, timeInterval{Comment: n, Years: in.Years, Months: in.Months, DaysOfMonth: in.DaysOfMonth,
					Times: [][2]string{{clock(first), clock(first + digestWindow)}}, Location: loc})
				continue
			}
			if !off {
				flush()
				continue
			}
			if run != nil && day.Day() == runEnd+1 && strings.EqualFold(run.Months[0], day.Month().String()) {
				runEnd = day.Day()
				if !strings.Contains(run.Comment, name) {
					run.Comment += "; " + name
				}
				continue
			}
			flush()
			run = &timeInterval{Comment: name, Years: []string{fmt.Sprint(y)}, Months: []string{strings.ToLower(day.Month().String())}, Location: loc}
			runStart, runEnd = day.Day(), day.Day()
		}
		flush()
	}
	if alwaysOpen {
		office.Intervals = []timeInterval{{Always: true, Comment: "test variant: always"}}
		digest.Intervals = []timeInterval{{Always: true, Comment: "test variant: always"}}
		holidays.Intervals = nil
	}
	return []namedInterval{office, holidays, digest}, nil
}

func yearsText(ys []int) string {
	s := make([]string, len(ys))
	for i, y := range ys {
		s[i] = fmt.Sprint(y)
	}
	return strings.Join(s, ", ")
}
