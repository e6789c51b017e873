package simulate

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/lineage"
	"github.com/govpulse/govpulse/collector/source"
)

func at(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, ICT) }

// flows are a row's flows: received by channel, resolved by timeliness, withdrawn.
func flows(r Row) [7]int {
	return [7]int{r.Received.InPerson, r.Received.Online, r.Received.Postal, r.Resolved.Early, r.Resolved.OnTime, r.Resolved.Late, r.Withdrawn}
}

func byAgency(rows []Row) map[string][]Row {
	out := map[string][]Row{}
	for _, r := range rows {
		out[r.Agency] = append(out[r.Agency], r)
	}
	return out
}

func levels(ag []source.Agency) map[string]int {
	out := map[string]int{}
	for _, a := range ag {
		out[a.Level]++
	}
	return out
}

// sameFlows reports the rows whose flows differ between a and b, which must
// list the same pairs.
func sameFlows(t *testing.T, name string, a, b []Row) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: %d rows and %d rows", name, len(a), len(b))
	}
	for i := range a {
		if a[i].Agency != b[i].Agency || a[i].Field != b[i].Field || flows(a[i]) != flows(b[i]) {
			t.Fatalf("%s: %s/%s %v, %s/%s %v", name, a[i].Agency, a[i].Field, flows(a[i]), b[i].Agency, b[i].Field, flows(b[i]))
		}
	}
}

var (
	oldLevels  = map[string]int{catalog.LevelProvince: 2, catalog.LevelDept: 41, catalog.LevelDistrict: 25, catalog.LevelCommune: 280}
	marchLevel = map[string]int{catalog.LevelProvince: 2, catalog.LevelDept: 30, catalog.LevelDistrict: 25, catalog.LevelCommune: 280}
	cityLevels = map[string]int{catalog.LevelProvince: 1, catalog.LevelDept: 17, catalog.LevelCommune: 94}
)

// deskShut checks that a day's report has online flows only.
func deskShut(t *testing.T, s *Sim, day time.Time) {
	t.Helper()
	var inPerson, postal, online int
	for _, r := range s.Report(day, day) {
		inPerson += r.Received.InPerson
		postal += r.Received.Postal
		online += r.Received.Online
	}
	if inPerson != 0 || postal != 0 || online == 0 {
		t.Errorf("%s: %d in person, %d by post, %d online: want the desks shut and online open", day.Format(time.DateOnly), inPerson, postal, online)
	}
}

