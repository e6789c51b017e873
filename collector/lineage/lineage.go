// Package lineage holds the history of a province's map: which former units
// (merged, split or abolished) went into which units, from which day and with
// what share, and resolves chains of reorganisations (a department merged in
// March 2025, then into the new city in July) to the agencies in force today.
//
// Codes alone never join old and new figures: a new unit may reuse a
// predecessor's code (docs/lineage.md). A link therefore says until when the
// former unit's code stood for it, and the recording rules and boards read
// the former unit's figures only before that instant.
package lineage

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
)

// Link is one row of the lineage file: former unit Old (with its name, level
// and 5-digit unit code, as it was) went, wholly or by Share, into New from
// the day Date (the first day New held it).
type Link struct {
	Old   source.Agency
	New   string
	Date  time.Time // midnight at the start of the day, in the province's zone
	Share float64
}

// Former is a former unit resolved to today's agencies.
type Former struct {
	Unit source.Agency
	// End is when the former unit's code stopped standing for it: the day of
	// its (last) link.
	End time.Time
	// Successors are today's agencies with the share of the former unit's
	// figures each holds, sorted by code; shares sum to at most 1.
	Successors []Successor
}

// Successor is one of today's agencies a former unit went into.
type Successor struct {
	Code  string
	Share float64
}

// shareEpsilon absorbs rounding in shares written with few decimals
// (0.333, 0.333, 0.334).
const shareEpsilon = 1e-6

// Problem is a link's error, by its index in the links.
type Problem struct {
	Link int
	Msg  string
}

// Resolve checks links against the agencies in force today (current) and
// follows every former unit to them. A link's New is either a current agency
// or another former unit that ended later (a chain); shares of one former
// unit sum to at most 1 (less when part of it left the province). Problems
// name the link; with any, the result is nil.
func Resolve(links []Link, current map[string]source.Agency) ([]Former, []Problem) {
	var probs []Problem
	add := func(i int, format string, args ...any) {
		probs = append(probs, Problem{Link: i, Msg: fmt.Sprintf(format, args...)})
	}
	type unit struct {
		first int // index of its first link
		a     source.Agency
		end   time.Time
		out   []int
	}
	units := map[string]*unit{}
	var order []string
	for i, l := range links {
		if msg := checkLink(l); msg != "" {
			add(i, "%s", msg)
			continue
		}
		u := units[l.Old.Code]
		if u == nil {
			u = &unit{first: i, a: l.Old, end: l.Date}
			units[l.Old.Code] = u
			order = append(order, l.Old.Code)
		}
		switch f := links[u.first]; {
		case f.Old.Name != l.Old.Name || f.Old.Level != l.Old.Level || f.Old.UnitCode != l.Old.UnitCode:
			add(i, "former unit %s: name, level or unit code differ from its row for %s", l.Old.Code, f.New)
			continue
		case !f.Date.Equal(l.Date):
			add(i, "former unit %s: date %s differs from %s on its row for %s; a unit ends on one day", l.Old.Code, l.Date.Format(catalog.DateLayout), f.Date.Format(catalog.DateLayout), f.New)
			continue
		}
		for _, j := range u.out {
			if links[j].New == l.New {
				add(i, "former unit %s: successor %s appears twice", l.Old.Code, l.New)
			}
		}
		if len(u.out) == catalog.LineageMaxParts {
			add(i, "former unit %s is split into more than %d units; govpulse joins at most %d parts (catalog.LineageMaxParts)", l.Old.Code, catalog.LineageMaxParts, catalog.LineageMaxParts)
			continue
		}
		u.out = append(u.out, i)
	}
	for _, c := range order {
		u := units[c]
		var sum float64
		for _, j := range u.out {
			sum += links[j].Share
			n := links[j].New
			next, former := units[n]
			_, now := current[n]
			switch {
			case former && !next.end.After(u.end):
				add(j, "former unit %s (until %s) went into %s, which ended before it (%s)", c, u.end.Format(catalog.DateLayout), n, next.end.Format(catalog.DateLayout))
			case !former && !now:
				add(j, "former unit %s: successor %s is neither an agency in force nor a former unit of this file", c, n)
			}
		}
		if sum > 1+shareEpsilon {
			add(u.first, "former unit %s: its shares sum to %v, more than 1", c, round(sum))
		}
	}
	if len(probs) > 0 {
		sort.SliceStable(probs, func(i, j int) bool { return probs[i].Link < probs[j].Link })
		return nil, probs
	}
	// Ends strictly increase along a chain (checked above), so every walk
	// ends at today's agencies.
	var walk func(code string, share float64, into map[string]float64)
	walk = func(code string, share float64, into map[string]float64) {
		u, former := units[code]
		if !former {
			into[code] += share
			return
		}
		for _, j := range u.out {
			walk(links[j].New, share*links[j].Share, into)
		}
	}
	out := make([]Former, 0, len(order))
	for _, c := range order {
		u := units[c]
		into := map[string]float64{}
		walk(c, 1, into)
		f := Former{Unit: u.a, End: u.end}
		for code, s := range into {
			f.Successors = append(f.Successors, Successor{Code: code, Share: round(s)})
		}
		sort.Slice(f.Successors, func(i, j int) bool { return f.Successors[i].Code < f.Successors[j].Code })
		if len(f.Successors) > catalog.LineageMaxParts {
			// Only a chain can get here: each link was within the bound.
			return nil, []Problem{{Link: u.first, Msg: fmt.Sprintf("former unit %s reaches %d agencies in force through its successors, more than %d", c, len(f.Successors), catalog.LineageMaxParts)}}
		}
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Unit.Code < out[j].Unit.Code })
	return out, nil
}

