// Package feedgen generates a fake dossier feed in the one-stop sync format
// that collector/onestop reads: deterministic, with realistic dossier lives
// (registration, receipt, supplements, late returns) and planted applicant
// data. It lives beside the simulator, its user, so that no production
// package carries a fake; onestop's tests use it too, which is why it
// imports neither onestop nor simulate.
package feedgen

import (
	"bufio"
	"container/heap"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/govpulse/govpulse/collector/workday"
)

// Options configure the dossier feed generator.
type Options struct {
	// Agencies and Fields are the codes dossiers use (defaults: a few Quảng
	// Nam-like codes). Some agencies and fields get more dossiers than others.
	Agencies []string
	Fields   []string
	// From and To bound the dossiers' first events. Defaults: To = now,
	// From = 60 days before 1 January of To's year, so some dossiers are
	// carried over from the previous year. Events after To are not generated:
	// dossiers not finished by To stay in progress.
	From, To time.Time
	// Calendar sets the appointment dates (default: workday.Default in
	// Asia/Ho_Chi_Minh).
	Calendar *workday.Calendar
	// PII, when set, is written into every record's applicant fields: tests
	// plant canaries there. Unset fields get generated fake values.
	PII PII
	// LateShare is the share of dossiers resolved after their appointment
	// (default 0.06); BadShare the share of records with a bad code, status
	// or date (default 0).
	LateShare, BadShare float64
}

// PII are applicant values the feed carries and govpulse must never keep.
type PII struct {
	Name, IDNumber, Phone, Email, Address, Summary, OfficialName string
}

// Generator produces a deterministic dossier feed in the sync format
// (collector/onestop feed.go): the same n, seed and options always give the same bytes. Records
// come in update order with unique update times, as a feed server sends them.
type Generator struct {
	n    int
	seed uint64
	o    Options
	cal  *workday.Calendar
	loc  *time.Location
	// spacing is the mean time between two dossiers' first events.
	spacing float64

	mu  sync.Mutex
	cur *genStream // the handler's position, reused by sequential pages
}

// New returns a generator of at most n records (about n when
// From..To is long enough for them; fewer otherwise).
func New(n int, seed uint64, o Options) (*Generator, error) {
	if n < 0 {
		return nil, fmt.Errorf("negative record count %d", n)
	}
	if o.Calendar == nil {
		c, err := workday.Default()
		if err != nil {
			return nil, err
		}
		o.Calendar = c
	}
	loc := o.Calendar.Location()
	if len(o.Agencies) == 0 {
		o.Agencies = []string{"000.00.31.H47", "000.01.31.H47", "000.00.32.H47", "000.00.12.H47", "000.00.13.H47"}
	}
	if len(o.Fields) == 0 {
		o.Fields = []string{"DD", "HT", "CT", "XD", "DKKD", "LDTBXH"}
	}
	if o.To.IsZero() {
		o.To = time.Now()
	}
	if o.From.IsZero() {
		o.From = time.Date(o.To.In(loc).Year(), 1, 1, 0, 0, 0, 0, loc).AddDate(0, 0, -60)
	}
	if !o.From.Before(o.To) {
		return nil, fmt.Errorf("From %s is not before To %s", o.From, o.To) //nolint:staticcheck // ST1005: From and To name the options
	}
	if o.LateShare == 0 {
		o.LateShare = 0.06
	}
	g := &Generator{n: n, seed: seed, o: o, cal: o.Calendar, loc: loc}
	// About 2.6 records per dossier (receipt, final, sometimes registration,
	// supplement and return steps); a little more is assumed so that the
	// records reach To, and a feed stops short of n rather than of To.
	g.spacing = o.To.Sub(o.From).Seconds() / math.Max(1, float64(n)/2.75)
	return g, nil
}

// Write writes one envelope with at most n generated records.
func Write(w io.Writer, n int, seed uint64, o Options) error {
	g, err := New(n, seed, o)
	if err != nil {
		return err
	}
	_, err = g.WriteTo(w)
	return err
}

