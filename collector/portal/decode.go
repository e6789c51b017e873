package portal

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"
	"strings"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
)

// Request is the JSON body of every reporting request. The period fields are
// absent from the services request (a catalogue, not a period report);
// RootDepartmentCode is absent from the national ranking.
type Request struct {
	TimeType           string `json:"timeType,omitempty"`
	Year               int    `json:"year,omitempty"`
	Quarter            int    `json:"quarter,omitempty"`
	Month              int    `json:"month,omitempty"`
	RootDepartmentCode string `json:"rootDepartmentCode,omitempty"`
	CurrentPage        int    `json:"currentPage"`
	PageSize           int    `json:"pageSize"`
}

// envelope is the portal's answer around every report.
type envelope struct {
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

// page is one decoded answer: its rows, still raw so that one bad row is
// rejected alone, and the page count (0 when the answer has none).
type page struct {
	rows       []json.RawMessage
	totalPages int
}

// Row keys of the two answer shapes.
const (
	rowsScores = "evaluation" // overview + evaluation[]
	rowsTree   = "children"   // parent + children[]
)

// decodePage reads the envelope and the rows under key. A JSON null data or
// row list is an empty page; anything else that is not the expected shape is
// a decode error, which fails the run.
func decodePage(body []byte, key string) (page, error) {
	var env envelope
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&env); err != nil {
		return page{}, source.Errorf(catalog.ReasonDecode, "malformed JSON: %v", err)
	}
	if env.Code != "OK" {
		// The message is the upstream's text: keep it short, it is logged.
		return page{}, source.Errorf(catalog.ReasonDecode, "the portal answered code %q: %.200q", env.Code, env.Message)
	}
	if len(env.Data) == 0 || string(env.Data) == "null" {
		return page{}, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(env.Data, &fields); err != nil {
		return page{}, source.Errorf(catalog.ReasonDecode, "data is not an object")
	}
	rows, pages := fields[key], fields["totalPages"]
	var p page
	if len(pages) > 0 && string(pages) != "null" {
		var n json.Number
		if err := json.Unmarshal(pages, &n); err != nil {
			return page{}, source.Errorf(catalog.ReasonDecode, "totalPages is not a number")
		}
		f, err := n.Float64()
		if err != nil || f < 0 || f > math.MaxInt32 || f != math.Trunc(f) {
			return page{}, source.Errorf(catalog.ReasonDecode, "totalPages %s is not a page count", n)
		}
		p.totalPages = int(f)
	}
	if len(rows) == 0 || string(rows) == "null" {
		return p, nil
	}
	if err := json.Unmarshal(rows, &p.rows); err != nil {
		return page{}, source.Errorf(catalog.ReasonDecode, "data.%s is not an array", key)
	}
	return p, nil
}

// unitRef identifies a row's unit. The name is never exported: names live in
// tthc_agency_info.
type unitRef struct {
	DepartmentID   string `json:"departmentId"`
	DepartmentCode string `json:"departmentCode"`
	DepartmentName string `json:"departmentName"`
}

// scoreRow is one unit of the service-results report.
type scoreRow struct {
	unitRef
	TotalScore  *json.Number            `json:"totalScore"`
	GroupScores map[string]*json.Number `json:"groupScores"`
}

// syncRow is one unit of the dossier-sync report. Ratio, score and maxScore
// are the portal's own figures for the sync indicator; govpulse exports the
// counts and lets a recording rule derive the rate.
type syncRow struct {
	unitRef
	TotalReceived         *json.Number `json:"totalReceived"`
	TotalNationalReceived *json.Number `json:"totalNationalReceived"`
	TotalSynced           *json.Number `json:"totalSynced"`
	Ratio                 *json.Number `json:"ratio"`
	Score                 *json.Number `json:"score"`
	MaxScore              *json.Number `json:"maxScore"`
}

// servicesRow is one unit of the online-service report.
type servicesRow struct {
	unitRef
	AuthorityCount         *json.Number `json:"authorityCount"`
	FullCount              *json.Number `json:"fullCount"`
	PartialCount           *json.Number `json:"partialCount"`
	FullIntegratedCount    *json.Number `json:"fullIntegratedCount"`
	PartialIntegratedCount *json.Number `json:"partialIntegratedCount"`
}

// portalGroups maps the portal's group codes to the catalog's. The catalog's
// own codes are accepted too.
var portalGroups = map[string]string{
	"CKMB": catalog.GroupCongKhai,
	"TDGQ": catalog.GroupTienDo,
	"CLGQ": catalog.GroupDVCTT,
	"TTTT": catalog.GroupThanhToan,
	"MDHL": catalog.GroupHaiLong,
	"MDSH": catalog.GroupSoHoa,
}

func groupCode(k string) (string, bool) {
	if c, ok := portalGroups[strings.ToUpper(strings.TrimSpace(k))]; ok {
		return c, true
	}
	_, ok := catalog.QD766GroupByCode(k)
	return k, ok
}

// Tolerances for published scores, which are rounded (to 0.1 or 0.01).
const (
	// scoreSlack lets a rounded score sit a hair above its maximum.
	scoreSlack = 0.005
	// sumSlack bounds |sum of groups − total|: six rounded groups and a
	// rounded total differ by at most 7 × 0.05.
	sumSlack = 0.35
)

// scores is a validated scoreRow.
type scores struct {
	total float64
	// groups has the groups the portal gave a figure for (null is not 0).
	groups map[string]float64
}

// number reads an optional JSON number: present is false for an absent or
// null value; reason is a rejection reason for a value that cannot be right.
func number(n *json.Number, whole bool) (v float64, present bool, reason string) {
	if n == nil {
		return 0, false, ""
	}
	f, err := n.Float64()
	switch {
	case err != nil || math.IsNaN(f) || math.IsInf(f, 0):
		return 0, true, catalog.RejectMalformed
	case whole && f != math.Trunc(f):
		return 0, true, catalog.RejectMalformed
	case f < 0:
		return 0, true, catalog.RejectNegative
	}
	return f, true, ""
}

// decodeScores reads and validates one score row. The total is required; a
// group that is absent or null is left out (null is not 0). The code is
// resolved later (Source.code).
func decodeScores(raw json.RawMessage) (scoreRow, scores, string) {
	var r scoreRow
	s := scores{groups: map[string]float64{}}
	if err := json.Unmarshal(raw, &r); err != nil {
		return r, s, catalog.RejectMalformed
	}
	total, ok, reason := number(r.TotalScore, false)
	switch {
	case reason != "":
		return r, s, reason
	case !ok:
		return r, s, catalog.RejectMalformed
	case total > catalog.QD766MaxTotal+scoreSlack:
		return r, s, catalog.RejectInconsistent
	}
	s.total = total
	sum := 0.0
	// Sorted keys: a row with two problems is rejected for the same reason
	// every run.
	keys := make([]string, 0, len(r.GroupScores))
	for k := range r.GroupScores {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		n := r.GroupScores[k]
		g, known := groupCode(k)
		if !known {
			continue // a group the catalog does not know: the sum check will tell
		}
		v, ok, reason := number(n, false)
		if reason != "" {
			return r, s, reason
		}
		if !ok {
			continue
		}
		def, _ := catalog.QD766GroupByCode(g)
		if v > def.Max+scoreSlack {
			return r, s, catalog.RejectInconsistent
		}
		if _, dup := s.groups[g]; dup {
			return r, s, catalog.RejectDuplicate
		}
		s.groups[g] = v
		sum += v
	}
	if len(s.groups) == len(catalog.QD766Groups) && math.Abs(sum-total) > sumSlack {
		return r, s, catalog.RejectInconsistent
	}
	return r, s, ""
}

// syncCounts is a validated syncRow.
type syncCounts struct {
	local, national, synced float64
}

func decodeSync(raw json.RawMessage) (syncRow, syncCounts, string) {
	var r syncRow
	if err := json.Unmarshal(raw, &r); err != nil {
		return r, syncCounts{}, catalog.RejectMalformed
	}
	var c syncCounts
	for _, f := range []struct {
		n   *json.Number
		dst *float64
	}{{r.TotalReceived, &c.local}, {r.TotalNationalReceived, &c.national}, {r.TotalSynced, &c.synced}} {
		v, _, reason := number(f.n, true)
		if reason != "" {
			return r, c, reason
		}
		*f.dst = v // absent counts as zero
	}
	// Synced dossiers are on the national side by definition.
	if c.synced > c.national {
		return r, c, catalog.RejectInconsistent
	}
	return r, c, ""
}

// serviceCounts is a validated servicesRow; procedures is -1 when absent.
type serviceCounts struct {
	procedures                         float64
	full, partial, fullInt, partialInt float64
}

func decodeServices(raw json.RawMessage) (servicesRow, serviceCounts, string) {
	var r servicesRow
	if err := json.Unmarshal(raw, &r); err != nil {
		return r, serviceCounts{}, catalog.RejectMalformed
	}
	c := serviceCounts{procedures: -1}
	v, ok, reason := number(r.AuthorityCount, true)
	if reason != "" {
		return r, c, reason
	}
	if ok {
		c.procedures = v
	}
	for _, f := range []struct {
		n   *json.Number
		dst *float64
	}{{r.FullCount, &c.full}, {r.PartialCount, &c.partial}, {r.FullIntegratedCount, &c.fullInt}, {r.PartialIntegratedCount, &c.partialInt}} {
		v, _, reason := number(f.n, true)
		if reason != "" {
			return r, c, reason
		}
		*f.dst = v
	}
	switch {
	case c.fullInt > c.full, c.partialInt > c.partial:
		return r, c, catalog.RejectInconsistent
	case c.procedures >= 0 && c.full+c.partial > c.procedures:
		return r, c, catalog.RejectInconsistent
	}
	return r, c, ""
}
