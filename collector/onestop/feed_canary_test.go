package onestop

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/govpulse/govpulse/collector/httpc"
	"github.com/govpulse/govpulse/collector/simulate/feedgen"
)

// Canaries planted in every applicant field (and the official's name). None
// may reach a metric, a log line, the state file or an error message.
var canaries = feedgen.PII{
	Name:         "CANARY-NAME-7f3a",
	IDNumber:     "079201999999",
	Phone:        "0901999999",
	Email:        "canary@example.vn",
	Address:      "CANARY-ADDR-91b2 đường Phan Châu Trinh",
	Summary:      "CANARY-TRICHYEU-c0de",
	OfficialName: "CANARY-OFFICIAL-5e5e",
}

func piiList(p feedgen.PII) []string {
	return []string{p.Name, p.IDNumber, p.Phone, p.Email, p.Address, p.Summary, p.OfficialName}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestFeedCanary(t *testing.T) {
	g := genFor(t, 3000, 13, feedgen.Options{PII: canaries, BadShare: 0.05, LateShare: 0.3})
	c := canaries
	// Pages that break right inside personal data, and records that put
	// personal data where codes belong.
	bad := []string{
		`{"data":[{"MaHoSo":"a-1","ChuHoSo":"` + c.Name,
		`{"data":[{"MaHoSo":"a-1","SoDienThoai":"` + c.Phone + `" "Email":"` + c.Email + `"}]}`,
		`{"data":[{"MaHoSo":"a-1","DiaChiThuongTru":"` + c.Address + `\x"}]}`,
		`{"data":[{"TrichYeuHoSo":` + strings.Repeat("[", 200) + `"` + c.Summary + `"` + strings.Repeat("]", 200) + `}]}`,
		`{"error_code":"` + c.IDNumber + `","data":[]}`,
	}
	odd := `{"data":[` +
		`{"MaHoSo":"` + c.IDNumber + `","DonViXuLy":"` + c.Name + `","MaLinhVuc":"DD","TrangThaiHoSo":2,"NgayTiepNhan":"20261110080000","NgayCapNhat":"20250101000001"},` +
		`{"MaHoSo":"` + c.Phone + `","DonViXuLy":"000.00.31.H47","MaLinhVuc":"` + c.Email + `","TrangThaiHoSo":2,"NgayTiepNhan":"20261110080000","NgayCapNhat":"20250101000002"},` +
		`{"MaHoSo":"` + c.Email + `","DonViXuLy":"000.00.31.H47","MaLinhVuc":"DD","KenhThucHien":"` + c.Phone + `","TrangThaiHoSo":"` + c.IDNumber + `","NgayTiepNhan":"` + c.Phone + `","NgayCapNhat":"20250101000003"},` +
		`{"MaHoSo":"canary-ok-1","DonViXuLy":"000.00.31.H47","MaLinhVuc":"DD","TrangThaiHoSo":10,"NgayTiepNhan":"20261110080000","NgayHenTra":"20261111080000","NgayTra":"20261112080000","NgayCapNhat":"20250101000004",` +
		`"QuaTrinhXuLy":[{"NguoiXuLy":"` + c.Email + `","TenNguoiXuLy":"` + c.OfficialName + `","NgayKetThuc":"20261112080000","HanXuLy":"20261111080000"},` +
		`{"NguoiXuLy":"` + c.Phone + `","NgayKetThuc":"20261112080000","HanXuLy":"20261111080000"},` +
		`{"NguoiXuLy":"` + c.Name + `","NgayKetThuc":"20261112080000","HanXuLy":"20261111080000"}]},` +
		// Good records, so that the page's rejected share stays at most half
		// and the page is read rather than refused.
		`{"MaHoSo":"canary-ok-2","DonViXuLy":"000.00.31.H47","MaLinhVuc":"DD","TrangThaiHoSo":2,"NgayTiepNhan":"20261110080000","NgayCapNhat":"20250101000004"},` +
		`{"MaHoSo":"canary-ok-3","DonViXuLy":"000.00.31.H47","MaLinhVuc":"DD","TrangThaiHoSo":2,"NgayTiepNhan":"20261110080000","NgayCapNhat":"20250101000004"}` +
		`],"next_cursor":"2025-01-01T00:00:04+07:00"}`

	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(requests.Add(1))
		switch {
		case n <= len(bad):
			io.WriteString(w, bad[n-1])
		case n == len(bad)+1:
			io.WriteString(w, odd)
		default:
			g.Handler().ServeHTTP(w, r)
		}
	}))
	defer srv.Close()

	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client, err := httpc.New(httpc.Config{URL: srv.URL, RateLimit: 1000, Burst: 1000, Retries: httpc.Int(1)}, logger)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	env := feedEnv(dir)
	env.Logger = logger
	// The province's account codes look like the generator's; the pattern
	// is what keeps a name sent as NguoiXuLy out (it would pass the
	// catalog's generic code pattern).
	cfg := feedCfg(t, 200, func(f *FeedConfig) { f.OfficialLate = true; f.OfficialPattern = `^[a-z0-9]+\.cb[0-9]+$` })

	var errs []string
	var samples []string
	var rejected int
	for run := 0; run < len(bad)+3; run++ {
		s, err := New("feed", cfg, client, env) // a restarted daemon each time
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.Collect(context.Background())
		if err != nil {
			errs = append(errs, err.Error(), fmt.Sprintf("%+v %#v", err, err))
			logger.Error("source run failed", "err", err)
			continue
		}
		for _, smp := range res.Samples {
			samples = append(samples, smp.Metric.Name+"{"+strings.Join(smp.Labels, ",")+"}")
		}
		for _, n := range res.Rejected {
			rejected += n
		}
		logger.Info("source run", "samples", len(res.Samples), "rejected", res.Rejected)
	}
	if len(errs) != 2*len(bad) {
		t.Errorf("%d failed runs, want %d: %v", len(errs)/2, len(bad), errs)
	}
	if len(samples) < 500 || rejected < 50 {
		t.Fatalf("%d samples, %d rejected: the canary feed did not run through", len(samples), rejected)
	}
	found := false
	for _, s := range samples {
		if strings.HasPrefix(s, "tthc_official_late_dossiers") {
			found = true
		}
	}
	if !found {
		t.Error("no official-late sample: the process log was not read")
	}

	var state []byte
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		state = append(state, b...)
	}
	if len(state) < 1000 {
		t.Fatalf("state is %d bytes: nothing saved?", len(state))
	}
	places := map[string]string{
		"a metric label": strings.Join(samples, "\n"),
		"the logs":       logs.String(),
		"an error":       strings.Join(errs, "\n"),
		"the state":      string(state),
	}
	for where, text := range places {
		for _, canary := range piiList(c) {
			if strings.Contains(text, canary) {
				i := strings.Index(text, canary)
				t.Errorf("canary %q found in %s: …%s…", canary, where, text[max(0, i-80):min(len(text), i+80)])
			}
		}
		if strings.Contains(text, "CANARY") {
			t.Errorf("CANARY found in %s", where)
		}
	}
	// The feed really carried them.
	var page bytes.Buffer
	g.WritePage(&page, feedNow.AddDate(-2, 0, 0), 5)
	for _, canary := range piiList(c) {
		if !bytes.Contains(page.Bytes(), []byte(canary)) && canary != c.OfficialName {
			t.Errorf("the generated feed lacks canary %q", canary)
		}
	}
}
