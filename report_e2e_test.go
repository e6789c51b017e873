package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/govpulse/govpulse/collector/simulate"
)

// refCounts is a deliberately simple reference: the simulator's own rows
// of a range, summed by agency, in the table's column order.
func refCounts(sim *simulate.Sim, from, to time.Time) map[string][12]float64 {
	out := map[string][12]float64{}
	for _, r := range sim.Report(from, to) {
		c := out[r.Agency]
		add := []int{
			r.CarriedOver + r.Received.Online + r.Received.InPerson + r.Received.Postal,
			r.CarriedOver, r.Received.Online, r.Received.InPerson, r.Received.Postal,
			r.Resolved.Early + r.Resolved.OnTime + r.Resolved.Late, r.Resolved.Early, r.Resolved.OnTime, r.Resolved.Late,
			r.InProgress.NotDue + r.InProgress.Overdue, r.InProgress.NotDue, r.InProgress.Overdue,
		}
		for i, v := range add {
			c[i] += float64(v)
		}
		out[r.Agency] = c
	}
	return out
}

// TestReportFromPrometheus backfills the demo's last three months into a
// real Prometheus and runs `govpulse report` for February 2026, the fourth
// quarter of 2025 and the year 2025 (which crosses the July 2025 merger: the
// rows are the units in force on 31 December), XLSX and CSV, checking every
// cell against the simulator's figures for the period.
func TestReportFromPrometheus(t *testing.T) {
	now := time.Date(2026, 3, 18, 10, 0, 0, 0, simulate.ICT)
	sim, cfg, points := demoHistory(t, now, 3)
	base := startPrometheusWithHistory(t, points)
	names := map[string]string{}
	for _, a := range cfg.Agencies {
		names[a.Code] = a.Name
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, simulate.ICT) }
	for _, c := range []struct {
		period   string
		from, to time.Time
		title    string
	}{
		{"2026-02", day(2026, 2, 1), day(2026, 2, 28), "Tháng 02 năm 2026"},
		{"2025-Q4", day(2025, 10, 1), day(2025, 12, 31), "Quý IV năm 2025"},
		{"2025", day(2025, 1, 1), day(2025, 12, 31), "Năm 2025"},
	} {
		t.Run(c.period, func(t *testing.T) {
			want := refCounts(sim, c.from, c.to)
			dir := t.TempDir()
			xlsx, csvFile := filepath.Join(dir, "t.xlsx"), filepath.Join(dir, "t.csv")
			for _, f := range []string{xlsx, csvFile} {
				args := []string{"report", "--prometheus.url", base, "--period", c.period, "--time", now.Format(time.RFC3339),
					"--format", strings.TrimPrefix(filepath.Ext(f), "."), "--out", f}
				if err := run(context.Background(), args, io.Discard, io.Discard); err != nil {
					t.Fatalf("report: %v", err)
				}
			}
			rows := readXLSX(t, xlsx)
			if !strings.Contains(rows[1][0], c.title) || !strings.Contains(rows[0][0], "Đà Nẵng") {
				t.Errorf("titles %q / %q, want the period %q and the city", rows[0][0], rows[1][0], c.title)
			}
			checkCells(t, rows[5:], want, names)
			checkCSV(t, csvFile, rows[5:])
		})
	}
}

