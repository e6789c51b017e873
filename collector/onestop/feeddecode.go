package onestop

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
	"github.com/govpulse/govpulse/collector/workday"
)

// The feed decoder is a hand-written JSON scanner over a fixed buffer. It
// walks the sync envelope and each record, keeps the few fields the report
// needs in a fixed-size feedRecord, and skips everything else without copying
// it: applicant data (ChuHoSo, SoGiayToChuHoSo, SoDienThoai, Email,
// DinhDanhCHS, DiaChi…, TrichYeuHoSo) and the document lists are stepped over
// byte by byte and never become strings, so personal data cannot reach a
// metric, a log line, the state file or an error message. Error messages
// carry byte offsets and field names, never input bytes.
//
// Memory is the buffer plus one record, whatever the body's size.

const (
	feedBufSize  = 64 << 10
	maxDepth     = 128 // nesting allowed in skipped values
	maxValueLen  = 64  // longest kept string (codes, dates, MaHoSo)
	maxCursorLen = 256 // longest next_cursor accepted
	maxSteps     = 32  // process-log entries kept per record
)

// date is a feed timestamp (yyyyMMddHHmmss, province time) as a wall-clock
// time; ym is year*12 + month-1, 0 when the field is absent.
type date struct {
	w  workday.Wall
	ym int32
}

func (d date) ok() bool { return d.ym != 0 }

// Channel indexes into the received counts (countColumns order).
const (
	chInPerson = 0
	chOnline   = 1
	chPostal   = 2
)

// lateStep is a late step of the process log: an official and when it ended.
type lateStep struct {
	official uint32 // index into feedCodes.officials
	end      date
}

// feedRecord is what the decoder keeps of one dossier record.
type feedRecord struct {
	id      uint64 // FNV-1a of MaHoSo; 0 when absent
	agency  int32  // index into feedCodes.agencies, -1 when absent
	field   int32  // index into feedCodes.fields (0 = all fields), -1 when absent
	channel int8
	status  int8 // 0 when absent
	// legal is the procedure's legal duration in working seconds, -1 if unknown.
	legal int64

	received, due, returned, finished, updated date
	// submitted is NgayNopHoSo, read only as a fallback for updated.
	submitted date

	digitised, paidOnline bool

	// reject is the first reason found to drop the record ("" = good).
	reject string

	lateSteps []lateStep
}

func (r *feedRecord) reset() {
	steps := r.lateSteps[:0]
	*r = feedRecord{agency: -1, field: -1, legal: -1, lateSteps: steps}
}

func (r *feedRecord) rejectAs(reason string) {
	if r.reject == "" {
		r.reject = reason
	}
}

// pageInfo is what the envelope says besides its records.
type pageInfo struct {
	records    int
	cursor     string // next_cursor, "" when absent
	maxUpdated date
	errorCode  string // error_code when not "0"
}

// feedDecoder decodes pages; it is reused across pages of a run so its
// buffer is allocated once.
type feedDecoder struct {
	s     scanner
	codes *feedCodes
	// official enables reading the process log.
	official bool
	// dayLen converts legal durations in working days to seconds.
	dayLen int64
	rec    feedRecord
	key    [40]byte
	val    [maxValueLen]byte
}

func newFeedDecoder(codes *feedCodes, official bool, dayLen int64) *feedDecoder {
	d := &feedDecoder{codes: codes, official: official, dayLen: dayLen}
	d.s.buf = make([]byte, feedBufSize)
	d.rec.lateSteps = make([]lateStep, 0, maxSteps)
	return d
}

// decode reads one envelope from r and calls apply with every record (good or
// rejected: apply counts the rejection). The record is only valid during the
// call. A structural error (not JSON, truncated, a read failure) stops the
// page: the stream cannot be resynchronised.
func (d *feedDecoder) decode(r io.Reader, apply func(*feedRecord)) (pageInfo, error) {
	s := &d.s
	s.reset(r)
	var info pageInfo
	ok := s.expect('{') && s.members(d.key[:], "want , or } after an envelope member", func(key []byte) bool {
		switch string(key) {
		case "data":
			return d.data(&info, apply)
		case "next_cursor":
			return d.cursor(&info)
		case "error_code":
			return d.errorCode(&info)
		}
		return s.skipValue()
	})
	if !ok {
		return info, s.failure()
	}
	return info, s.trailer()
}

