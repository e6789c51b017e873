package vneid

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/sheet"
	"github.com/govpulse/govpulse/collector/source"
)

// fileKey identifies one version of a file.
type fileKey struct {
	path string
	size int64
	mod  time.Time
}

// collectDir uses the newest valid report in the drop directory (by
// modification time, then by name: the greater name wins a tie). Newer files
// that are not valid are skipped: each is logged with its file, row and
// column and counted once under its reason, and the previous data stays.
func (s *Source) collectDir(ctx context.Context, res *source.Result) (*report, map[string]counts, error) {
	files, err := s.listDir()
	if err != nil {
		return nil, nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Forget rejected versions that are gone, so the map stays small.
	present := map[fileKey]bool{}
	for _, f := range files {
		present[f] = true
	}
	for k := range s.rejected {
		if !present[k] {
			delete(s.rejected, k)
		}
	}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		if f == s.winner && s.current != nil {
			units := s.validate(s.current.rows, new([]rejection))
			return s.current, units, nil
		}
		if s.rejected[f] {
			continue
		}
		rep, units, rejects, err := s.readReport(f)
		if err != nil {
			s.rejected[f] = true
			res.Read++ // a rejected file counts as one record
			res.Reject(sheet.ReasonOf(err), 1)
			var se *sheet.Error
			if errors.As(err, &se) {
				s.log.Warn("VNeID report file rejected; an older valid file is used if there is one", se.LogAttrs()...)
			} else {
				s.log.Warn("VNeID report file rejected; an older valid file is used if there is one", "file", f.path, "reason", sheet.ReasonOf(err), "err", err)
			}
			continue
		}
		res.Read += rep.total
		for _, r := range rejects {
			res.Reject(r.reason, 1)
		}
		s.logRejectedRows(rejects)
		s.winner, s.current = f, rep
		s.log.Info("using VNeID report file", "file", f.path, "as_of", rep.asOf.Format(time.DateOnly), "units", len(units), "rejected_rows", len(rejects))
		return rep, units, nil
	}
	s.winner, s.current = fileKey{}, nil
	if len(files) == 0 {
		return nil, nil, source.Errorf(catalog.ReasonInvalid, "no CSV or XLSX report in %s", s.cfg.Dir)
	}
	return nil, nil, source.CountedErrorf(res.Counts(), catalog.ReasonInvalid, "none of the %d report files in %s is valid (see the warnings logged when each was rejected)", len(files), s.cfg.Dir)
}

// listDir returns the candidate files, newest first. Hidden files, Excel's
// lock files (~$x.xlsx) and partial copies (.tmp, .part, .crdownload) are
// not candidates: writers that copy then rename are never read half-written.
func (s *Source) listDir() ([]fileKey, error) {
	entries, err := os.ReadDir(s.cfg.Dir)
	if err != nil {
		return nil, source.Errorf(catalog.ReasonOther, "cannot list the VNeID drop directory: %v", err)
	}
	var out []fileKey
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~$") || !sheet.Supported(name) {
			continue
		}
		p := filepath.Join(s.cfg.Dir, name)
		fi, err := os.Stat(p) // follows symlinks
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		out = append(out, fileKey{path: p, size: fi.Size(), mod: fi.ModTime()})
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].mod.Equal(out[j].mod) {
			return out[i].mod.After(out[j].mod)
		}
		return out[i].path > out[j].path
	})
	return out, nil
}

// readReport reads and checks one file. Cell problems (a wrong header, text
// in a count, a negative count) reject the whole file: a report missing a
// commune would understate the province. Rows whose code is unknown, repeated
// or whose counts disagree are dropped and returned in rejects; a file left
// with no valid row is rejected.
func (s *Source) readReport(f fileKey) (*report, map[string]counts, []rejection, error) {
	tab, err := sheet.ReadFile(f.path, s.cfg.MaxFileBytes)
	if err != nil {
		return nil, nil, nil, err
	}
	l, err := tab.Locate(ReportColumns)
	if err != nil {
		return nil, nil, nil, err
	}
	rep := &report{from: f.path}
	for i := range l.Records {
		rec := &l.Records[i]
		row, skip, err := decodeRecord(rec)
		if err != nil {
			return nil, nil, nil, err
		}
		if !skip {
			rep.rows = append(rep.rows, row)
		}
	}
	rep.total = len(rep.rows)
	if rep.total == 0 {
		return nil, nil, nil, &sheet.Error{File: f.path, Row: l.HeaderRow, Col: -1, Reason: catalog.RejectMalformed, Msg: "no unit rows under the header"}
	}
	rep.asOf = s.fileDate(tab, l, f)
	if err := s.checkDate(rep); err != nil {
		return nil, nil, nil, &sheet.Error{File: f.path, Col: -1, Reason: catalog.RejectInconsistent, Msg: err.Error()}
	}
	var rejects []rejection
	units := s.validate(rep.rows, &rejects)
	if len(units) == 0 {
		return nil, nil, nil, &sheet.Error{File: f.path, Row: l.HeaderRow, Col: -1, Reason: rejects[0].reason,
			Msg: fmt.Sprintf("none of its %d unit rows is valid (first: row %d: %s)", rep.total, rejects[0].rec.Num, rejects[0].msg)}
	}
	if float64(len(rejects)) > s.MaxRejectedShare()*float64(rep.total) {
		return nil, nil, nil, &sheet.Error{File: f.path, Row: l.HeaderRow, Col: -1, Reason: rejects[0].reason,
			Msg: fmt.Sprintf("%d of its %d unit rows rejected, above the allowed share of %g (max_rejected_share; first: row %d: %s)",
				len(rejects), rep.total, s.MaxRejectedShare(), rejects[0].rec.Num, rejects[0].msg)}
	}
	return rep, units, rejects, nil
}

