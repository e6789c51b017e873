package simulate

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
)

// ICT is the province's time zone (Asia/Ho_Chi_Minh, UTC+7, no DST), fixed
// so the simulator needs no tzdata.
var ICT = time.FixedZone("ICT", 7*3600)

// Options configure a Sim.
type Options struct {
	// Seed selects the province's numbers; the units and fields do not depend on it.
	Seed int64
	// Now is the simulator's clock (default time.Now). Reports count only the
	// days up to Now, today up to the current minute.
	Now func() time.Time
}

// Row is one (agency, field) line of govpulse's standard period report. The
// JSON keys are the catalog's label values (catalog.ChannelInPerson, …).
type Row struct {
	Agency             string     `json:"agency"`
	Field              string     `json:"field"`
	CarriedOver        int        `json:"carried_over"`
	Received           Received   `json:"received"`
	Resolved           Resolved   `json:"resolved"`
	InProgress         InProgress `json:"in_progress"`
	Withdrawn          int        `json:"withdrawn"`
	AwaitingSupplement int        `json:"awaiting_supplement"`
}

// Received counts new dossiers by channel.
type Received struct {
	InPerson int `json:"truc_tiep"`
	Online   int `json:"truc_tuyen"`
	Postal   int `json:"buu_chinh"`
}

// Resolved counts resolved dossiers by timeliness.
type Resolved struct {
	Early  int `json:"truoc_han"`
	OnTime int `json:"dung_han"`
	Late   int `json:"tre_han"`
}

// InProgress counts dossiers still in progress at the end of the range.
type InProgress struct {
	NotDue  int `json:"chua_den_han"`
	Overdue int `json:"qua_han"`
}

// Total returns the new dossiers of all channels.
func (r Received) Total() int { return r.InPerson + r.Online + r.Postal }

// Total returns the resolved dossiers of all timeliness classes.
func (r Resolved) Total() int { return r.Early + r.OnTime + r.Late }

// Total returns the dossiers in progress.
func (r InProgress) Total() int { return r.NotDue + r.Overdue }

func (r Row) empty() bool {
	return r.CarriedOver == 0 && r.Received == (Received{}) && r.Resolved == (Resolved{}) &&
		r.InProgress == (InProgress{}) && r.Withdrawn == 0 && r.AwaitingSupplement == 0
}

// pair holds one (agency, field)'s seeded parameters.
type pair struct {
	agency, field string
	key           uint64
	volume        float64 // dossiers a month on average
	inPerson      float64 // channel shares, summing to 1
	online        float64
	postal        float64
	resolve       float64 // share of a day's new dossiers resolved (keeps a backlog)
	late          float64 // share of resolved dossiers resolved late
	early         float64 // share of the other resolved dossiers resolved early
	carried       int     // carried over from before the range
	backlog       float64 // in-progress stock, in months of volume
	overdueK      float64 // overdue share of the backlog = late × overdueK
	withdraw      float64 // withdrawn share of new dossiers
	supplement    float64 // awaiting-supplement stock, in months of volume
}

// Sim is a simulated province. It is safe for concurrent use.
type Sim struct {
	seed     uint64
	now      func() time.Time
	prov     *province
	pairs    []pair
	highLate []string

	mu        sync.Mutex
	faults    Faults
	overrides map[string]float64
	version   uint64 // bumped when overrides change, to invalidate the cache
	cache     map[cacheKey][]Row

	requests atomic.Uint64 // data requests, drives the seeded error_rate draws
}

type cacheKey struct {
	from, to, today int64
	minute          int
	version         uint64
}

