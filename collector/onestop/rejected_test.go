package onestop

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
)

// twoOfThreeRejected is a vendor body whose rows are one good, one of an
// unknown agency, one of a bad field code: above the default share.
const twoOfThreeRejected = `{"ketQua":"THANH_CONG","data":[
 {"maDonVi":"000.00.31.H47","linhVuc":"DD","ky":"{tag}","nhan":5},
 {"maDonVi":"000.09.31.H47","linhVuc":"DD","ky":"{tag}","nhan":5},
 {"maDonVi":"000.00.31.H47","linhVuc":"??","ky":"{tag}","nhan":5}]}`

// A report run that rejects more than max_rejected_share of its rows fails.
func TestReportRejectedShare(t *testing.T) {
	body := twoOfThreeRejected
	s, v := newVendor(t, vendorCfg(t, nil))
	v.set(body)
	wantFail(t, s, catalog.ReasonRejected, "6 of 9 rows rejected")

	// Inconsistent rows are kept, so they are not part of the share.
	v.set(`{"ketQua":"THANH_CONG","data":[{"maDonVi":"000.00.31.H47","linhVuc":"DD","ky":"{tag}","nhan":1,"dungHan":9}]}`)
	if res := wantOK(t, s); res.Rejected[catalog.InconsistentKept] != 3 {
		t.Fatalf("rejected %v", res.Rejected)
	}

	share := 0.7
	s, v = newVendor(t, vendorCfg(t, func(m *Mapping) { m.MaxRejectedShare = &share }))
	v.set(body)
	if res := wantOK(t, s); res.Rejected[catalog.RejectUnknownCode]+res.Rejected[catalog.RejectBadCode] != 6 {
		t.Fatalf("rejected %v", res.Rejected)
	}

	bad := 1.5
	c := vendorCfg(t, nil)
	c.Mapping.MaxRejectedShare = &bad
	if errs := c.Validate(); len(errs) != 1 || errs[0].Path != "mapping.max_rejected_share" {
		t.Fatalf("validate: %v", errs)
	}
}

// feedPages serves fixed pages by the cursor asked for and records the
// cursors.
type feedPages struct {
	mu      sync.Mutex
	pages   map[string]string // cursor -> body; others get an empty page
	cursors []string
}

func (f *feedPages) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := r.URL.Query().Get("updated_since")
	f.cursors = append(f.cursors, c)
	if b, ok := f.pages[c]; ok {
		io.WriteString(w, b)
		return
	}
	io.WriteString(w, `{"data":[]}`)
}

func (f *feedPages) set(cursor, body string) {
	f.mu.Lock()
	f.pages[cursor] = body
	f.mu.Unlock()
}

func feedRec(id string, status int, extra string) string {
	return fmt.Sprintf(`{"MaHoSo":%q,"DonViXuLy":"000.00.31.H47","MaLinhVuc":"DD","KenhThucHien":2,"TrangThaiHoSo":%d%s}`, id, status, extra)
}

// A feed page whose records are mostly rejected fails the run, and the
// saved cursor stays before it: the records are read again once fixed.
func TestFeedRejectedPageKeepsCursor(t *testing.T) {
	start := "2025-01-01T00:00:00+07:00"
	good := `{"next_cursor":"c1","data":[` + feedRec("a-1", 2, `,"NgayTiepNhan":"20261110080000","NgayCapNhat":"20261110080000"`) + `]}`
	broken := `{"next_cursor":"c2","data":[` + feedRec("a-2", 2, `,"NgayTiepNhan":"20261111080000","NgayCapNhat":"20261111080000"`) +
		`,{"MaHoSo":"a-3"},{"MaHoSo":"a-4"}]}`
	fp := &feedPages{pages: map[string]string{start: good, "c1": broken}}
	srv := httptest.NewServer(fp)
	defer srv.Close()
	dir := t.TempDir()
	cfg := feedCfg(t, 10, func(f *FeedConfig) { zero := time.Duration(0); f.CheckpointInterval = &zero })

	_, err := newFeedSource(t, cfg, srv.URL, feedEnv(dir)).Collect(context.Background())
	if source.Reason(err) != catalog.ReasonRejected || !strings.Contains(err.Error(), "2 of its 3 records rejected (malformed 2)") {
		t.Fatalf("err = %v", err)
	}
	// A restarted daemon starts at c1, not past the refused page.
	fp.cursors = nil
	_, err = newFeedSource(t, cfg, srv.URL, feedEnv(dir)).Collect(context.Background())
	if source.Reason(err) != catalog.ReasonRejected || fp.cursors[0] != "c1" {
		t.Fatalf("err = %v, cursors %v", err, fp.cursors)
	}
	// Fixed upstream: the page is read and counted.
	fp.set("c1", `{"next_cursor":"c2","data":[`+feedRec("a-2", 2, `,"NgayTiepNhan":"20261111080000","NgayCapNhat":"20261111080000"`)+`]}`)
	res := runFresh(t, cfg, srv.URL, dir)
	if v := values(res)["tthc_dossiers_received{000.00.31.H47,DD,month,truc_tuyen}"]; v != 2 {
		t.Fatalf("received = %v, want 2 (%v)", v, res.Rejected)
	}
}

