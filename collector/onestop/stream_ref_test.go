package onestop

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
)

// refDecodeTagged is the decoder that stream.go replaced, kept as the reference: it decodes one body, checks that it says it succeeded and is of
// the period tagged tag, validates each item and adds it to agg. seen holds
// the keys of the period's rows so far: a second row of a key is rejected
// as a duplicate (the first stays: it cannot be told which is right, and it
// may be on an earlier page). It returns the number of items and the total
// page count (if the mapping has one).
func (s *Source) refDecodeTagged(body []byte, tag string, agg map[[2]string]*[nCounts]float64, seen map[[2]string]struct{}, res *source.Result) (int, int, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return 0, 0, source.Errorf(catalog.ReasonDecode, "malformed JSON: %w", err)
	}
	sv, sok := s.successPath.get(doc)
	mv, mok := s.errMsgPath.get(doc)
	if err := s.checkSuccess(sv, sok, mv, mok); err != nil {
		return 0, 0, err
	}
	pageTag, pageTagged := any(nil), false
	if s.periodPath != nil {
		if pageTag, pageTagged = s.periodPath.get(doc); pageTagged {
			if err := s.checkPeriod(pageTag, tag, "the body"); err != nil {
				return 0, 0, err
			}
		}
	}
	total := 0
	if s.totalPages != nil {
		v, ok := s.totalPages.get(doc)
		f, okNum := number(v)
		if !ok || !okNum || f < 0 || f > math.MaxInt32 {
			return 0, 0, source.Errorf(catalog.ReasonDecode, "page count %q missing or not a count", s.cfg.Mapping.Pagination.TotalPagesPath)
		}
		total = int(f)
	}
	v, ok := s.items.get(doc)
	if !ok {
		return 0, 0, source.Errorf(catalog.ReasonDecode, "no items at %q", s.cfg.Mapping.ItemsPath)
	}
	items, ok := v.([]any)
	if !ok {
		if v == nil { // JSON null: an empty page
			return 0, total, nil
		}
		return 0, 0, source.Errorf(catalog.ReasonDecode, "items at %q are not an array", s.cfg.Mapping.ItemsPath)
	}
	for i, it := range items {
		if s.periodPath != nil {
			if v, ok := s.periodPath.get(it); ok {
				if err := s.checkPeriod(v, tag, fmt.Sprintf("row %d", i+1)); err != nil {
					return 0, 0, err
				}
			} else if !pageTagged {
				return 0, 0, source.Errorf(catalog.ReasonInvalid, "row %d has no period tag %q, nor has the body", i+1, s.cfg.Mapping.PeriodPath)
			}
		}
		row, reason, inconsistent := s.row(it)
		if reason != "" {
			res.Reject(reason, 1)
			continue
		}
		key := [2]string{row.Agency, row.Field}
		dup := key
		if s.cfg.Detail == DetailAgency && s.fieldPath != nil {
			// Rows per field are summed per agency: only a repeated
			// (agency, vendor field) pair is a duplicate.
			v, _ := s.fieldPath.get(it)
			dup[1], _ = text(v)
		}
		if _, ok := seen[dup]; ok {
			res.Reject(catalog.RejectDuplicate, 1)
			continue
		}
		seen[dup] = struct{}{}
		if inconsistent {
			res.Reject(catalog.InconsistentKept, 1)
		}
		acc := agg[key]
		if acc == nil {
			acc = new([nCounts]float64)
			agg[key] = acc
		}
		for i, c := range row.Counts {
			acc[i] += c
		}
	}
	return len(items), total, nil
}