// WriteTo writes the whole feed as one envelope.
func (g *Generator) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	bw := bufio.NewWriterSize(cw, 64<<10)
	st := g.stream()
	// bufio.Writer errors are sticky and Flush returns the first, so the
	// writes before it go unchecked.
	_, _ = bw.WriteString(envelopeStart)
	for i := 0; st.next(); i++ {
		if i > 0 {
			_ = bw.WriteByte(',')
		}
		_, _ = bw.WriteString("\n")
		_, _ = bw.Write(st.rec)
	}
	_, _ = bw.WriteString("\n]}\n")
	err := bw.Flush()
	return cw.n, err
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// envelopeStart opens every generated envelope, up to its first record.
const envelopeStart = `{"service":"DongBoHoSoMC","isUpdating":"False","data":[`

// WritePage writes one envelope with at most limit records updated strictly
// after since, and next_cursor set to the last one's update time (RFC 3339).
// Update times are unique, so paging by them loses nothing. Sequential pages
// continue where the previous one stopped; going back restarts the stream.
func (g *Generator) WritePage(w io.Writer, since time.Time, limit int) (int, error) {
	return g.WritePageUpTo(w, since, limit, g.n)
}

// WritePageUpTo is WritePage over the first upTo records only: the feed as
// it was earlier, for tests of a growing feed.
func (g *Generator) WritePageUpTo(w io.Writer, since time.Time, limit, upTo int) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	sw := g.cal.Wall(since)
	if g.cur == nil || g.cur.lastUpdate > sw {
		g.cur = g.stream()
	}
	st := g.cur
	// Records stream out as they are made; next_cursor follows the data.
	// Unchecked writes: as in WriteTo, Flush reports the first error.
	bw := bufio.NewWriterSize(w, 64<<10)
	_, _ = bw.WriteString(envelopeStart)
	count := 0
	var last workday.Wall
	for count < limit && st.count < upTo && st.peek() {
		if st.update <= sw {
			st.take()
			continue
		}
		if count > 0 {
			_ = bw.WriteByte(',')
		}
		_ = bw.WriteByte('\n')
		_, _ = bw.Write(st.rec)
		last = st.update
		st.take()
		count++
	}
	_, _ = bw.WriteString("\n]")
	if count > 0 {
		_, _ = bw.WriteString(`,"next_cursor":"`)
		_, _ = bw.WriteString(g.cal.Time(last).Format(time.RFC3339))
		_ = bw.WriteByte('"')
	}
	_, _ = bw.WriteString("}\n")
	return count, bw.Flush()
}

// Handler serves the feed by cursor: GET ?updated_since=<RFC 3339>&limit=N
// (default limit 1000, at most 10000).
func (g *Generator) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		since := time.Time{}
		if s := q.Get("updated_since"); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				http.Error(w, "updated_since: want RFC 3339", http.StatusBadRequest)
				return
			}
			since = t
		}
		limit := 1000
		if s := q.Get("limit"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n <= 0 || n > 10000 {
				http.Error(w, "limit: want 1..10000", http.StatusBadRequest)
				return
			}
			limit = n
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = g.WritePage(w, since, limit) // a failed write is a client gone: nobody to tell
	})
}

// event is one record to come: dossier d at stage, at wall time t.
type event struct {
	t     workday.Wall
	d     int
	stage int
}

type eventHeap []event

