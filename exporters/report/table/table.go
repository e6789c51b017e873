// Package table is the standard one-stop table a province files every month
// (tình hình, kết quả giải quyết TTHC): one row per agency, grouped by level,
// with each level's and the province's totals, built from govpulse's
// one-stop series and written as XLSX or CSV (docs/report.md).
package table

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/govpulse/govpulse/collector/catalog"
)

// Period is one reported month, quarter or year: [Start, End) in the
// province's time zone.
type Period struct {
	Kind       string // catalog.PeriodMonth, PeriodQuarter or PeriodYear
	Start, End time.Time
}

// ParsePeriod reads "2026-02" (a month), "2026-Q1" (a quarter) or "2025"
// (a year) in loc.
func ParsePeriod(s string, loc *time.Location) (Period, error) {
	bad := fmt.Errorf("cannot read the period %q: want a month 2026-02, a quarter 2026-Q1 or a year 2025", s)
	year, rest, _ := strings.Cut(s, "-")
	y, err := strconv.Atoi(year)
	if err != nil || len(year) != 4 || y < 2000 || y > 2199 {
		return Period{}, bad
	}
	switch {
	case rest == "" && !strings.Contains(s, "-"):
		start := time.Date(y, 1, 1, 0, 0, 0, 0, loc)
		return Period{catalog.PeriodYear, start, start.AddDate(1, 0, 0)}, nil
	case len(rest) == 2 && (rest[0] == 'Q' || rest[0] == 'q') && rest[1] >= '1' && rest[1] <= '4':
		start := time.Date(y, time.Month(int(rest[1]-'1')*3+1), 1, 0, 0, 0, 0, loc)
		return Period{catalog.PeriodQuarter, start, start.AddDate(0, 3, 0)}, nil
	case len(rest) == 2:
		m, err := strconv.Atoi(rest)
		if err != nil || m < 1 || m > 12 {
			return Period{}, bad
		}
		start := time.Date(y, time.Month(m), 1, 0, 0, 0, 0, loc)
		return Period{catalog.PeriodMonth, start, start.AddDate(0, 1, 0)}, nil
	}
	return Period{}, bad
}

// Containing returns the period of kind that holds t.
func Containing(kind string, t time.Time, loc *time.Location) Period {
	t = t.In(loc)
	y, m, _ := t.Date()
	switch kind {
	case catalog.PeriodYear:
		start := time.Date(y, 1, 1, 0, 0, 0, 0, loc)
		return Period{kind, start, start.AddDate(1, 0, 0)}
	case catalog.PeriodQuarter:
		start := time.Date(y, (m-1)/3*3+1, 1, 0, 0, 0, 0, loc)
		return Period{kind, start, start.AddDate(0, 3, 0)}
	}
	start := time.Date(y, m, 1, 0, 0, 0, 0, loc)
	return Period{catalog.PeriodMonth, start, start.AddDate(0, 1, 0)}
}

var romanQuarter = [...]string{"I", "II", "III", "IV"}

// Title names the period as a report's heading does: "Tháng 02 năm 2026",
// "Quý I năm 2026", "Năm 2025" (lang "en": "February 2026", "Q1 2026", "2025").
func (p Period) Title(lang string) string {
	y, m := p.Start.Year(), p.Start.Month()
	switch p.Kind {
	case catalog.PeriodYear:
		if lang == "en" {
			return strconv.Itoa(y)
		}
		return fmt.Sprintf("Năm %d", y)
	case catalog.PeriodQuarter:
		q := (int(m) - 1) / 3
		if lang == "en" {
			return fmt.Sprintf("Q%d %d", q+1, y)
		}
		return fmt.Sprintf("Quý %s năm %d", romanQuarter[q], y)
	}
	if lang == "en" {
		return fmt.Sprintf("%s %d", m, y)
	}
	return fmt.Sprintf("Tháng %02d năm %d", int(m), y)
}

// String is the period as ParsePeriod reads it.
func (p Period) String() string {
	switch p.Kind {
	case catalog.PeriodYear:
		return strconv.Itoa(p.Start.Year())
	case catalog.PeriodQuarter:
		return fmt.Sprintf("%d-Q%d", p.Start.Year(), (int(p.Start.Month())-1)/3+1)
	}
	return p.Start.Format("2006-01")
}

// Counts are one row's figures: the standard table's columns.
type Counts struct {
	CarriedOver              float64 // kỳ trước chuyển qua
	Online, InPerson, Postal float64 // mới tiếp nhận, by channel
	Early, OnTime, Late      float64 // đã giải quyết
	NotDue, Overdue          float64 // đang giải quyết
}

