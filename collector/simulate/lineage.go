package simulate

import (
	"encoding/csv"
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/lineage"
	"github.com/govpulse/govpulse/collector/source"
)

// Lineage returns every link of the map whose date is on or before the
// clock's day: each former unit (merged or abolished) and the unit that took
// it over, with the share. A unit whose code passed to its successor (old Đà
// Nẵng's departments and People's Committee, kept by the new city) needs no
// link. The March 2025 department links and the July ones form chains
// (Sở Kế hoạch và Đầu tư → Sở Tài chính → the new city's Sở Tài chính),
// which lineage.Resolve follows. Sorted by date, old code, new code.
func (s *Sim) Lineage() []lineage.Link {
	day := s.clockDay()
	var out []lineage.Link
	for _, u := range s.world.units {
		if u.end > day {
			continue
		}
		for _, n := range u.next {
			if n.unit.Code == u.Code {
				continue // a reused code continues by itself
			}
			y, m, d := dayTime(u.end).Date()
			out = append(out, lineage.Link{
				Old:   source.Agency{Code: u.Code, Name: u.Name, Level: u.Level, UnitCode: u.UnitCode},
				New:   n.unit.Code,
				Date:  time.Date(y, m, d, 0, 0, 0, 0, ICT),
				Share: n.share,
			})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case !a.Date.Equal(b.Date):
			return a.Date.Before(b.Date)
		case a.Old.Code != b.Old.Code:
			return a.Old.Code < b.Old.Code
		}
		return a.New < b.New
	})
	return out
}

// WriteLineageCSV writes links in the lineage_file format of the config
// (header old_code,old_name,old_level,new_code,date,share,old_unit_code).
func WriteLineageCSV(w io.Writer, links []lineage.Link) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"old_code", "old_name", "old_level", "new_code", "date", "share", "old_unit_code"})
	for _, l := range links {
		_ = cw.Write([]string{l.Old.Code, l.Old.Name, l.Old.Level, l.New, l.Date.In(ICT).Format(catalog.DateLayout),
			strconv.FormatFloat(l.Share, 'f', -1, 64), l.Old.UnitCode})
	}
	cw.Flush()
	return cw.Error()
}