// decodeRecord reads one data row. Rows without a code are skipped when they
// have no count (notes, the signature block) or are a total row ("Tổng
// cộng"); a count without a code is an error.
func decodeRecord(rec *sheet.Record) (unitRow, bool, error) {
	row := unitRow{code: rec.Text(colCode), where: "row " + strconv.Itoa(rec.Num), rec: rec}
	if row.code == "" {
		empty := true
		for _, c := range countColumns {
			if rec.Text(c) != "" {
				empty = false
			}
		}
		if empty || isTotalRow(rec) {
			return row, true, nil
		}
		return row, false, rec.Errorf(colCode, catalog.RejectMalformed, "counts without a unit code")
	}
	for i, c := range countColumns {
		n, err := rec.Int(c)
		if err != nil {
			return row, false, err
		}
		if n < 0 {
			return row, false, rec.Errorf(c, catalog.RejectNegative, "negative count %d", n)
		}
		if n > maxCount {
			return row, false, rec.Errorf(c, catalog.RejectAbsurd, "%d %v", n, errImplausible)
		}
		row.counts[i] = n
	}
	return row, false, nil
}

func isTotalRow(rec *sheet.Record) bool {
	for _, c := range rec.Cells {
		if sheet.IsTotalLabel(c) {
			return true
		}
	}
	return false
}

var (
	// titleDate finds "Tính đến ngày 20/11/2026" in the rows above the header.
	titleDate = regexp.MustCompile(`([0-9]{1,2})[/.-]([0-9]{1,2})[/.-](20[0-9]{2})`)
	// nameDate finds 2026-11-20, 2026_11_20 or 20261120 in a file name.
	nameDate = regexp.MustCompile(`(20[0-9]{2})[-_.]?([01][0-9])[-_.]?([0-3][0-9])`)
)

// fileDate is the date a report's figures refer to: the "tính đến ngày
// dd/mm/yyyy" line above the header, else a yyyy-mm-dd date in the file
// name, else the file's modification date.
func (s *Source) fileDate(tab *sheet.Table, l *sheet.Layout, f fileKey) time.Time {
	loc := s.env.Location
	valid := func(y, m, d int) (time.Time, bool) {
		t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, loc)
		return t, t.Year() == y && int(t.Month()) == m && t.Day() == d
	}
	for _, r := range tab.Rows {
		if r.Num >= l.HeaderRow {
			break
		}
		for _, c := range r.Cells {
			if !strings.Contains(sheet.Fold(c), "ngay") {
				continue
			}
			if m := titleDate.FindStringSubmatch(c); m != nil {
				d, _ := strconv.Atoi(m[1])
				mo, _ := strconv.Atoi(m[2])
				y, _ := strconv.Atoi(m[3])
				if t, ok := valid(y, mo, d); ok {
					return t
				}
			}
		}
	}
	if m := nameDate.FindStringSubmatch(filepath.Base(f.path)); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		if t, ok := valid(y, mo, d); ok {
			return t
		}
	}
	// A modification time in the future is a skewed clock, not a typo: today.
	mod := f.mod
	if now := s.env.Now(); mod.After(now) {
		mod = now
	}
	y, m, d := mod.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// readPopulation reads the population file into agency code -> population
// aged 14+, applying codeMap.
func readPopulation(path string, maxBytes int64, codeMap map[string]string) (map[string]int64, error) {
	tab, err := sheet.ReadFile(path, maxBytes)
	if err != nil {
		return nil, err
	}
	l, err := tab.Locate(PopulationColumns)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, rec := range l.Records {
		code := rec.Text(colCode)
		if code == "" {
			if rec.Text(colPopulation) == "" || isTotalRow(&rec) {
				continue
			}
			return nil, rec.Errorf(colCode, catalog.RejectMalformed, "a population without a unit code")
		}
		if m, ok := codeMap[code]; ok {
			code = m
		}
		if !catalog.AgencyCodePattern.MatchString(code) {
			return nil, rec.Errorf(colCode, catalog.RejectBadCode, "not an agency e-ID code (like 000.01.31.H47) nor a code_map key")
		}
		if _, dup := out[code]; dup {
			return nil, rec.Errorf(colCode, catalog.RejectDuplicate, "code %s appears twice", code)
		}
		n, err := rec.Int(colPopulation)
		if err != nil {
			return nil, err
		}
		if n <= 0 || n > maxCount {
			return nil, rec.Errorf(colPopulation, catalog.RejectMalformed, "population %d is not positive and plausible", n)
		}
		out[code] = n
	}
	return out, nil
}
