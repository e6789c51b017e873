package rating

import (
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
)

const (
	prov   = "000.00.00.H47"
	noiVu  = "000.00.02.H47"
	tuPhap = "000.00.03.H47"
	tamKy  = "000.00.31.H47"
	xa     = "000.01.31.H47"
)

// snapshot is a fake of the daemon's latest snapshot.
type snapshot map[*catalog.Metric][]source.Sample

func (s snapshot) add(m *catalog.Metric, v float64, labels ...string) {
	s[m] = append(s[m], source.Sample{Metric: m, Labels: labels, Value: v})
}

// report adds one agency's one-stop counts for a period, split over two
// fields so the source has to sum them.
func (s snapshot) report(agency, period string, c catalog.DossierCounts) {
	half := func(v float64, i int) float64 {
		h := math.Floor(v / 2)
		if i == 0 {
			return h
		}
		return v - h
	}
	for i, field := range []string{"DD", "HT"} {
		s.add(catalog.DossiersReceived, half(c.Received-c.Online, i), agency, field, period, catalog.ChannelInPerson)
		s.add(catalog.DossiersReceived, half(c.Online, i), agency, field, period, catalog.ChannelOnline)
		s.add(catalog.DossiersCarriedOver, half(c.CarriedOver, i), agency, field, period)
		s.add(catalog.DossiersResolved, half(c.Early, i), agency, field, period, catalog.ResolvedEarly)
		s.add(catalog.DossiersResolved, half(c.OnTime, i), agency, field, period, catalog.ResolvedOnTime)
		s.add(catalog.DossiersResolved, half(c.Late, i), agency, field, period, catalog.ResolvedLate)
		s.add(catalog.DossiersInProgress, half(c.NotDue, i), agency, field, period, catalog.InProgressNotDue)
		s.add(catalog.DossiersInProgress, half(c.Overdue, i), agency, field, period, catalog.InProgressOverdue)
	}
}

func testEnv(snap snapshot) source.Env {
	agencies := map[string]source.Agency{}
	for code, level := range map[string]string{prov: catalog.LevelProvince, noiVu: catalog.LevelDept, tuPhap: catalog.LevelDept, tamKy: catalog.LevelDistrict, xa: catalog.LevelCommune} {
		agencies[code] = source.Agency{Code: code, Level: level}
	}
	for i := 4; i <= 9; i++ {
		c := fmt.Sprintf("000.00.%02d.H47", i)
		agencies[c] = source.Agency{Code: c, Level: catalog.LevelDept}
	}
	return source.Env{Agencies: agencies, Lookup: func(m *catalog.Metric) []source.Sample { return snap[m] }}
}

func run(t *testing.T, cfg Config, snap snapshot) (map[string]float64, *source.Result) {
	t.Helper()
	if errs := cfg.Validate(); len(errs) > 0 {
		t.Fatalf("config: %v", errs)
	}
	s, err := New("rating", cfg, testEnv(snap))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	res, err := s.Collect(t.Context())
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	out := map[string]float64{}
	for _, smp := range res.Samples {
		if err := smp.Metric.ValidateLabels(smp.Labels); err != nil {
			t.Errorf("invalid sample: %v", err)
		}
		if smp.Metric.Source != catalog.SourceRating {
			t.Errorf("%s belongs to source %s", smp.Metric.Name, smp.Metric.Source)
		}
		if math.IsNaN(smp.Value) || math.IsInf(smp.Value, 0) || smp.Value < 0 {
			t.Errorf("%s%v = %v", smp.Metric.Name, smp.Labels, smp.Value)
		}
		k := smp.Metric.Name + "{" + strings.Join(smp.Labels, ",") + "}"
		if _, dup := out[k]; dup {
			t.Errorf("duplicate series %s", k)
		}
		out[k] = smp.Value
	}
	return out, res
}

// rating returns the agency's current rating, checking the state set.
func rating(t *testing.T, got map[string]float64, agency string) string {
	t.Helper()
	cur := ""
	for _, r := range catalog.Ratings {
		v, ok := got["tthc_agency_rating{"+agency+","+r+"}"]
		if !ok {
			return ""
		}
		if v == 1 {
			if cur != "" {
				t.Errorf("%s has two ratings", agency)
			}
			cur = r
		}
	}
	return cur
}

// resolved builds counts with n resolved dossiers of which late are late.
func resolved(n, late float64) catalog.DossierCounts {
	return catalog.DossierCounts{Received: n, Online: n / 2, Early: math.Floor((n - late) / 2), OnTime: n - late - math.Floor((n-late)/2), Late: late}
}

