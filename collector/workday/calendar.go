package workday

import (
	"errors"
	"fmt"
	"sort"
	"time"
)

// Window is one working period of a day, as offsets from midnight.
type Window struct {
	Start, End time.Duration
}

// DefaultHours are the civil service's working hours: 07:00–11:30 and
// 13:30–17:00, 8 hours a day (domain.md §8).
var DefaultHours = []Window{
	{7 * time.Hour, 11*time.Hour + 30*time.Minute},
	{13*time.Hour + 30*time.Minute, 17 * time.Hour},
}

// Wall is a wall-clock time in the calendar's zone, in seconds since
// 1970-01-01 00:00:00 of that wall clock. It carries no zone, so comparing or
// bucketing dates read from a feed costs no time-zone lookup.
type Wall int64

const secondsPerDay = 86400

// WallDate returns the Wall of a civil date and time. Out-of-range values are
// normalised as time.Date does (month 13 is January of the next year).
func WallDate(year int, month time.Month, day, hour, min, sec int) Wall {
	// Normalise the month first; days, hours and seconds are linear below.
	m := int(month) - 1
	year += m / 12
	m %= 12
	if m < 0 {
		m += 12
		year--
	}
	d := daysFromCivil(int64(year), int64(m+1), 1) + int64(day-1)
	return Wall(d*secondsPerDay + int64(hour)*3600 + int64(min)*60 + int64(sec))
}

// Day is the day number of w (days since 1970-01-01).
func (w Wall) Day() int64 { return floorDiv(int64(w), secondsPerDay) }

// Clock is the time of day of w, in seconds since midnight.
func (w Wall) Clock() int64 { return int64(w) - w.Day()*secondsPerDay }

// Date returns w's civil date.
func (w Wall) Date() (year int, month time.Month, day int) {
	y, m, d := civilFromDays(w.Day())
	return int(y), time.Month(m), int(d)
}

// String formats w as 2006-01-02 15:04:05.
func (w Wall) String() string {
	y, m, d := w.Date()
	c := w.Clock()
	return fmt.Sprintf("%04d-%02d-%02d %02d:%02d:%02d", y, int(m), d, c/3600, c/60%60, c%60)
}

// daysFromCivil is Howard Hinnant's algorithm: days since 1970-01-01 of a
// proleptic Gregorian date.
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func civilFromDays(z int64) (y, m, d int64) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// weekday of a day number (1970-01-01 was a Thursday).
func weekday(day int64) time.Weekday {
	return time.Weekday((day%7 + 7 + 4) % 7)
}

// Calendar answers working-day questions for one province. It is immutable
// after construction and safe for concurrent use.
type Calendar struct {
	loc     *time.Location
	windows [][2]int64 // seconds since midnight, sorted, disjoint
	dayLen  int64      // working seconds of a working day

	off   map[int64]string // holidays by day number
	swap  map[int64]string // worked weekend days by day number
	years map[int]bool     // years with a holiday file

	// A precomputed table makes WorkingSeconds O(1) over [lo, lo+len(work)).
	lo   int64
	work []bool
	cum  []int64 // cum[i]: working seconds of days [lo, lo+i)
}

// Table span: the years with files, widened to a range that covers any
// realistic dossier; days outside it are computed day by day.
const (
	tableFirstYear = 2015
	tableLastYear  = 2040
)

// vietnam is the default zone; Vietnam has had no daylight saving since 1975,
// so a fixed UTC+7 is exact when the system has no tzdata.
func vietnam() *time.Location {
	if loc, err := time.LoadLocation("Asia/Ho_Chi_Minh"); err == nil {
		return loc
	}
	return time.FixedZone("ICT", 7*3600)
}

func newCalendar(files []*yearFile) (*Calendar, error) {
	c := &Calendar{
		loc:   vietnam(),
		off:   map[int64]string{},
		swap:  map[int64]string{},
		years: map[int]bool{},
	}
	for _, f := range files {
		if c.years[f.year] {
			return nil, fmt.Errorf("%s: year %d is already defined by another file", f.name, f.year)
		}
		c.years[f.year] = true
		for _, h := range f.holidays {
			if _, dup := c.off[h.day]; dup {
				return nil, fmt.Errorf("%s:%d: %s is listed twice", f.name, h.line, Wall(h.day * secondsPerDay).String()[:10])
			}
			c.off[h.day] = h.name
		}
		for _, h := range f.working {
			c.swap[h.day] = h.name
		}
	}
	if err := c.setHours(DefaultHours); err != nil {
		return nil, err
	}
	return c, nil
}

