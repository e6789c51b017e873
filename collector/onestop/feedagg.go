package onestop

import (
	"regexp"
	"sort"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
	"github.com/govpulse/govpulse/collector/workday"
)

// Aggregation state of feed mode. Memory grows with series and with the
// dossiers of one year, never with the feed's bytes:
//
//   - per (agency, field) and month of the current year, counts: received by
//     channel, resolved by timeliness, withdrawn, processing-time sums, digitised
//     and paid-online receipts; month, quarter and year to date are sums of
//     months, and carried-over is derived (carried into the year + received −
//     finished in earlier months);
//   - a set of the year's dossiers, 8 bytes each (a 60-bit hash of MaHoSo and
//     4 flags: received counted, finished counted, digitised counted, paid
//     counted), so a record sent again after an update is not counted twice;
//   - the dossiers in progress (hash → agency, field, due date), which give
//     in_progress by timeliness, awaiting_supplement and due_soon now, and
//     leave the map when resolved or withdrawn.
//
// Counts stay with the (agency, field) of the dossier's receipt, so for every
// key and period carried + received − resolved − withdrawn = in progress.

// Dossier flags, in the low bits of a set entry.
const (
	fRecv     = 1 << 0
	fFin      = 1 << 1
	fDigit    = 1 << 2
	fPaid     = 1 << 3
	flagMask  = 15
	idMask    = ^uint64(flagMask)
	goldenMul = 0x9E3779B97F4A7C15
)

// hashSet is an open-addressing table of 60-bit dossier ids with 4 flag
// bits each: a third of the memory of a map[uint64]uint8 and one cache miss
// per lookup.
type hashSet struct {
	slots []uint64
	n     int
	shift uint
}

func newHashSet(n int) *hashSet {
	size := 1 << 10
	for size*3/4 < n {
		size <<= 1
	}
	s := &hashSet{slots: make([]uint64, size)}
	s.shift = uint(64 - log2(size))
	return s
}

func log2(n int) int {
	b := 0
	for 1<<b < n {
		b++
	}
	return b
}

func setID(h uint64) uint64 {
	id := h & idMask
	if id == 0 {
		id = flagMask + 1
	}
	return id
}

// get returns the flags of h (0 when absent).
func (s *hashSet) get(h uint64) uint8 {
	id := setID(h)
	mask := len(s.slots) - 1
	for i := int((id * goldenMul) >> s.shift); ; i = (i + 1) & mask { //nolint:gosec // G115: the shift leaves the table's index bits
		v := s.slots[i]
		if v == 0 {
			return 0
		}
		if v&idMask == id {
			return uint8(v & flagMask)
		}
	}
}

// put sets the flags of h; flags must not be 0.
func (s *hashSet) put(h uint64, flags uint8) {
	id := setID(h)
	mask := len(s.slots) - 1
	for i := int((id * goldenMul) >> s.shift); ; i = (i + 1) & mask { //nolint:gosec // G115: the shift leaves the table's index bits
		v := s.slots[i]
		if v == 0 {
			s.slots[i] = id | uint64(flags&flagMask)
			s.n++
			if s.n*4 > len(s.slots)*3 {
				s.grow()
			}
			return
		}
		if v&idMask == id {
			s.slots[i] = id | uint64(flags&flagMask)
			return
		}
	}
}

func (s *hashSet) grow() {
	old := s.slots
	s.slots = make([]uint64, len(old)*2)
	s.shift--
	s.n = 0
	for _, v := range old {
		if v != 0 {
			s.put(v&idMask, uint8(v&flagMask))
		}
	}
}

func (s *hashSet) each(fn func(v uint64)) {
	for _, v := range s.slots {
		if v != 0 {
			fn(v)
		}
	}
}

// monthStats are one (agency, field)'s counts for one month.
type monthStats struct {
	received  [3]int64 // by channel
	resolved  [3]int64 // early, on time, late
	withdrawn int64
	// Processing time of resolved dossiers with a legal duration.
	procSec, legalSec, timed int64
	digitised, paidOnline    int64
}

type keyStats struct {
	// carried is the dossiers received in earlier years and still in
	// progress on 1 January (or found so later).
	carried int64
	months  [12]monthStats
}

