// Package instants lists the instants that are hard for date code: the
// first minutes of a month, quarter and year, a Sunday, the first working
// day after Tết, the last minute of a quarter. Tests of periods, working
// days and "due within one working day" run at each of them, so that a date
// bug is found on purpose rather than on the day it happens.
//
// It holds data only (no fakes) and imports nothing but the standard library.
package instants

import "time"

// ICT is the province's time zone (UTC+7, no DST).
var ICT = time.FixedZone("ICT", 7*3600)

// Instant is one named hard instant.
type Instant struct {
	Name string
	Time time.Time
}

func at(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, ICT) }

// Hard lists the hard instants, in the province's time zone. In UTC the
// first two are still the previous day: code that reads the date in UTC
// puts them in the wrong month, quarter and year.
var Hard = []Instant{
	{"1 January 00:30 (new year, quarter and month; a holiday)", at(2026, time.January, 1, 0, 30)},
	{"1st of a month 00:30 (1 April: new quarter)", at(2026, time.April, 1, 0, 30)},
	{"a Sunday (8 March)", at(2026, time.March, 8, 10, 0)},
	{"first working day after Tết (Monday 23 February 07:00)", at(2026, time.February, 23, 7, 0)},
	{"last minute of a quarter (31 March 23:59)", at(2026, time.March, 31, 23, 59)},
	{"last minute of a year (31 December 23:59)", at(2026, time.December, 31, 23, 59)},
	{"last minute before the 2025 merger (30 June 2025 23:59, a quarter end)", at(2025, time.June, 30, 23, 59)},
}
