package lineage

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
)

var ict = time.FixedZone("ICT", 7*3600)

func day(s string) time.Time {
	t, err := time.ParseInLocation(catalog.DateLayout, s, ict)
	if err != nil {
		panic(err)
	}
	return t
}

func link(old, name, level, to, date string, share float64) Link {
	return Link{Old: source.Agency{Code: old, Name: name, Level: level}, New: to, Date: day(date), Share: share}
}

// The shapes of 2025: a department merged in March whose successor merged in
// July (a chain), a split commune, a commune whose code a new unit reuses.
var current = map[string]source.Agency{
	"000.00.04.H17": {Code: "000.00.04.H17", Name: "Sở Tài chính", Level: catalog.LevelDept},
	"000.01.60.H17": {Code: "000.01.60.H17", Name: "Phường Hải Vân", Level: catalog.LevelCommune},
	"000.02.60.H17": {Code: "000.02.60.H17", Name: "Phường Liên Chiểu", Level: catalog.LevelCommune},
	"000.05.31.H17": {Code: "000.05.31.H17", Name: "Phường Hải Châu", Level: catalog.LevelCommune},
}

func TestResolve(t *testing.T) {
	links := []Link{
		link("000.00.04.H47", "Sở Kế hoạch và Đầu tư", catalog.LevelDept, "000.00.05.H47", "2025-03-01", 1),
		link("000.00.05.H47", "Sở Tài chính", catalog.LevelDept, "000.00.04.H17", "2025-07-01", 1),
		link("000.03.36.H17", "Xã Hòa Liên", catalog.LevelCommune, "000.01.60.H17", "2025-07-01", 0.2),
		link("000.03.36.H17", "Xã Hòa Liên", catalog.LevelCommune, "000.02.60.H17", "2025-07-01", 0.8),
		// The old unit 000.05.31.H17 is gone, and the new Phường Hải Châu
		// reuses its code: a former unit's code may be an agency in force.
		link("000.05.31.H17", "Phường Phước Ninh", catalog.LevelCommune, "000.02.60.H17", "2025-07-01", 1),
	}
	got, probs := Resolve(links, current)
	if len(probs) > 0 {
		t.Fatalf("problems: %v", probs)
	}
	want := map[string][]Successor{
		"000.00.04.H47": {{"000.00.04.H17", 1}},
		"000.00.05.H47": {{"000.00.04.H17", 1}},
		"000.03.36.H17": {{"000.01.60.H17", 0.2}, {"000.02.60.H17", 0.8}},
		"000.05.31.H17": {{"000.02.60.H17", 1}},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d former units, want %d", len(got), len(want))
	}
	for _, f := range got {
		w := want[f.Unit.Code]
		if len(f.Successors) != len(w) {
			t.Errorf("%s: successors %v, want %v", f.Unit.Code, f.Successors, w)
			continue
		}
		for i := range w {
			if f.Successors[i].Code != w[i].Code || math.Abs(f.Successors[i].Share-w[i].Share) > 1e-12 {
				t.Errorf("%s: successors %v, want %v", f.Unit.Code, f.Successors, w)
			}
		}
	}
	if e := got[0].End; !e.Equal(day("2025-03-01")) { // 000.00.04.H47 sorts first
		t.Errorf("end of %s = %v, want 2025-03-01", got[0].Unit.Code, e)
	}
	preds := Predecessors(got)
	if p := preds["000.00.04.H17"]; strings.Join(p, ",") != "000.00.04.H47,000.00.05.H47" {
		t.Errorf("predecessors of Sở Tài chính = %v", p)
	}

	res := &source.Result{}
	Samples(res, got)
	n := map[string]int{}
	for _, s := range res.Samples {
		n[s.Metric.Name]++
		if err := s.Metric.ValidateLabels(s.Labels); err != nil {
			t.Error(err)
		}
	}
	if n[catalog.AgencyLineageInfo.Name] != 5 || n[catalog.AgencyLineageShare.Name] != 5 || n[catalog.AgencyLineageEnd.Name] != 4 {
		t.Errorf("samples per metric = %v, want 5 info, 5 shares, 4 ends", n)
	}
}

