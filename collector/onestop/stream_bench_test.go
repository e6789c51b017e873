package onestop

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/httpc"
	"github.com/govpulse/govpulse/collector/source"
	"github.com/govpulse/govpulse/internal/peakheap"
)

// bigReport is a vendor report body of about size bytes, written as it is
// read so the test does not hold it: agencies × fields rows (all distinct,
// all valid), each carrying the names and a list of procedures nobody maps,
// as vendors' reports do. The body says it succeeded at its end, after the
// rows, so the walk has to stage them.
type bigReport struct {
	agencies, fields, size int
	row, rows              int
	buf                    []byte
	padding                string
	done                   bool
	written                int
}

func newBigReport(agencies, fields, size int) *bigReport {
	return &bigReport{agencies: agencies, fields: fields, size: size, rows: agencies * fields, buf: []byte(`{"data":[`)}
}

// pad is the unmapped part of a row, sized so the rows fill the body.
func (b *bigReport) pad() string {
	per := b.size/b.rows - 260
	var sb strings.Builder
	sb.WriteString(`"tenDonVi":"Ủy ban nhân dân phường Hải Châu","dsThuTuc":[`)
	for i := 0; sb.Len() < per; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"ma":"1.%06d","ten":"Cấp giấy chứng nhận quyền sử dụng đất lần đầu","soHoSo":%d}`, i, i%97)
	}
	sb.WriteByte(']')
	return sb.String()
}

func (b *bigReport) Read(p []byte) (int, error) {
	n := 0
	if b.padding == "" {
		b.padding = b.pad()
	}
	for n < len(p) {
		if len(b.buf) == 0 {
			switch {
			case b.done:
				b.written += n
				return n, io.EOF
			case b.row == b.rows:
				b.buf = []byte(`],"ketQua":"THANH_CONG","thongBao":""}`)
				b.done = true
			default:
				sep := ","
				if b.row == 0 {
					sep = ""
				}
				b.buf = fmt.Appendf(b.buf[:0], `%s{"maDonVi":"%s","linhVuc":"F%03d","ky":"month:2026-11-01","nhan":%d,"tonKyTruoc":%d,"dungHan":%d,%s}`,
					sep, bigAgency(b.row/b.fields), b.row%b.fields, 10+b.row%7, b.row%5, 3+b.row%4, b.padding)
				b.row++
			}
		}
		c := copy(p[n:], b.buf)
		b.buf = b.buf[c:]
		n += c
	}
	b.written += n
	return n, nil
}

func bigAgency(i int) string { return fmt.Sprintf("000.%02d.%02d.H47", i/100, i%100) }

func bigEnv(agencies, fields int) source.Env {
	env := testEnv()
	env.Agencies = map[string]source.Agency{}
	for i := range agencies {
		env.Agencies[bigAgency(i)] = source.Agency{Code: bigAgency(i)}
	}
	env.Fields = map[string]source.Field{}
	for i := range fields {
		c := fmt.Sprintf("F%03d", i)
		env.Fields[c] = source.Field{Code: c}
	}
	return env
}

// reportServer serves a fresh bigReport of size bytes for every request.
func reportServer(tb testing.TB, agencies, fields, size int) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.Copy(w, newBigReport(agencies, fields, size))
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// largeReportRun is one period of a 60 MB report fetched over loopback by
// the production HTTP client and decoded; it returns the peak heap.
func largeReportRun(tb testing.TB, size int) uint64 {
	const agencies, fields = 120, 25 // 3,000 rows, ~20 KB each
	srv := reportServer(tb, agencies, fields, size)
	hc := httpc.Config{URL: srv.URL}
	hc.SetDefaults()
	client, err := httpc.New(hc, slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatal(err)
	}
	cfg := vendorCfg(tb, nil)
	s, err := New("os", cfg, client, bigEnv(agencies, fields))
	if err != nil {
		tb.Fatal(err)
	}
	var rows int
	peak := peakheap.Measure(func() {
		agg := map[[2]string]*[nCounts]float64{}
		res := &source.Result{}
		err = s.get(context.Background(), cfg.Mapping.Path, nil, func(r io.Reader) error {
			var err error
			rows, _, err = s.decodeTagged(r, "month:2026-11-01", agg, map[[2]string]struct{}{}, res)
			return err
		})
		if err == nil && len(agg) != agencies*fields {
			err = fmt.Errorf("%d keys, want %d (rejected %v)", len(agg), agencies*fields, res.Rejected)
		}
	})
	if err != nil {
		tb.Fatal(err)
	}
	if rows != agencies*fields {
		tb.Fatalf("%d rows, want %d", rows, agencies*fields)
	}
	return peak
}

// reportSize is the body of the memory bound: 60 MB, under the 64 MiB cap.
const reportSize = 60 << 20

// TestLargeReportPeakHeap holds the bound the issue set: a valid 60 MB
// report decodes within 150 MB of heap (it took ~1 GB decoded into `any`).
// The bound is on memory, which does not depend on the machine's speed.
func TestLargeReportPeakHeap(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's shadow memory is not the program's")
	}
	n, err := io.Copy(io.Discard, newBigReport(120, 25, reportSize))
	if err != nil || n < reportSize*95/100 || n > httpc.DefaultMaxBodyBytes {
		t.Fatalf("the generated body is %d bytes (%v), want about %d", n, err, reportSize)
	}
	if peak := largeReportRun(t, reportSize); peakheap.MB(peak) > 150 {
		t.Fatalf("peak heap %.0f MB decoding a %d MB report, bound 150 MB", peakheap.MB(peak), n>>20)
	}
}

// BenchmarkLargeReport: one period of a 60 MB report over loopback, decoded
// by the streaming walk. Reports the peak heap (the bound is 150 MB) and
// the body's throughput.
func BenchmarkLargeReport(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(reportSize)
	var peak uint64
	for b.Loop() {
		peak = max(peak, largeReportRun(b, reportSize))
	}
	b.ReportMetric(peakheap.MB(peak), "peak-heap-MB")
}

// TestLargeReportTooLarge: a body past http.max_body_bytes fails with reason
// too_large, not as malformed JSON, though the walk is what stops reading.
func TestLargeReportTooLarge(t *testing.T) {
	srv := reportServer(t, 4, 5, 2<<20)
	hc := httpc.Config{URL: srv.URL, MaxBodyBytes: 1 << 20}
	hc.SetDefaults()
	client, err := httpc.New(hc, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	s, err := New("os", vendorCfg(t, nil), client, bigEnv(4, 5))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Collect(context.Background())
	if got := source.Reason(err); got != catalog.ReasonTooLarge {
		t.Fatalf("reason %q (%v), want %s", got, err, catalog.ReasonTooLarge)
	}
}