func (h eventHeap) Len() int { return len(h) }
func (h eventHeap) Less(i, j int) bool {
	if h[i].t != h[j].t {
		return h[i].t < h[j].t
	}
	if h[i].d != h[j].d {
		return h[i].d < h[j].d
	}
	return h[i].stage < h[j].stage
}
func (h eventHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)   { *h = append(*h, x.(event)) }
func (h *eventHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// Stages of a dossier's life, each one record.
const (
	stRegistered = iota // online submission, not yet accepted (status 1)
	stReceived          // accepted (status 2 or 4)
	stSupplement        // supplement requested (status 5)
	stResumed           // supplement received (status 4)
	stProcessed         // processed, result not yet returned (status 9)
	stFinal             // returned (10) or withdrawn (7)
)

// genStream walks the feed in update order, holding only the dossiers in
// flight.
type genStream struct {
	g       *Generator
	h       eventHeap
	nextD   int
	count   int
	pending bool

	update     workday.Wall // the current record's update time
	lastUpdate workday.Wall
	rec        []byte
	life       dossierLife
}

func (g *Generator) stream() *genStream {
	return &genStream{g: g, rec: make([]byte, 0, 4096)}
}

func (g *Generator) firstEvent(d int) workday.Wall {
	r := rand.New(rand.NewPCG(g.seed, uint64(d)*2+1)) //nolint:gosec // G404: fake data must be reproducible, not secret
	off := (float64(d) + r.Float64()) * g.spacing
	return g.cal.Wall(g.o.From) + workday.Wall(off)
}

// peek prepares the next record (in s.rec, s.update) without consuming it.
func (s *genStream) peek() bool {
	if s.pending {
		return true
	}
	g := s.g
	to := g.cal.Wall(g.o.To)
	if s.count >= g.n {
		return false
	}
	// Admit every dossier whose first event comes before the heap's next.
	for {
		t := g.firstEvent(s.nextD)
		if t > to || (len(s.h) > 0 && t > s.h[0].t) {
			break
		}
		life := g.life(s.nextD)
		for _, e := range life.events {
			if e.t <= to {
				heap.Push(&s.h, e)
			}
		}
		s.nextD++
	}
	if len(s.h) == 0 {
		return false
	}
	e := heap.Pop(&s.h).(event)
	s.life = g.life(e.d)
	u := e.t
	if u <= s.lastUpdate {
		u = s.lastUpdate + 1 // update times are unique, as cursors need
	}
	s.update = u
	s.rec = s.life.render(s.rec[:0], e.stage, u, g)
	s.pending = true
	return true
}

func (s *genStream) take() {
	s.pending = false
	s.lastUpdate = s.update
	s.count++
}

func (s *genStream) next() bool {
	if !s.peek() {
		return false
	}
	s.take()
	return true
}

// dossierLife is everything about one dossier, derived from (seed, d) alone.
type dossierLife struct {
	d                      int
	agency, field          int
	channel                int // 0 null, 1..3
	legal                  float64
	legalKnown             bool
	submitted, received    time.Time
	due                    time.Time
	suppFrom, suppTo       time.Time
	processed, final       time.Time
	withdrawn, registered  bool
	supplement, twoStepEnd bool
	digitised, paid        bool
	rng                    uint64
	events                 []event
}

var legalDays = []float64{0.5, 1, 2, 3, 3, 5, 5, 7, 10, 10, 15, 20, 30}

func (g *Generator) life(d int) dossierLife {
	r := rand.New(rand.NewPCG(g.seed, uint64(d)*2+2)) //nolint:gosec // G404: fake data must be reproducible, not secret
	l := dossierLife{d: d, rng: r.Uint64()}
	// Skewed choice: a few big agencies and fields take most dossiers.
	skew := func(n int) int { u := r.Float64(); return int(float64(n) * u * u) }
	l.agency, l.field = skew(len(g.o.Agencies)), skew(len(g.o.Fields))
	switch u := r.Float64(); {
	case u < 0.55:
		l.channel = 2
	case u < 0.93:
		l.channel = 1
	case u < 0.98:
		l.channel = 3
	}
	l.legal = legalDays[r.IntN(len(legalDays))]
	l.legalKnown = r.Float64() > 0.03
	first := g.firstEvent(d)
	l.registered = l.channel == 2 && r.Float64() < 0.3
	l.submitted = g.cal.Time(first)
	l.received = l.submitted
	switch {
	case l.registered:
		l.received = l.submitted.Add(time.Duration(30+r.IntN(600)) * time.Minute)
	case l.channel != 2:
		// Desks and the post receive in working hours.
		l.received = g.cal.AddWorkingHours(l.submitted, time.Minute)
	}
	if l.legal < 1 {
		l.due = g.cal.AddWorkingHours(l.received, time.Duration(l.legal*8)*time.Hour)
	} else {
		l.due = g.cal.AddWorkingDays(l.received, int(l.legal))
	}
	span := g.cal.WorkingDuration(l.received, l.due)
	l.supplement = r.Float64() < 0.12
	if l.supplement {
		l.suppFrom = g.cal.AddWorkingHours(l.received, span*3/10+time.Minute)
		l.suppTo = l.suppFrom.Add(time.Duration(24+r.IntN(24*6)) * time.Hour)
		// The applicant held the clock: the appointment moves back.
		l.due = g.cal.AddWorkingHours(l.due, g.cal.WorkingDuration(l.suppFrom, l.suppTo))
		span = g.cal.WorkingDuration(l.received, l.due)
	}
	switch u := r.Float64(); {
	case u < 0.03:
		l.withdrawn = true
		l.final = g.cal.AddWorkingHours(l.received, time.Duration(r.Float64()*float64(span)))
	case u < 0.03+g.o.LateShare:
		l.final = g.cal.AddWorkingHours(l.due, time.Duration(1+r.IntN(80))*time.Hour)
	case u < 0.70:
		l.final = g.cal.AddWorkingHours(l.received, time.Duration((0.2+0.6*r.Float64())*float64(span)))
	default:
		l.final = l.due.Add(-time.Duration(r.IntN(180)) * time.Minute)
	}
	if !l.final.After(l.received) {
		l.final = l.received.Add(time.Minute)
	}
	if l.supplement && !l.final.After(l.suppTo) {
		l.supplement = false // finished before the supplement would have come
	}
	l.processed = l.final
	l.twoStepEnd = !l.withdrawn && r.Float64() < 0.2
	if l.twoStepEnd {
		l.final = g.cal.AddWorkingHours(l.processed, time.Duration(1+r.IntN(16))*time.Hour)
	}
	l.digitised = r.Float64() < 0.6
	l.paid = l.channel == 2 && r.Float64() < 0.4
	w := g.cal.Wall
	add := func(t time.Time, stage int) { l.events = append(l.events, event{w(t), d, stage}) }
	if l.registered {
		add(l.submitted, stRegistered)
		add(l.received, stReceived)
	} else {
		add(l.received, stReceived)
	}
	if l.supplement {
		add(l.suppFrom, stSupplement)
		add(l.suppTo, stResumed)
	}
	if l.twoStepEnd {
		add(l.processed, stProcessed)
	}
	add(l.final, stFinal)
	return l
}

var (
	genFamily = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Phan", "Võ", "Đặng"}
	genGiven  = []string{"Văn An", "Thị Bình", "Minh Châu", "Quốc Dũng", "Thị Hà", "Đức Hùng", "Ngọc Lan", "Văn Nam"}
	genStreet = []string{"Phan Châu Trinh", "Hùng Vương", "Trần Cao Vân", "Lê Lợi", "Nguyễn Du"}
	genProc   = []string{"Đăng ký khai sinh", "Cấp giấy chứng nhận quyền sử dụng đất", "Chứng thực bản sao từ bản chính", "Cấp giấy phép xây dựng", "Đăng ký hộ kinh doanh"}
	genDocs   = []string{"Don_de_nghi.pdf", "CCCD_ban_sao.pdf", "Giay_to_lien_quan.pdf", "Ban_ve.pdf"}
)

// render appends the record of stage at update time u.
func (l *dossierLife) render(b []byte, stage int, u workday.Wall, g *Generator) []byte {
	r := rand.New(rand.NewPCG(l.rng, uint64(stage))) //nolint:gosec // G404: fake data must be reproducible, not secret
	p := rand.New(rand.NewPCG(l.rng, 99))            //nolint:gosec // G404: as r; the applicant stays the same across records
	o := &g.o
	at := g.cal.Time(u)
	agency, field := o.Agencies[l.agency], o.Fields[l.field]
	bad := o.BadShare > 0 && r.Float64() < o.BadShare
	status := l.status(stage, r)
	app := newApplicant(p, o.PII, genProc[(l.agency+l.field)%len(genProc)])

	b = append(b, `{"MaHoSo":`...)
	b = appendJSONString(b, fmt.Sprintf("%s-%s-%04d", agency, l.received.Format("060102"), l.d))
	b = append(b, `,"MaTTHC":"1.00`...)
	b = strconv.AppendInt(b, int64(3000+(l.agency*7+l.field)%900), 10)
	b = append(b, `.000.00.00.H47","TenTTHC":`...)
	b = appendJSONString(b, app.proc)
	b = append(b, `,"MaLinhVuc":`...)
	switch {
	case bad && r.IntN(4) == 0:
		b = append(b, `"Lĩnh vực đất đai"`...) // free text where a code belongs
	default:
		b = appendJSONString(b, field)
	}
	b = append(b, `,"TenLinhVuc":"Lĩnh vực `...)
	b = append(b, field...)
	b = append(b, `","KenhThucHien":`...)
	if l.channel == 0 {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, int64(l.channel), 10)
	}
	b = append(b, `,"MucDo":`...)
	b = strconv.AppendInt(b, int64(2+l.channel%3), 10)
	b = append(b, `,"ChuHoSo":`...)
	b = appendJSONString(b, app.name)
	b = append(b, `,"LoaiDoiTuong":"1","MaDoiTuong":"","SoGiayToChuHoSo":`...)
	b = appendJSONString(b, app.id)
	b = append(b, `,"SoDienThoai":`...)
	b = appendJSONString(b, app.phone)
	b = append(b, `,"Email":`...)
	b = appendJSONString(b, app.email)
	b = append(b, `,"DinhDanhCHS":[{"LoaiDinhDanh":"1","SoDinhDanh":`...)
	b = appendJSONString(b, app.id)
	b = append(b, `,"HoVaTen":`...)
	b = appendJSONString(b, app.name)
	b = append(b, `}],"DiaChiThuongTru":`...)
	b = appendJSONString(b, app.addr)
	b = append(b, `,"DiaChiLienHe":`...)
	b = appendJSONString(b, app.addr)
	b = append(b, `,"TrichYeuHoSo":`...)
	b = appendJSONString(b, app.summary)
	b = append(b, `,"NgayNopHoSo":`...)
	b = appendStamp(b, l.submitted, g.loc)
	b = append(b, `,"NgayTiepNhan":`...)
	if status == 1 {
		b = append(b, `null`...)
	} else {
		b = appendStamp(b, l.received, g.loc)
	}
	b = append(b, `,"NgayHenTra":`...)
	switch {
	case status == 1:
		b = append(b, `null`...)
	case bad && r.IntN(3) == 0:
		b = append(b, `"2026-13-45 25:61"`...)
	default:
		b = appendStamp(b, l.due, g.loc)
	}
	b = append(b, `,"NgayTra":`...)
	if status == 10 {
		b = appendStamp(b, l.final, g.loc)
	} else {
		b = append(b, `null`...)
	}
	b = append(b, `,"NgayKetThucXuLy":`...)
	if status >= 7 {
		b = appendStamp(b, l.processed, g.loc)
	} else {
		b = append(b, `null`...)
	}
	b = append(b, `,"NgayTuChoi":null,"TrangThaiHoSo":`...)
	if bad && r.IntN(3) == 1 {
		b = append(b, "42"...)
	} else {
		b = strconv.AppendInt(b, int64(status), 10)
	}
	b = append(b, `,"DonViXuLy":`...)
	if bad && r.IntN(3) == 2 {
		b = append(b, `"000.00.99.H99"`...) // not whitelisted
	} else {
		b = appendJSONString(b, agency)
	}
	b = append(b, `,"ThoiGianQuyDinh":`...)
	if l.legalKnown {
		b = strconv.AppendFloat(b, l.legal, 'f', -1, 64)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"HoSoCoThanhPhanSoHoa":`...)
	b = strconv.AppendInt(b, b2i(l.digitised), 10)
	b = append(b, `,"TaiKhoanDuocXacThucVoiVNeID":`...)
	b = strconv.AppendInt(b, b2i(l.channel == 2), 10)
	b = append(b, `,"DuocThanhToanTrucTuyen":`...)
	b = strconv.AppendInt(b, b2i(l.paid), 10)
	b = append(b, `,"TaiLieuNop":[`...)
	nd := 2 + int(l.rng%3)
	for i := 0; i < nd; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"TepDinhKemId":"`...)
		b = strconv.AppendUint(b, l.rng>>8+uint64(i), 16)
		b = append(b, `","TenTepDinhKem":"`...)
		b = append(b, genDocs[i%len(genDocs)]...)
		b = append(b, `","IsDeleted":false,"MaThanhPhanHoSo":"TP`...)
		b = strconv.AppendInt(b, int64(i+1), 10)
		b = append(b, `","DuongDanTaiTepTin":"https://dichvucong.danang.gov.vn/file/`...)
		b = strconv.AppendUint(b, l.rng^uint64(i*7919), 36)
		b = append(b, `.pdf"}`...)
	}
	b = append(b, `],"DanhSachLePhi":[{"TenPhiLePhi":"Lệ phí giải quyết","MaPhiLePhi":"LP01","HinhThucThu":`...)
	b = strconv.AppendInt(b, int64(1+b2i(l.paid)), 10)
	b = append(b, `,"Gia":50000}],"QuaTrinhXuLy":[`...)
	b = l.renderSteps(b, at, g, o.PII.OfficialName)
	b = append(b, `],"NgayCapNhat":`...)
	b = appendStamp(b, at, g.loc)
	b = append(b, '}')
	return b
}

