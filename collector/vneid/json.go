package vneid

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/sheet"
	"github.com/govpulse/govpulse/collector/source"
)

// Schema names the JSON shape (see the package doc); a body that names
// another schema is refused, one that names none is read as this one.
const Schema = "govpulse.vneid/v1"

// maxCount bounds a plausible count: more accounts than Vietnam has people is
// a unit mix-up or a corrupt value, not data.
const maxCount = catalog.MaxCount

// errImplausible marks a count above maxCount (reason absurd_count).
var errImplausible = errors.New("is not a plausible count")

type payload struct {
	Schema string            `json:"schema"`
	AsOf   string            `json:"as_of"`
	Units  []json.RawMessage `json:"units"`
}

// decodeJSON decodes a report body. A body that is not the shape at all is
// an error (decode); a unit that is malformed or has a negative count is
// appended to rejects and the others are kept.
func decodeJSON(body []byte, loc *time.Location, rejects *[]rejection) (*report, error) {
	var p payload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, source.Errorf(catalog.ReasonDecode, "malformed VNeID report JSON: %v", err)
	}
	if p.Schema != "" && p.Schema != Schema {
		return nil, source.Errorf(catalog.ReasonDecode, "VNeID report schema %q is not %q", p.Schema, Schema)
	}
	asOf, ok := parseDate(p.AsOf, loc)
	if !ok {
		return nil, source.Errorf(catalog.ReasonDecode, "VNeID report as_of %q is not a date like 2026-11-20", clip(p.AsOf))
	}
	if len(p.Units) == 0 {
		return nil, source.Errorf(catalog.ReasonDecode, "VNeID report lists no units")
	}
	rep := &report{asOf: asOf, from: "JSON", total: len(p.Units)}
	for i, raw := range p.Units {
		where := fmt.Sprintf("units[%d]", i)
		row, reason, msg := decodeUnit(raw)
		if reason != "" {
			*rejects = append(*rejects, rejection{reason: reason, where: where, msg: msg})
			continue
		}
		row.where = where
		rep.rows = append(rep.rows, row)
	}
	return rep, nil
}

func decodeUnit(raw json.RawMessage) (unitRow, string, string) {
	var r unitRow
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var u map[string]any
	if err := dec.Decode(&u); err != nil || u == nil {
		return r, catalog.RejectMalformed, "not a JSON object"
	}
	code, ok := u["code"].(string)
	if r.code = strings.TrimSpace(code); !ok || r.code == "" {
		return r, catalog.RejectMalformed, "code missing or not a string"
	}
	for i, key := range countColumns {
		v, ok := u[key]
		if !ok || v == nil {
			return r, catalog.RejectMalformed, key + " missing"
		}
		n, err := jsonCount(v)
		if errors.Is(err, errImplausible) {
			return r, catalog.RejectAbsurd, key + ": " + err.Error()
		}
		if err != nil {
			return r, catalog.RejectMalformed, key + ": " + err.Error()
		}
		if n < 0 {
			return r, catalog.RejectNegative, fmt.Sprintf("%s is negative (%d)", key, n)
		}
		r.counts[i] = n
	}
	return r, "", ""
}

// jsonCount accepts a JSON number that is a whole number, or a string as a
// spreadsheet would write it ("354.938"): some producers quote counts.
func jsonCount(v any) (int64, error) {
	var n int64
	switch x := v.(type) {
	case json.Number:
		i, err := strconv.ParseInt(x.String(), 10, 64)
		if err != nil {
			f, ferr := x.Float64()
			if ferr != nil || f != math.Trunc(f) {
				return 0, fmt.Errorf("%s is not a whole number", clip(x.String()))
			}
			if math.Abs(f) > maxCount {
				return 0, fmt.Errorf("%s %w", clip(x.String()), errImplausible)
			}
			i = int64(f)
		}
		n = i
	case string:
		i, err := sheet.ParseInt(x)
		if err != nil {
			return 0, err
		}
		n = i
	default:
		return 0, fmt.Errorf("not a number")
	}
	if n > maxCount || n < -maxCount {
		return 0, fmt.Errorf("%d %w", n, errImplausible)
	}
	return n, nil
}

// parseDate reads a date (2026-11-20) or an RFC 3339 time, keeping its date in loc.
func parseDate(s string, loc *time.Location) (time.Time, bool) {
	t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(s), loc)
	if err != nil {
		ts, err2 := time.Parse(time.RFC3339, strings.TrimSpace(s))
		if err2 != nil {
			return time.Time{}, false
		}
		y, m, d := ts.In(loc).Date()
		t = time.Date(y, m, d, 0, 0, 0, 0, loc)
	}
	if t.Year() < 2020 {
		return time.Time{}, false // before Đề án 06: a default or a typo
	}
	return t, true
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