// TestResolveSplitChain: a share of a share multiplies along a chain, and the
// parts of one former unit that meet again add up.
func TestResolveSplitChain(t *testing.T) {
	links := []Link{
		link("000.09.36.H17", "Xã A", catalog.LevelCommune, "000.10.36.H17", "2025-03-01", 0.5),
		link("000.09.36.H17", "Xã A", catalog.LevelCommune, "000.01.60.H17", "2025-03-01", 0.5),
		link("000.10.36.H17", "Xã B", catalog.LevelCommune, "000.01.60.H17", "2025-07-01", 0.4),
		link("000.10.36.H17", "Xã B", catalog.LevelCommune, "000.02.60.H17", "2025-07-01", 0.6),
	}
	got, probs := Resolve(links, current)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	a := got[0]
	if a.Unit.Code != "000.09.36.H17" || len(a.Successors) != 2 ||
		math.Abs(a.Successors[0].Share-0.7) > 1e-12 || math.Abs(a.Successors[1].Share-0.3) > 1e-12 {
		t.Errorf("Xã A resolves to %v, want Hải Vân 0.7 and Liên Chiểu 0.3", a.Successors)
	}
}

func TestResolveProblems(t *testing.T) {
	for _, tc := range []struct {
		name  string
		links []Link
		want  string
	}{
		{"unknown successor", []Link{link("000.03.36.H17", "Xã Hòa Liên", "xa", "000.99.60.H17", "2025-07-01", 1)},
			"successor 000.99.60.H17 is neither an agency in force nor a former unit"},
		{"bad code", []Link{link("Hòa Liên", "Xã Hòa Liên", "xa", "000.01.60.H17", "2025-07-01", 1)},
			`former unit code "Hòa Liên" is not an e-ID code`},
		{"self", []Link{link("000.01.60.H17", "Phường Hải Vân", "xa", "000.01.60.H17", "2025-07-01", 1)},
			"a unit that keeps its code needs no link"},
		{"share zero", []Link{link("000.03.36.H17", "Xã Hòa Liên", "xa", "000.01.60.H17", "2025-07-01", 0)},
			"share 0 must be above 0 and at most 1"},
		{"shares over 1", []Link{
			link("000.03.36.H17", "Xã Hòa Liên", "xa", "000.01.60.H17", "2025-07-01", 0.5),
			link("000.03.36.H17", "Xã Hòa Liên", "xa", "000.02.60.H17", "2025-07-01", 0.6)},
			"its shares sum to 1.1, more than 1"},
		{"two dates", []Link{
			link("000.03.36.H17", "Xã Hòa Liên", "xa", "000.01.60.H17", "2025-07-01", 0.5),
			link("000.03.36.H17", "Xã Hòa Liên", "xa", "000.02.60.H17", "2025-03-01", 0.5)},
			"date 2025-03-01 differs from 2025-07-01"},
		{"twice", []Link{
			link("000.03.36.H17", "Xã Hòa Liên", "xa", "000.01.60.H17", "2025-07-01", 0.5),
			link("000.03.36.H17", "Xã Hòa Liên", "xa", "000.01.60.H17", "2025-07-01", 0.5)},
			"successor 000.01.60.H17 appears twice"},
		{"bad level", []Link{link("000.03.36.H17", "Xã Hòa Liên", "commune", "000.01.60.H17", "2025-07-01", 1)},
			`level "commune" is not one of`},
		{"chain backwards", []Link{
			link("000.00.04.H47", "Sở Kế hoạch và Đầu tư", "so", "000.00.05.H47", "2025-07-01", 1),
			link("000.00.05.H47", "Sở Tài chính", "so", "000.00.04.H17", "2025-03-01", 1)},
			"went into 000.00.05.H47, which ended before it"},
		{"cycle", []Link{
			link("000.00.04.H47", "Sở A", "so", "000.00.05.H47", "2025-07-01", 1),
			link("000.00.05.H47", "Sở B", "so", "000.00.04.H47", "2025-07-01", 1)},
			"which ended before it"},
		{"too many parts", []Link{
			link("000.03.36.H17", "Xã Hòa Liên", "xa", "000.01.60.H17", "2025-07-01", 0.2),
			link("000.03.36.H17", "Xã Hòa Liên", "xa", "000.02.60.H17", "2025-07-01", 0.2),
			link("000.03.36.H17", "Xã Hòa Liên", "xa", "000.05.31.H17", "2025-07-01", 0.2),
			link("000.03.36.H17", "Xã Hòa Liên", "xa", "000.00.04.H17", "2025-07-01", 0.2),
			link("000.03.36.H17", "Xã Hòa Liên", "xa", "000.07.60.H17", "2025-07-01", 0.2)},
			"split into more than 4 units"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, probs := Resolve(tc.links, current)
			if got != nil {
				t.Errorf("resolved despite problems: %v", got)
			}
			var msgs []string
			for _, p := range probs {
				msgs = append(msgs, p.Msg)
			}
			if !strings.Contains(strings.Join(msgs, "\n"), tc.want) {
				t.Errorf("problems %q, want one containing %q", msgs, tc.want)
			}
		})
	}
}
