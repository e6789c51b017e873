package prom

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
	"github.com/govpulse/govpulse/collector/store"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

const goldenFile = "testdata/snapshot.golden"

// TestCollectorGolden pins the exposition of a hand-built snapshot.
func TestCollectorGolden(t *testing.T) {
	sn := goldenSnapshot()
	if *update {
		if err := os.WriteFile(goldenFile, collectorText(t, sn), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(goldenFile)
	if err != nil {
		t.Fatalf("%v (run go test -run TestCollectorGolden -update to create it)", err)
	}
	defer f.Close()
	if err := testutil.CollectAndCompare(NewCollector(sn, discard()), f); err != nil {
		t.Fatal(err)
	}
}

func TestCollectorLint(t *testing.T) {
	problems, err := testutil.CollectAndLint(NewCollector(goldenSnapshot(), discard()))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
	problems, err = testutil.CollectAndLint(BuildInfo("1.0.0", "abc"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

// TestGoldenHealth spells out the health rules the golden file encodes, so a
// careless -update cannot bless a regression.
func TestGoldenHealth(t *testing.T) {
	got := string(collectorText(t, goldenSnapshot()))
	for _, want := range []string{
		`govpulse_source_up{source="mot_cua"} 1`,
		`govpulse_source_up{source="mot_cua_huyen"} 0`,
		`govpulse_source_last_success_timestamp_seconds{source="mot_cua"} 1.7512497005e+09`,
		`govpulse_source_last_success_timestamp_seconds{source="vneid"} 0`,
		`govpulse_source_duration_seconds{source="mot_cua"} 1.25`,
		`govpulse_source_errors_total{reason="http_5xx",source="mot_cua_huyen"} 3`,
		`govpulse_source_errors_total{reason="panic",source="mot_cua"} 0`,
		`govpulse_source_records_rejected_total{reason="malformed",source="vneid"} 0`,
		`govpulse_source_samples{source="vneid"} 0`,
		`govpulse_source_samples{source="mot_cua"} 10`,
		`govpulse_source_schedule_interval_seconds{source="mot_cua_huyen"} 3600`,
		// The down source keeps its last good data.
		`tthc_dossiers_resolved{agency="000.20.31.H47",field="DD",period="quarter",timeliness="tre_han"} 21`,
		// Internal sources export data but no health.
		`tthc_field_info{field="DD",name="Đất đai"} 1`,
	} {
		if !strings.Contains(got, want+"\n") {
			t.Errorf("missing %s", want)
		}
	}
	for _, unwanted := range []string{`source="don_vi"`, `govpulse_source_schedule_interval_seconds{source="vneid"}`} {
		if strings.Contains(got, unwanted) {
			t.Errorf("unexpected %s", unwanted)
		}
	}
	per := strings.Count(got, `govpulse_source_errors_total{reason="timeout"`)
	if per != 3 {
		t.Errorf("errors_total{reason=timeout}: %d series, want one per non-internal source (3)", per)
	}
}

// TestExpositionMatchesCollector: the pre-rendered exposition is byte for byte
// what client_golang writes for the collector.
func TestExpositionMatchesCollector(t *testing.T) {
	sn := goldenSnapshot()
	want, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatal(err)
	}
	if got := collectorText(t, sn); !bytes.Equal(got, want) {
		t.Fatalf("collector differs from %s:\n%s", goldenFile, got)
	}
	if got := expositionText(t, sn); !bytes.Equal(got, want) {
		diffLines(t, want, got)
	}
}

// testMetric has labels out of name order and a HELP that needs escaping.
var testMetric = &catalog.Metric{
	Name:   "govpulse_test_values",
	Help:   `A test family: back\slash, "quotes" and a` + "\nnew line.",
	Labels: []string{"zeta", "alpha", "mid"},
	Source: "test",
}

var testCounter = &catalog.Metric{
	Name: "govpulse_test_events_total", Help: "A test counter without labels.", Kind: catalog.Counter, Source: "test",
}

func TestExpositionEscapingAndFloats(t *testing.T) {
	res := &source.Result{}
	values := []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 1e21, 1.5e-7,
		123456789012, -1, 1, 0, 0.1, -2.5, math.MaxFloat64, math.SmallestNonzeroFloat64, 1e-5, 12345678}
	for i, v := range values {
		res.Add(testMetric, v, string(rune('a'+i)), `q"uo\te`+"\n", "Thừa Thiên Huế")
	}
	res.Add(testMetric, 5, "z", "", "")
	res.Add(testMetric, 6, "z", "", "\xff")        // invalid UTF-8: dropped by both
	res.Add(testMetric, 7, "z", "only two labels") // wrong arity: dropped by both
	res.Add(testCounter, 42)
	sn := &store.Snapshot{Sources: []*store.SourceState{{Name: "t", Internal: true, Result: res}}}
	want := collectorText(t, sn)
	got := expositionText(t, sn)
	if !bytes.Equal(got, want) {
		diffLines(t, want, got)
	}
	if !strings.Contains(string(got), `\\slash, "quotes" and a\nnew line.`) {
		t.Errorf("HELP not escaped as expfmt does:\n%s", got)
	}
	parse(t, got)
}

// TestSharedFamilyFirstSourceWins: two sources of one kind report the same
// series; both paths keep the first source's, and the registry does not fail.
func TestSharedFamilyFirstSourceWins(t *testing.T) {
	a, b := &source.Result{}, &source.Result{}
	a.Add(catalog.DossiersCarriedOver, 1, agJustice, "DD", catalog.PeriodMonth)
	a.Add(catalog.DossiersCarriedOver, 2, agPlanning, "DD", catalog.PeriodMonth)
	b.Add(catalog.DossiersCarriedOver, 99, agJustice, "DD", catalog.PeriodMonth)
	b.Add(catalog.DossiersCarriedOver, 3, agDistrict, "DD", catalog.PeriodMonth)
	sn := &store.Snapshot{Sources: []*store.SourceState{
		{Name: "a", Internal: true, Result: a},
		{Name: "b", Internal: true, Result: b},
	}}
	want := collectorText(t, sn)
	got := expositionText(t, sn)
	if !bytes.Equal(got, want) {
		diffLines(t, want, got)
	}
	if !strings.Contains(string(got), `tthc_dossiers_carried_over{agency="000.00.31.H47",field="DD",period="month"} 1`+"\n") ||
		strings.Contains(string(got), " 99\n") || !strings.Contains(string(got), `agency="000.20.31.H47"`) {
		t.Fatalf("want a's value for the shared series and b's own series:\n%s", got)
	}
}

func TestBuildInfo(t *testing.T) {
	want := `# HELP govpulse_build_info ` + catalog.BuildInfo.Help + `
# TYPE govpulse_build_info gauge
govpulse_build_info{goversion="` + goVersion() + `",revision="unknown",version="1.2.3"} 1
`
	if err := testutil.CollectAndCompare(BuildInfo("1.2.3", ""), strings.NewReader(want)); err != nil {
		t.Fatal(err)
	}
}

func TestAcceptsGzip(t *testing.T) {
	for header, want := range map[string]bool{
		"":                              false,
		"gzip":                          true,
		"GZIP":                          true,
		"deflate, gzip;q=0.5":           true,
		"gzip;q=0":                      false,
		"gzip; q=0.000, identity":       false,
		"identity":                      false,
		"x-gzip":                        false,
		"br;q=1.0, gzip;q=0.8, *;q=0.1": true,
	} {
		if got := acceptsGzip(header); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", header, got, want)
		}
	}
}

func diffLines(t testing.TB, want, got []byte) {
	t.Helper()
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			t.Fatalf("exposition differs from client_golang's at line %d:\nwant %q\n got %q", i+1, wl, gl)
		}
	}
}