// cursor reads next_cursor: null, or a short printable ASCII string. A value
// of the wrong kind is a decode error of its own, not a syntax error.
func (d *feedDecoder) cursor(info *pageInfo) bool {
	s := &d.s
	c, ok := s.ws()
	switch {
	case !ok:
		return false
	case c == 'n':
		return s.skipValue()
	case c == '"':
		s.pos++
		var buf [maxCursorLen]byte
		n, long, ok := s.readString(buf[:])
		if !ok {
			return false
		}
		if long || !printableASCII(buf[:n]) {
			s.err = source.Errorf(catalog.ReasonDecode, "malformed feed: next_cursor is not a cursor (printable ASCII, at most %d bytes)", maxCursorLen)
			return false
		}
		info.cursor = string(buf[:n])
		return true
	}
	s.err = source.Errorf(catalog.ReasonDecode, "malformed feed: next_cursor is not a string")
	return false
}

// errorCode reads error_code: "0", 0 or absent mean no error; a short code
// is kept as is, anything else becomes "?" (it may not be printable).
func (d *feedDecoder) errorCode(info *pageInfo) bool {
	kind, n := d.scalar()
	if kind == kindBad {
		return false
	}
	if kind == kindLong {
		info.errorCode = "?"
	}
	if v := d.val[:n]; (kind == kindString || kind == kindNumber) && n > 0 && (n != 1 || v[0] != '0') {
		info.errorCode = "?"
		if n <= 8 && printableASCII(v) {
			info.errorCode = string(v)
		}
	}
	return true
}

// data walks the array of records.
func (d *feedDecoder) data(info *pageInfo, apply func(*feedRecord)) bool {
	s := &d.s
	c, ok := s.ws()
	if !ok {
		return false
	}
	if c == 'n' { // "data": null is an empty page
		return s.skipValue()
	}
	if !s.expect('[') {
		return false
	}
	return s.elements("want , or ] after a record", func() bool {
		c, ok := s.ws()
		if !ok {
			return false
		}
		r := &d.rec
		r.reset()
		if d.codes.perAgency {
			r.field = 0 // the field is not read with detail agency
		}
		if c == '{' {
			s.pos++
			if !d.record(r) {
				return false
			}
		} else {
			if !s.skipValue() {
				return false
			}
			r.rejectAs(catalog.RejectMalformed)
		}
		d.check(r)
		info.records++
		// Rejected records move the cursor too, or a page of them would stall
		// it (unless most of the page is rejected: feed.go then fails the run).
		if r.updated.ok() && r.updated.w > info.maxUpdated.w {
			info.maxUpdated = r.updated
		}
		apply(r)
		return true
	})
}

// check rejects records missing what every record needs. A record without
// NgayCapNhat (some one-stop systems never fill it) is dated by the latest
// date it carries among NgayTra, NgayKetThucXuLy, NgayTiepNhan and
// NgayNopHoSo: the last thing that happened to the dossier, so the cursor
// still advances and a later record of the same dossier still wins. Only a
// record with none of these dates is malformed.
func (d *feedDecoder) check(r *feedRecord) {
	if !r.updated.ok() {
		for _, c := range [...]date{r.returned, r.finished, r.received, r.submitted} {
			if c.ok() && (!r.updated.ok() || c.w > r.updated.w) {
				r.updated = c
			}
		}
	}
	switch {
	case r.id == 0, !r.updated.ok():
		r.rejectAs(catalog.RejectMalformed)
	case r.status == 0:
		r.rejectAs(catalog.RejectMalformed)
	case r.agency < 0:
		r.rejectAs(catalog.RejectMalformed)
	case r.field < 0:
		r.rejectAs(catalog.RejectMalformed)
	}
}