func TestRatingTiers(t *testing.T) {
	cases := map[string]struct {
		score  float64
		counts catalog.DossierCounts
		want   string
		capped float64
	}{
		"0.90 with 4.99% late":             {0.90, resolved(10000, 499), catalog.RatingExcellent, 0},
		"0.90 with 5% late":                {0.90, resolved(100, 5), catalog.RatingCompleted, 1},
		"0.8999 without late":              {0.8999, resolved(100, 0), catalog.RatingGood, 0},
		"0.80 with 4.99% late":             {0.80, resolved(10000, 499), catalog.RatingGood, 0},
		"0.85 with 10% late":               {0.85, resolved(200, 20), catalog.RatingCompleted, 1},
		"0.65":                             {0.65, resolved(100, 0), catalog.RatingCompleted, 0},
		"0.65 with 30% late":               {0.65, resolved(100, 30), catalog.RatingCompleted, 0},
		"0.6499":                           {0.6499, resolved(100, 0), catalog.RatingNotCompleted, 0},
		"1 late of 2 is not judged":        {0.95, resolved(2, 1), catalog.RatingExcellent, 0},
		"19 resolved are not judged":       {0.95, resolved(19, 10), catalog.RatingExcellent, 0},
		"20 resolved are judged":           {0.95, resolved(20, 1), catalog.RatingCompleted, 1},
		"no dossiers: the score decides":   {0.91, catalog.DossierCounts{}, catalog.RatingExcellent, 0},
		"only in progress: not judged":     {0.81, catalog.DossierCounts{NotDue: 30, Overdue: 30}, catalog.RatingGood, 0},
		"Lâm Đồng's 1.19% is below the 5%": {0.92, resolved(643272, 7677), catalog.RatingExcellent, 0},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			snap := snapshot{}
			snap.report(noiVu, catalog.PeriodMonth, c.counts)
			snap.report(tuPhap, catalog.PeriodMonth, resolved(100, 0)) // one-stop data exists
			got, _ := run(t, Config{Scores: map[string]float64{noiVu: c.score}}, snap)
			if r := rating(t, got, noiVu); r != c.want {
				t.Errorf("rating = %q, want %q", r, c.want)
			}
			if v := got["tthc_agency_rating_late_capped{"+noiVu+"}"]; v != c.capped {
				t.Errorf("late capped = %v, want %v", v, c.capped)
			}
			if v := got["tthc_agency_cchc_score_ratio{"+noiVu+"}"]; v != c.score {
				t.Errorf("score = %v, want %v", v, c.score)
			}
		})
	}
}

func TestLateRateLamDong(t *testing.T) {
	// Published: 7,677 late of 643,272 resolved = 1.19% (resolved-only).
	s, err := New("rating", Config{}, testEnv(snapshot{}))
	if err != nil {
		t.Fatal(err)
	}
	rate, judged := s.lateRate(resolved(643272, 7677))
	if !judged || fmt.Sprintf("%.2f%%", rate*100) != "1.19%" {
		t.Errorf("late rate = %v (judged %v), want 1.19%%", rate, judged)
	}
}

func TestLateCritical(t *testing.T) {
	snap := snapshot{}
	snap.report(noiVu, catalog.PeriodMonth, resolved(200, 20))             // exactly 10%
	snap.report(tuPhap, catalog.PeriodMonth, resolved(10000, 999))         // 9.99%
	snap.report(tamKy, catalog.PeriodMonth, resolved(10, 5))               // 50% of too few
	snap.report(xa, catalog.PeriodMonth, catalog.DossierCounts{NotDue: 5}) // nothing resolved
	snap.report("000.00.04.H47", catalog.PeriodQuarter, resolved(100, 60)) // another period
	snap.report("000.01.99.H47", catalog.PeriodMonth, resolved(100, 60))   // not an agency here
	got, _ := run(t, Config{}, snap)
	want := map[string]float64{
		"tthc_agency_late_critical{" + noiVu + ",resolved_only}":  1,
		"tthc_agency_late_critical{" + tuPhap + ",resolved_only}": 0,
		"tthc_agency_late_critical{" + tamKy + ",resolved_only}":  0,
		"tthc_agency_late_critical{" + xa + ",resolved_only}":     0,
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, v)
		}
	}
	for k := range got {
		if strings.Contains(k, "000.00.04.H47") || strings.Contains(k, "000.01.99.H47") {
			t.Errorf("unexpected series %s", k)
		}
	}

	// The deployment's thresholds and definition apply, and the series says which.
	th := catalog.Thresholds{LateRateCritical: 0.05, LateMinVolume: 5, LateRateDefinition: catalog.LateQD766}
	snap = snapshot{}
	// 766: (late + overdue) / handled = (1 + 5) / 100 = 6%; resolved-only would be 1/95.
	snap.report(noiVu, catalog.PeriodMonth, catalog.DossierCounts{Received: 100, Early: 50, OnTime: 44, Late: 1, Overdue: 5})
	got, _ = run(t, Config{Thresholds: th}, snap)
	if v, ok := got["tthc_agency_late_critical{"+noiVu+",qd766}"]; !ok || v != 1 {
		t.Errorf("qd766 definition: late critical = %v (present %v), want 1", v, ok)
	}
}