// status is the TrangThaiHoSo of a stage's record; r must be the stage's
// generator, so the draws stay where they were.
func (l *dossierLife) status(stage int, r *rand.Rand) int {
	status := 4
	switch stage {
	case stRegistered:
		status = 1
	case stReceived:
		status = 2
		if r.IntN(2) == 0 {
			status = 4
		}
	case stSupplement:
		status = 5
	case stProcessed:
		status = 9
	case stFinal:
		status = 10
		if l.withdrawn {
			status = 7
		}
	}
	return status
}

// applicant is the person a dossier's records name: the planted PII where
// set, else fake values drawn from p.
type applicant struct {
	name, id, phone, email, addr, proc, summary string
}

func newApplicant(p *rand.Rand, pii PII, proc string) applicant {
	name := pii.Name
	if name == "" {
		name = genFamily[p.IntN(len(genFamily))] + " " + genGiven[p.IntN(len(genGiven))]
	}
	id := pii.IDNumber
	if id == "" {
		id = fmt.Sprintf("0492%08d", p.IntN(1e8))
	}
	phone := pii.Phone
	if phone == "" {
		phone = fmt.Sprintf("09%08d", p.IntN(1e8))
	}
	email := pii.Email
	if email == "" {
		email = fmt.Sprintf("nguoidan%d@example.vn", p.IntN(1e6))
	}
	addr := pii.Address
	if addr == "" {
		addr = fmt.Sprintf("%d %s, phường An Mỹ, Tam Kỳ, Quảng Nam", 1+p.IntN(300), genStreet[p.IntN(len(genStreet))])
	}
	summary := pii.Summary
	if summary == "" {
		summary = proc + " cho ông/bà " + name
	}
	return applicant{name, id, phone, email, addr, proc, summary}
}