// record decodes the members of one record; '{' is consumed.
func (d *feedDecoder) record(r *feedRecord) bool {
	return d.s.members(d.key[:], "want , or } after a record member", func(key []byte) bool {
		return d.member(r, key)
	})
}

// member decodes one record member. Only the listed keys are read; every
// other value — personal data included — is skipped unread.
func (d *feedDecoder) member(r *feedRecord, key []byte) bool {
	// Most kept members are one scalar: the switch picks what records it.
	var set func(d *feedDecoder, r *feedRecord, kind, n int)
	switch string(key) { // no allocation: the compiler compares in place
	case "MaHoSo":
		set = (*feedDecoder).setID
	case "DonViXuLy":
		set = (*feedDecoder).setAgency
	case "MaLinhVuc":
		set = (*feedDecoder).setField
	case "KenhThucHien":
		set = (*feedDecoder).setChannel
	case "TrangThaiHoSo":
		set = (*feedDecoder).setStatus
	case "ThoiGianQuyDinh":
		set = (*feedDecoder).setLegal
	case "HoSoCoThanhPhanSoHoa":
		set = (*feedDecoder).setDigitised
	case "DuocThanhToanTrucTuyen":
		set = (*feedDecoder).setPaidOnline
	case "NgayTiepNhan":
		return d.date(r, &r.received)
	case "NgayHenTra":
		return d.date(r, &r.due)
	case "NgayTra":
		return d.date(r, &r.returned)
	case "NgayKetThucXuLy":
		return d.date(r, &r.finished)
	case "NgayCapNhat":
		return d.date(r, &r.updated)
	case "NgayNopHoSo":
		return d.date(r, &r.submitted)
	case "QuaTrinhXuLy":
		if d.official {
			return d.processLog(r)
		}
		return d.s.skipValue()
	default:
		return d.s.skipValue()
	}
	kind, n := d.scalar()
	if kind == kindBad {
		return false
	}
	set(d, r, kind, n)
	return d.s.err == nil
}

// The setters record one scalar member (kind and d.val[:n] from scalar,
// never kindBad), rejecting the record where the value is wrong.

func (d *feedDecoder) setID(r *feedRecord, kind, n int) {
	switch {
	case kind == kindString && n > 0:
		r.id = fnv1a(d.val[:n])
	case kind == kindLong:
		r.rejectAs(catalog.RejectMalformed)
	}
}

func (d *feedDecoder) setAgency(r *feedRecord, kind, n int) {
	r.agency = d.code(r, kind, d.val[:n], isAgencyCode, d.codes.agencyIdx)
}

func (d *feedDecoder) setField(r *feedRecord, kind, n int) {
	if d.codes.perAgency {
		return
	}
	r.field = d.code(r, kind, d.val[:n], isFieldCode, d.codes.fieldIdx)
}

func (d *feedDecoder) setChannel(r *feedRecord, kind, n int) {
	if kind == kindNull || (kind == kindString && n == 0) {
		r.channel = chInPerson // null counts as in person (domain.md §3)
		return
	}
	v, ok := d.integer(kind, n)
	switch {
	case !ok:
		r.rejectAs(catalog.RejectMalformed)
	case v < 0:
		r.rejectAs(catalog.RejectNegative)
	case v >= 1 && v <= 3:
		r.channel = int8(v - 1)
	default:
		r.rejectAs(catalog.RejectUnknownCode)
	}
}

func (d *feedDecoder) setStatus(r *feedRecord, kind, n int) {
	v, ok := d.integer(kind, n)
	switch {
	case !ok:
		r.rejectAs(catalog.RejectMalformed)
	case v < 0:
		r.rejectAs(catalog.RejectNegative)
	case v >= 1 && v <= 10:
		r.status = int8(v)
	default:
		r.rejectAs(catalog.RejectUnknownCode)
	}
}

