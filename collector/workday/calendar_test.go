package workday

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var ict = time.FixedZone("ICT", 7*3600)

func at(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, ict)
}

func defaultCal(t testing.TB) *Calendar {
	t.Helper()
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	return c.WithLocation(ict)
}

// The embedded copies are what the binary uses; deploy/holidays is what
// operators read and edit. They must not drift apart.
func TestEmbeddedEqualsDeploy(t *testing.T) {
	deploy, err := filepath.Glob("../../deploy/holidays/*.yml")
	if err != nil || len(deploy) == 0 {
		t.Fatalf("no deploy/holidays/*.yml: %v", err)
	}
	emb := EmbeddedFiles()
	for _, f := range deploy {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(emb[filepath.Base(f)], b) {
			t.Errorf("collector/workday/holidays/%s differs from %s: copy it over", filepath.Base(f), f)
		}
		delete(emb, filepath.Base(f))
	}
	for n := range emb {
		t.Errorf("embedded %s has no deploy/holidays counterpart", n)
	}
	c, err := Load(deploy...)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Years(); len(got) != 2 || got[0] != 2025 || got[1] != 2026 {
		t.Fatalf("years %v, want [2025 2026]", got)
	}
}

func TestIsWorkingDay(t *testing.T) {
	c := defaultCal(t)
	f := func(y int, m time.Month, d int, want bool) {
		t.Helper()
		if got := c.IsWorkingDay(at(y, m, d, 12, 0)); got != want {
			t.Errorf("%04d-%02d-%02d (%s): working = %v, want %v", y, m, d, at(y, m, d, 0, 0).Weekday(), got, want)
		}
	}
	f(2025, 1, 1, false)  // Tết Dương lịch
	f(2025, 1, 24, true)  // Friday before Tết
	f(2025, 1, 27, false) // Tết Ất Tỵ
	f(2025, 1, 31, false)
	f(2025, 2, 3, true)  // back to work
	f(2025, 4, 7, false) // Giỗ Tổ
	f(2025, 4, 26, true) // Saturday worked for 2/5
	f(2025, 5, 2, false) // swapped
	f(2025, 9, 1, false) // Quốc khánh
	f(2025, 9, 2, false)
	f(2025, 9, 3, true)
	f(2025, 3, 8, false)  // an ordinary Saturday
	f(2026, 1, 2, false)  // swapped
	f(2026, 1, 10, true)  // Saturday worked for 2/1
	f(2026, 2, 13, true)  // Friday before Tết Bính Ngọ
	f(2026, 2, 16, false) // Tết
	f(2026, 2, 20, false)
	f(2026, 2, 23, true)
	f(2026, 4, 27, false) // Giỗ Tổ on a Sunday, Monday off
	f(2026, 5, 1, false)
	f(2026, 9, 1, false)
	f(2026, 9, 2, false)
	f(2026, 9, 3, true)
	f(2027, 1, 1, true) // no 2027 file: only weekends are off
	if c.Covers(2027) || !c.Covers(2026) {
		t.Error("Covers is wrong")
	}
	if n, ok := c.Holiday(at(2026, 2, 17, 9, 0)); !ok || !strings.Contains(n, "Bính Ngọ") {
		t.Errorf("Holiday(17/2/2026) = %q, %v", n, ok)
	}
}

