package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/dashboards/rules"
)

// VictoriaMetrics' own capacity guidance (docs/scaling.md): single nodes
// run in production at 1.5 million samples/s and over 50 million active
// series, and the cluster version is advised only above about a million
// samples per second of ingestion.
const (
	vmSingleNodeSamplesPerSecond = 1_000_000
	vmSingleNodeActiveSeries     = 50_000_000
)

// demoMeasure is what the demo province exports after one run of every
// source.
type demoMeasure struct {
	perSource map[string]int // series by source (the store's samples)
	total     int            // series on /metrics without go_* and process_*
	agencies  int            // agencies in force
	pairs     int            // (agency, field) pairs with one-stop series
}

// measureDemo runs every source of the demo province once, in-process, the
// rating source last (it derives from the others), and counts the series.
func measureDemo(ctx context.Context, seed int64, clock func() time.Time) (demoMeasure, error) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg, stop, err := startDemo(ctx, seed, clock, logger)
	if err != nil {
		return demoMeasure{}, err
	}
	defer stop()
	d, err := newDaemon(cfg, clock, logger, false)
	if err != nil {
		return demoMeasure{}, err
	}
	for _, last := range []bool{false, true} {
		for _, s := range cfg.Sources {
			if (s.Type == catalog.SourceRating) == last {
				d.sched.RunNow(s.Name)
			}
		}
	}
	m := demoMeasure{perSource: map[string]int{}, agencies: len(cfg.Agencies)}
	pairs := map[string]bool{}
	for _, st := range d.store.Snapshot().Sources {
		if st.Result == nil {
			continue
		}
		m.perSource[st.Name] = len(st.Result.Samples)
		if st.Name != catalog.SourceOnestop {
			continue
		}
		for _, s := range st.Result.Samples {
			if s.Metric.Name == catalog.DossiersReceived.Name {
				pairs[s.Labels[0]+"|"+s.Labels[1]] = true
			}
		}
	}
	m.pairs = len(pairs)
	var expo bytes.Buffer
	if _, err := d.exposition.WriteTo(&expo); err != nil {
		return demoMeasure{}, fmt.Errorf("cannot render the exposition: %w", err)
	}
	sc := bufio.NewScanner(&expo)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			m.total++
		}
	}
	return m, sc.Err()
}

// recordedPerAgency is how many series the recording rules write per agency
// in force: every agency-keyed recorded series (agency and lineage scopes)
// for each period, and a late rate for each recorded definition.
func recordedPerAgency() int {
	n := 0
	defs := len(rules.RecordedDefinitions())
	for _, r := range catalog.RecordedSeries() {
		if !slices.Contains(r.Labels, catalog.LabelAgency) {
			continue
		}
		k := 1
		for _, l := range r.Labels {
			switch l {
			case catalog.LabelPeriod:
				k *= len(catalog.Periods)
			case catalog.LabelDefinition:
				k *= defs
			}
		}
		n += k
	}
	return n
}

// runSizing prints the series and ingestion a deployment should plan for:
// the demo province measured, and a country extrapolated from it per agency.
func runSizing(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("sizing", stderr)
	provinces := fs.Int("provinces", 34, "provinces in the deployment")
	communes := fs.Int("communes", 3321, "commune-level units in all those provinces")
	provincial := fs.Int("provincial-agencies", 18, "agencies per province besides the communes: the People's Committee, departments and boards (the demo city has 18)")
	seed := fs.Int64("demo.seed", 47, "seed of the simulated province measured")
	demoTime := addClockFlag(fs, "demo.time")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *provinces < 1 || *communes < 0 || *provincial < 1 {
		return fmt.Errorf("--provinces and --provincial-agencies must be at least 1 and --communes not negative")
	}
	clock, err := clockAt(*demoTime)
	if err != nil {
		return fmt.Errorf("--demo.time: %w", err)
	}
	m, err := measureDemo(ctx, *seed, clock)
	if err != nil {
		return err
	}
	_, err = io.WriteString(stdout, sizingTable(m, *provinces, *communes, *provincial))
	return err
}

// sizingTable writes the sizing as Markdown, the README's section.
func sizingTable(m demoMeasure, provinces, communes, provincial int) string {
	po := rules.DefaultPrometheusOptions()
	scrape, eval := po.ScrapeInterval.Seconds(), po.EvaluationInterval.Seconds()
	// Series that do not grow with agencies: govpulse's own health and the
	// yearly indices (one province's figures).
	fixed := m.total - sumSources(m.perSource)
	fixed += m.perSource[catalog.SourceIndices]
	perAgency := float64(m.total-fixed) / float64(m.agencies)
	rec := recordedPerAgency()
	agencies := provinces*provincial + communes
	national := int(perAgency*float64(agencies)) + provinces*fixed
	nationalRec := rec * agencies
	rate := func(series, recorded int) float64 { return float64(series)/scrape + float64(recorded)/eval }
	demoRate, natRate := rate(m.total, rec*m.agencies), rate(national, nationalRec)

	var b strings.Builder
	b.WriteString("| | series | recorded by the rules | samples/s |\n|---|---:|---:|---:|\n")
	n := func(x float64) string { return thousands(int64(x + 0.5)) }
	fmt.Fprintf(&b, "| one agency–field pair with dossiers (one-stop report, 3 periods) | %d | | |\n", m.perSource[catalog.SourceOnestop]/max(1, m.pairs))
	fmt.Fprintf(&b, "| one agency in force (every source; the demo's average) | %s | %d | |\n", n(perAgency), rec)
	fmt.Fprintf(&b, "| the demo province (%d agencies, %s pairs), measured | %s | %s | %s |\n", m.agencies, n(float64(m.pairs)), n(float64(m.total)), n(float64(rec*m.agencies)), n(demoRate))
	fmt.Fprintf(&b, "| %d provinces, %s communes (%s agencies) | %s | %s | %s |\n", provinces, n(float64(communes)), n(float64(agencies)), n(float64(national)), n(float64(nationalRec)), n(natRate))
	fmt.Fprintf(&b, "\nSamples per second at a %s scrape and %s rule evaluation (`govpulse generate`'s defaults). ", po.ScrapeInterval, po.EvaluationInterval)
	fmt.Fprintf(&b, "The %d-province figure is %.1f%% of the ingestion below which VictoriaMetrics advises its single-node version (about %s samples/s) and %.1f%% of the active series single nodes hold in production (%s): one node with room to spare.\n",
		provinces, 100*natRate/vmSingleNodeSamplesPerSecond, n(vmSingleNodeSamplesPerSecond),
		100*float64(national+nationalRec)/vmSingleNodeActiveSeries, n(vmSingleNodeActiveSeries))
	return b.String()
}

// thousands writes n with commas between thousands (1,373,737).
func thousands(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func sumSources(per map[string]int) int {
	s := 0
	for _, n := range per {
		s += n
	}
	return s
}
