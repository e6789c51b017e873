package rules

import (
	"fmt"
	"strconv"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
)

// Raw-count expressions for reports: the formulas of the recorded late
// rates, evaluated on the raw one-stop counts at one scope, so that they
// also read history the recording rules never ran on (govpulse backfill).
// A report evaluates them at an instant just before a month's end to read
// that month's figures.

// rawSumAt sums a one-stop count per province (and agency) and period at
// scope sc; with window > 0 each count is its last value in the window
// before the evaluation instant, so a scrape gap near a month's end still
// reads the month's last figure.
func rawSumAt(sc catalog.Scope, window time.Duration) summer {
	return func(m *catalog.Metric, matchers ...string) string {
		raw := sel(m.Name, matchers...)
		if window > 0 {
			raw = "last_over_time(" + raw + "[" + strconv.FormatInt(int64(window/time.Second), 10) + "s])"
		}
		return sumBy(by(sc, nil), Once(raw))
	}
}

// ScopeLateRatio is the late rate of definition def for period at scope sc
// (catalog.ScopeAgency, ScopeLevel or ScopeProvince) from the raw counts: the
// recorded ratio's formula (a ratio of sums), absent where nothing counts.
// window reads each count's last value within it (0: the instant's value);
// pick are more matchers on the raw counts (a province). It errs for a
// definition without a recording rule.
func ScopeLateRatio(def, period string, sc catalog.Scope, window time.Duration, pick ...string) (string, error) {
	ld, ok := lateDefinitions[def]
	if !ok || ld.skip != "" {
		return "", fmt.Errorf("late-rate definition %q has no recording rule", def)
	}
	s := periodOf(rawSumAt(sc, window), period, pick)
	return "(" + ld.num(s) + ")\n/ (\n(" + ld.den(s) + ") > 0)", nil
}

// ScopeResolved is the dossiers resolved in period at scope sc from the raw
// counts, read like ScopeLateRatio: the volume a late rate is judged on.
func ScopeResolved(period string, sc catalog.Scope, window time.Duration, pick ...string) string {
	return resolvedAll(periodOf(rawSumAt(sc, window), period, pick))
}