// WithHours returns a copy of c with other daily working hours. Windows must
// be non-empty, within the day, sorted and disjoint.
func (c *Calendar) WithHours(ws ...Window) (*Calendar, error) {
	cp := *c
	if err := cp.setHours(ws); err != nil {
		return nil, err
	}
	return &cp, nil
}

// WithLocation returns a copy of c that reads times in loc.
func (c *Calendar) WithLocation(loc *time.Location) *Calendar {
	cp := *c
	if loc != nil {
		cp.loc = loc
	}
	return &cp
}

// Location is the zone times are read in.
func (c *Calendar) Location() *time.Location { return c.loc }

func (c *Calendar) setHours(ws []Window) error {
	if len(ws) == 0 {
		return errors.New("working hours: at least one window is required")
	}
	out := make([][2]int64, len(ws))
	var total int64
	for i, w := range ws {
		s, e := int64(w.Start/time.Second), int64(w.End/time.Second)
		if s < 0 || e > secondsPerDay || s >= e {
			return fmt.Errorf("working hours: window %v–%v is not a period within a day", w.Start, w.End)
		}
		if i > 0 && s < out[i-1][1] {
			return fmt.Errorf("working hours: window %v–%v overlaps or precedes the previous one", w.Start, w.End)
		}
		out[i] = [2]int64{s, e}
		total += e - s
	}
	c.windows, c.dayLen = out, total
	c.buildTable()
	return nil
}

func (c *Calendar) buildTable() {
	first, last := tableFirstYear, tableLastYear
	for y := range c.years {
		first, last = min(first, y-1), max(last, y+1)
	}
	c.lo = daysFromCivil(int64(first), 1, 1)
	hi := daysFromCivil(int64(last)+1, 1, 1)
	c.work = make([]bool, hi-c.lo)
	c.cum = make([]int64, hi-c.lo+1)
	for i := range c.work {
		c.work[i] = c.isWorkingDayNum(c.lo + int64(i))
		c.cum[i+1] = c.cum[i]
		if c.work[i] {
			c.cum[i+1] += c.dayLen
		}
	}
}

// isWorkingDayNum is the rule itself; workingDay reads the table.
func (c *Calendar) isWorkingDayNum(day int64) bool {
	if _, ok := c.swap[day]; ok {
		return true
	}
	if _, ok := c.off[day]; ok {
		return false
	}
	wd := weekday(day)
	return wd != time.Saturday && wd != time.Sunday
}

func (c *Calendar) workingDay(day int64) bool {
	if i := day - c.lo; i >= 0 && i < int64(len(c.work)) {
		return c.work[i]
	}
	return c.isWorkingDayNum(day)
}

// Covers reports whether a holiday file was loaded for year. Without one, only
// weekends are days off that year.
func (c *Calendar) Covers(year int) bool { return c.years[year] }

// Years lists the years with a holiday file, in order.
func (c *Calendar) Years() []int {
	out := make([]int, 0, len(c.years))
	for y := range c.years {
		out = append(out, y)
	}
	sort.Ints(out)
	return out
}

// DayLength is the working time of one working day (8h by default): the
// length of a "working day" in procedure durations.
func (c *Calendar) DayLength() time.Duration { return time.Duration(c.dayLen) * time.Second }

// Wall converts t to a wall-clock time in the calendar's zone.
func (c *Calendar) Wall(t time.Time) Wall {
	t = t.In(c.loc)
	y, m, d := t.Date()
	h, mi, s := t.Clock()
	return WallDate(y, m, d, h, mi, s)
}

// Time converts a wall-clock time back to an instant in the calendar's zone.
func (c *Calendar) Time(w Wall) time.Time {
	y, m, d := w.Date()
	cl := w.Clock()
	return time.Date(y, m, d, int(cl/3600), int(cl/60%60), int(cl%60), 0, c.loc)
}

// IsWorkingDay reports whether t's date (in the calendar's zone) is worked.
func (c *Calendar) IsWorkingDay(t time.Time) bool { return c.workingDay(c.Wall(t).Day()) }

// Holiday returns the name of the holiday on t's date, if any.
func (c *Calendar) Holiday(t time.Time) (string, bool) {
	n, ok := c.off[c.Wall(t).Day()]
	return n, ok
}