type inProgress struct {
	key        uint32 // agency<<16 | field
	due        workday.Wall
	hasDue     bool
	supplement bool
}

// feedCodes interns agency, field and official codes as small indexes.
type feedCodes struct {
	agencies  []string // sorted
	fields    []string // fields[0] = "" (all fields)
	agencyIdx map[string]int32
	fieldIdx  map[string]int32
	perAgency bool

	officials   []string
	officialIdx map[string]int32
	// officialRe is feed.official_pattern (nil: none).
	officialRe *regexp.Regexp
}

// maxOfficials caps interned official codes against a feed full of junk codes.
const maxOfficials = 100000

func newFeedCodes(env source.Env, perAgency bool) *feedCodes {
	c := &feedCodes{agencyIdx: map[string]int32{}, fieldIdx: map[string]int32{}, perAgency: perAgency, officialIdx: map[string]int32{}}
	for code := range env.Agencies {
		c.agencies = append(c.agencies, code)
	}
	sort.Strings(c.agencies)
	for i, code := range c.agencies {
		c.agencyIdx[code] = int32(i)
	}
	c.fields = []string{""}
	if !perAgency {
		var fs []string
		for code := range env.Fields {
			fs = append(fs, code)
		}
		sort.Strings(fs)
		c.fields = append(c.fields, fs...)
		for i, code := range c.fields[1:] {
			c.fieldIdx[code] = int32(i + 1)
		}
	}
	return c
}

// official interns a valid account code, or returns -1.
func (c *feedCodes) official(v []byte) int64 {
	if i, ok := c.officialIdx[string(v)]; ok {
		return int64(i) // validated when interned
	}
	if !isOfficialCode(v) || (c.officialRe != nil && !c.officialRe.Match(v)) {
		return -1
	}
	if len(c.officials) >= maxOfficials {
		return -1
	}
	s := string(v)
	c.officialIdx[s] = int32(len(c.officials)) //nolint:gosec // G115: at most maxOfficials
	c.officials = append(c.officials, s)
	return int64(len(c.officials) - 1)
}

// key packs an (agency, field) pair: both are indexes, so non-negative, and
// below 1<<16 (newFeedSource refuses larger whitelists).
func key(agency, field int32) uint32 {
	return uint32(agency)<<16 | uint32(field) //nolint:gosec // G115: see above
}

// Indexes of the report columns feed mode fills, looked up by name so an
// edit of countColumns cannot silently shift them.
var (
	iInProgressNotDue  = columnIndex("in_progress_" + catalog.InProgressNotDue)
	iInProgressOverdue = columnIndex("in_progress_" + catalog.InProgressOverdue)
	iWithdrawn         = columnIndex(ColWithdrawn)
)

func columnIndex(name string) int {
	for i, c := range countColumns {
		if c.name == name {
			return i
		}
	}
	panic("BUG: onestop has no count column " + name)
}

// feedAgg is the whole state of a feed source between runs.
type feedAgg struct {
	codes *feedCodes
	cal   *workday.Calendar

	cursor string
	year   int // the year the month buckets describe; 0 = nothing yet

	keys     map[uint32]*keyStats
	set      *hashSet
	prevSet  *hashSet // last year's set, kept through February (prevSetMonths)
	inprog   map[uint64]inProgress
	offMonth int32            // year*12+month-1 of offLate
	offLate  map[uint64]int64 // agency<<32 | official -> dossiers
	offSeen  *hashSet         // (dossier, official) pairs counted this month
	official bool             // official_late enabled

	now workday.Wall // set by begin for a run
}

// prevSetMonths: last year's set is kept through February, when late updates
// of last year's dossiers (a status 9 in December turned 10 in January) stop.
const prevSetMonths = 2

func newFeedAgg(codes *feedCodes, cal *workday.Calendar, official bool) *feedAgg {
	return &feedAgg{
		codes:    codes,
		cal:      cal,
		keys:     map[uint32]*keyStats{},
		set:      newHashSet(0),
		inprog:   map[uint64]inProgress{},
		offLate:  map[uint64]int64{},
		offSeen:  newHashSet(0),
		official: official,
	}
}