// Compile-time checks of the documented types.
var (
	_ prometheus.Collector = (*SnapshotCollector)(nil)
)

// wideMetric has more labels than fit packed into a 64-bit sort key when
// their values are many, so renderFamily compares ranks instead.
var wideMetric = &catalog.Metric{
	Name:   "govpulse_test_wide",
	Help:   "A test family with many labels.",
	Labels: []string{"h", "g", "f", "e", "d", "c", "b", "a"},
	Source: "test",
}

// TestRenderMatchesCollectorOnGeneratedFamilies is differential: generated
// families (random label values with repeats, duplicates within and across
// sources, escapes, invalid UTF-8, wrong arity, values of every kind; few
// and many distinct values, so both the packed radix sort and the rank
// comparison run) render byte for byte as client_golang writes them.
func TestRenderMatchesCollectorOnGeneratedFamilies(t *testing.T) {
	pick := []float64{0, 1, -1, 7, 999999, 1e6, -1e6 + 1, 123456789, 0.25, 1e-7, math.NaN(), math.Inf(1), math.Copysign(0, -1), 2.5e21}
	for seed := range uint64(30) {
		rng := rand.New(rand.NewPCG(seed, 99))
		distinct := []int{1, 3, 40, 2000}[seed%4]
		value := func() string {
			switch rng.IntN(40) {
			case 0:
				return `a"b\c` + "\n"
			case 1:
				return "\xff\xfe" // invalid UTF-8: the series is dropped
			case 2:
				return ""
			case 3:
				return "Thừa Thiên Huế"
			}
			return fmt.Sprintf("v%d", rng.IntN(distinct))
		}
		var sources []*store.SourceState
		for si := range 1 + rng.IntN(3) {
			res := &source.Result{}
			for range rng.IntN(3000) {
				v := pick[rng.IntN(len(pick))]
				switch rng.IntN(3) {
				case 0:
					res.Add(testMetric, v, value(), value(), value())
				case 1:
					ls := make([]string, len(wideMetric.Labels))
					for i := range ls {
						ls[i] = value()
					}
					if rng.IntN(50) == 0 {
						ls = ls[:3] // wrong arity: dropped
					}
					res.Add(wideMetric, v, ls...)
				default:
					res.Add(catalog.DossiersCarriedOver, float64(rng.IntN(1000)), value(), value(), catalog.Periods[rng.IntN(len(catalog.Periods))])
				}
			}
			sources = append(sources, &store.SourceState{Name: fmt.Sprintf("s%d", si), Internal: true, Result: res})
		}
		sn := &store.Snapshot{Sources: sources}
		if got, want := expositionText(t, sn), collectorText(t, firstOfEachSeries(sn)); !bytes.Equal(got, want) {
			t.Errorf("seed %d (%d distinct values a label):", seed, distinct)
			diffLines(t, want, got)
		}
		// Each family's prepared size is exact: the joined buffer is
		// allocated once, to the byte.
		for _, st := range sources {
			ri := indexResult(st.Result)
			for _, name := range ri.names {
				var sc scratch
				p, _, err := prepareFamily(&sc, ri.metric[name], []part{{res: st.Result, idx: ri.idx[name]}})
				if err != nil || p == nil {
					continue
				}
				if n := len(p.appendTo(nil)); n != p.size {
					t.Errorf("seed %d, %s: prepared %d bytes, wrote %d", seed, name, p.size, n)
				}
			}
		}
	}
}

