package table

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/exporters/report/promapi"
)

// counter adds one series' value into the counts of its agency.
type counter map[string]Counts

// add adds value of metric name with the given channel/timeliness label.
func (c counter) add(name, agency, channel, timeliness string, v float64) {
	x := c[agency]
	switch name {
	case catalog.DossiersCarriedOver.Name:
		x.CarriedOver += v
	case catalog.DossiersReceived.Name:
		switch channel {
		case catalog.ChannelOnline:
			x.Online += v
		case catalog.ChannelInPerson:
			x.InPerson += v
		case catalog.ChannelPostal:
			x.Postal += v
		}
	case catalog.DossiersResolved.Name:
		switch timeliness {
		case catalog.ResolvedEarly:
			x.Early += v
		case catalog.ResolvedOnTime:
			x.OnTime += v
		case catalog.ResolvedLate:
			x.Late += v
		}
	case catalog.DossiersInProgress.Name:
		switch timeliness {
		case catalog.InProgressNotDue:
			x.NotDue += v
		case catalog.InProgressOverdue:
			x.Overdue += v
		}
	}
	c[agency] = x
}

// metrics are the one-stop families the table reads.
var metrics = []*catalog.Metric{catalog.DossiersCarriedOver, catalog.DossiersReceived, catalog.DossiersResolved, catalog.DossiersInProgress}

// Options say which series a fetch reads.
type Options struct {
	// Province is the province label to read ("": the one province the
	// store holds; an error if it holds several).
	Province string
	// Lookback is how far before the period's end the last value may lie
	// (default a day: sources collect every few minutes; backfilled history
	// has one point a month, a second before its end).
	Lookback time.Duration
}

// FromPrometheus reads period p's last values from a Prometheus-compatible
// query API: every series at the last instant before p.End. Replicas of an
// HA pair count once (max without instance and replica).
func FromPrometheus(ctx context.Context, c *promapi.Client, p Period, o Options) ([]Agency, map[string]Counts, string, error) {
	lb := o.Lookback
	if lb <= 0 {
		lb = 24 * time.Hour
	}
	at := p.End.Add(-time.Millisecond)
	sel := ""
	if o.Province != "" {
		sel = fmt.Sprintf("%s=%q", catalog.LabelProvince, o.Province)
	}
	last := func(name, extra string) string {
		m := strings.Trim(sel+","+extra, ",")
		return fmt.Sprintf("max without (%s, %s) (last_over_time(%s{%s}[%s]))", catalog.LabelInstance, catalog.LabelReplica,
			name, m, model.Duration(lb))
	}
	info, err := c.Instant(ctx, last(catalog.AgencyInfo.Name, ""), at)
	if err != nil {
		return nil, nil, "", fmt.Errorf("the agencies of %s: %w", p, err)
	}
	province, err := oneProvince(info, o.Province)
	if err != nil {
		return nil, nil, "", fmt.Errorf("%s in %s: %w", p, c, err)
	}
	counts := counter{}
	n := 0
	for _, m := range metrics {
		q := fmt.Sprintf("sum by (%s, %s, %s) (%s)", catalog.LabelAgency, catalog.LabelChannel, catalog.LabelTimeliness,
			last(m.Name, fmt.Sprintf("%s=%q", catalog.LabelPeriod, p.Kind)))
		ss, err := c.Instant(ctx, q, at)
		if err != nil {
			return nil, nil, "", fmt.Errorf("the figures of %s: %w", p, err)
		}
		for _, s := range ss {
			counts.add(m.Name, s.Labels[catalog.LabelAgency], s.Labels[catalog.LabelChannel], s.Labels[catalog.LabelTimeliness], s.Value)
			n++
		}
	}
	if n == 0 {
		return nil, nil, "", fmt.Errorf("no one-stop figures for %s (%s) in %s: nothing was collected or backfilled up to %s",
			p.Title("en"), p, c, at.Format(time.RFC3339))
	}
	return agenciesOf(info), counts, province, nil
}

// oneProvince checks that the info series hold one province (or the one asked for).
func oneProvince(info []promapi.Sample, want string) (string, error) {
	seen := map[string]bool{}
	for _, s := range info {
		seen[s.Labels[catalog.LabelProvince]] = true
	}
	if want != "" || len(seen) <= 1 {
		return want, nil
	}
	var ps []string
	for p := range seen {
		ps = append(ps, p)
	}
	sort.Strings(ps)
	return "", fmt.Errorf("the store holds several provinces (%s): choose one with --province", strings.Join(ps, ", "))
}

func agenciesOf(info []promapi.Sample) []Agency {
	var out []Agency
	for _, s := range info {
		out = append(out, Agency{Code: s.Labels[catalog.LabelAgency], Name: s.Labels[catalog.LabelName], Level: s.Labels[catalog.LabelLevel]})
	}
	return out
}

// MaxExposition bounds the daemon's /metrics read for the current period:
// a national deployment's million series are about 150 MB of text.
const MaxExposition = 512 << 20

// FromExposition reads the current period of kind from a daemon's
// /metrics (text format): the snapshot's figures as they stand.
func FromExposition(r io.Reader, kind, province string) ([]Agency, map[string]Counts, error) {
	lr := &io.LimitedReader{R: r, N: MaxExposition + 1}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(lr)
	if lr.N <= 0 {
		return nil, nil, fmt.Errorf("the daemon's /metrics is over %d MiB", MaxExposition>>20)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read the daemon's /metrics: %w", err)
	}
	keep := func(m *dto.Metric) bool {
		return province == "" || labelOf(m, catalog.LabelProvince) == "" || labelOf(m, catalog.LabelProvince) == province
	}
	var agencies []Agency
	for _, m := range fams[catalog.AgencyInfo.Name].GetMetric() {
		if keep(m) {
			agencies = append(agencies, Agency{labelOf(m, catalog.LabelAgency), labelOf(m, catalog.LabelName), labelOf(m, catalog.LabelLevel)})
		}
	}
	counts := counter{}
	n := 0
	for _, mt := range metrics {
		for _, m := range fams[mt.Name].GetMetric() {
			if !keep(m) || labelOf(m, catalog.LabelPeriod) != kind {
				continue
			}
			v := m.GetGauge().GetValue() + m.GetCounter().GetValue() + m.GetUntyped().GetValue()
			counts.add(mt.Name, labelOf(m, catalog.LabelAgency), labelOf(m, catalog.LabelChannel), labelOf(m, catalog.LabelTimeliness), v)
			n++
		}
	}
	if n == 0 {
		return nil, nil, errors.New("the daemon's /metrics has no one-stop figures yet (has the one-stop source run?)")
	}
	return agencies, counts, nil
}

func labelOf(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}