func TestAddWorkingDays(t *testing.T) {
	c := defaultCal(t)
	f := func(name string, from time.Time, n int, want time.Time) {
		t.Helper()
		if got := c.AddWorkingDays(from, n); !got.Equal(want) {
			t.Errorf("%s: %s + %d working days = %s, want %s", name, from.Format("Mon 2006-01-02 15:04"), n, got.Format("Mon 2006-01-02 15:04"), want.Format("Mon 2006-01-02 15:04"))
		}
	}
	// Tết Ất Tỵ 2025: off Sat 25/1 to Sun 2/2.
	f("before Tết 2025", at(2025, 1, 24, 10, 0), 3, at(2025, 2, 5, 17, 0))
	f("after hours before Tết 2025", at(2025, 1, 24, 17, 30), 1, at(2025, 2, 4, 17, 0))
	f("at closing time counts as after hours", at(2025, 1, 24, 17, 0), 0, at(2025, 2, 3, 17, 0))
	f("received online during Tết 2025", at(2025, 1, 30, 9, 0), 0, at(2025, 2, 3, 17, 0))
	f("received online during Tết 2025, 1 day", at(2025, 1, 30, 9, 0), 1, at(2025, 2, 4, 17, 0))
	// Tết Bính Ngọ 2026: off Sat 14/2 to Sun 22/2.
	f("before Tết 2026", at(2026, 2, 13, 9, 0), 2, at(2026, 2, 24, 17, 0))
	f("across Tết 2026, 5 days", at(2026, 2, 12, 15, 0), 5, at(2026, 2, 26, 17, 0))
	f("15 days across Tết 2026", at(2026, 2, 2, 8, 0), 15, at(2026, 3, 2, 17, 0))
	// Quốc khánh.
	f("2/9 2025", at(2025, 8, 29, 10, 0), 1, at(2025, 9, 3, 17, 0))
	f("2/9 2026", at(2026, 8, 31, 10, 0), 2, at(2026, 9, 4, 17, 0))
	f("2/9 2026, received on the holiday", at(2026, 9, 2, 10, 0), 1, at(2026, 9, 4, 17, 0))
	// Swapped Saturdays and the 30/4 break.
	f("swap Saturday 26/4/2025 is worked", at(2025, 4, 25, 8, 0), 1, at(2025, 4, 26, 17, 0))
	f("after the swap Saturday", at(2025, 4, 25, 8, 0), 2, at(2025, 4, 28, 17, 0))
	f("across 30/4–4/5 2025", at(2025, 4, 25, 8, 0), 4, at(2025, 5, 5, 17, 0))
	f("new year 2026 across both files", at(2025, 12, 31, 9, 0), 2, at(2026, 1, 6, 17, 0))
	f("swap Saturday 10/1/2026", at(2026, 1, 9, 9, 0), 1, at(2026, 1, 10, 17, 0))
	f("Giỗ Tổ 2026 observed on Monday", at(2026, 4, 24, 9, 0), 1, at(2026, 4, 28, 17, 0))
	// Weekends and half-days.
	f("received on a Saturday", at(2026, 3, 7, 10, 0), 1, at(2026, 3, 10, 17, 0))
	f("received at lunch", at(2026, 3, 9, 12, 0), 1, at(2026, 3, 10, 17, 0))
	f("received before opening", at(2026, 3, 9, 6, 0), 0, at(2026, 3, 9, 17, 0))
	f("negative counts as 0", at(2026, 3, 9, 6, 0), -3, at(2026, 3, 9, 17, 0))
}

func TestAddWorkingHours(t *testing.T) {
	c := defaultCal(t)
	f := func(name string, from time.Time, d time.Duration, want time.Time) {
		t.Helper()
		if got := c.AddWorkingHours(from, d); !got.Equal(want) {
			t.Errorf("%s: %s + %v = %s, want %s", name, from.Format("Mon 2006-01-02 15:04"), d, got.Format("Mon 2006-01-02 15:04"), want.Format("Mon 2006-01-02 15:04"))
		}
	}
	f("over lunch", at(2026, 3, 9, 10, 0), 2*time.Hour, at(2026, 3, 9, 14, 0))
	f("ends at the morning's end", at(2026, 3, 9, 11, 0), 30*time.Minute, at(2026, 3, 9, 11, 30))
	f("ends at closing time", at(2026, 3, 9, 16, 0), time.Hour, at(2026, 3, 9, 17, 0))
	f("next morning", at(2026, 3, 9, 16, 0), 2*time.Hour, at(2026, 3, 10, 8, 0))
	f("from lunch", at(2026, 3, 9, 12, 0), time.Hour, at(2026, 3, 9, 14, 30))
	f("before opening", at(2026, 3, 9, 6, 0), time.Hour, at(2026, 3, 9, 8, 0))
	f("across Tết 2026", at(2026, 2, 13, 16, 0), 4*time.Hour, at(2026, 2, 23, 10, 0))
	f("onto the swap Saturday 2025", at(2025, 4, 25, 16, 0), 8*time.Hour, at(2025, 4, 26, 16, 0))
	f("across 2/9 2025", at(2025, 8, 29, 16, 30), time.Hour, at(2025, 9, 3, 7, 30))
	f("a working day is 8 hours", at(2026, 3, 9, 7, 0), 8*time.Hour, at(2026, 3, 9, 17, 0))
	f("zero", at(2026, 3, 8, 3, 0), 0, at(2026, 3, 8, 3, 0))
}

func TestWorkingDuration(t *testing.T) {
	c := defaultCal(t)
	f := func(name string, from, to time.Time, want time.Duration) {
		t.Helper()
		if got := c.WorkingDuration(from, to); got != want {
			t.Errorf("%s: %s .. %s = %v, want %v", name, from.Format("Mon 2006-01-02 15:04"), to.Format("Mon 2006-01-02 15:04"), got, want)
		}
	}
	f("over lunch", at(2026, 3, 9, 8, 0), at(2026, 3, 9, 14, 0), 4*time.Hour)
	f("a week", at(2026, 3, 9, 0, 0), at(2026, 3, 16, 0, 0), 40*time.Hour)
	f("Tết 2025 week", at(2025, 1, 27, 0, 0), at(2025, 2, 3, 0, 0), 0)
	f("across Tết 2025", at(2025, 1, 24, 16, 0), at(2025, 2, 3, 8, 0), 2*time.Hour)
	f("across Tết 2026", at(2026, 2, 13, 16, 0), at(2026, 2, 23, 10, 0), 4*time.Hour)
	f("swap Saturday counted", at(2025, 4, 26, 0, 0), at(2025, 4, 27, 0, 0), 8*time.Hour)
	f("reversed", at(2026, 3, 9, 14, 0), at(2026, 3, 9, 8, 0), -4*time.Hour)
	f("outside the table, after", at(2050, 3, 7, 0, 0), at(2050, 3, 14, 0, 0), 40*time.Hour)
	f("outside the table, before", at(2000, 3, 6, 0, 0), at(2000, 3, 13, 0, 0), 40*time.Hour)
	f("a year 2026", at(2026, 1, 1, 0, 0), at(2027, 1, 1, 0, 0), time.Duration(261-11)*8*time.Hour)
}

