package prom

import (
	"bytes"
	"compress/gzip"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
	"github.com/govpulse/govpulse/collector/store"
)

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

var ict = time.FixedZone("ICT", 7*3600)

// Agency codes of the golden snapshot (illustrative codes, Quảng Nam's H47).
const (
	agJustice  = "000.00.31.H47" // Sở Tư pháp
	agPlanning = "000.00.32.H47" // Sở Kế hoạch và Đầu tư
	agDistrict = "000.20.31.H47" // UBND huyện
)

// goldenSnapshot is a small province: the unit lists (internal), a one-stop
// source that is up, a second one-stop source that is down but keeps its last
// good data (the two share families), and a source that never succeeded
// (and has no rejected-share limit).
func goldenSnapshot() *store.Snapshot {
	units := &source.Result{}
	units.Add(catalog.AgencyInfo, 1, agJustice, "Sở Tư pháp", catalog.LevelDept, "", "")
	units.Add(catalog.AgencyInfo, 1, agPlanning, "Sở Kế hoạch và Đầu tư", catalog.LevelDept, "", "")
	units.Add(catalog.AgencyInfo, 1, agDistrict, "UBND huyện Đại Lộc", catalog.LevelDistrict, "", "")
	units.Add(catalog.FieldInfo, 1, "DD", "Đất đai")
	units.Add(catalog.FieldInfo, 1, "HT", "Hộ tịch")

	mc := &source.Result{}
	mc.Add(catalog.DossiersReceived, 120, agJustice, "HT", catalog.PeriodMonth, catalog.ChannelOnline)
	mc.Add(catalog.DossiersReceived, 35, agJustice, "HT", catalog.PeriodMonth, catalog.ChannelInPerson)
	mc.Add(catalog.DossiersReceived, 48, agPlanning, "DD", catalog.PeriodMonth, catalog.ChannelOnline)
	mc.Add(catalog.DossiersReceived, 2, agPlanning, "DD", catalog.PeriodMonth, catalog.ChannelPostal)
	mc.Add(catalog.DossiersResolved, 100, agJustice, "HT", catalog.PeriodMonth, catalog.ResolvedOnTime)
	mc.Add(catalog.DossiersResolved, 40, agJustice, "HT", catalog.PeriodMonth, catalog.ResolvedEarly)
	mc.Add(catalog.DossiersResolved, 6, agJustice, "HT", catalog.PeriodMonth, catalog.ResolvedLate)
	mc.Add(catalog.DossiersInProgress, 9, agPlanning, "DD", catalog.PeriodMonth, catalog.InProgressNotDue)
	mc.Add(catalog.DossiersInProgress, 1, agPlanning, "DD", catalog.PeriodMonth, catalog.InProgressOverdue)
	mc.Add(catalog.DossiersCarriedOver, 12, agPlanning, "DD", catalog.PeriodMonth)

	huyen := &source.Result{}
	huyen.Add(catalog.DossiersReceived, 310, agDistrict, "DD", catalog.PeriodQuarter, catalog.ChannelOnline)
	huyen.Add(catalog.DossiersResolved, 280, agDistrict, "DD", catalog.PeriodQuarter, catalog.ResolvedOnTime)
	huyen.Add(catalog.DossiersResolved, 21, agDistrict, "DD", catalog.PeriodQuarter, catalog.ResolvedLate)

	return &store.Snapshot{Gen: 7, Sources: []*store.SourceState{
		{Name: "don_vi", Kind: catalog.SourceUnits, Internal: true, Result: units, Up: true,
			LastSuccess: time.Date(2025, 6, 30, 8, 0, 0, 0, ict)},
		{Name: "mot_cua", Kind: catalog.SourceOnestop, Interval: 15 * time.Minute, Result: mc, Up: true,
			LastSuccess: time.Date(2025, 6, 30, 9, 15, 0, 500_000_000, ict),
			LastRun:     time.Date(2025, 6, 30, 9, 15, 0, 500_000_000, ict),
			Duration:    1250 * time.Millisecond,
			Errors:      map[string]uint64{catalog.ReasonTimeout: 1},
			Rejected:    map[string]uint64{catalog.RejectBadCode: 2, catalog.RejectDuplicate: 1},
			Read:        300, RejectedShare: 0.01, HasShare: true, RejectLimit: 0.5, HasRejectLimit: true},
		{Name: "mot_cua_huyen", Kind: catalog.SourceOnestop, Interval: time.Hour, Result: huyen, Up: false,
			LastSuccess: time.Date(2025, 6, 30, 7, 0, 0, 0, ict),
			LastRun:     time.Date(2025, 6, 30, 9, 0, 0, 0, ict),
			Duration:    30 * time.Second,
			LastError:   "upstream said 503",
			RejectLimit: 0.2, HasRejectLimit: true, // never counted a run: a limit, no share
			Errors: map[string]uint64{catalog.ReasonHTTP5xx: 3, catalog.ReasonTimeout: 2}},
		{Name: "vneid", Kind: "vneid", Up: false,
			LastRun:  time.Date(2025, 6, 30, 9, 0, 0, 0, ict),
			Duration: 2 * time.Second,
			Errors:   map[string]uint64{catalog.ReasonTransport: 4}},
	}}
}