func (a *feedAgg) stats(k uint32) *keyStats {
	ks := a.keys[k]
	if ks == nil {
		ks = &keyStats{}
		a.keys[k] = ks
	}
	return ks
}

// begin prepares a run at now: a new year moves the dossiers in progress into
// carried-over and starts empty months; a new month restarts the officials'
// late counts.
func (a *feedAgg) begin(now time.Time) {
	a.now = a.cal.Wall(now)
	y, m, _ := a.now.Date()
	if a.year == 0 {
		a.year = y
	}
	if y > a.year {
		a.rollover(y)
	}
	if a.prevSet != nil && int(m) > prevSetMonths {
		a.prevSet = nil
	}
	if ym := int32(y*12 + int(m) - 1); ym != a.offMonth { //nolint:gosec // G115: a calendar year fits
		a.offMonth = ym
		a.offLate = map[uint64]int64{}
		a.offSeen = newHashSet(0)
	}
}

func (a *feedAgg) rollover(year int) {
	a.keys = map[uint32]*keyStats{}
	a.prevSet = a.set
	a.set = newHashSet(len(a.inprog))
	for h, ip := range a.inprog {
		a.stats(ip.key).carried++
		a.set.put(h, fRecv)
	}
	a.year = year
}

// apply adds one decoded record and returns its reject reason ("" = counted).
// It is idempotent: a record seen again changes nothing.
func (a *feedAgg) apply(r *feedRecord) string {
	if r.reject != "" {
		return r.reject
	}
	f, ok := finishOf(r)
	if !ok {
		return catalog.RejectMalformed
	}
	if !r.received.ok() {
		if r.status == 1 || r.status == 3 || f.withdrawn {
			return "" // never accepted: not a received dossier
		}
		return catalog.RejectMalformed
	}
	if r.status == 1 || r.status == 3 {
		return "" // registered or refused at the desk: not received
	}
	yearStart := int32(a.year * 12) //nolint:gosec // G115: a calendar year fits
	if !a.plausible(r, f, yearStart) {
		return catalog.RejectInconsistent
	}

	flags := a.set.get(r.id)
	if flags == 0 && a.prevSet != nil {
		if a.prevSet.get(r.id)&fFin != 0 {
			return "" // finished and counted last year
		}
	}
	if flags&fFin != 0 {
		return "" // final: later records of a finished dossier change nothing
	}
	ip, inProg := a.inprog[r.id]
	k := key(r.agency, r.field)
	if inProg {
		k = ip.key // counts stay where the dossier was received
	}
	flags, ok = a.countReceived(r, k, flags, f, yearStart)
	if !ok {
		return "" // a past year's dossier, finished then
	}
	if f.done() {
		a.countFinished(r, k, f, yearStart)
		flags |= fFin
		if inProg {
			delete(a.inprog, r.id)
		}
	} else {
		a.inprog[r.id] = inProgress{key: k, due: r.due.w, hasDue: r.due.ok(), supplement: r.status == 5}
	}
	a.set.put(r.id, flags)
	if a.official {
		a.lateSteps(r, k)
	}
	return ""
}

// finish is how a record says its dossier ended, if it did.
type finish struct {
	at                  date
	resolved, withdrawn bool
}

func (f finish) done() bool { return f.resolved || f.withdrawn }

// finishOf reads the end of a dossier from its status and dates; false when
// a resolved dossier has no date to count it by.
func finishOf(r *feedRecord) (finish, bool) {
	var f finish
	switch r.status {
	case 9, 10: // processed, result returned
		f.resolved = true
		// TH's rule: the return date decides the period and the timeliness.
		f.at = r.returned
		if !f.at.ok() {
			f.at = r.finished
		}
		if !f.at.ok() {
			return f, false
		}
	case 7, 8: // withdrawn, stopped
		f.withdrawn = true
		f.at = r.finished
		if !f.at.ok() {
			f.at = r.returned
		}
		if !f.at.ok() {
			f.at = r.updated
		}
	}
	return f, true
}