// Received is every dossier to be handled in the period: carried over and new.
func (c Counts) Received() float64 { return c.CarriedOver + c.Online + c.InPerson + c.Postal }

// Resolved is every resolved dossier.
func (c Counts) Resolved() float64 { return c.Early + c.OnTime + c.Late }

// InProgress is every dossier still in progress at the period's end.
func (c Counts) InProgress() float64 { return c.NotDue + c.Overdue }

func (c Counts) add(d Counts) Counts {
	return Counts{c.CarriedOver + d.CarriedOver, c.Online + d.Online, c.InPerson + d.InPerson, c.Postal + d.Postal,
		c.Early + d.Early, c.OnTime + d.OnTime, c.Late + d.Late, c.NotDue + d.NotDue, c.Overdue + d.Overdue}
}

// LateRate is the late rate by definition (catalog.LateRateDefinitions);
// false when it has no denominator.
func (c Counts) LateRate(definition string) (float64, bool) {
	return catalog.LateRateOf(definition, catalog.DossierCounts{
		Received: c.Online + c.InPerson + c.Postal, Online: c.Online, CarriedOver: c.CarriedOver,
		Early: c.Early, OnTime: c.OnTime, Late: c.Late, NotDue: c.NotDue, Overdue: c.Overdue,
	})
}

// Row is one agency.
type Row struct {
	Agency, Name string
	Counts
}

// Group is one administrative level's agencies and their total.
type Group struct {
	Level string
	Rows  []Row
	Total Counts
}

// Table is the standard table of one period.
type Table struct {
	Province   string // the province's name, for the title
	Period     Period
	Definition string // the late-rate definition of the rate column
	Groups     []Group
	Total      Counts
	// AsOf is the instant the figures are read at: the period's last
	// value, or now for the current period.
	AsOf time.Time
}

// Agency is what the table needs of tthc_agency_info.
type Agency struct{ Code, Name, Level string }

// levelOrder is the order of the groups: the province's own committee,
// departments, then the local levels.
var levelOrder = map[string]int{catalog.LevelProvince: 0, catalog.LevelDept: 1, catalog.LevelDistrict: 2, catalog.LevelCommune: 3}

// Build groups counts (by agency code) under agencies. An agency with
// figures but no info is listed under its code in a group of its own
// level "" (the store lost its info series); an agency without figures is
// a row of zeros: it reported nothing.
func Build(agencies []Agency, counts map[string]Counts) []Group {
	known := map[string]bool{}
	byLevel := map[string][]Row{}
	for _, a := range agencies {
		known[a.Code] = true
		byLevel[a.Level] = append(byLevel[a.Level], Row{Agency: a.Code, Name: a.Name, Counts: counts[a.Code]})
	}
	for code, c := range counts {
		if !known[code] {
			byLevel[""] = append(byLevel[""], Row{Agency: code, Name: code, Counts: c})
		}
	}
	levels := make([]string, 0, len(byLevel))
	for l := range byLevel {
		levels = append(levels, l)
	}
	sort.Slice(levels, func(i, j int) bool {
		oi, iok := levelOrder[levels[i]]
		oj, jok := levelOrder[levels[j]]
		if iok != jok {
			return iok
		}
		if oi != oj {
			return oi < oj
		}
		return levels[i] < levels[j]
	})
	groups := make([]Group, 0, len(levels))
	for _, l := range levels {
		rows := byLevel[l]
		// In Vietnamese alphabetical order (Hải before Hòa), as a reader
		// looks a unit up; bytes would put every accented letter last.
		col := collate.New(language.Vietnamese)
		sort.SliceStable(rows, func(i, j int) bool {
			if c := col.CompareString(rows[i].Name, rows[j].Name); c != 0 {
				return c < 0
			}
			return rows[i].Agency < rows[j].Agency
		})
		g := Group{Level: l, Rows: rows}
		for _, r := range rows {
			g.Total = g.Total.add(r.Counts)
		}
		groups = append(groups, g)
	}
	return groups
}

// New is the table of groups.
func New(province string, p Period, definition string, asOf time.Time, groups []Group) *Table {
	t := &Table{Province: province, Period: p, Definition: definition, Groups: groups, AsOf: asOf}
	for _, g := range groups {
		t.Total = t.Total.add(g.Total)
	}
	return t
}

// LevelName is a group's heading.
func LevelName(level, lang string) string {
	if n, ok := catalog.ValueName(catalog.LabelLevel, level); ok {
		return n.In(lang)
	}
	if lang == "en" {
		return "Agencies without unit information"
	}
	return "Đơn vị chưa có thông tin"
}
