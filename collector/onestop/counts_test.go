package onestop

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
)

// A refused report run still reports what it read and rejected (the store
// counts it); an accepted one reports the same on its Result.
func TestReportRefusedRunCounts(t *testing.T) {
	body := twoOfThreeRejected
	s, v := newVendor(t, vendorCfg(t, nil))
	if got := s.MaxRejectedShare(); got != DefaultMaxRejectedShare {
		t.Fatalf("limit %v, want the default %v", got, DefaultMaxRejectedShare)
	}
	v.set(body)
	_, err := s.Collect(context.Background())
	c := source.CountsOf(err)
	// Three periods of three rows: 9 read, 6 rejected.
	if source.Reason(err) != catalog.ReasonRejected || c == nil || c.Read != 9 || c.RejectedRecords() != 6 || c.Share != 6.0/9 {
		t.Fatalf("err %v, counts %+v; want reason rejected with 6 of 9", err, c)
	}

	share := 0.7
	s, v = newVendor(t, vendorCfg(t, func(m *Mapping) { m.MaxRejectedShare = &share }))
	if got := s.MaxRejectedShare(); got != share {
		t.Fatalf("limit %v, want the configured %v", got, share)
	}
	v.set(body)
	res := wantOK(t, s)
	if res.Read != 9 || res.RejectedShare() != 6.0/9 {
		t.Fatalf("read %d, share %v; want 9 and 6/9", res.Read, res.RejectedShare())
	}
}

// A feed run refused at a page reports every record it read and rejected,
// and the refused page's share: the run's (2 of 4) would hide that the page
// (2 of 3) was past the limit.
func TestFeedRefusedPageCounts(t *testing.T) {
	start := "2025-01-01T00:00:00+07:00"
	good := `{"next_cursor":"c1","data":[` + feedRec("a-1", 2, `,"NgayTiepNhan":"20261110080000","NgayCapNhat":"20261110080000"`) + `]}`
	broken := `{"next_cursor":"c2","data":[` + feedRec("a-2", 2, `,"NgayTiepNhan":"20261111080000","NgayCapNhat":"20261111080000"`) +
		`,{"MaHoSo":"a-3"},{"MaHoSo":"a-4"}]}`
	fp := &feedPages{pages: map[string]string{start: good, "c1": broken}}
	srv := httptest.NewServer(fp)
	defer srv.Close()
	cfg := feedCfg(t, 10, nil)
	s := newFeedSource(t, cfg, srv.URL, feedEnv(t.TempDir()))
	if got := s.MaxRejectedShare(); got != DefaultMaxRejectedShare {
		t.Fatalf("limit %v, want the default", got)
	}
	_, err := s.Collect(context.Background())
	c := source.CountsOf(err)
	if source.Reason(err) != catalog.ReasonRejected || c == nil || c.Read != 4 || c.Rejected[catalog.RejectMalformed] != 2 || c.Share != 2.0/3 {
		t.Fatalf("err %v, counts %+v; want 4 read, 2 malformed, share 2/3", err, c)
	}

	fp.set("c1", `{"next_cursor":"c2","data":[`+feedRec("a-2", 2, `,"NgayTiepNhan":"20261111080000","NgayCapNhat":"20261111080000"`)+`]}`)
	res := runFresh(t, cfg, srv.URL, t.TempDir())
	if res.Read != 2 || res.RejectedShare() != 0 {
		t.Fatalf("read %d, share %v; want 2 and 0", res.Read, res.RejectedShare())
	}
}