// TestMapAtHardInstants: at the instants where the map or the calendar
// turns, the units in force, the links so far and the reports agree with it.
func TestMapAtHardInstants(t *testing.T) {
	for _, tc := range []struct {
		name   string
		now    time.Time
		levels map[string]int
		links  int
		check  func(t *testing.T, s *Sim, ps map[string]source.Period)
	}{
		{"last day before the department mergers", at(2025, 2, 28, 16, 0), oldLevels, 0, func(t *testing.T, s *Sim, _ map[string]source.Period) {
			for _, c := range []string{"000.00.04.H47", "000.00.04.H15", "000.00.19.H15"} {
				if s.world.unitAt(c, s.clockDay()) == nil {
					t.Errorf("%s (Sở Kế hoạch và Đầu tư, Sở Du lịch) not in force", c)
				}
			}
		}},
		{"the department mergers (1 March 2025, a Saturday)", at(2025, 3, 1, 9, 0), marchLevel, 15, func(t *testing.T, s *Sim, ps map[string]source.Period) {
			for _, l := range s.Lineage() {
				if !l.Date.Equal(DepartmentMergerDate) {
					t.Errorf("link %s → %s dated %s", l.Old.Code, l.New, l.Date)
				}
			}
			today := s.Report(ps["month"].From, ps["month"].To)
			q1 := byAgency(s.Report(ps["quarter"].From, ps["quarter"].To))
			// Sở Nông nghiệp và Môi trường was born today: its quarter is today.
			sameFlows(t, "QN Sở Nông nghiệp và Môi trường", byAgency(today)["000.00.21.H47"], q1["000.00.21.H47"])
			// Sở Tài chính keeps its own quarter and adds Sở Kế hoạch và Đầu tư's from today.
			mtd := map[string]Row{}
			for _, r := range byAgency(today)["000.00.05.H47"] {
				mtd[r.Field] = r
			}
			for _, r := range q1["000.00.05.H47"] {
				switch r.Field {
				case "QLCS":
					if r.Received.Total() <= 10*mtd[r.Field].Received.Total() {
						t.Errorf("Sở Tài chính's own field lost its January and February: %d in the quarter, %d today", r.Received.Total(), mtd[r.Field].Received.Total())
					}
				case "KD":
					if flows(r) != flows(mtd[r.Field]) || r.Received.Total() == 0 {
						t.Errorf("the absorbed field KD: quarter %v, today %v", flows(r), flows(mtd[r.Field]))
					}
				}
			}
		}},
		{"a quarter end after the department mergers", at(2025, 3, 31, 23, 59), marchLevel, 15, func(t *testing.T, s *Sim, ps map[string]source.Period) {
			march := s.Report(at(2025, 3, 1, 0, 0), ps["quarter"].To)
			sameFlows(t, "Sở Nông nghiệp và Môi trường", byAgency(march)["000.00.22.H15"], byAgency(s.Report(ps["quarter"].From, ps["quarter"].To))["000.00.22.H15"])
		}},
		{"last minute before the merger", at(2025, 6, 30, 23, 59), marchLevel, 15, nil},
		{"the merger (1 July 2025 00:00)", at(2025, 7, 1, 0, 0), cityLevels, 337, func(t *testing.T, s *Sim, ps map[string]source.Period) {
			// Nothing has happened yet in the new city: stocks only.
			for _, name := range catalog.Periods {
				rows := s.Report(ps[name].From, ps[name].To)
				if len(rows) == 0 {
					t.Fatalf("%s: no rows", name)
				}
				for _, r := range rows {
					if flows(r) != [7]int{} || r.CarriedOver < 2 {
						t.Fatalf("%s %s/%s: flows %v, carried over %d at the city's first minute", name, r.Agency, r.Field, flows(r), r.CarriedOver)
					}
				}
			}
		}},
		{"a December 2025 year to date", at(2025, 12, 15, 10, 0), cityLevels, 337, func(t *testing.T, s *Sim, ps map[string]source.Period) {
			// The new units' year to date is the days since 1 July.
			sameFlows(t, "year to date", s.Report(ps["year"].From, ps["year"].To), s.Report(MergerDate, ps["year"].To))
		}},
		{"a quarter end in the new city", at(2025, 9, 30, 23, 59), cityLevels, 337, func(t *testing.T, s *Sim, ps map[string]source.Period) {
			sameFlows(t, "the third quarter is the year to date", s.Report(ps["quarter"].From, ps["quarter"].To), s.Report(ps["year"].From, ps["year"].To))
		}},
		{"1 January 2025 (a holiday)", at(2025, 1, 1, 12, 0), oldLevels, 0, func(t *testing.T, s *Sim, _ map[string]source.Period) {
			deskShut(t, s, at(2025, 1, 1, 0, 0))
		}},
		{"1 January 2026 (a holiday)", at(2026, 1, 1, 12, 0), cityLevels, 337, func(t *testing.T, s *Sim, _ map[string]source.Period) {
			deskShut(t, s, at(2026, 1, 1, 0, 0))
		}},
		{"Tết 2025 (mùng 1, 29 January)", at(2025, 1, 29, 12, 0), oldLevels, 0, func(t *testing.T, s *Sim, _ map[string]source.Period) {
			deskShut(t, s, at(2025, 1, 29, 0, 0))
		}},
		{"Tết 2026 (mùng 1, 17 February)", at(2026, 2, 17, 12, 0), cityLevels, 337, func(t *testing.T, s *Sim, _ map[string]source.Period) {
			deskShut(t, s, at(2026, 2, 17, 0, 0))
		}},
		{"a Saturday worked in exchange (26 April 2025)", at(2025, 4, 27, 12, 0), marchLevel, 15, func(t *testing.T, s *Sim, _ map[string]source.Period) {
			desk := func(d time.Time) (n int) {
				for _, r := range s.Report(d, d) {
					n += r.Received.InPerson
				}
				return n
			}
			if worked, plain := desk(at(2025, 4, 26, 0, 0)), desk(at(2025, 4, 19, 0, 0)); worked < 4*plain {
				t.Errorf("in person: %d on the worked Saturday, %d on an ordinary one", worked, plain)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSim(t, 47, tc.now)
			ag := s.Agencies()
			if got := levels(ag); fmt.Sprint(got) != fmt.Sprint(tc.levels) {
				t.Errorf("units in force %v, want %v", got, tc.levels)
			}
			if n := len(s.Lineage()); n != tc.links {
				t.Errorf("%d links so far, want %d", n, tc.links)
			}
			inForce := map[string]bool{}
			for _, a := range ag {
				inForce[a.Code] = true
			}
			ps := periods(tc.now)
			for _, name := range catalog.Periods {
				for _, r := range s.Report(ps[name].From, ps[name].To) {
					if !inForce[r.Agency] {
						t.Fatalf("%s report names %s, not in force on %s", name, r.Agency, tc.now.Format(time.DateOnly))
					}
				}
			}
			// A report of a past month names the units of that month.
			if tc.now.After(MergerDate) {
				for _, r := range s.Report(at(2025, 6, 1, 0, 0), at(2025, 6, 30, 0, 0)) {
					if inForce[r.Agency] && !strings.HasPrefix(r.Agency, "000.00.") {
						t.Fatalf("the June 2025 report names %s, a unit of the new city", r.Agency)
					}
				}
			}
			if tc.check != nil {
				tc.check(t, s, ps)
			}
		})
	}
}

// TestNewUnitsAreTheSharedList: the new city's commune-level units are the
// 94 of the shared file, names and 5-digit codes exactly.
func TestNewUnitsAreTheSharedList(t *testing.T) {
	recs, err := csv.NewReader(bytes.NewReader(newUnitsCSV)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	kinds := map[string]int{}
	for _, r := range recs[1:] {
		want = append(want, r[0]+" "+r[1])
		kinds[r[2]]++
	}
	var got []string
	for _, a := range newSim(t, 47, testNow).Agencies() {
		if a.Level == catalog.LevelCommune {
			got = append(got, a.UnitCode+" "+a.Name)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the new units differ from the shared list:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(want) != 94 || kinds["phuong"] != 23 || kinds["xa"] != 70 || kinds["dac_khu"] != 1 {
		t.Errorf("%d units %v, want 94: 23 phường, 70 xã, 1 đặc khu", len(want), kinds)
	}
}

// TestOldUnitsLinked: every old unit of the merges file is a unit of 2024,
// under its old district, and a former unit linked on 1 July 2025 to the new
// units the file names (Xã Hòa Liên to two, with shares summing to 1); every
// old district goes whole into one new unit that holds some of its communes.
func TestOldUnitsLinked(t *testing.T) {
	recs, err := csv.NewReader(bytes.NewReader(mergesCSV)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	old := newSim(t, 47, pinned2024).Agencies()
	byName := map[[2]string]source.Agency{} // (district name, unit name)
	districtName := map[string]string{}
	for _, a := range old {
		if a.Level == catalog.LevelDistrict {
			districtName[a.Code] = a.Name
			byName[[2]string{a.Name, a.Name}] = a
		}
	}
	for _, a := range old {
		if a.Level == catalog.LevelCommune {
			byName[[2]string{districtName[a.Parent], a.Name}] = a
		}
	}
	s := newSim(t, 47, testNow)
	newName := map[string]string{}
	for _, a := range s.Agencies() {
		newName[a.Code] = a.Name
	}
	links := map[string][]lineage.Link{}
	for _, l := range s.Lineage() {
		links[l.Old.Code] = append(links[l.Old.Code], l)
	}
	want := map[string][]string{} // old code -> new names
	districtInto := map[string]map[string]bool{}
	for _, r := range recs[1:] {
		a, ok := byName[[2]string{r[3], r[4]}]
		if !ok {
			t.Errorf("old unit %s (%s) is not a unit of 2024", r[4], r[3])
			continue
		}
		want[a.Code] = append(want[a.Code], r[1])
		if districtInto[r[3]] == nil {
			districtInto[r[3]] = map[string]bool{}
		}
		districtInto[r[3]][r[1]] = true
	}
	if len(want) != 281 {
		t.Errorf("%d old units in the merges file, want 281", len(want))
	}
	for code, names := range want {
		var got []string
		sum := 0.0
		for _, l := range links[code] {
			got = append(got, newName[l.New])
			sum += l.Share
			if !l.Date.Equal(MergerDate) {
				t.Errorf("%s → %s dated %s", code, l.New, l.Date)
			}
		}
		sort.Strings(got)
		sort.Strings(names)
		if strings.Join(got, ",") != strings.Join(names, ",") || math.Abs(sum-1) > 1e-9 {
			t.Errorf("%s (%s) is linked to %v with shares summing to %v, want %v", code, links[code][0].Old.Name, got, sum, names)
		}
	}
	hoaLien := links["000.02.37.H15"]
	if len(hoaLien) != 2 || hoaLien[0].Old.Name != "Xã Hòa Liên" || hoaLien[0].Share+hoaLien[1].Share != 1 {
		t.Errorf("Xã Hòa Liên's links %+v", hoaLien)
	}
	for _, a := range old {
		if a.Level != catalog.LevelDistrict {
			continue
		}
		l := links[a.Code]
		if len(l) != 1 || l[0].Share != 1 || !districtInto[a.Name][newName[l[0].New]] {
			t.Errorf("old district %s goes into %+v, want one new unit holding its communes", a.Name, l)
		}
	}
}

// TestLineageResolves: the links so far resolve to the units in force, at
// every era, and every former unit reaches only units in force.
func TestLineageResolves(t *testing.T) {
	for _, now := range []time.Time{pinned2024, at(2025, 4, 20, 9, 0), testNow, at(2026, 12, 1, 12, 0)} {
		s := newSim(t, 47, now)
		cur := map[string]source.Agency{}
		for _, a := range s.Agencies() {
			cur[a.Code] = a
		}
		formers, probs := lineage.Resolve(s.Lineage(), cur)
		if len(probs) > 0 {
			t.Fatalf("%s: %v", now.Format(time.DateOnly), probs)
		}
		for _, f := range formers {
			sum := 0.0
			for _, sc := range f.Successors {
				if _, ok := cur[sc.Code]; !ok {
					t.Errorf("%s: former %s reaches %s, not in force", now.Format(time.DateOnly), f.Unit.Code, sc.Code)
				}
				sum += sc.Share
			}
			if math.Abs(sum-1) > 1e-9 {
				t.Errorf("%s: former %s's shares sum to %v", now.Format(time.DateOnly), f.Unit.Code, sum)
			}
		}
		if now.After(MergerDate) && len(formers) != 336 {
			t.Errorf("%s: %d former units, want 336 (281 of the merges file, 24 districts, 15 + 15 departments, the PPC)", now.Format(time.DateOnly), len(formers))
		}
	}
}

// TestYearOnYearThroughLineage is the differential test of continuity: for
// months before the merger, the share-weighted sum of a new unit's
// predecessors' received dossiers (followed through lineage.Resolve, not
// through the simulator's own components) is close to what the new unit
// receives in the same month a year later, and so is its late share.
//
// The bounds: every pair's monthly factor is drawn in 0.92–1.08, so one
// pair's ratio between two years lies in 0.85–1.17; the weekdays, holidays
// and worked weekends of the two months move the desk flows by a few per
// cent more. A unit is judged on at least 300 dossiers (the daily noise has
// averaged out); the province as a whole, over thousands of pairs, within 4%.
func TestYearOnYearThroughLineage(t *testing.T) {
	months := []time.Time{at(2024, 8, 1, 0, 0), at(2024, 10, 1, 0, 0), at(2024, 11, 1, 0, 0), at(2025, 4, 1, 0, 0), at(2025, 5, 1, 0, 0)}
	for _, seed := range []int64{1, 47, 2024} {
		s := newSim(t, seed, at(2026, 12, 1, 12, 0))
		cur := map[string]source.Agency{}
		for _, a := range s.Agencies() {
			cur[a.Code] = a
		}
		formers, probs := lineage.Resolve(s.Lineage(), cur)
		if len(probs) > 0 {
			t.Fatal(probs)
		}
		succ := map[string][]lineage.Successor{}
		for _, f := range formers {
			succ[f.Unit.Code] = f.Successors
		}
		// Late shares of the chronically late units are not carried on.
		chronic := map[string]bool{}
		for _, u := range s.highLate {
			chronic[u.Code] = true
			for _, sc := range succ[u.Code] {
				chronic[sc.Code] = true
			}
		}
		type acc struct{ received, late, resolved float64 }
		for _, m := range months {
			ref := map[string]*acc{}
			get := func(m map[string]*acc, c string) *acc {
				if m[c] == nil {
					m[c] = &acc{}
				}
				return m[c]
			}
			for _, r := range s.Report(m, m.AddDate(0, 1, -1)) {
				to := succ[r.Agency]
				if to == nil {
					if _, ok := cur[r.Agency]; !ok {
						t.Fatalf("%s: %s is neither a former unit nor in force", m.Format("2006-01"), r.Agency)
					}
					to = []lineage.Successor{{Code: r.Agency, Share: 1}} // the code was kept
				}
				for _, sc := range to {
					a := get(ref, sc.Code)
					a.received += sc.Share * float64(r.Received.Total())
					a.late += sc.Share * float64(r.Resolved.Late)
					a.resolved += sc.Share * float64(r.Resolved.Total())
				}
			}
			next := m.AddDate(1, 0, 0)
			got := map[string]*acc{}
			for _, r := range s.Report(next, next.AddDate(0, 1, -1)) {
				a := get(got, r.Agency)
				a.received += float64(r.Received.Total())
				a.late += float64(r.Resolved.Late)
				a.resolved += float64(r.Resolved.Total())
			}
			var refAll, gotAll float64
			judged, lo, hi, dl := 0, math.Inf(1), 0.0, 0.0
			for code, w := range ref {
				g := get(got, code)
				refAll += w.received
				gotAll += g.received
				if w.received < 300 {
					continue
				}
				judged++
				lo, hi = min(lo, g.received/w.received), max(hi, g.received/w.received)
				if !chronic[code] {
					dl = max(dl, math.Abs(g.late/g.resolved-w.late/w.resolved))
				}
				if ratio := g.received / w.received; ratio < 0.8 || ratio > 1.25 {
					t.Errorf("seed %d %s: %s received %.0f, its predecessors %.0f a year before (ratio %.2f)", seed, next.Format("2006-01"), code, g.received, w.received, ratio)
				}
				if d := g.late/g.resolved - w.late/w.resolved; !chronic[code] && math.Abs(d) > 0.02 {
					t.Errorf("seed %d %s: %s late share %.3f, its predecessors' %.3f a year before", seed, next.Format("2006-01"), code, g.late/g.resolved, w.late/w.resolved)
				}
			}
			t.Logf("seed %d %s: %d units judged, ratios %.3f–%.3f, largest late-share gap %.4f; the city %.3f", seed, next.Format("2006-01"), judged, lo, hi, dl, gotAll/refAll)
			if ratio := gotAll / refAll; ratio < 0.96 || ratio > 1.04 {
				t.Errorf("seed %d %s: the city received %.0f, the old provinces %.0f a year before (ratio %.3f)", seed, next.Format("2006-01"), gotAll, refAll, ratio)
			}
		}
	}
}

// TestVNeIDThroughTheMerger: the new units' counts are their old communes'
// parts, so the totals run on from 30 June to 1 July 2025.
func TestVNeIDThroughTheMerger(t *testing.T) {
	s := newSim(t, 47, testNow)
	total := func(d time.Time) (n [3]int, units int) {
		for _, u := range s.VNeID(d) {
			n[0] += u.Applications
			n[1] += u.Issued
			n[2] += u.Activated
		}
		return n, len(s.VNeID(d))
	}
	before, nb := total(at(2025, 6, 30, 0, 0))
	after, na := total(at(2025, 7, 1, 0, 0))
	if nb != 280 || na != 93 {
		t.Errorf("%d units on 30 June, %d on 1 July; want 280 old communes and 93 new units with residents", nb, na)
	}
	for i := range before {
		if after[i] < before[i] || after[i] > before[i]+before[i]/1000 {
			t.Errorf("count %d: %d on 30 June, %d on 1 July", i, before[i], after[i])
		}
	}
}

// TestPortalBeforeTheMerger: before the merger the portal serves both old
// provinces, each with its own units.
func TestPortalBeforeTheMerger(t *testing.T) {
	now := at(2025, 5, 20, 9, 0)
	s := newSim(t, 47, now)
	for root, suffix := range map[string]string{"000.00.00.H15": "H15", "000.00.00.H47": "H47"} {
		a := ask[PortalSync](t, s, PortalSyncPath, monthBody(now, root))
		n := 0
		for _, r := range a.Data.Children {
			n++
			if !strings.HasSuffix(r.DepartmentCode, suffix) {
				t.Errorf("root %s lists %s", root, r.DepartmentCode)
			}
		}
		if n < 50 {
			t.Errorf("root %s lists %d units", root, n)
		}
	}
	srv := newServer(t, newSim(t, 47, testNow))
	if resp, _ := post(t, srv, PortalSyncPath, monthBody(testNow, "000.00.00.H47")); resp.StatusCode != 400 {
		t.Errorf("old Quảng Nam as root in 2026: status %d, want 400", resp.StatusCode)
	}
}
