package main

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/config"
	"github.com/govpulse/govpulse/collector/simulate"
)

// historyBoardFile is the committed history board the test reads its
// queries from, as Grafana does.
const historyBoardFile = "deploy/grafana/dashboards/lich-su.json"

// historyPanel is a panel of the committed history board.
type historyPanel struct {
	Title    string `json:"title"`
	Type     string `json:"type"`
	Interval string `json:"interval"`
	Targets  []struct {
		Expr    string `json:"expr"`
		Instant bool   `json:"instant"`
	} `json:"targets"`
}

func historyPanels(t *testing.T) []historyPanel {
	t.Helper()
	b, err := os.ReadFile(historyBoardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []historyPanel `json:"panels"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return d.Panels
}

// rangeSeries is one series of a range query's answer.
type rangeSeries struct {
	Metric map[string]string `json:"metric"`
	Values [][2]any          `json:"values"`
}

func queryRange(t *testing.T, base, q string, start, end time.Time, step time.Duration) []rangeSeries {
	t.Helper()
	v := url.Values{"query": {q}, "start": {strconv.FormatInt(start.Unix(), 10)}, "end": {strconv.FormatInt(end.Unix(), 10)},
		"step": {strconv.FormatInt(int64(step/time.Second), 10)}}
	resp, err := http.Get(base + "/api/v1/query_range?" + v.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []rangeSeries `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Status != "success" {
		t.Fatalf("query_range %s: %v %s %s", q, err, body.Status, body.Error)
	}
	return body.Data.Result
}

// monthlyRef is the deliberately plain reference: for the month starting at
// first, the late and resolved dossiers of agency code as the simulator
// reports them, with each former unit's rows added by its share while it
// stood (its end at or after the month's end).
func monthlyRef(sim *simulate.Sim, cfg *config.Config, code string, first time.Time) (late, resolved float64) {
	next := first.AddDate(0, 1, 0)
	for _, r := range sim.Report(first, next.AddDate(0, 0, -1)) {
		share := 0.0
		if r.Agency == code {
			share = 1
		}
		for _, f := range cfg.Formers {
			if f.Unit.Code != r.Agency || f.End.Before(next) {
				continue
			}
			share = 0 // while a former unit stands its code is its own, not today's
			for _, s := range f.Successors {
				if s.Code == code {
					share = s.Share
				}
			}
		}
		late += share * float64(r.Resolved.Late)
		resolved += share * float64(r.Resolved.Total())
	}
	return late, resolved
}

// TestLineageHistoryInPrometheus: the demo's history, backfilled into a real
// Prometheus, gives a new unit's monthly late rate for every month of 2025
// through the history board's own query, as Grafana asks it (one step a day
// at 00:00 UTC): before 1 July 2025 the sum of its predecessors, from then its
// own, each equal to the simulator's figures summed by a plain reference. A
// department is followed through both changes (March and July 2025).
func TestLineageHistoryInPrometheus(t *testing.T) {
	now := time.Date(2026, 2, 15, 10, 0, 0, 0, simulate.ICT)
	// January 2025 to January 2026: the month before each change and after.
	sim, cfg, points := demoHistory(t, now, 13)
	if len(cfg.Formers) == 0 {
		t.Fatal("the demo has no former units")
	}

	base := startPrometheusWithHistory(t, points)

	byName := map[string]string{}
	for _, a := range cfg.Agencies {
		byName[a.Name] = a.Code
	}
	ward, dept := byName["Phường Hải Châu"], byName["Sở Tài chính"]
	if ward == "" || dept == "" {
		t.Fatalf("the demo has no Phường Hải Châu (%q) or Sở Tài chính (%q)", ward, dept)
	}
	var trend, resolvedTrend string
	for _, p := range historyPanels(t) {
		if p.Type == "timeseries" && p.Interval == "1d" && len(p.Targets) == 2 {
			if strings.Contains(p.Title, "Tỷ lệ") {
				trend = p.Targets[0].Expr
			} else {
				resolvedTrend = p.Targets[0].Expr
			}
		}
	}
	if trend == "" || resolvedTrend == "" {
		t.Fatalf("%s has no daily late-rate and resolved trends", historyBoardFile)
	}
	pick := strings.NewReplacer(`"$agency"`, strconv.Quote(ward+"|"+dept), `"$level"`, `".*"`)

	// Grafana's steps for a 1-day interval are at 00:00 UTC. The range ends
	// one second after the last point (31 January 2026 23:59:59 ICT): the
	// lineage is read at the range's end, as today's daemon would expose it.
	start := time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)
	end := points[len(points)-1].At.Add(time.Second)
	check := func(t *testing.T, base string) {
		rate := queryRange(t, base, pick.Replace(trend), start, end, 24*time.Hour)
		volume := queryRange(t, base, pick.Replace(resolvedTrend), start, end, 24*time.Hour)
		for _, code := range []string{ward, dept} {
			for m := time.January; m <= time.December; m++ {
				first := time.Date(2025, m, 1, 0, 0, 0, 0, simulate.ICT)
				late, resolved := monthlyRef(sim, cfg, code, first)
				step := time.Date(2025, m+1, 1, 0, 0, 0, 0, time.UTC) // the point of month m
				name := fmt.Sprintf("%s %s", code, first.Format("2006-01"))
				if resolved == 0 {
					t.Fatalf("%s: the simulator resolved nothing: no month to compare", name)
				}
				got, ok := pointAt(rate, code, step)
				if !ok {
					t.Errorf("%s: the trend has no point on %s", name, step.Format(time.DateOnly))
					continue
				}
				if want := late / resolved; math.Abs(got-want) > 1e-9 {
					t.Errorf("%s: late rate %v, want %v (%v / %v)", name, got, want, late, resolved)
				}
				if got, _ := pointAt(volume, code, step); math.Abs(got-resolved) > 1e-6 {
					t.Errorf("%s: resolved %v, want %v", name, got, resolved)
				}
			}
		}
		// The names on the lines are today's, for every point.
		for _, s := range rate {
			if s.Metric[catalog.LabelName] == "" {
				t.Errorf("a trend line without a name: %v", s.Metric)
			}
		}
	}
	t.Run("prometheus", func(t *testing.T) { check(t, base) })

	// The same queries on VictoriaMetrics, the scale-out path, after the
	// Prometheus-text import of the same history.
	t.Run("victoriametrics", func(t *testing.T) {
		vmBase := startVMWithHistory(t, points)
		pollUntil(t, time.Now().Add(30*time.Second), "the history in VictoriaMetrics", func() bool {
			flushVM(vmBase)
			return len(queryRange(t, vmBase, pick.Replace(resolvedTrend), start, end, 24*time.Hour)) > 0
		})
		check(t, vmBase)
	})
}

// pointAt is series code's value at ts in a range answer.
func pointAt(ss []rangeSeries, code string, ts time.Time) (float64, bool) {
	for _, s := range ss {
		if s.Metric[catalog.LabelAgency] != code {
			continue
		}
		for _, v := range s.Values {
			if f, _ := v[0].(float64); int64(f) == ts.Unix() {
				str, _ := v[1].(string)
				x, err := strconv.ParseFloat(str, 64)
				return x, err == nil
			}
		}
	}
	return 0, false
}