func TestNoOneStopDataYet(t *testing.T) {
	got, _ := run(t, Config{Scores: map[string]float64{noiVu: 0.95}}, snapshot{})
	if v := got["tthc_agency_cchc_score_ratio{"+noiVu+"}"]; v != 0.95 {
		t.Errorf("score = %v", v)
	}
	if r := rating(t, got, noiVu); r != "" {
		t.Errorf("rated %s without any one-stop data", r)
	}
	for k, v := range map[string]float64{
		"tthc_processing_time_cut_target_ratio{}": 0.40,
		"dvcqg_integration_target_ratio{}":        1,
		"dvcqg_sync_target_ratio{}":               0.95,
		"qd766_indicator_max_score{dung_han}":     20,
	} {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	// Nor does a nil lookup (outside the daemon) break anything.
	s, err := New("rating", Config{}, source.Env{Agencies: testEnv(nil).Agencies})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Collect(t.Context()); err != nil {
		t.Errorf("Collect without lookup: %v", err)
	}
}

func TestEstimate(t *testing.T) {
	snap := snapshot{}
	// Nội vụ: 90 on time or early + 6 not due of 100 handled = 96% → 19.2;
	// online 30 of 100 received = 60% of the 50% threshold → 4.8 of 8.
	snap.report(noiVu, catalog.PeriodMonth, catalog.DossierCounts{Received: 100, Online: 30, Early: 50, OnTime: 40, Late: 2, NotDue: 6, Overdue: 2})
	// Tư pháp: all on time; online 70 of 100, capped at 8.
	snap.report(tuPhap, catalog.PeriodMonth, catalog.DossierCounts{Received: 100, Online: 70, Early: 60, OnTime: 40})
	// Portal: Nội vụ offers 40 of 100 procedures online (50% of 80% → 2 of 4),
	// and synced 95 of max(100, 98) → 5.7 of 6. Tư pháp has no portal data.
	snap.add(catalog.PortalProcedures, 100, noiVu)
	snap.add(catalog.PortalServicesOnline, 25, noiVu, catalog.ServiceFullOnline)
	snap.add(catalog.PortalServicesOnline, 15, noiVu, catalog.ServicePartialOnline)
	snap.add(catalog.PortalDossiersSynced, 95, noiVu, catalog.PeriodMonth)
	snap.add(catalog.PortalDossiersLocal, 100, noiVu, catalog.PeriodMonth)
	snap.add(catalog.PortalDossiersNational, 98, noiVu, catalog.PeriodMonth)
	snap.add(catalog.PortalDossiersSynced, 1, noiVu, catalog.PeriodYear) // another period
	// The People's Committee's own desk counts in the province, and has no
	// estimate of its own: its code is the whole province's.
	snap.report(prov, catalog.PeriodMonth, catalog.DossierCounts{OnTime: 100})
	got, _ := run(t, Config{}, snap)
	near := func(k string, want float64) {
		t.Helper()
		g, ok := got[k]
		if !ok || math.Abs(g-want) > 1e-9 {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, want)
		}
	}
	absent := func(k string) {
		t.Helper()
		if _, ok := got[k]; ok {
			t.Errorf("%s should not be exported", k)
		}
	}
	near("qd766_estimate_indicator_score{"+noiVu+",dung_han,month}", 19.2)
	near("qd766_estimate_score{"+noiVu+",tien_do,month}", 19.2)
	near("qd766_estimate_indicator_score{"+noiVu+",ho_so_truc_tuyen,month}", 4.8)
	near("qd766_estimate_indicator_score{"+noiVu+",cung_cap_truc_tuyen,month}", 2)
	near("qd766_estimate_score{"+noiVu+",dvctt,month}", 6.8)
	near("qd766_estimate_indicator_score{"+noiVu+",dong_bo,month}", 5.7)
	absent("qd766_estimate_score{" + noiVu + ",cong_khai,month}") // 6 of 18 points is not the group
	near("qd766_estimate_indicator_score{"+tuPhap+",dung_han,month}", 20)
	near("qd766_estimate_indicator_score{"+tuPhap+",ho_so_truc_tuyen,month}", 8)
	absent("qd766_estimate_score{" + tuPhap + ",dvctt,month}") // no portal data: half the group
	absent("qd766_estimate_indicator_score{" + tuPhap + ",dong_bo,month}")
	// The province sums its agencies: (90+6+100+100) / 300 on time, 100
	// online of 200 received.
	near("qd766_estimate_score{"+prov+",tien_do,month}", 20*296.0/300)
	near("qd766_estimate_indicator_score{"+prov+",ho_so_truc_tuyen,month}", 8)
	near("qd766_estimate_indicator_score{"+prov+",cung_cap_truc_tuyen,month}", 2)
	near("qd766_estimate_score{"+prov+",dvctt,month}", 10)
	// No feed: no payment or digitisation indicators.
	for k := range got {
		if strings.HasPrefix(k, "qd766_estimate") && (strings.Contains(k, "thanh_toan") || strings.Contains(k, "so_hoa")) {
			t.Errorf("estimated %s without feed data", k)
		}
	}

	// estimate: province keeps the agencies out; none drops the estimate.
	got, _ = run(t, Config{Estimate: EstimateProvince}, snap)
	absent("qd766_estimate_score{" + noiVu + ",tien_do,month}")
	near("qd766_estimate_score{"+prov+",tien_do,month}", 20*296.0/300)
	got, _ = run(t, Config{Estimate: EstimateNone}, snap)
	absent("qd766_estimate_score{" + prov + ",tien_do,month}")
}