// firstOfEachSeries is sn with every series after its first occurrence (in
// source order, then sample order) left out: the precedence Exposition keeps,
// made plain for client_golang's registry, which refuses a series collected
// twice by one collector.
func firstOfEachSeries(sn *store.Snapshot) *store.Snapshot {
	seen := map[string]bool{}
	out := &store.Snapshot{}
	for _, st := range sn.Sources {
		res := &source.Result{}
		for _, s := range st.Result.Samples {
			key := s.Metric.Name + "\x00" + strings.Join(s.Labels, "\x00")
			if !seen[key] {
				seen[key] = true
				res.Samples = append(res.Samples, s)
			}
		}
		c := *st
		c.Result = res
		out.Sources = append(out.Sources, &c)
	}
	return out
}

// TestFloatLen: the size counted for a value is what appendFloat writes.
func TestFloatLen(t *testing.T) {
	vals := []float64{0, 1, -1, 9, 10, 11, 99, 100, 999999, 1e6, -999999, -1e6, 123456, -10, 0.5, 1e-7,
		math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 1e21, math.MaxFloat64}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 10000 {
		vals = append(vals, float64(rng.IntN(3_000_000)-1_500_000), rng.NormFloat64()*1e4)
	}
	for _, f := range vals {
		if got, want := floatLen(f), len(appendFloat(nil, f)); got != want {
			t.Errorf("floatLen(%v) = %d, appendFloat writes %d bytes", f, got, want)
		}
	}
}