// Records without NgayCapNhat are dated by their latest other date, so a
// system that never fills it is read, not rejected wholesale.
func TestFeedWithoutUpdateTime(t *testing.T) {
	const n = 5000
	var b strings.Builder
	b.WriteString(`{"data":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		day := 1 + i%20
		id := fmt.Sprintf("000.00.31.H47-2611%02d-%04d", day, i)
		switch i % 3 {
		case 0: // resolved: NgayTra is the latest date
			b.WriteString(feedRec(id, 10, fmt.Sprintf(`,"NgayNopHoSo":"202611%02d070000","NgayTiepNhan":"202611%02d080000","NgayHenTra":"202611%02d170000","NgayTra":"202611%02d100000"`, day, day, day+1, day+1)))
		case 1: // in progress: NgayTiepNhan
			b.WriteString(feedRec(id, 4, fmt.Sprintf(`,"NgayTiepNhan":"202611%02d080000","NgayHenTra":"20261230170000"`, day)))
		default: // accepted: NgayTiepNhan, after NgayNopHoSo
			b.WriteString(feedRec(id, 2, fmt.Sprintf(`,"NgayNopHoSo":"202611%02d070000","NgayTiepNhan":"202611%02d090000","NgayHenTra":"20261230170000"`, day, day)))
		}
	}
	b.WriteString(`,{"MaHoSo":"no-dates","DonViXuLy":"000.00.31.H47","MaLinhVuc":"DD","TrangThaiHoSo":2}]}`)
	fp := &feedPages{pages: map[string]string{"2025-01-01T00:00:00+07:00": b.String()}}
	srv := httptest.NewServer(fp)
	defer srv.Close()
	res := runFresh(t, feedCfg(t, 10000, nil), srv.URL, t.TempDir())
	if len(res.Rejected) != 1 || res.Rejected[catalog.RejectMalformed] != 1 {
		t.Fatalf("rejected %v, want only the record without any date", res.Rejected)
	}
	if v := values(res)["tthc_dossiers_received{000.00.31.H47,DD,month,truc_tuyen}"]; v != n {
		t.Fatalf("received = %v, want %d", v, n)
	}
	// The cursor moved to the latest fallback date: 21 November, 10:00.
	if len(fp.cursors) != 2 || fp.cursors[1] != "2026-11-21T10:00:00+07:00" {
		t.Fatalf("cursors %v", fp.cursors)
	}
}

// feed.max_rejected_share moves the line: at 1 the same page is read, its
// bad records counted.
func TestFeedRejectedShareConfigurable(t *testing.T) {
	start := "2025-01-01T00:00:00+07:00"
	broken := `{"next_cursor":"c2","data":[` + feedRec("a-2", 2, `,"NgayTiepNhan":"20261111080000","NgayCapNhat":"20261111080000"`) +
		`,{"MaHoSo":"a-3"},{"MaHoSo":"a-4"}]}`
	fp := &feedPages{pages: map[string]string{start: broken}}
	srv := httptest.NewServer(fp)
	defer srv.Close()
	all := 1.0
	cfg := feedCfg(t, 10, func(f *FeedConfig) { f.MaxRejectedShare = &all })
	res := runFresh(t, cfg, srv.URL, t.TempDir())
	if res.Rejected[catalog.RejectMalformed] != 2 {
		t.Fatalf("rejected %v, want 2 malformed", res.Rejected)
	}
	bad := 1.5
	if errs := (&FeedConfig{Path: "/x", SinceParam: "s", LimitParam: "l", MaxRejectedShare: &bad}).Validate(); !strings.Contains(fmt.Sprint(errs), "feed.max_rejected_share: must be a share between 0 and 1, got 1.5") {
		t.Errorf("max_rejected_share 1.5: %v", errs)
	}
}
