package rules

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
)

// The lineage scope (docs/lineage.md): each of today's agencies with the
// figures of the former units that went into it, for the time before each
// former unit ended. At an instant t, a series of code c is
//   - a former unit's, when c has a lineage end at or after t: its value goes to
//     each successor times the successor's share;
//   - the agency's own otherwise, also when a new unit reuses a former
//     unit's code after that unit ended.
// The lineage metrics are read at the query's end (@ end()): today's file
// applies to the whole range, also to history scraped before it existed.
// PromQL joins one series to one, so each part of a split unit is its own
// join (catalog.LineageMaxParts of them).

// lineageSumAt returns a summer through the lineage for data read offset
// back (0, or a year for a year-on-year comparison) and, within that, at the
// end of the day: dayEnd back from the evaluation instant (see
// LineageMonthly). Both shift the data, not the lineage. The boards read
// history through it, from the raw counts.
func lineageSumAt(offset, dayEnd time.Duration) summer {
	return func(m *catalog.Metric, matchers ...string) string {
		raw := sel(m.Name, matchers...)
		back := offset + dayEnd
		if dayEnd > 0 {
			raw = "last_over_time(" + raw + "[1d]" + offsetOf(back) + ")"
		} else if back > 0 {
			raw += offsetOf(back)
		}
		// An HA pair's counts once.
		return through(Once(raw), back, nil)
	}
}

// through carries x, series by province and agency (and period and own
// labels, summed over any other), through the lineage: each former unit's
// value to its successors by their shares, each other agency's its own,
// summed per agency of today. back is how far x's data lies behind the
// evaluation instant.
func through(x string, back time.Duration, own []string) string {
	at := " @ end()"
	// A former unit's code stands for it up to its end, the instant
	// included: a day's last value read at the next midnight is the
	// former unit's (LineageLateRatio's dayEnd).
	dataTime := "time()"
	if back > 0 {
		dataTime = "(time() - " + strconv.FormatInt(int64(back/time.Second), 10) + ")"
	}
	stands := "(" + catalog.AgencyLineageEnd.Name + at + " >= " + dataTime + ")"
	// The scope's labels less agency (province, period, own): the successor
	// becomes the agency.
	var keep []string
	for _, l := range by(catalog.ScopeAgency, own) {
		if l != catalog.LabelAgency {
			keep = append(keep, l)
		}
	}
	var terms []string
	for _, part := range catalog.LineageParts {
		// Each share once (an HA pair exports it twice): a join needs one
		// share per former unit and part.
		share := "(" + Once(sel(catalog.AgencyLineageShare.Name, eq(catalog.LabelPart, part))+at) + " and " + onAgency() + " " + stands + ")"
		joined := x + " * " + onAgency() + " group_left (" + catalog.LabelSuccessor + ", " + catalog.LabelPart + ") " + share
		grouped := sumBy(append([]string{catalog.LabelSuccessor, catalog.LabelPart}, keep...), joined)
		terms = append(terms, "label_replace("+grouped+", "+strconv.Quote(catalog.LabelAgency)+", \"$1\", "+strconv.Quote(catalog.LabelSuccessor)+", \"(.*)\")")
	}
	terms = append(terms, "("+x+" unless "+onAgency()+" "+stands+")")
	return sumBy(by(catalog.ScopeAgency, own), "\n    "+strings.Join(terms, "\n  or\n    ")+"\n")
}

// offsetOf writes a PromQL offset modifier in whole seconds.
func offsetOf(d time.Duration) string {
	return " offset " + strconv.FormatInt(int64(d/time.Second), 10) + "s"
}

// lineageRecording records the one-stop sums and ratios at the lineage
// scope. The lineage is linear (a share of a sum is the sum of the shares),
// so each series is the agency scope's series of the same name carried
// through it: the same numbers as the raw counts carried one by one, at a
// fraction of the cost (one series per agency instead of one per agency,
// field and class), which matters when one store holds many provinces.
// They run in the one-stop group, after the agency scope they read.
func lineageRecording() ([]Rule, error) {
	sc, agency := catalog.ScopeLineage, catalog.ScopeAgency
	var rs []Rule
	for _, s := range catalog.LineageSums {
		if !slices.Contains(catalog.RecordedSums, s) {
			return nil, fmt.Errorf("BUG: lineage sum %s is not recorded at the agency scope", s.Base)
		}
		rs = append(rs, Rule{Record: s.At(sc).Name, Expr: through(s.At(agency).Name, 0, nil)})
	}
	parts, err := onestopRatios(agencySum)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, r := range catalog.LineageRatios {
		want[r.Base] = true
	}
	seen := map[string]bool{}
	var ratios []catalog.RecordedRatio
	for _, p := range parts {
		if !want[p.ratio.Base] {
			continue
		}
		// One rule per definition, as at the agency scope.
		var matchers []string
		for _, l := range p.ratio.Labels {
			matchers = append(matchers, eq(l, p.labels[l]))
		}
		rs = append(rs,
			Rule{Record: p.ratio.Numerator(sc).Name, Expr: through(sel(p.ratio.Numerator(agency).Name, matchers...), 0, p.ratio.Labels), Labels: p.labels},
			Rule{Record: p.ratio.Denominator(sc).Name, Expr: through(sel(p.ratio.Denominator(agency).Name, matchers...), 0, p.ratio.Labels), Labels: p.labels},
		)
		if !seen[p.ratio.Base] {
			seen[p.ratio.Base] = true
			ratios = append(ratios, p.ratio)
		}
	}
	if len(ratios) != len(catalog.LineageRatios) {
		return nil, fmt.Errorf("BUG: lineage ratios %v have formulas for only %d", catalog.LineageRatios, len(ratios))
	}
	for _, r := range ratios {
		rs = append(rs, Rule{Record: r.Ratio(sc).Name, Expr: r.Numerator(sc).Name + " / (" + r.Denominator(sc).Name + " > 0)"})
	}
	return rs, nil
}

// LineageLateRatio is the late rate of definition def for period, per
// today's agency through the lineage, as boards query it over history the
// recording rules never ran on: the recorded lineage ratio's formula on the
// raw counts. offset reads the data that far back (a year for "the same
// period last year"), and dayEnd, when not 0, reads each count's last value
// before the end of the day in the province's time zone: dayEnd is the
// zone's offset from UTC, so that at a query step at 00:00 UTC the value is
// the day's last (see LineageMonthly). pick are more matchers on the raw
// counts (a board's province). It errs for a definition without a
// recording rule.
func LineageLateRatio(def, period string, offset, dayEnd time.Duration, pick ...string) (string, error) {
	ld, ok := lateDefinitions[def]
	if !ok || ld.skip != "" {
		return "", fmt.Errorf("late-rate definition %q has no recording rule", def)
	}
	s := periodOf(lineageSumAt(offset, dayEnd), period, pick)
	return "(" + ld.num(s) + ")\n/ (\n(" + ld.den(s) + ") > 0)", nil
}

// LineageResolved is the dossiers resolved in period per today's agency
// through the lineage, read like LineageLateRatio.
func LineageResolved(period string, offset, dayEnd time.Duration, pick ...string) string {
	return resolvedAll(periodOf(lineageSumAt(offset, dayEnd), period, pick))
}

// periodOf is s reading period's counts, with more matchers pick.
func periodOf(s summer, period string, pick []string) summer {
	return func(m *catalog.Metric, matchers ...string) string {
		return s(m, append(append([]string{eq(catalog.LabelPeriod, period)}, pick...), matchers...)...)
	}
}