// A day-by-day reference implementation checks the table arithmetic on
// random spans, including ones reaching outside the table.
func TestWorkingSecondsMatchesReference(t *testing.T) {
	c := defaultCal(t)
	ref := func(from, to Wall) int64 {
		var s int64
		for d := from.Day(); d <= to.Day(); d++ {
			if !c.isWorkingDayNum(d) {
				continue
			}
			for _, w := range c.windows {
				a, b := Wall(d*secondsPerDay+w[0]), Wall(d*secondsPerDay+w[1])
				a, b = max(a, from), min(b, to)
				if b > a {
					s += int64(b - a)
				}
			}
		}
		return s
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 3000; i++ {
		base := WallDate(2014+rng.IntN(28), 1, 1, 0, 0, 0)
		from := base + Wall(rng.Int64N(366*secondsPerDay))
		to := from + Wall(rng.Int64N(40*secondsPerDay))
		if got, want := c.WorkingSeconds(from, to), ref(from, to); got != want {
			t.Fatalf("%s .. %s: %d, reference %d", from, to, got, want)
		}
	}
}

func TestDueWithin(t *testing.T) {
	c := defaultCal(t)
	f := func(name string, now, due time.Time, want bool) {
		t.Helper()
		if got := c.DueWithin(now, due, c.DayLength()); got != want {
			t.Errorf("%s: DueWithin(%s, %s) = %v, want %v", name, now.Format("2006-01-02 15:04"), due.Format("2006-01-02 15:04"), got, want)
		}
	}
	f("same day", at(2026, 3, 9, 9, 0), at(2026, 3, 9, 17, 0), true)
	f("exactly one working day", at(2026, 3, 9, 9, 0), at(2026, 3, 10, 9, 0), true)
	f("one day and a minute", at(2026, 3, 9, 9, 0), at(2026, 3, 10, 9, 1), false)
	f("over a weekend", at(2026, 3, 13, 15, 0), at(2026, 3, 16, 14, 0), true)
	f("over Tết 2026", at(2026, 2, 13, 15, 0), at(2026, 2, 23, 10, 0), true)
	f("two days after Tết", at(2026, 2, 13, 15, 0), at(2026, 2, 24, 10, 0), false)
	f("already overdue", at(2026, 3, 9, 9, 0), at(2026, 3, 9, 8, 0), false)
}

func TestWithHours(t *testing.T) {
	c := defaultCal(t)
	c2, err := c.WithHours(Window{8 * time.Hour, 12 * time.Hour}, Window{13 * time.Hour, 17 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if got := c2.AddWorkingHours(at(2026, 3, 9, 11, 0), 2*time.Hour); !got.Equal(at(2026, 3, 9, 14, 0)) {
		t.Fatalf("custom hours: %s", got)
	}
	if got := c.AddWorkingHours(at(2026, 3, 9, 11, 0), 2*time.Hour); !got.Equal(at(2026, 3, 9, 15, 0)) {
		t.Fatalf("WithHours changed the original: %s", got)
	}
	for name, ws := range map[string][]Window{
		"none":     nil,
		"reversed": {{12 * time.Hour, 8 * time.Hour}},
		"overlap":  {{8 * time.Hour, 12 * time.Hour}, {11 * time.Hour, 17 * time.Hour}},
		"past day": {{20 * time.Hour, 25 * time.Hour}},
	} {
		if _, err := c.WithHours(ws...); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestWall(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 10000; i++ {
		tm := time.Unix(rng.Int64N(8e9)-2e9, 0).UTC()
		w := WallDate(tm.Year(), tm.Month(), tm.Day(), tm.Hour(), tm.Minute(), tm.Second())
		if int64(w) != tm.Unix() {
			t.Fatalf("WallDate(%s) = %d, want %d", tm, w, tm.Unix())
		}
		y, m, d := w.Date()
		if y != tm.Year() || m != tm.Month() || d != tm.Day() {
			t.Fatalf("Date(%s) = %d-%d-%d", tm, y, m, d)
		}
	}
	if w := WallDate(2026, 13, 1, 0, 0, 0); w.String() != "2027-01-01 00:00:00" {
		t.Fatalf("month 13 = %s", w)
	}
	c := defaultCal(t)
	tm := at(2026, 2, 17, 8, 30)
	if got := c.Time(c.Wall(tm)); !got.Equal(tm) {
		t.Fatalf("Time(Wall(t)) = %s", got)
	}
}