// New builds a simulated province.
func New(o Options) *Sim {
	s := &Sim{
		seed:      mix(uint64(o.Seed) ^ 0x676f7670756c7365), //nolint:gosec // bits reinterpreted for hashing; "govpulse"
		now:       o.Now,
		prov:      loadProvince(),
		overrides: map[string]float64{},
		cache:     map[cacheKey][]Row{},
		faults:    Faults{Mode: FaultNone},
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.buildPairs()
	return s
}

// draw is a tiny seeded generator (splitmix64) for the per-pair parameters.
type draw struct{ s uint64 }

func (d *draw) next() uint64 {
	d.s += 0x9e3779b97f4a7c15
	return mix(d.s)
}

func (d *draw) f(lo, hi float64) float64 { return lo + (hi-lo)*unit(d.next()) }

// mix is splitmix64's finaliser: a fast, well-spread 64-bit hash.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

func unit(u uint64) float64 { return float64(u>>11) / (1 << 53) }

func strHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func (s *Sim) buildPairs() {
	p := s.prov
	agencyDraw := func(code string) *draw { return &draw{s: s.seed ^ strHash("agency|"+code)} }

	// A couple of chronically late agencies: one district, one busy department.
	var districts []string
	for _, a := range p.agencies {
		if a.Level == catalog.LevelDistrict {
			districts = append(districts, a.Code)
		}
	}
	d := &draw{s: s.seed ^ strHash("high-late")}
	s.highLate = []string{
		districts[d.next()%uint64(len(districts))],
		highLatePool[d.next()%uint64(len(highLatePool))],
	}
	sort.Strings(s.highLate)

	// Per agency: a size factor and a base late share. Most agencies stay well
	// under the 5% rule; a few hover around it.
	type agencyParams struct{ size, late float64 }
	ap := map[string]agencyParams{}
	sizeOf := map[string]float64{}
	for _, a := range p.agencies {
		d := agencyDraw(a.Code)
		var x agencyParams
		switch a.Level {
		case catalog.LevelDistrict:
			r := districtSize[groupOf(a.Code)]
			x.size = d.f(r[0], r[1])
		case catalog.LevelCommune:
			x.size = math.Sqrt(sizeOf[a.Parent]) * d.f(0.5, 1.4)
		default:
			x.size = d.f(0.9, 1.1)
		}
		sizeOf[a.Code] = x.size
		switch u := unit(d.next()); {
		case u < 0.8:
			x.late = d.f(0.003, 0.03)
		case u < 0.95:
			x.late = d.f(0.03, 0.06)
		default:
			x.late = d.f(0.06, 0.09)
		}
		ap[a.Code] = x
	}
	high := map[string]bool{}
	for _, c := range s.highLate {
		high[c] = true
	}

	s.pairs = make([]pair, len(p.pairs))
	for i, pd := range p.pairs {
		a := ap[pd.agency]
		fd := p.byField[pd.field]
		key := s.seed ^ strHash(pd.agency+"|"+pd.field)
		d := &draw{s: key}
		x := pair{agency: pd.agency, field: pd.field, key: mix(key)}
		x.volume = d.f(pd.volume[0], pd.volume[1]) * a.size
		x.online = clamp(d.f(fd.Online[0], fd.Online[1]), 0.2, 0.7)
		if pd.level == catalog.LevelCommune {
			x.postal = d.f(0, 0.01)
		} else {
			x.postal = d.f(0, 0.04)
		}
		x.inPerson = 1 - x.online - x.postal
		x.late = a.late * d.f(0.5, 1.5)
		x.resolve = d.f(0.88, 0.97)
		x.backlog = d.f(0.1, 0.35)
		switch {
		case pd.field == "DD" && (pd.level == catalog.LevelDistrict || pd.level == catalog.LevelCommune):
			// Land at district and commune level is what breaks the 5% rule.
			x.late = d.f(0.06, 0.12)
			x.resolve = d.f(0.8, 0.92)
			x.backlog = d.f(0.5, 0.9)
		case pd.field == "DD":
			x.resolve = d.f(0.85, 0.95)
			x.backlog = d.f(0.4, 0.7)
		case pd.field == "XD":
			x.backlog = d.f(0.3, 0.6)
		}
		if high[pd.agency] {
			x.late = d.f(0.15, 0.22)
		}
		x.early = d.f(0.45, 0.8)
		x.carried = max(2, int(math.Round(x.volume*x.backlog*d.f(0.8, 1.2))))
		x.overdueK = d.f(0.8, 1.6)
		x.withdraw = d.f(0.002, 0.012)
		x.supplement = d.f(0.01, 0.05)
		s.pairs[i] = x
	}
}

func groupOf(code string) string {
	if len(code) < 9 {
		return ""
	}
	return code[7:9] // 000.00.31.H47 -> 31
}

func clamp(x, lo, hi float64) float64 { return math.Min(hi, math.Max(lo, x)) }

// civilDay numbers calendar days (days since 1970-01-01) of t's date in ICT.
func civilDay(t time.Time) int64 {
	y, m, d := t.In(ICT).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

func dayTime(day int64) time.Time { return time.Unix(day*86400, 0).UTC() }

// Weekday weights of the two kinds of flows. Desks (in person, postal, and
// the resolutions they drive) are shut on Sundays and public holidays and open
// on Saturday mornings in many one-stop centres; online submissions never stop.
// The weights are normalised so an average month has the pair's volume.
const (
	deskSaturday   = 0.15
	onlineWeekend  = 0.45
	deskNorm       = 7 / (5 + deskSaturday)
	onlineNorm     = 7 / (5 + 2*onlineWeekend)
	workdayMinutes = 480
)

// fixedHolidays are the solar public holidays (Labour Code 2019 art. 112);
// the lunar ones move every year and are left out.
var fixedHolidays = map[[2]int]bool{{1, 1}: true, {4, 30}: true, {5, 1}: true, {9, 2}: true}

// seasonal scales a month's volume: the Tết months are quiet, the year end busy.
var seasonal = [12]float64{1.0, 0.75, 1.05, 1.0, 0.95, 1.0, 1.0, 1.0, 0.95, 1.05, 1.1, 1.15}

type dayInfo struct {
	day           int64
	month         uint64 // y*12 + m - 1
	perDay        float64
	desk, online  float64
	seasonalDaily float64
}

// deskFraction is the share of a working day (07:00–11:30, 13:30–17:00)
// elapsed at minute m of the day.
func deskFraction(m int) float64 {
	worked := 0
	if m > 7*60 {
		worked += min(m, 11*60+30) - 7*60
	}
	if m > 13*60+30 {
		worked += min(m, 17*60) - (13*60 + 30)
	}
	return float64(worked) / workdayMinutes
}

func monthKey(t time.Time) uint64 { return uint64(t.Year()*12 + int(t.Month()) - 1) } //nolint:gosec // a hash key: bits reinterpreted

func (s *Sim) days(from, to, today int64, minute int) []dayInfo {
	out := make([]dayInfo, 0, to-from+1)
	for d := from; d <= to; d++ {
		t := dayTime(d)
		first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
		dim := first.AddDate(0, 1, 0).Sub(first).Hours() / 24
		di := dayInfo{day: d, month: monthKey(t), perDay: 1 / dim, seasonalDaily: seasonal[t.Month()-1]}
		switch {
		case fixedHolidays[[2]int{int(t.Month()), t.Day()}] || t.Weekday() == time.Sunday:
			di.desk, di.online = 0, onlineWeekend
		case t.Weekday() == time.Saturday:
			di.desk, di.online = deskSaturday, onlineWeekend
		default:
			di.desk, di.online = 1, 1
		}
		di.desk *= deskNorm
		di.online *= onlineNorm
		if d == today {
			di.desk *= deskFraction(minute)
			di.online *= float64(minute) / 1440
		}
		out = append(out, di)
	}
	return out
}

// Report returns the standard report rows for the calendar dates [from, to]
// (taken in ICT): the model the HTTP layouts serve. Only days up to the
// simulator's clock count, today up to the current minute; a range that
// starts after today is empty. Rows are sorted by agency then field, and only
// pairs with dossiers are listed.
//
// Flows (received, resolved, withdrawn) are sums of non-negative daily
// amounts, so a longer range never has smaller flows than a range it
// contains. Carried over is a per-pair constant backlog (so it too never
// shrinks with the range); in progress and awaiting supplement are stocks at
// the range's last day.
func (s *Sim) Report(from, to time.Time) []Row {
	return slices.Clone(s.report(from, to))
}

// report returns the cached rows for a range; callers must not modify them.
func (s *Sim) report(from, to time.Time) []Row {
	now := s.now().In(ICT)
	fd, td, today := civilDay(from), civilDay(to), civilDay(now)
	if td < fd || fd > today {
		return nil
	}
	minute := now.Hour()*60 + now.Minute()
	s.mu.Lock()
	key := cacheKey{from: fd, to: td, today: today, minute: minute, version: s.version}
	if rows, ok := s.cache[key]; ok {
		s.mu.Unlock()
		return rows
	}
	ov := make(map[string]float64, len(s.overrides))
	for k, v := range s.overrides {
		ov[k] = v
	}
	s.mu.Unlock()

	rows := s.compute(fd, min(td, today), today, minute, ov)

	s.mu.Lock()
	if len(s.cache) >= 16 { // a handful of ranges are in use at any time
		clear(s.cache)
	}
	s.cache[key] = rows
	s.mu.Unlock()
	return rows
}

func (s *Sim) compute(from, end, today int64, minute int, ov map[string]float64) []Row {
	days := s.days(from, end, today, minute)
	endMonth := monthKey(dayTime(end))
	endSeason := seasonal[endMonth%12]
	rows := make([]Row, 0, len(s.pairs))
	for i := range s.pairs {
		p := &s.pairs[i]
		late := p.late
		if o, ok := ov[p.agency]; ok {
			late = o
		}
		var inP, onl, pos, early, onTime, lateN, wd float64
		var mf float64
		curMonth := uint64(math.MaxUint64)
		for j := range days {
			d := &days[j]
			if d.month != curMonth {
				curMonth = d.month
				mf = d.seasonalDaily * (0.92 + 0.16*unit(mix(p.key^(curMonth*0xd1b54a32d192ed03))))
			}
			u := mix(p.key ^ (uint64(d.day) * 0x9e3779b97f4a7c15)) //nolint:gosec // hashing: bits reinterpreted
			n1 := 0.8 + 0.4*unit(u)
			n2 := 0.6 + 0.8*unit(mix(u))
			base := p.volume * mf * d.perDay * n1
			ip := base * p.inPerson * d.desk
			on := base * p.online * d.online
			po := base * p.postal * d.desk
			rec := ip + on + po
			res := rec * p.resolve
			l := res * math.Min(1, late*n2)
			e := (res - l) * p.early
			inP += ip
			onl += on
			pos += po
			lateN += l
			early += e
			onTime += res - l - e
			wd += rec * p.withdraw
		}
		// Stocks at the range's last day, with that day's noise.
		u := mix(p.key ^ 0x5bd1e995 ^ (uint64(end) * 0x9e3779b97f4a7c15)) //nolint:gosec // hashing: bits reinterpreted
		n := 0.85 + 0.3*unit(u)
		mfEnd := endSeason * (0.92 + 0.16*unit(mix(p.key^(endMonth*0xd1b54a32d192ed03))))
		stock := p.volume * mfEnd * p.backlog * n
		over := stock * math.Min(0.6, late*p.overdueK)
		r := Row{
			Agency:             p.agency,
			Field:              p.field,
			CarriedOver:        p.carried,
			Received:           Received{InPerson: floor(inP), Online: floor(onl), Postal: floor(pos)},
			Resolved:           Resolved{Early: floor(early), OnTime: floor(onTime), Late: floor(lateN)},
			InProgress:         InProgress{NotDue: round(stock - over), Overdue: round(over)},
			Withdrawn:          floor(wd),
			AwaitingSupplement: round(p.volume * mfEnd * p.supplement * n),
		}
		if !r.empty() {
			rows = append(rows, r)
		}
	}
	return rows
}

// floor turns a sum of flows into a count. Flooring each count on its own
// keeps every count monotonic in the range, and the resolved total can exceed
// the received total by at most 2, which the carried-over minimum of 2 absorbs.
func floor(x float64) int { return int(math.Floor(x + 1e-9)) }

func round(x float64) int { return int(math.Round(x)) }

// LateAgencies returns the agencies whose late share (resolved-only
// definition: late resolved / all resolved) in the current month to date is
// above 5% and above 10% — the province's warning and critical rules. Like the
// product's rules, an agency is judged only once it has resolved at least
// catalog.DefaultThresholds.LateMinVolume dossiers. over5 includes over10.
func (s *Sim) LateAgencies() (over5, over10 []string) {
	now := s.now().In(ICT)
	from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, ICT)
	type acc struct{ late, all int }
	per := map[string]*acc{}
	var order []string
	for _, r := range s.report(from, now) {
		a := per[r.Agency]
		if a == nil {
			a = &acc{}
			per[r.Agency] = a
			order = append(order, r.Agency)
		}
		a.late += r.Resolved.Late
		a.all += r.Resolved.Total()
	}
	th := catalog.DefaultThresholds
	for _, c := range order {
		a := per[c]
		if a.all < th.LateMinVolume {
			continue
		}
		share := float64(a.late) / float64(a.all)
		if share > th.LateRateWarning {
			over5 = append(over5, c)
		}
		if share > th.LateRateCritical {
			over10 = append(over10, c)
		}
	}
	return over5, over10
}

// SetLateShare overrides the late share of every field of agency code (0–1);
// a negative share clears the override. It lets a test or a demo push an
// agency over the 5% rule and back.
func (s *Sim) SetLateShare(code string, share float64) error {
	if _, ok := s.prov.byAgency[code]; !ok {
		return fmt.Errorf("unknown agency %q", code)
	}
	if share > 1 || math.IsNaN(share) {
		return fmt.Errorf("late share %v is not in 0..1", share)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if share < 0 {
		delete(s.overrides, code)
	} else {
		s.overrides[code] = share
	}
	s.version++
	return nil
}

// ClearLateShare removes agency code's late-share override, if any.
func (s *Sim) ClearLateShare(code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.overrides[code]; ok {
		delete(s.overrides, code)
		s.version++
	}
}

// LateShareOverrides returns the current overrides by agency code.
func (s *Sim) LateShareOverrides() map[string]float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]float64, len(s.overrides))
	for k, v := range s.overrides {
		out[k] = v
	}
	return out
}

// ChronicallyLate returns the agencies the seed picked to run above the 10%
// rule in every field (one district, one department), sorted by code.
func (s *Sim) ChronicallyLate() []string { return slices.Clone(s.highLate) }