// liveRegistry is what the daemon passes as the live part, scrape counters included.
func liveRegistry() *prometheus.Registry { return NewLiveRegistry("0.1.0-test", "abc1234") }

// gatherText is the text exposition client_golang itself writes for g.
func gatherText(t testing.TB, g prometheus.Gatherer) []byte {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	var buf bytes.Buffer
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(&buf, mf); err != nil {
			t.Fatalf("encode %s: %v", mf.GetName(), err)
		}
	}
	return buf.Bytes()
}

// collectorText renders sn through SnapshotCollector and a registry.
func collectorText(t testing.TB, sn *store.Snapshot) []byte {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(NewCollector(sn, discard()))
	return gatherText(t, reg)
}

// expositionText renders sn through Exposition, with no live part.
func expositionText(t testing.TB, sn *store.Snapshot) []byte {
	t.Helper()
	e := NewExposition(discard())
	e.Update(sn)
	body, _ := get(t, e.Handler(nil, nil), false)
	return body
}

// get scrapes h in-process; with gz it asks for gzip and returns the body as sent.
func get(t testing.TB, h http.Handler, gz bool) ([]byte, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "/metrics", nil)
	if gz {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	rec := newRecorder()
	h.ServeHTTP(rec, req)
	return rec.buf.Bytes(), rec.hdr
}

// recorder is a minimal ResponseWriter (httptest.ResponseRecorder clones the
// header map on first write, which would show in benchmarks).
type recorder struct {
	hdr  http.Header
	code int
	buf  bytes.Buffer
}

func newRecorder() *recorder { return &recorder{hdr: make(http.Header), code: http.StatusOK} }

func (r *recorder) Header() http.Header         { return r.hdr }
func (r *recorder) WriteHeader(code int)        { r.code = code }
func (r *recorder) Write(b []byte) (int, error) { return r.buf.Write(b) }

func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("gzip header: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	return out
}

// gzipMembers counts the gzip members of b.
func gzipMembers(t testing.TB, b []byte) int {
	t.Helper()
	br := bytes.NewReader(b)
	zr, err := gzip.NewReader(br)
	if err != nil {
		t.Fatalf("gzip header: %v", err)
	}
	n := 0
	for {
		zr.Multistream(false)
		if _, err := io.Copy(io.Discard, zr); err != nil {
			t.Fatalf("member %d: %v", n, err)
		}
		n++
		if err := zr.Reset(br); err == io.EOF {
			return n
		} else if err != nil {
			t.Fatalf("member %d header: %v", n, err)
		}
	}
}

// parse reads a text exposition as Prometheus does.
func parse(t testing.TB, b []byte) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("parse exposition: %v\n%s", err, b)
	}
	return mfs
}

// canon is a family in a comparable form: metrics and label pairs sorted,
// re-encoded as text (so NaN equals NaN).
func canon(t testing.TB, mf *dto.MetricFamily) string {
	t.Helper()
	for _, m := range mf.Metric {
		sort.Slice(m.Label, func(i, j int) bool { return m.Label[i].GetName() < m.Label[j].GetName() })
	}
	var buf bytes.Buffer
	if _, err := expfmt.MetricFamilyToText(&buf, mf); err != nil {
		t.Fatalf("encode %s: %v", mf.GetName(), err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// typeLines counts "# TYPE name" lines per family name.
func typeLines(b []byte) map[string]int {
	n := make(map[string]int)
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, "# TYPE "); ok {
			name, _, _ := strings.Cut(rest, " ")
			n[name]++
		}
	}
	return n
}

func goVersion() string { return runtime.Version() }

func TestStoredGzip(t *testing.T) {
	for _, n := range []int{0, 1, 0xffff, 0x10000, 200000} {
		p := make([]byte, n)
		for i := range p {
			p[i] = byte(i * 7)
		}
		var buf bytes.Buffer
		storedGzip(&buf, p)
		zr, err := gzip.NewReader(&buf)
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		got, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(got, p) {
			t.Fatalf("n=%d: round trip failed: %v", n, err)
		}
	}
}

// valueOf scrapes h and returns the value of series (name and labels as
// written), or "absent".
func valueOf(t testing.TB, h http.Handler, gz bool, series string) string {
	t.Helper()
	body, _ := get(t, h, gz)
	if gz {
		body = gunzip(t, body)
	}
	return lineValue(body, series)
}

// lineValue is the value of series in a text exposition, or "absent".
func lineValue(body []byte, series string) string {
	for _, l := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(l, series+" "); ok {
			return v
		}
	}
	return "absent"
}