func (d *feedDecoder) setLegal(r *feedRecord, kind, n int) {
	if kind == kindNull || (kind == kindString && n == 0) {
		return
	}
	milli, ok := parseMilli(d.val[:n])
	switch {
	case !ok || (kind != kindNumber && kind != kindString):
		r.rejectAs(catalog.RejectMalformed)
	case milli < 0:
		r.rejectAs(catalog.RejectNegative)
	case milli > 3650*1000: // ten years: not a procedure's duration
		r.rejectAs(catalog.RejectMalformed)
	case milli > 0: // 0 ("within the day") has no usable legal maximum
		r.legal = milli * d.dayLen / 1000
	}
}

func (d *feedDecoder) setDigitised(r *feedRecord, kind, n int) {
	r.digitised = truthy(kind, d.val[:n])
}

func (d *feedDecoder) setPaidOnline(r *feedRecord, kind, n int) {
	r.paidOnline = truthy(kind, d.val[:n])
}

// code validates a code value and interns it; -1 means rejected.
func (d *feedDecoder) code(r *feedRecord, kind int, v []byte, valid func([]byte) bool, idx map[string]int32) int32 {
	switch {
	case kind == kindNull:
		return -1 // missing: check() rejects as malformed
	case kind == kindNumber:
		r.rejectAs(catalog.RejectBadCode)
		return -1
	case kind != kindString:
		r.rejectAs(catalog.RejectMalformed)
		return -1
	}
	v = bytes.TrimSpace(v)
	if !valid(v) {
		r.rejectAs(catalog.RejectBadCode)
		return -1
	}
	i, ok := idx[string(v)]
	if !ok {
		r.rejectAs(catalog.RejectUnknownCode)
		return -1
	}
	return i
}

func (d *feedDecoder) date(r *feedRecord, dst *date) bool {
	kind, n := d.scalar()
	switch {
	case kind == kindBad:
		return false
	case kind == kindNull, kind == kindString && n == 0:
		*dst = date{}
	case kind != kindString:
		r.rejectAs(catalog.RejectMalformed)
	default:
		dt, ok := parseStamp(d.val[:n])
		if !ok {
			r.rejectAs(catalog.RejectMalformed)
		}
		*dst = dt
	}
	return true
}

// processLog reads QuaTrinhXuLy and keeps the steps that ended after their
// deadline. Only the account code (NguoiXuLy) and two dates are read; the
// official's name (TenNguoiXuLy) and comments are skipped like any PII.
func (d *feedDecoder) processLog(r *feedRecord) bool {
	s := &d.s
	c, ok := s.ws()
	if !ok {
		return false
	}
	if c != '[' {
		return s.skipValue()
	}
	s.pos++
	return s.elements("want , or ] in QuaTrinhXuLy", func() bool {
		c, ok := s.ws()
		if !ok {
			return false
		}
		if c != '{' {
			return s.skipValue()
		}
		s.pos++
		return d.logEntry(r)
	})
}

// logEntry reads one process-log step; '{' is consumed.
func (d *feedDecoder) logEntry(r *feedRecord) bool {
	var official int64 = -1
	var end, deadline date
	ok := d.s.members(d.key[:], "want , or } in a QuaTrinhXuLy entry", func(key []byte) bool {
		switch string(key) {
		case "NguoiXuLy":
			kind, n := d.scalar()
			if kind == kindBad {
				return false
			}
			if kind == kindString {
				official = d.codes.official(d.val[:n])
			}
		case "NgayKetThuc", "HanXuLy":
			kind, n := d.scalar()
			if kind == kindBad {
				return false
			}
			var dt date
			if kind == kindString {
				dt, _ = parseStamp(d.val[:n]) // a bad step date drops the step, not the record
			}
			if key[0] == 'N' {
				end = dt
			} else {
				deadline = dt
			}
		default:
			return d.s.skipValue()
		}
		return true
	})
	if ok && official >= 0 && end.ok() && deadline.ok() && end.w > deadline.w && len(r.lateSteps) < maxSteps {
		r.lateSteps = append(r.lateSteps, lateStep{official: uint32(official), end: end})
	}
	return ok
}

