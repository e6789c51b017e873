package catalog

import (
	"fmt"
	"math"
	"testing"
)

func TestLateRate(t *testing.T) {
	f := func(def string, c DossierCounts, want string, wantOK bool) {
		t.Helper()
		r, ok := LateRateOf(def, c)
		if ok != wantOK {
			t.Fatalf("%s %+v: ok = %v, want %v", def, c, ok, wantOK)
		}
		if got := fmt.Sprintf("%.2f%%", r*100); ok && got != want {
			t.Errorf("%s %+v: rate = %s (%v), want %s", def, c, got, r, want)
		}
	}
	// Lâm Đồng (domain.md §2): 7,677 late of 643,272 resolved = 1.19%.
	lamDong := DossierCounts{Received: 640000, CarriedOver: 12000, Early: 400000, OnTime: 643272 - 400000 - 7677, Late: 7677, NotDue: 5000, Overdue: 300}
	f(LateResolvedOnly, lamDong, "1.19%", true)
	// The due-based definition needs counts the period report does not have.
	f(LateDueBased, lamDong, "", false)
	// Backlog: (overdue in progress + late resolved) / (received + carried over).
	f(LateBacklog, DossierCounts{Received: 180, CarriedOver: 20, Late: 6, Overdue: 4, OnTime: 150}, "5.00%", true)
	// 766: 1 − (early + on time + not due) / handled.
	f(LateQD766, DossierCounts{Early: 50, OnTime: 40, Late: 5, NotDue: 3, Overdue: 2}, "7.00%", true)
	f(LateResolvedOnly, DossierCounts{NotDue: 4}, "", false)
	f(LateBacklog, DossierCounts{}, "", false)
	f("weekly", lamDong, "", false)
	for _, d := range LateRateDefinitions {
		if _, ok := LateRateOf(d.Name, lamDong); !ok && d.Name != LateDueBased {
			t.Errorf("definition %s is listed but LateRate does not know it", d.Name)
		}
	}
	// A share written with the 5% literal's exact value must not slip below it.
	if r, _ := LateRateOf(LateResolvedOnly, DossierCounts{OnTime: 133, Late: 7}); r != 0.05 {
		t.Errorf("7/140 = %v, want exactly 0.05", r)
	}
}

func TestAgencyRating(t *testing.T) {
	th := DefaultThresholds
	cases := map[string]struct {
		score, late float64
		judged      bool
		want        string
		capped      bool
	}{
		"0.90 with 4.99% late":         {0.90, 0.0499, true, RatingExcellent, false},
		"0.90 with 5% late":            {0.90, 0.05, true, RatingCompleted, true},
		"0.8999 with 0% late":          {0.8999, 0, true, RatingGood, false},
		"0.80 with 4.99% late":         {0.80, 0.0499, true, RatingGood, false},
		"0.85 with 12% late":           {0.85, 0.12, true, RatingCompleted, true},
		"0.7999":                       {0.7999, 0, true, RatingCompleted, false},
		"0.65":                         {0.65, 0, true, RatingCompleted, false},
		"0.65 with 30% late":           {0.65, 0.30, true, RatingCompleted, false},
		"0.6499":                       {0.6499, 0, true, RatingNotCompleted, false},
		"0":                            {0, 0, true, RatingNotCompleted, false},
		"1.0 below min volume":         {1.0, 0.5, false, RatingExcellent, false},
		"0.6 with late, not judged":    {0.6, 0.5, false, RatingNotCompleted, false},
		"0.95 with 9.99% late, judged": {0.95, 0.0999, true, RatingCompleted, true},
	}
	for name, c := range cases {
		got, capped := AgencyRating(c.score, c.late, c.judged, th)
		if got != c.want || capped != c.capped {
			t.Errorf("%s: rating = %s capped=%v, want %s capped=%v", name, got, capped, c.want, c.capped)
		}
	}
	// The warning threshold comes from the deployment's config.
	strict := th
	strict.LateRateWarning = 0.02
	if got, _ := AgencyRating(0.95, 0.03, true, strict); got != RatingCompleted {
		t.Errorf("with a 2%% warning threshold, 3%% late: rating = %s, want %s", got, RatingCompleted)
	}
}

func TestRatingTiersOrdered(t *testing.T) {
	for i := 1; i < len(RatingTiers); i++ {
		if RatingTiers[i].MinScore >= RatingTiers[i-1].MinScore {
			t.Errorf("tier %s does not have a lower minimum than %s", RatingTiers[i].Code, RatingTiers[i-1].Code)
		}
	}
	if RatingTiers[0].MinScore != 0.90 || RatingTiers[1].MinScore != 0.80 || RatingTiers[2].MinScore != 0.65 {
		t.Fatalf("the province's tiers changed: %+v", RatingTiers)
	}
}

func TestQD766Score(t *testing.T) {
	cases := []struct {
		name                  string
		max, ratio, threshold float64
		want                  float64
	}{
		{"at the threshold", 8, 0.50, 0.50, 8},
		{"above the threshold is capped", 8, 0.90, 0.50, 8},
		{"half the threshold", 8, 0.25, 0.50, 4},
		{"proportional at threshold 1", 20, 0.92, 1.0, 18.4},
		{"zero", 6, 0, 1, 0},
		{"negative ratio", 6, -0.1, 1, 0},
		{"NaN ratio", 6, math.NaN(), 1, 0},
		{"infinite ratio is capped", 6, math.Inf(1), 1, 6},
		{"no threshold", 6, 0.5, 0, 0},
	}
	for _, c := range cases {
		if got := QD766Score(c.max, c.ratio, c.threshold); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s: QD766Score(%v, %v, %v) = %v, want %v", c.name, c.max, c.ratio, c.threshold, got, c.want)
		}
	}
}

func TestQD766Definitions(t *testing.T) {
	sum := 0.0
	for _, g := range QD766Groups {
		sum += g.Max
	}
	if sum != QD766MaxTotal {
		t.Errorf("group maxima add up to %v, want %v", sum, QD766MaxTotal)
	}
	want := map[string]float64{GroupCongKhai: 18, GroupTienDo: 20, GroupDVCTT: 12, GroupThanhToan: 10, GroupHaiLong: 18, GroupSoHoa: 22}
	for code, max := range want {
		if g, ok := QD766GroupByCode(code); !ok || g.Max != max {
			t.Errorf("group %s: max = %v (found %v), want %v", code, g.Max, ok, max)
		}
	}
	per := map[string]float64{}
	for _, in := range QD766Indicators {
		if _, ok := QD766GroupByCode(in.Group); !ok {
			t.Errorf("indicator %s: unknown group %s", in.Code, in.Group)
		}
		if !(in.Threshold > 0 && in.Threshold <= 1) || !(in.Max > 0) {
			t.Errorf("indicator %s: threshold %v or max %v out of range", in.Code, in.Threshold, in.Max)
		}
		per[in.Group] += in.Max
	}
	for code, s := range per {
		if g, _ := QD766GroupByCode(code); s > g.Max {
			t.Errorf("indicators of %s add up to %v, more than the group's %v", code, s, g.Max)
		}
	}
	// The estimate reports a group only when its indicators cover it whole.
	if per[GroupTienDo] != 20 || per[GroupDVCTT] != 12 {
		t.Errorf("tien_do and dvctt must be covered whole: %v", per)
	}
}