// plausible refuses dates in the future (beyond a day of slack for clocks)
// or after this year, and an end before the receipt.
func (a *feedAgg) plausible(r *feedRecord, f finish, yearStart int32) bool {
	limit := a.now + 86400
	if r.received.w > limit || r.received.ym >= yearStart+12 {
		return false
	}
	return !f.done() || (f.at.w >= r.received.w && f.at.w <= limit && f.at.ym < yearStart+12)
}

// countReceived counts the receipt of a dossier not counted yet, and its
// digitised and paid-online flags the first time a record shows them; false
// for a dossier of a past year that ended then (nothing to count).
func (a *feedAgg) countReceived(r *feedRecord, k uint32, flags uint8, f finish, yearStart int32) (uint8, bool) {
	if flags&fRecv == 0 {
		if r.received.ym < yearStart {
			if f.done() && f.at.ym < yearStart {
				return flags, false
			}
			a.stats(k).carried++
		} else {
			a.stats(k).months[r.received.ym-yearStart].received[r.channel]++
		}
		flags |= fRecv
	}
	if r.received.ym >= yearStart {
		ms := &a.stats(k).months[r.received.ym-yearStart]
		if r.digitised && flags&fDigit == 0 {
			ms.digitised++
			flags |= fDigit
		}
		if r.paidOnline && flags&fPaid == 0 {
			ms.paidOnline++
			flags |= fPaid
		}
	}
	return flags, true
}

// countFinished counts a dossier's end in its month: resolved by timeliness
// (and its processing time when the legal duration is known) or withdrawn.
func (a *feedAgg) countFinished(r *feedRecord, k uint32, f finish, yearStart int32) {
	if f.at.ym < yearStart {
		// Counted as carried into this year, but it ended last year.
		a.stats(k).carried--
		return
	}
	ms := &a.stats(k).months[f.at.ym-yearStart]
	if !f.resolved {
		ms.withdrawn++
		return
	}
	ms.resolved[timeliness(f.at, r.due)]++
	if r.legal > 0 {
		ms.procSec += max(0, a.cal.WorkingSeconds(r.received.w, f.at.w))
		ms.legalSec += r.legal
		ms.timed++
	}
}

// lateSteps counts each (dossier, official) once a month when one of the
// official's steps of the dossier ended late this month.
func (a *feedAgg) lateSteps(r *feedRecord, k uint32) {
	for _, st := range r.lateSteps {
		if st.end.ym != a.offMonth {
			continue
		}
		pair := r.id ^ (uint64(st.official)+1)*goldenMul
		if a.offSeen.get(pair) != 0 {
			continue
		}
		a.offSeen.put(pair, 1)
		a.offLate[uint64(k>>16)<<32|uint64(st.official)]++
	}
}

// timeliness indexes resolved counts: late after the appointment time, early
// on an earlier day than the appointment, on time otherwise (and without an
// appointment date).
func timeliness(at, due date) int {
	switch {
	case !due.ok():
		return 1
	case at.w > due.w:
		return 2
	case at.w.Day() < due.w.Day():
		return 0
	}
	return 1
}

// inProgressNow counts the dossiers in progress per key at a.now.
type nowCounts struct {
	notDue, overdue, supplement, dueSoon int64
}

func (a *feedAgg) inProgressNow() map[uint32]*nowCounts {
	out := map[uint32]*nowCounts{}
	day := int64(a.cal.DayLength() / time.Second)
	for _, ip := range a.inprog {
		c := out[ip.key]
		if c == nil {
			c = &nowCounts{}
			out[ip.key] = c
		}
		switch {
		case ip.supplement:
			// The clock stops while the applicant owes documents (a supplement
			// request moves the appointment date): not due, not due soon.
			c.notDue++
			c.supplement++
		case ip.hasDue && ip.due < a.now:
			c.overdue++
		default:
			c.notDue++
			if ip.hasDue && a.cal.WorkingSeconds(a.now, ip.due) <= day {
				c.dueSoon++
			}
		}
	}
	return out
}