// Value kinds of scalar.
const (
	kindBad    = iota // a structural error (s.err is set)
	kindString        // d.val[:n] holds the decoded string
	kindLong          // a string longer than maxValueLen (skipped)
	kindNumber        // d.val[:n] holds the number's text
	kindTrue
	kindFalse
	kindNull
	kindOther // an object or array (skipped)
)

// scalar reads the next value into d.val when it is a short string or a
// number. Objects, arrays and long strings are skipped.
func (d *feedDecoder) scalar() (int, int) {
	s := &d.s
	c, ok := s.ws()
	if !ok {
		return kindBad, 0
	}
	switch {
	case c == '"':
		s.pos++
		n, long, ok := s.readString(d.val[:])
		if !ok {
			return kindBad, 0
		}
		if long {
			return kindLong, 0
		}
		return kindString, n
	case c == '-' || (c >= '0' && c <= '9'):
		n, ok := s.readNumber(d.val[:])
		if !ok {
			return kindBad, 0
		}
		return kindNumber, n
	case c == 't':
		return d.literal("true", kindTrue)
	case c == 'f':
		return d.literal("false", kindFalse)
	case c == 'n':
		return d.literal("null", kindNull)
	case c == '{' || c == '[':
		if !s.skipValue() {
			return kindBad, 0
		}
		return kindOther, 0
	}
	s.fail("want a value")
	return kindBad, 0
}

func (d *feedDecoder) literal(lit string, kind int) (int, int) {
	if !d.s.literal(lit) {
		return kindBad, 0
	}
	return kind, 0
}

// integer reads a whole number given as a JSON number or a numeric string.
func (d *feedDecoder) integer(kind, n int) (int64, bool) {
	if kind != kindNumber && kind != kindString {
		return 0, false
	}
	v := bytes.TrimSpace(d.val[:n])
	neg := len(v) > 0 && v[0] == '-'
	if neg {
		v = v[1:]
	}
	if len(v) == 0 || len(v) > 9 {
		return 0, false
	}
	var x int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		x = x*10 + int64(c-'0')
	}
	if neg {
		x = -x
	}
	return x, true
}

// parseMilli parses a decimal ("15", "0.5", "-2") into thousandths.
func parseMilli(v []byte) (int64, bool) {
	v = bytes.TrimSpace(v)
	neg := len(v) > 0 && v[0] == '-'
	if neg {
		v = v[1:]
	}
	var x int64
	digits, frac := 0, -1
	for _, c := range v {
		switch {
		case c >= '0' && c <= '9':
			if frac >= 0 {
				if frac >= 3 {
					continue // finer than a thousandth: ignored
				}
				frac++
			}
			if digits++; digits > 12 {
				return 0, false
			}
			x = x*10 + int64(c-'0')
		case c == '.' && frac < 0:
			frac = 0
		default:
			return 0, false
		}
	}
	if digits == 0 {
		return 0, false
	}
	if frac < 0 {
		frac = 0
	}
	for ; frac < 3; frac++ {
		x *= 10
	}
	if neg {
		x = -x
	}
	return x, true
}

// truthy reads the flag spellings seen in sync records: true/false, 1/0,
// "1"/"0", "true"/"True". Anything else is false.
func truthy(kind int, v []byte) bool {
	switch kind {
	case kindTrue:
		return true
	case kindNumber, kindString:
		return (len(v) == 1 && v[0] == '1') || bytes.EqualFold(v, []byte("true"))
	}
	return false
}