// checkLink returns what is wrong with one link on its own, or "".
func checkLink(l Link) string {
	switch {
	case !catalog.AgencyCodePattern.MatchString(l.Old.Code):
		return fmt.Sprintf("former unit code %q is not an e-ID code like 000.00.31.H47", l.Old.Code)
	case !catalog.AgencyCodePattern.MatchString(l.New):
		return fmt.Sprintf("former unit %s: successor code %q is not an e-ID code like 000.00.31.H47", l.Old.Code, l.New)
	case l.New == l.Old.Code:
		// A reused code continues by itself: no link is needed, and one
		// would count the unit twice.
		return fmt.Sprintf("former unit %s: successor is the same code; a unit that keeps its code needs no link", l.Old.Code)
	case !(l.Share > 0 && l.Share <= 1):
		return fmt.Sprintf("former unit %s: share %v must be above 0 and at most 1", l.Old.Code, l.Share)
	case strings.TrimSpace(l.Old.Name) == "":
		return fmt.Sprintf("former unit %s has no name", l.Old.Code)
	case !catalog.LabelValues[catalog.LabelLevel].Allows(l.Old.Level):
		return fmt.Sprintf("former unit %s: level %q is not one of %s", l.Old.Code, l.Old.Level, strings.Join(catalog.LabelValues[catalog.LabelLevel].List, ", "))
	case !catalog.LabelValues[catalog.LabelUnitCode].Allows(l.Old.UnitCode):
		return fmt.Sprintf("former unit %s: unit code %q is not the statistics office's code of up to 5 digits", l.Old.Code, l.Old.UnitCode)
	}
	return ""
}

// round keeps shares to 12 decimals so products of shares print stably.
func round(x float64) float64 { return math.Round(x*1e12) / 1e12 }

// Samples adds the lineage metrics of formers to res.
func Samples(res *source.Result, formers []Former) {
	for _, f := range formers {
		until := f.End.Format(catalog.DateLayout)
		res.Add(catalog.AgencyLineageEnd, float64(f.End.Unix()), f.Unit.Code)
		for i, s := range f.Successors {
			res.Add(catalog.AgencyLineageInfo, 1, f.Unit.Code, f.Unit.Name, f.Unit.Level, f.Unit.UnitCode, s.Code, until)
			res.Add(catalog.AgencyLineageShare, s.Share, f.Unit.Code, s.Code, catalog.LineageParts[i])
		}
	}
}

// Predecessors returns, for each of today's agencies, the former units whose
// figures it holds (directly or through a chain), sorted by code.
func Predecessors(formers []Former) map[string][]string {
	out := map[string][]string{}
	for _, f := range formers {
		for _, s := range f.Successors {
			out[s.Code] = append(out[s.Code], f.Unit.Code)
		}
	}
	for k := range out {
		slices.Sort(out[k])
	}
	return out
}
