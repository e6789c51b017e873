package onestop

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
	"github.com/govpulse/govpulse/collector/workday"
)

// referenceReport counts a feed the slow, obvious way — encoding/json, one
// struct per dossier, every period figure counted from the dossiers
// themselves rather than from month buckets — as an independent check of
// the streaming decoder and the bucket arithmetic. It checks fields in the
// generator's order, so the first problem of a bad record is the decoder's.
func referenceReport(t *testing.T, body []byte, env source.Env, now time.Time) (map[string]float64, map[string]int) {
	t.Helper()
	cal, err := workday.Default()
	if err != nil {
		t.Fatal(err)
	}
	cal = cal.WithLocation(env.Location)
	var env0 struct{ Data []json.RawMessage }
	if err := json.Unmarshal(body, &env0); err != nil {
		t.Fatal(err)
	}
	type dossier struct {
		key                string
		channel            int
		recv, fin          time.Time
		finished, resolved bool
		due                time.Time
		supplement         bool
		legal              float64
		digitised, paid    bool
	}
	byID := map[string]*dossier{}
	var order []string
	rejected := map[string]int{}
	loc := env.Location
	stamp := func(v any) (time.Time, bool, bool) { // time, present, ok
		if v == nil {
			return time.Time{}, false, true
		}
		s, ok := v.(string)
		if !ok {
			return time.Time{}, false, false
		}
		if s == "" {
			return time.Time{}, false, true
		}
		tm, err := time.ParseInLocation("20060102150405", s, loc)
		if err != nil || tm.Year() < 1990 || tm.Year() > 2100 {
			return time.Time{}, false, false
		}
		return tm, true, true
	}
	num := func(v any) (float64, bool) {
		switch x := v.(type) {
		case json.Number:
			f, err := x.Float64()
			return f, err == nil
		case string:
			f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
			return f, err == nil
		}
		return 0, false
	}
	for _, raw := range env0.Data {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			rejected[catalog.RejectMalformed]++
			continue
		}
		reject := func(r string) { rejected[r]++ }
		id, _ := m["MaHoSo"].(string)
		field, _ := m["MaLinhVuc"].(string)
		if !catalog.FieldCodePattern.MatchString(field) {
			reject(catalog.RejectBadCode)
			continue
		}
		if _, ok := env.Fields[field]; !ok {
			reject(catalog.RejectUnknownCode)
			continue
		}
		channel := 0
		if v := m["KenhThucHien"]; v != nil {
			f, _ := num(v)
			channel = int(f) - 1
		}
		recv, hasRecv, ok1 := stamp(m["NgayTiepNhan"])
		due, hasDue, ok2 := stamp(m["NgayHenTra"])
		ret, hasRet, ok3 := stamp(m["NgayTra"])
		end, hasEnd, ok4 := stamp(m["NgayKetThucXuLy"])
		if !ok1 || !ok2 || !ok3 || !ok4 {
			reject(catalog.RejectMalformed)
			continue
		}
		st, _ := num(m["TrangThaiHoSo"])
		status := int(st)
		if status < 1 || status > 10 {
			reject(catalog.RejectUnknownCode)
			continue
		}
		agency, _ := m["DonViXuLy"].(string)
		if !catalog.AgencyCodePattern.MatchString(agency) {
			reject(catalog.RejectBadCode)
			continue
		}
		if _, ok := env.Agencies[agency]; !ok {
			reject(catalog.RejectUnknownCode)
			continue
		}
		legal := -1.0
		if v := m["ThoiGianQuyDinh"]; v != nil {
			legal, _ = num(v)
		}
		upd, _, _ := stamp(m["NgayCapNhat"])
		flag := func(k string) bool {
			switch x := m[k].(type) {
			case bool:
				return x
			case json.Number:
				return x.String() == "1"
			case string:
				return x == "1" || strings.EqualFold(x, "true")
			}
			return false
		}
		resolved, withdrawn := status == 9 || status == 10, status == 7 || status == 8
		var fin time.Time
		switch {
		case resolved && hasRet:
			fin = ret
		case resolved && hasEnd:
			fin = end
		case resolved:
			reject(catalog.RejectMalformed)
			continue
		case withdrawn && hasEnd:
			fin = end
		case withdrawn && hasRet:
			fin = ret
		case withdrawn:
			fin = upd
		}
		if status == 1 || status == 3 || (!hasRecv && withdrawn) {
			continue
		}
		if !hasRecv {
			reject(catalog.RejectMalformed)
			continue
		}
		if (resolved || withdrawn) && fin.Before(recv) {
			reject(catalog.RejectInconsistent)
			continue
		}
		d := byID[id]
		if d != nil && d.finished {
			continue
		}
		if d == nil {
			if recv.Year() < now.Year() && (resolved || withdrawn) && fin.Year() < now.Year() {
				continue
			}
			d = &dossier{key: agency + "," + field, channel: channel, recv: recv}
			byID[id] = d
			order = append(order, id)
		}
		if flag("HoSoCoThanhPhanSoHoa") {
			d.digitised = true
		}
		if flag("DuocThanhToanTrucTuyen") {
			d.paid = true
		}
		d.due = due
		if !hasDue {
			d.due = time.Time{}
		}
		d.supplement = status == 5
		if resolved || withdrawn {
			d.finished, d.resolved, d.fin, d.legal = true, resolved, fin, legal
		}
	}

	out := map[string]float64{}
	nowYM := now.Year()*12 + int(now.Month()) - 1
	ym := func(t time.Time) int { return t.Year()*12 + int(t.Month()) - 1 }
	starts := map[string]int{
		catalog.PeriodMonth:   nowYM,
		catalog.PeriodQuarter: now.Year()*12 + (int(now.Month())-1)/3*3,
		catalog.PeriodYear:    now.Year() * 12,
	}
	type counts struct {
		v                                      [nCounts]float64
		dig, paid, timed, proc, legal, dueSoon float64
		inProgress                             bool
	}
	day := cal.DayLength()
	for _, period := range catalog.Periods {
		start := starts[period]
		per := map[string]*counts{}
		get := func(k string) *counts {
			if per[k] == nil {
				per[k] = &counts{}
			}
			return per[k]
		}
		for _, id := range order {
			d := byID[id]
			c := get(d.key)
			if ym(d.recv) < start && (!d.finished || ym(d.fin) >= start) {
				c.v[iCarried]++
			}
			if r := ym(d.recv); r >= start && r <= nowYM {
				c.v[iReceivedLo+d.channel]++
				if d.digitised {
					c.dig++
				}
				if d.paid {
					c.paid++
				}
			}
			if d.finished && ym(d.fin) >= start && ym(d.fin) <= nowYM {
				if !d.resolved {
					c.v[iWithdrawn]++
					continue
				}
				tl := 1
				switch {
				case d.due.IsZero():
				case d.fin.After(d.due):
					tl = 2
				case d.fin.Format(time.DateOnly) < d.due.Format(time.DateOnly):
					tl = 0
				}
				c.v[iResolvedLo+tl]++
				if d.legal > 0 {
					c.timed++
					c.proc += cal.WorkingDuration(d.recv, d.fin).Seconds()
					c.legal += float64(int64(d.legal*1000) * int64(day/time.Second) / 1000)
				}
			}
			if !d.finished {
				c.inProgress = true
				switch {
				case d.supplement:
					c.v[iInProgressNotDue]++
					c.v[iAwaitingSupp]++
				case !d.due.IsZero() && d.due.Before(now):
					c.v[iInProgressOverdue]++
				default:
					c.v[iInProgressNotDue]++
					if !d.due.IsZero() && cal.DueWithin(now, d.due, day) {
						c.dueSoon++
					}
				}
			}
		}
		for k, c := range per {
			if c.v != ([nCounts]float64{}) {
				for i, col := range countColumns {
					name := col.metric.Name + "{" + k + "," + period
					if col.value != "" {
						name += "," + col.value
					}
					out[name+"}"] = c.v[i]
				}
				out[fmt.Sprintf("%s{%s,%s}", catalog.DossiersDigitised.Name, k, period)] = c.dig
				out[fmt.Sprintf("%s{%s,%s}", catalog.DossiersPaidOnline.Name, k, period)] = c.paid
				if c.timed > 0 {
					out[fmt.Sprintf("%s{%s,%s}", catalog.DossiersTimed.Name, k, period)] = c.timed
					out[fmt.Sprintf("%s{%s,%s}", catalog.DossiersProcessingSeconds.Name, k, period)] = c.proc
					out[fmt.Sprintf("%s{%s,%s}", catalog.DossiersLegalSeconds.Name, k, period)] = c.legal
				}
			}
			if c.inProgress && period == catalog.PeriodYear {
				out[fmt.Sprintf("%s{%s}", catalog.DossiersDueSoon.Name, k)] = c.dueSoon
			}
		}
	}
	return out, rejected
}