// The online-dossier indicator through the whole source: full at the 50%
// threshold and above, proportional below.
func TestEstimateProportional(t *testing.T) {
	for _, c := range []struct {
		online, want float64
	}{{50, 8}, {90, 8}, {25, 4}, {10, 1.6}, {0, 0}} {
		snap := snapshot{}
		snap.report(noiVu, catalog.PeriodMonth, catalog.DossierCounts{Received: 100, Online: c.online, OnTime: 100})
		got, _ := run(t, Config{Estimate: EstimateProvince}, snap)
		k := "qd766_estimate_indicator_score{" + prov + ",ho_so_truc_tuyen,month}"
		if g := got[k]; math.Abs(g-c.want) > 1e-9 {
			t.Errorf("online %v%%: %s = %v, want %v", c.online, k, g, c.want)
		}
	}
}

func TestEstimateWithFeed(t *testing.T) {
	paid, digitised := catalog.DossiersPaidOnline, catalog.DossiersDigitised
	snap := snapshot{}
	snap.report(noiVu, catalog.PeriodMonth, catalog.DossierCounts{Received: 200, Online: 100, OnTime: 100})
	snap.add(paid, 30, noiVu, "DD", catalog.PeriodMonth)
	snap.add(paid, 20, noiVu, "HT", catalog.PeriodMonth)
	snap.add(digitised, 150, noiVu, "DD", catalog.PeriodMonth)
	got, _ := run(t, Config{}, snap)
	for k, v := range map[string]float64{
		"qd766_estimate_indicator_score{" + noiVu + ",thanh_toan_truc_tuyen,month}": 6 * 50.0 / 200,
		"qd766_estimate_indicator_score{" + noiVu + ",so_hoa_ho_so,month}":          4 * 150.0 / 200,
	} {
		if g := got[k]; math.Abs(g-v) > 1e-9 {
			t.Errorf("%s = %v, want %v", k, g, v)
		}
	}
}