// endOfDay is the end of the last working window of day.
func (c *Calendar) endOfDay(day int64) Wall {
	return Wall(day*secondsPerDay + c.windows[len(c.windows)-1][1])
}

// maxScan bounds day-by-day loops (a century), so no input can spin forever.
const maxScan = 36600

// AddWorkingDays returns the deadline of a procedure of n working days
// received at t, the way one-stop systems set the appointment date (ngày hẹn
// trả): the receipt day is t's date if it is a working day and t is before
// the end of its working hours, else the next working day; the deadline is
// the end of the working day n working days after the receipt day (n = 0: the
// end of the receipt day). Negative n counts as 0.
func (c *Calendar) AddWorkingDays(t time.Time, n int) time.Time {
	w := c.Wall(t)
	day := w.Day()
	if !c.workingDay(day) || w >= c.endOfDay(day) {
		day = c.nextWorkingDay(day)
	}
	for i := 0; i < n && i < maxScan; i++ {
		day = c.nextWorkingDay(day)
	}
	return c.Time(c.endOfDay(day))
}

func (c *Calendar) nextWorkingDay(day int64) int64 {
	for i := 0; i < maxScan; i++ {
		day++
		if c.workingDay(day) {
			return day
		}
	}
	return day
}

// AddWorkingHours returns the instant d of working time after t, counting only
// working hours of working days: the deadline of a procedure stated in hours.
// A deadline that falls at the end of a window stays there (17:00, not 07:00
// the next working day). d <= 0 returns t.
func (c *Calendar) AddWorkingHours(t time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return t
	}
	left := int64((d + time.Second - 1) / time.Second)
	w := c.Wall(t)
	day, clock := w.Day(), w.Clock()
	for i := 0; i < maxScan; i++ {
		if c.workingDay(day) {
			for _, win := range c.windows {
				if clock >= win[1] {
					continue
				}
				from := max(clock, win[0])
				if avail := win[1] - from; left <= avail {
					return c.Time(Wall(day*secondsPerDay + from + left))
				} else {
					left -= avail
				}
				clock = win[1]
			}
		}
		day, clock = day+1, 0
	}
	return c.Time(Wall(day * secondsPerDay))
}

// WorkingDuration is the working time between from and to: only working
// hours of working days count. It is negative when to is before from.
func (c *Calendar) WorkingDuration(from, to time.Time) time.Duration {
	return time.Duration(c.WorkingSeconds(c.Wall(from), c.Wall(to))) * time.Second
}

// WorkingSeconds is WorkingDuration over wall-clock times, in seconds.
func (c *Calendar) WorkingSeconds(from, to Wall) int64 {
	return c.worked(to) - c.worked(from)
}

// DueWithin reports whether due is still ahead of now and at most d of
// working time away: the early warning for dossiers "sắp đến hạn".
func (c *Calendar) DueWithin(now, due time.Time, d time.Duration) bool {
	if due.Before(now) {
		return false
	}
	return c.WorkingDuration(now, due) <= d
}

// worked is the working time from the start of the table's first day to w
// (negative before it).
func (c *Calendar) worked(w Wall) int64 {
	day, clock := w.Day(), w.Clock()
	var today int64
	if c.workingDay(day) {
		today = c.inDay(clock)
	}
	return c.workedBefore(day) + today
}

func (c *Calendar) workedBefore(day int64) int64 {
	n := int64(len(c.work))
	// Every holiday and swap lies inside the table (it spans the files' years),
	// so outside it only weekends are off and a closed form suffices.
	switch i := day - c.lo; {
	case i >= 0 && i <= n:
		return c.cum[i]
	case i > n:
		return c.cum[n] + weekdaysBetween(c.lo+n, day)*c.dayLen
	default:
		return -weekdaysBetween(day, c.lo) * c.dayLen
	}
}

// weekdaysBetween counts Mondays to Fridays in days [a, b), a <= b.
func weekdaysBetween(a, b int64) int64 {
	weeks := (b - a) / 7
	n := weeks * 5
	for d := a + weeks*7; d < b; d++ {
		if wd := weekday(d); wd != time.Saturday && wd != time.Sunday {
			n++
		}
	}
	return n
}

// inDay is the working time from midnight to clock on a working day.
func (c *Calendar) inDay(clock int64) int64 {
	var s int64
	for _, w := range c.windows {
		if clock <= w[0] {
			break
		}
		s += min(clock, w[1]) - w[0]
	}
	return s
}