// emit writes the period report (through the report mode's emit, so both
// modes export identically) and the feed-only metrics.
func (a *feedAgg) emit(res *source.Result, periodReport bool) {
	_, m, _ := a.now.Date()
	cur := int(m) - 1
	now := a.inProgressNow()
	keys := make([]uint32, 0, len(a.keys)+len(now))
	seen := map[uint32]bool{}
	for k := range a.keys {
		keys = append(keys, k)
		seen[k] = true
	}
	for k := range now {
		if !seen[k] {
			keys = append(keys, k)
		}
	}
	label := func(k uint32) [2]string {
		return [2]string{a.codes.agencies[k>>16], a.codes.fields[k&0xffff]}
	}
	sort.Slice(keys, func(i, j int) bool {
		li, lj := label(keys[i]), label(keys[j])
		if li[0] != lj[0] {
			return li[0] < lj[0]
		}
		return li[1] < lj[1]
	})
	firsts := map[string]int{catalog.PeriodMonth: cur, catalog.PeriodQuarter: cur / 3 * 3, catalog.PeriodYear: 0}
	for _, period := range catalog.Periods {
		first := firsts[period]
		agg := map[[2]string]*[nCounts]float64{}
		extra := map[[2]string]*monthStats{}
		for _, k := range keys {
			var sum monthStats
			var carried int64
			if ks := a.keys[k]; ks != nil {
				carried = ks.carried
				for i := 0; i < first; i++ {
					ms := &ks.months[i]
					carried += ms.received[0] + ms.received[1] + ms.received[2] - ms.resolved[0] - ms.resolved[1] - ms.resolved[2] - ms.withdrawn
				}
				for i := first; i <= cur; i++ {
					addStats(&sum, &ks.months[i])
				}
			}
			var c [nCounts]float64
			c[iCarried] = float64(max(carried, 0))
			for ch := 0; ch < 3; ch++ {
				c[iReceivedLo+ch] = float64(sum.received[ch])
				c[iResolvedLo+ch] = float64(sum.resolved[ch])
			}
			if n := now[k]; n != nil {
				c[iInProgressNotDue] = float64(n.notDue)
				c[iInProgressOverdue] = float64(n.overdue)
				c[iAwaitingSupp] = float64(n.supplement)
			}
			c[iWithdrawn] = float64(sum.withdrawn)
			l := label(k)
			agg[l] = &c
			extra[l] = &sum
		}
		if periodReport {
			emit(res, period, agg)
		}
		// The feed-only metrics follow the same keys, in the same order.
		for _, k := range keys {
			l := label(k)
			if *agg[l] == ([nCounts]float64{}) {
				continue
			}
			sum := extra[l]
			res.Add(catalog.DossiersDigitised, float64(sum.digitised), l[0], l[1], period)
			res.Add(catalog.DossiersPaidOnline, float64(sum.paidOnline), l[0], l[1], period)
			if sum.timed > 0 {
				res.Add(catalog.DossiersTimed, float64(sum.timed), l[0], l[1], period)
				res.Add(catalog.DossiersProcessingSeconds, float64(sum.procSec), l[0], l[1], period)
				res.Add(catalog.DossiersLegalSeconds, float64(sum.legalSec), l[0], l[1], period)
			}
		}
	}
	for _, k := range keys {
		if n := now[k]; n != nil {
			l := label(k)
			res.Add(catalog.DossiersDueSoon, float64(n.dueSoon), l[0], l[1])
		}
	}
	if a.official {
		type row struct {
			agency, official string
			n                int64
		}
		var rows []row
		for k, n := range a.offLate {
			if n > 0 {
				rows = append(rows, row{a.codes.agencies[k>>32], a.codes.officials[uint32(k)], n}) //nolint:gosec // G115: the low half is the official
			}
		}
		sort.Slice(rows, func(i, j int) bool {
			if rows[i].agency != rows[j].agency {
				return rows[i].agency < rows[j].agency
			}
			return rows[i].official < rows[j].official
		})
		for _, r := range rows {
			res.Add(catalog.OfficialLateDossiers, float64(r.n), r.agency, r.official)
		}
	}
}

func addStats(dst, src *monthStats) {
	for i := 0; i < 3; i++ {
		dst.received[i] += src.received[i]
		dst.resolved[i] += src.resolved[i]
	}
	dst.withdrawn += src.withdrawn
	dst.procSec += src.procSec
	dst.legalSec += src.legalSec
	dst.timed += src.timed
	dst.digitised += src.digitised
	dst.paidOnline += src.paidOnline
}
