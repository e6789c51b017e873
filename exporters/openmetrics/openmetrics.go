// Package openmetrics writes history: samples with timestamps, as OpenMetrics
// text (for `promtool tsdb create-blocks-from openmetrics`) or as Prometheus
// text with millisecond timestamps (for VictoriaMetrics' import API, which
// accepts old timestamps). The live path never carries timestamps; only
// backfill does.
package openmetrics

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
)

// Format is the text format of a history file.
type Format int

// Formats.
const (
	// OpenMetrics: timestamps in seconds, families contiguous, "# EOF" last.
	OpenMetrics Format = iota
	// PrometheusText: timestamps in milliseconds (VictoriaMetrics import).
	PrometheusText
)

// Point is one result taken at one time.
type Point struct {
	At      time.Time
	Samples []source.Sample
}

// Write writes every point's samples grouped by family (as OpenMetrics
// requires) and, within a series, in time order (as TSDB blocks require).
func Write(w io.Writer, f Format, points []Point) error {
	type obs struct {
		at time.Time
		v  float64
	}
	type series struct {
		labels string
		obs    []obs
	}
	families := map[*catalog.Metric]map[string]*series{}
	for _, p := range points {
		for _, s := range p.Samples {
			fam := families[s.Metric]
			if fam == nil {
				fam = map[string]*series{}
				families[s.Metric] = fam
			}
			key := labelString(s.Metric.Labels, s.Labels)
			sr := fam[key]
			if sr == nil {
				sr = &series{labels: key}
				fam[key] = sr
			}
			sr.obs = append(sr.obs, obs{p.At, s.Value})
		}
	}
	metrics := make([]*catalog.Metric, 0, len(families))
	for m := range families {
		metrics = append(metrics, m)
	}
	sort.Slice(metrics, func(i, j int) bool { return metrics[i].Name < metrics[j].Name })

	bw := bufio.NewWriter(w)
	for _, m := range metrics {
		if m.Kind == catalog.Counter && f == OpenMetrics {
			// OpenMetrics names a counter family without _total; the
			// live exposition is the place for counters anyway.
			return fmt.Errorf("metric %s: counters are not backfilled", m.Name)
		}
		help := escapeHelp(m.Help)
		if f == OpenMetrics {
			help = strings.ReplaceAll(help, `"`, `\"`) // OpenMetrics escapes quotes in HELP too
		}
		if _, err := fmt.Fprintf(bw, "# HELP %s %s\n# TYPE %s %s\n", m.Name, help, m.Name, m.Kind); err != nil {
			return err
		}
		fam := families[m]
		keys := make([]string, 0, len(fam))
		for k := range fam {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var line []byte
		for _, k := range keys {
			sr := fam[k]
			sort.SliceStable(sr.obs, func(i, j int) bool { return sr.obs[i].at.Before(sr.obs[j].at) })
			for _, o := range sr.obs {
				line = append(line[:0], m.Name...)
				line = append(line, sr.labels...)
				line = append(line, ' ')
				line = strconv.AppendFloat(line, o.v, 'g', -1, 64)
				line = append(line, ' ')
				if f == OpenMetrics {
					line = strconv.AppendInt(line, o.at.Unix(), 10)
				} else {
					line = strconv.AppendInt(line, o.at.UnixMilli(), 10)
				}
				line = append(line, '\n')
				if _, err := bw.Write(line); err != nil {
					return err
				}
			}
		}
	}
	if f == OpenMetrics {
		if _, err := bw.WriteString("# EOF\n"); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func labelString(names, values []string) string {
	if len(names) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(n)
		b.WriteString(`="`)
		b.WriteString(escapeValue(values[i]))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

var valueEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)

func escapeValue(s string) string { return valueEscaper.Replace(s) }

var helpEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`)

func escapeHelp(s string) string { return helpEscaper.Replace(s) }