// renderSteps writes the process log up to at: desk, specialist, leader,
// each with a share of the time to the appointment as its deadline.
func (l *dossierLife) renderSteps(b []byte, at time.Time, g *Generator, officialName string) []byte {
	if at.Before(l.received) {
		return b
	}
	roles := [...]struct {
		share float64
		role  string
	}{{0.1, "Tiếp nhận hồ sơ"}, {0.7, "Thẩm định, xử lý"}, {0.2, "Phê duyệt, ký"}}
	span := g.cal.WorkingDuration(l.received, l.due)
	done := g.cal.WorkingDuration(l.received, l.processed)
	slug := strings.ToLower(strings.ReplaceAll(g.o.Agencies[l.agency], ".", ""))
	var start, startDeadline time.Duration
	for i, ro := range roles {
		stepStart := g.cal.AddWorkingHours(l.received, start)
		if stepStart.After(at) {
			break
		}
		startDeadline += time.Duration(ro.share * float64(span))
		start += time.Duration(ro.share * float64(done))
		end := g.cal.AddWorkingHours(l.received, start)
		deadline := g.cal.AddWorkingHours(l.received, startDeadline)
		if i > 0 {
			b = append(b, ',')
		}
		name := officialName
		if name == "" {
			name = genFamily[(l.d+i)%len(genFamily)] + " " + genGiven[(l.d*3+i)%len(genGiven)]
		}
		b = append(b, `{"NguoiXuLy":"`...)
		b = append(b, slug...)
		b = append(b, ".cb"...)
		b = strconv.AppendInt(b, int64(1+(l.d*7+i)%5), 10)
		b = append(b, `","TenNguoiXuLy":`...)
		b = appendJSONString(b, name)
		b = append(b, `,"ChucDanh":"`...)
		b = append(b, ro.role...)
		b = append(b, `","NgayBatDau":`...)
		b = appendStamp(b, stepStart, g.loc)
		b = append(b, `,"NgayKetThuc":`...)
		if end.After(at) {
			b = append(b, "null"...)
		} else {
			b = appendStamp(b, end, g.loc)
		}
		b = append(b, `,"HanXuLy":`...)
		b = appendStamp(b, deadline, g.loc)
		b = append(b, `,"NoiDungXuLy":"Chuyển bước tiếp theo"}`...)
		if end.After(at) {
			break
		}
	}
	return b
}

func b2i(v bool) int64 {
	if v {
		return 1
	}
	return 0
}

func appendStamp(b []byte, t time.Time, loc *time.Location) []byte {
	b = append(b, '"')
	b = t.In(loc).AppendFormat(b, "20060102150405")
	return append(b, '"')
}

// appendJSONString quotes s as a JSON string (UTF-8 kept as is).
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, `\u00`...)
			b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