func TestScores(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "scores.csv")
	content := "\ufeffagency,score\n" +
		"# Kết quả chấm điểm CCHC tháng 10\n" +
		noiVu + ",0.92\n" +
		tuPhap + ",81.5%\n" +
		tamKy + ",0.5\n" +
		"000.00.06.H47,\"66,5%\"\n" +
		"000.00.04.H47,92\n" + // a percentage without %: ambiguous
		"Sở Y tế,0.8\n" +
		noiVu + ",0.5\n" +
		"000.00.98.H47,0.7\n" + // not in the agency list
		"000.00.05.H47\n"
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	snap := snapshot{}
	snap.report(tuPhap, catalog.PeriodMonth, resolved(100, 0))
	got, res := run(t, Config{ScoresFile: file, Scores: map[string]float64{xa: 0.7, tamKy: 0.9}}, snap)
	for k, v := range map[string]float64{
		"tthc_agency_cchc_score_ratio{" + noiVu + "}":  0.92,
		"tthc_agency_cchc_score_ratio{" + tuPhap + "}": 0.815,
		"tthc_agency_cchc_score_ratio{" + tamKy + "}":  0.9, // inline wins
		"tthc_agency_cchc_score_ratio{000.00.06.H47}":  0.665,
		"tthc_agency_cchc_score_ratio{" + xa + "}":     0.7,
	} {
		if g := got[k]; math.Abs(g-v) > 1e-12 {
			t.Errorf("%s = %v, want %v", k, g, v)
		}
	}
	if r := rating(t, got, tuPhap); r != catalog.RatingGood {
		t.Errorf("Tư pháp rated %q", r)
	}
	want := map[string]int{catalog.RejectMalformed: 2, catalog.RejectBadCode: 1, catalog.RejectDuplicate: 1, catalog.RejectUnknownCode: 1}
	if !maps.Equal(res.Rejected, want) {
		t.Errorf("rejected = %v, want %v", res.Rejected, want)
	}

	// A file that goes missing fails the run; the last good ratings stay.
	s, err := New("rating", Config{ScoresFile: file}, testEnv(snap))
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(file)
	if _, err := s.Collect(t.Context()); source.Reason(err) != catalog.ReasonInvalid || !strings.Contains(err.Error(), "scores.csv") {
		t.Errorf("missing file: err = %v (reason %q)", err, source.Reason(err))
	}
}

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("code;score\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f := func(c Config, want ...string) {
		t.Helper()
		var got []string
		for _, e := range c.Validate() {
			got = append(got, e.Error())
		}
		if !slices.Equal(got, want) {
			t.Errorf("Validate(%+v):\n got %q\nwant %q", c, got, want)
		}
	}
	f(Config{})
	f(Config{Period: "year", Province: prov, Scores: map[string]float64{noiVu: 1, tuPhap: 0}, Estimate: EstimateNone,
		Targets: catalog.Targets{ProcessingTimeCut: 0.5, Integration: 0.869, Sync: 1}})
	f(Config{Period: "week"}, `period: must be one of month, quarter, year, not "week"`)
	f(Config{Province: "H47"}, `province: "H47" is not an agency e-ID code like 000.00.00.H47`)
	f(Config{Scores: map[string]float64{noiVu: 92, "Nội vụ": 0.9}},
		`scores.000.00.02.H47: 92 is not a ratio 0–1 (write 0.92 for 92%)`,
		"scores.Nội vụ: is not an agency e-ID code like 000.00.02.H47")
	f(Config{ScoresFile: filepath.Join(dir, "nope.csv")}, fmt.Sprintf("scores_file: cannot read %q: no such file or directory", filepath.Join(dir, "nope.csv")))
	f(Config{ScoresFile: bad}, fmt.Sprintf(`scores_file: %q: want the header agency,score, got "code;score"`, bad))
	f(Config{Estimate: "all"}, `estimate: must be "agencies", "province" or "none", not "all"`)
	f(Config{Targets: catalog.Targets{ProcessingTimeCut: 40, Sync: -1}},
		"targets.processing_time_cut: 40 is not a ratio in (0, 1]", "targets.sync: -1 is not a ratio in (0, 1]")
}

func TestSetDefaults(t *testing.T) {
	c := Config{Thresholds: catalog.Thresholds{LateRateWarning: 0.03}}
	c.SetDefaults()
	if c.Period != catalog.PeriodMonth || c.Estimate != EstimateAgencies || c.Targets != catalog.DefaultTargets {
		t.Errorf("defaults: %+v", c)
	}
	want := catalog.DefaultThresholds
	want.LateRateWarning = 0.03
	if c.Thresholds != want {
		t.Errorf("thresholds = %+v, want %+v (the deployment's warning kept)", c.Thresholds, want)
	}
}

func TestNew(t *testing.T) {
	env := testEnv(snapshot{})
	if _, err := New("r", Config{Province: "000.00.00.H56"}, env); err == nil {
		t.Error("unknown province accepted")
	}
	for _, def := range []string{"weekly", catalog.LateDueBased} {
		if _, err := New("r", Config{Thresholds: catalog.Thresholds{LateRateDefinition: def}}, env); err == nil || !strings.Contains(err.Error(), def) {
			t.Errorf("definition %s: err = %v", def, err)
		}
	}
	s, err := New("r", Config{}, env)
	if err != nil || s.province != prov {
		t.Errorf("default province: %v %v", s, err)
	}
}