func readXLSX(t *testing.T, file string) [][]string {
	t.Helper()
	f, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sh := f.GetSheetName(0)
	rows, err := f.GetRows(sh, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	// The printable layout: headings merged, panes frozen, A4 landscape.
	merged, _ := f.GetMergeCells(sh)
	var ranges []string
	for _, m := range merged {
		ranges = append(ranges, m.GetStartAxis()+":"+m.GetEndAxis())
	}
	for _, want := range []string{"A1:O1", "A4:A5", "B4:B5", "C4:G4", "H4:K4", "L4:N4", "O4:O5"} {
		if !strings.Contains(strings.Join(ranges, " "), want) {
			t.Errorf("merged ranges %v lack %s", ranges, want)
		}
	}
	panes, _ := f.GetPanes(sh)
	if !panes.Freeze || panes.XSplit != 2 || panes.YSplit != 5 {
		t.Errorf("panes %+v, want frozen under row 5 and right of column B", panes)
	}
	layout, _ := f.GetPageLayout(sh)
	if layout.Orientation == nil || *layout.Orientation != "landscape" || layout.Size == nil || *layout.Size != 9 {
		t.Errorf("page layout %+v, want A4 landscape", layout)
	}
	if rows[4][2] != "Tổng số" || rows[3][2] != "Số hồ sơ nhận giải quyết" || rows[4][14-10] != "Trực tuyến" {
		t.Errorf("headings %q / %q", rows[3], rows[4])
	}
	return rows
}

// checkCells holds every data row to the reference: the total, each
// level's subtotal and each agency by name, column by column, and the late
// rate (resolved_only: late / resolved).
func checkCells(t *testing.T, rows [][]string, want map[string][12]float64, names map[string]string) {
	t.Helper()
	byName := map[string][12]float64{}
	for _, n := range names {
		byName[n] = [12]float64{} // a unit that had no dossier is a row of zeros
	}
	var total [12]float64
	for code, c := range want {
		n := names[code]
		if n == "" {
			t.Fatalf("the simulator's agency %s has no name in the demo config", code)
		}
		byName[n] = c
		for i := range c {
			total[i] += c[i]
		}
	}
	seen := 0
	var groups [12]float64
	for i, r := range rows {
		for len(r) < 15 {
			r = append(r, "")
		}
		var got [12]float64
		for j := range got {
			v, err := strconv.ParseFloat(r[2+j], 64)
			if err != nil {
				t.Fatalf("row %d (%s) column %d: %q", i+6, r[1], j+3, r[2+j])
			}
			got[j] = v
		}
		var w [12]float64
		switch {
		case i == 0:
			w = total
		case strings.HasSuffix(r[1], "(Cộng)"):
			for j := range got {
				groups[j] += got[j]
			}
			continue // the subtotals add up to the total: checked below
		default:
			var ok bool
			if w, ok = byName[r[1]]; !ok {
				t.Errorf("row %d: %q is not one of the simulator's agencies", i+6, r[1])
				continue
			}
			seen++
		}
		if got != w {
			t.Errorf("row %d (%s): got %v, want %v", i+6, r[1], got, w)
		}
		rate, hasRate := 0.0, r[14] != ""
		if hasRate {
			rate, _ = strconv.ParseFloat(r[14], 64)
		}
		if w[5] > 0 != hasRate || hasRate && math.Abs(rate-w[8]/w[5]) > 1e-12 {
			t.Errorf("row %d (%s): late rate %q, want %v/%v", i+6, r[1], r[14], w[8], w[5])
		}
	}
	if seen != len(names) || len(want) == 0 {
		t.Errorf("%d agency rows, the demo has %d agencies (%d with dossiers)", seen, len(names), len(want))
	}
	if groups != total {
		t.Errorf("the levels' subtotals add up to %v, the total is %v", groups, total)
	}
}

// checkCSV: the CSV holds the XLSX's rows, cell for cell.
func checkCSV(t *testing.T, file string, rows [][]string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\uFEFF")) {
		t.Error("the CSV has no byte-order mark")
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs)-1 != len(rows) {
		t.Fatalf("the CSV has %d rows, the XLSX %d", len(recs)-1, len(rows))
	}
	for i, r := range rows {
		for j := 1; j < 14; j++ {
			x, _ := strconv.ParseFloat(recs[i+1][j], 64)
			y, _ := strconv.ParseFloat(r[j], 64)
			if j == 1 && recs[i+1][j] != r[j] || j > 1 && x != y {
				t.Errorf("row %d column %d: CSV %q, XLSX %q", i+1, j+1, recs[i+1][j], r[j])
			}
		}
	}
}

// TestReportCurrentPeriodFromDaemon: the current month comes from a running
// daemon's /metrics; every cell equals the simulator's month to date.
func TestReportCurrentPeriodFromDaemon(t *testing.T) {
	srv := startServe(t, io.Discard, "--demo", "--demo.time="+busyTime, "--demo.frozen")
	defer srv.stop(t)
	at, _ := time.Parse(time.RFC3339, busyTime)
	sim := simulate.New(simulate.Options{Seed: 47, Now: func() time.Time { return at }})
	names := map[string]string{}
	files := t.TempDir()
	if err := writeDemoFiles(files); err != nil {
		t.Fatal(err)
	}
	cfg, err := demoConfig(sim, "http://127.0.0.1:1", files)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range cfg.Agencies {
		names[a.Code] = a.Name
	}
	out := filepath.Join(t.TempDir(), "now.xlsx")
	args := []string{"report", "--daemon.url", "http://" + srv.addr, "--prometheus.url", "http://127.0.0.1:1",
		"--period", "2026-03", "--time", busyTime, "--out", out}
	pollUntil(t, time.Now().Add(30*time.Second), "the daemon's one-stop figures", func() bool {
		return run(context.Background(), args, io.Discard, io.Discard) == nil
	})
	rows := readXLSX(t, out)
	if !strings.Contains(rows[1][0], "Tháng 03 năm 2026") || !strings.Contains(rows[1][0], "10:00 ngày 18/03/2026") {
		t.Errorf("subtitle %q", rows[1][0])
	}
	checkCells(t, rows[5:], refCounts(sim, time.Date(2026, 3, 1, 0, 0, 0, 0, simulate.ICT), time.Date(2026, 3, 18, 0, 0, 0, 0, simulate.ICT)), names)
}

// TestReportRefuses: clear errors, nothing written.
func TestReportRefuses(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "x.xlsx")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--period", "2026-13"}, "--period: cannot read the period"},
		{[]string{"--period", "2030-01", "--time", busyTime}, "has not begun"},
		{[]string{"--format", "docx"}, "--format"},
		{[]string{"--period", "2026-01", "--time", busyTime, "--prometheus.url", "http://reporter:s3cret@127.0.0.1:1"}, "cannot reach http://127.0.0.1:1"},
		{[]string{"--period", "2026-03", "--time", busyTime, "--daemon.url", "http://127.0.0.1:1"}, "the current period comes from the running govpulse"},
		{[]string{"--lang", "fr"}, "--lang"},
	} {
		err := run(context.Background(), append([]string{"report", "--out", out}, c.args...), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("report %v: %v, want %q", c.args, err, c.want)
		}
		if _, statErr := os.Stat(out); statErr == nil {
			t.Fatalf("report %v left %s behind", c.args, out)
		}
	}
}