// parseStamp parses yyyyMMddHHmmss.
func parseStamp(v []byte) (date, bool) {
	if len(v) != 14 {
		return date{}, false
	}
	var x [7]int
	widths := [7]int{4, 2, 2, 2, 2, 2, 0}
	p := 0
	for i := 0; i < 6; i++ {
		for j := 0; j < widths[i]; j++ {
			c := v[p]
			if c < '0' || c > '9' {
				return date{}, false
			}
			x[i] = x[i]*10 + int(c-'0')
			p++
		}
	}
	y, mo, d, h, mi, sec := x[0], x[1], x[2], x[3], x[4], x[5]
	if y < 1990 || y > 2100 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || sec > 59 {
		return date{}, false
	}
	return date{w: workday.WallDate(y, time.Month(mo), d, h, mi, sec), ym: int32(y*12 + mo - 1)}, true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// isAgencyCode is catalog.AgencyCodePattern (GGG.GG.GG.Xnn) without a regexp.
func isAgencyCode(v []byte) bool {
	if len(v) != 13 {
		return false
	}
	for i, c := range v {
		switch i {
		case 3, 6, 9:
			if c != '.' {
				return false
			}
		case 10:
			if c < 'A' || c > 'Z' {
				return false
			}
		default:
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}

// isFieldCode is catalog.FieldCodePattern without a regexp.
func isFieldCode(v []byte) bool {
	if len(v) == 0 || len(v) > 32 || !alnum(v[0]) {
		return false
	}
	for _, c := range v[1:] {
		if !alnum(c) && c != '.' && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// isOfficialCode is catalog.OfficialCodePattern plus at least one letter, so a
// phone or ID number sent as an account code is refused.
func isOfficialCode(v []byte) bool {
	if !isFieldCodeN(v, 64) {
		return false
	}
	for _, c := range v {
		if (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') {
			return true
		}
	}
	return false
}

func isFieldCodeN(v []byte, max int) bool {
	if len(v) == 0 || len(v) > max || !alnum(v[0]) {
		return false
	}
	for _, c := range v[1:] {
		if !alnum(c) && c != '.' && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

func alnum(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func printableASCII(v []byte) bool {
	for _, c := range v {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// fnv1a is the 64-bit FNV-1a hash: dossiers are remembered by the hash of
// their MaHoSo, never by the code itself.
func fnv1a(v []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range v {
		h ^= uint64(c)
		h *= 1099511628211
	}
	if h == 0 {
		h = 1 // 0 means "no id"
	}
	return h
}

// scanner is the byte level: a buffer over an io.Reader, whitespace, strings,
// numbers and skipping. Errors are sticky in err.
type scanner struct {
	r        io.Reader
	buf      []byte
	pos, end int
	consumed int64 // bytes before buf[0], for error offsets
	err      error
	eof      bool
}

func (s *scanner) reset(r io.Reader) {
	s.r, s.pos, s.end, s.consumed, s.err, s.eof = r, 0, 0, 0, nil, false
}

// more refills an exhausted buffer; false at the end of input or on error.
func (s *scanner) more() bool {
	if s.pos < s.end {
		return true
	}
	if s.err != nil || s.eof {
		return false
	}
	s.consumed += int64(s.end)
	s.pos, s.end = 0, 0
	for i := 0; i < 100; i++ {
		n, err := s.r.Read(s.buf)
		s.end = n
		if err != nil {
			if errors.Is(err, io.EOF) {
				s.eof = true
			} else {
				s.err = readError(err)
				return false
			}
		}
		if n > 0 {
			return true
		}
		if s.eof {
			return false
		}
	}
	s.err = source.Errorf(catalog.ReasonTransport, "cannot read the feed: the reader returns no data")
	return false
}

// readError keeps the classification httpc gives a failed body read, and
// calls anything else a transport failure.
func readError(err error) error {
	var se *source.Error
	if errors.As(err, &se) {
		return fmt.Errorf("cannot read the feed: %w", err)
	}
	return source.Errorf(catalog.ReasonTransport, "cannot read the feed: %w", err)
}

func (s *scanner) offset() int64 { return s.consumed + int64(s.pos) }

// fail records a syntax error. The message names what was expected and the
// byte offset, never the input itself (it may be personal data).
func (s *scanner) fail(what string) {
	if s.err == nil {
		s.err = source.Errorf(catalog.ReasonDecode, "malformed feed at byte %d: %s", s.offset(), what)
	}
}

// failure returns the sticky error, or calls a clean end of input truncation.
func (s *scanner) failure() error {
	if s.err == nil {
		s.err = source.Errorf(catalog.ReasonDecode, "malformed feed: truncated at byte %d", s.offset())
	}
	return s.err
}

// trailer accepts only whitespace after the envelope.
func (s *scanner) trailer() error {
	if _, ok := s.ws(); ok {
		s.fail("data after the envelope")
		return s.err
	}
	return s.err
}

// ws skips whitespace and returns the next byte without consuming it.
func (s *scanner) ws() (byte, bool) {
	for {
		for s.pos < s.end {
			c := s.buf[s.pos]
			if c != ' ' && c != '\n' && c != '\r' && c != '\t' {
				return c, true
			}
			s.pos++
		}
		if !s.more() {
			return 0, false
		}
	}
}

func (s *scanner) expect(c byte) bool {
	got, ok := s.ws()
	if !ok {
		return false
	}
	if got != c {
		s.fail("want " + strconv.QuoteRune(rune(c)))
		return false
	}
	s.pos++
	return true
}

func (s *scanner) literal(lit string) bool {
	for i := 0; i < len(lit); i++ {
		if !s.more() {
			return false
		}
		if s.buf[s.pos] != lit[i] {
			s.fail("want " + lit)
			return false
		}
		s.pos++
	}
	return true
}

// members walks the members of an object whose '{' is consumed, up to and
// including its '}'. Each key is read into key and passed to value, which
// must consume the member's value: a key longer than key arrives empty (no
// kept key is that long); with key nil, keys are skipped unread. what is the
// syntax error after a member that neither ',' nor '}' follows.
func (s *scanner) members(key []byte, what string, value func(key []byte) bool) bool {
	if c, ok := s.ws(); ok && c == '}' {
		s.pos++
		return true
	}
	for {
		if !s.expect('"') {
			return false
		}
		var k []byte
		if key == nil {
			if !s.skipString() {
				return false
			}
		} else {
			n, long, ok := s.readString(key)
			if !ok {
				return false
			}
			if long {
				n = 0
			}
			k = key[:n]
		}
		if !s.expect(':') || !value(k) {
			return false
		}
		if more, ok := s.separator('}', what); !more {
			return ok
		}
	}
}

// elements walks an array whose '[' is consumed, up to and including its
// ']', calling elem to consume each element. what is the syntax error after
// an element that neither ',' nor ']' follows.
func (s *scanner) elements(what string, elem func() bool) bool {
	if c, ok := s.ws(); ok && c == ']' {
		s.pos++
		return true
	}
	for {
		if !elem() {
			return false
		}
		if more, ok := s.separator(']', what); !more {
			return ok
		}
	}
}

// separator consumes what follows a member or an element: ',' (more is
// true) or the closing byte (more false, ok true). Anything else is the
// syntax error what (more and ok false).
func (s *scanner) separator(closing byte, what string) (more, ok bool) {
	c, ok := s.ws()
	switch {
	case !ok:
		return false, false
	case c == ',':
		s.pos++
		return true, true
	case c == closing:
		s.pos++
		return false, true
	}
	s.fail(what)
	return false, false
}

// skipValue steps over one value of any kind without keeping it.
func (s *scanner) skipValue() bool { return s.skip(0) }

func (s *scanner) skip(depth int) bool {
	if depth > maxDepth {
		s.fail("nesting too deep")
		return false
	}
	c, ok := s.ws()
	if !ok {
		return false
	}
	switch {
	case c == '"':
		s.pos++
		return s.skipString()
	case c == '{':
		s.pos++
		return s.members(nil, "want , or }", func([]byte) bool { return s.skip(depth + 1) })
	case c == '[':
		s.pos++
		return s.elements("want , or ]", func() bool { return s.skip(depth + 1) })
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		_, ok := s.readNumber(nil)
		return ok
	}
	s.fail("want a value")
	return false
}

// skipString steps over a string whose opening quote is consumed. It looks
// for the closing quote with bytes.IndexByte and handles escapes only where
// a backslash occurs, so long text is skipped at memory speed.
func (s *scanner) skipString() bool {
	for {
		if !s.more() {
			return false
		}
		b := s.buf[s.pos:s.end]
		q := bytes.IndexByte(b, '"')
		seg := b
		if q >= 0 {
			seg = b[:q]
		}
		bs := bytes.IndexByte(seg, '\\')
		if bs < 0 {
			if q >= 0 {
				s.pos += q + 1
				return true
			}
			s.pos = s.end
			continue
		}
		s.pos += bs + 1 // the backslash; the escaped byte follows
		if !s.more() {
			return false
		}
		switch s.buf[s.pos] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't', 'u':
			// \uXXXX: the hex digits are ordinary bytes to a skipper.
		default:
			s.fail("bad escape")
			return false
		}
		s.pos++
	}
}

// readString reads a string whose opening quote is consumed into dst,
// decoding escapes. When it does not fit, the rest is skipped and long is true.
func (s *scanner) readString(dst []byte) (n int, long, ok bool) {
	// Fast path: the whole string is in the buffer, without escapes.
	if b := s.buf[s.pos:s.end]; len(b) > 0 {
		lim := b
		if len(lim) > len(dst)+1 {
			lim = lim[:len(dst)+1]
		}
		if q := bytes.IndexByte(lim, '"'); q >= 0 && bytes.IndexByte(lim[:q], '\\') < 0 {
			n = copy(dst, lim[:q])
			s.pos += q + 1
			return n, false, true
		}
	}
	for {
		if !s.more() {
			return n, long, false
		}
		c := s.buf[s.pos]
		s.pos++
		switch c {
		case '"':
			return n, long, true
		case '\\':
			if !s.more() {
				return n, long, false
			}
			e := s.buf[s.pos]
			s.pos++
			var r rune
			switch e {
			case '"', '\\', '/':
				r = rune(e)
			case 'b':
				r = '\b'
			case 'f':
				r = '\f'
			case 'n':
				r = '\n'
			case 'r':
				r = '\r'
			case 't':
				r = '\t'
			case 'u':
				var x rune
				for i := 0; i < 4; i++ {
					if !s.more() {
						return n, long, false
					}
					h := s.buf[s.pos]
					s.pos++
					switch {
					case h >= '0' && h <= '9':
						x = x<<4 | rune(h-'0')
					case h >= 'a' && h <= 'f':
						x = x<<4 | rune(h-'a'+10)
					case h >= 'A' && h <= 'F':
						x = x<<4 | rune(h-'A'+10)
					default:
						s.fail("bad \\u escape")
						return n, long, false
					}
				}
				r = x
				if !utf8.ValidRune(r) {
					r = utf8.RuneError // lone surrogates: no code has them
				}
			default:
				s.fail("bad escape")
				return n, long, false
			}
			if long || n+utf8.RuneLen(r) > len(dst) {
				long = true
				continue
			}
			n += utf8.EncodeRune(dst[n:], r)
		default:
			if long || n >= len(dst) {
				long = true
				continue
			}
			dst[n] = c
			n++
		}
	}
}

// readNumber consumes a number's characters into dst (nil: only skip). It
// checks the JSON number grammar loosely: the value is parsed later by its
// field, and a skipped number only has to end where JSON says it ends.
func (s *scanner) readNumber(dst []byte) (int, bool) {
	n := 0
	for {
		if !s.more() {
			if s.err != nil {
				return n, false
			}
			return n, n > 0
		}
		c := s.buf[s.pos]
		if !numberByte(c) {
			if n == 0 {
				s.fail("want a number")
				return 0, false
			}
			return n, true
		}
		s.pos++
		if dst != nil {
			if n >= len(dst) {
				s.fail("number too long")
				return n, false
			}
			dst[n] = c
		}
		n++
	}
}

// numberByte reports whether c may occur in a JSON number.
func numberByte(c byte) bool {
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}
