package workday

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestLoadErrors(t *testing.T) {
	cases := map[string]struct{ body, want string }{
		"unknown key":        {"year: 2026\nholiday: []\n", "f.yml:2: unknown key \"holiday\" (want year, holidays, working_weekends)"},
		"no year":            {"holidays: []\n", "f.yml:1: year is required"},
		"bad year":           {"year: 20226\n", "f.yml:1: year must be a year between 1970 and 2100, got \"20226\""},
		"bad date":           {"year: 2026\nholidays:\n  - {date: 2026-02-30, name: x}\n", "f.yml:3: holidays: date must be YYYY-MM-DD, got \"2026-02-30\""},
		"date in other year": {"year: 2026\nholidays:\n  - {date: 2025-09-02, name: x}\n", "f.yml:3: holidays: 2025-09-02 is not in 2026"},
		"no name":            {"year: 2026\nholidays:\n  - {date: 2026-09-02}\n", "f.yml:3: holidays: name is required (say why the day is off or worked)"},
		"entry key":          {"year: 2026\nholidays:\n  - {date: 2026-09-02, name: x, half: true}\n", "f.yml:3: holidays: unknown key \"half\" (want date, name)"},
		"twice":              {"year: 2026\nholidays:\n  - {date: 2026-09-02, name: x}\n  - {date: 2026-09-02, name: y}\n", "f.yml:4: 2026-09-02 is listed twice"},
		"weekday worked":     {"year: 2026\nworking_weekends:\n  - {date: 2026-09-03, name: x}\n", "f.yml:3: working weekend 2026-09-03 is a Thursday, not a Saturday or Sunday"},
		"both":               {"year: 2026\nholidays:\n  - {date: 2026-02-14, name: x}\nworking_weekends:\n  - {date: 2026-02-14, name: y}\n", "f.yml:5: 2026-02-14 is both a holiday and a working weekend"},
		"not a list":         {"year: 2026\nholidays: {date: 2026-09-02}\n", "f.yml:2: holidays: want a list of {date, name}"},
		"scalar":             {"2026\n", "f.yml:1: want a mapping with year, holidays and working_weekends"},
		"empty":              {"", "f.yml: empty holiday file"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "f.yml")
			if err := os.WriteFile(p, []byte(c.body), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(p)
			if err == nil {
				t.Fatal("no error")
			}
			if got := err.Error(); got != filepath.Dir(p)+"/"+c.want {
				t.Fatalf("got  %s\nwant %s", got, filepath.Dir(p)+"/"+c.want)
			}
		})
	}
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.yml"), filepath.Join(dir, "b.yml")
	os.WriteFile(a, []byte("year: 2026\n"), 0o600)
	os.WriteFile(b, []byte("year: 2026\n"), 0o600)
	if _, err := Load(a, b); err == nil || err.Error() != b+": year 2026 is already defined by another file" {
		t.Fatalf("same year twice: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.yml")); err == nil {
		t.Fatal("missing file: no error")
	}
}

func TestLoadNoFiles(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	// 2/9/2026 is an ordinary Wednesday without the holiday file.
	if !c.IsWorkingDay(time.Date(2026, 9, 2, 9, 0, 0, 0, c.Location())) {
		t.Fatal("a weekday is off without any file")
	}
}

// FuzzParse: arbitrary bytes never panic, and an accepted file gives a
// calendar where every listed holiday is off and every listed weekend worked.
func FuzzParse(f *testing.F) {
	for _, b := range EmbeddedFiles() {
		f.Add(b)
	}
	f.Add([]byte("year: 2026\nholidays: [{date: 2026-01-01, name: x}]\nworking_weekends: [{date: 2026-01-10, name: y}]\n"))
	f.Add([]byte("year: !!binary AAAA\n"))
	f.Add([]byte("[[[[{{{"))
	f.Fuzz(func(t *testing.T, b []byte) {
		yf, err := parseFile("fuzz.yml", b)
		if err != nil {
			return
		}
		c, err := newCalendar([]*yearFile{yf})
		if err != nil {
			t.Fatalf("parsed file refused by newCalendar: %v", err)
		}
		for _, h := range yf.holidays {
			if c.workingDay(h.day) {
				t.Fatalf("holiday %s is worked", Wall(h.day*secondsPerDay))
			}
		}
		for _, h := range yf.working {
			if !c.workingDay(h.day) {
				t.Fatalf("working weekend %s is off", Wall(h.day*secondsPerDay))
			}
		}
	})
}
