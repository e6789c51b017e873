package table

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var ict = time.FixedZone("ICT", 7*3600)

func TestParsePeriod(t *testing.T) {
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, ict) }
	for _, c := range []struct {
		in         string
		kind       string
		start, end time.Time
		title, en  string
	}{
		{"2026-02", catalog.PeriodMonth, d(2026, 2, 1), d(2026, 3, 1), "Tháng 02 năm 2026", "February 2026"},
		{"2025-12", catalog.PeriodMonth, d(2025, 12, 1), d(2026, 1, 1), "Tháng 12 năm 2025", "December 2025"},
		{"2026-Q1", catalog.PeriodQuarter, d(2026, 1, 1), d(2026, 4, 1), "Quý I năm 2026", "Q1 2026"},
		{"2025-q4", catalog.PeriodQuarter, d(2025, 10, 1), d(2026, 1, 1), "Quý IV năm 2025", "Q4 2025"},
		{"2025", catalog.PeriodYear, d(2025, 1, 1), d(2026, 1, 1), "Năm 2025", "2025"},
	} {
		p, err := ParsePeriod(c.in, ict)
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if p.Kind != c.kind || !p.Start.Equal(c.start) || !p.End.Equal(c.end) || p.Title("vi") != c.title || p.Title("en") != c.en {
			t.Errorf("%s: %+v %q %q", c.in, p, p.Title("vi"), p.Title("en"))
		}
		if back, _ := ParsePeriod(p.String(), ict); back != p {
			t.Errorf("%s: String %q reads back as %+v", c.in, p.String(), back)
		}
	}
	for _, bad := range []string{"", "26-02", "2026-13", "2026-00", "2026-Q5", "2026-Q", "2026-2", "2026/02", "2026-02-01", "abcd", "1999"} {
		if _, err := ParsePeriod(bad, ict); err == nil || !strings.Contains(err.Error(), "want a month") {
			t.Errorf("ParsePeriod(%q) = %v", bad, err)
		}
	}
}

// The hard instants: the first and last moments of a month, a quarter and
// a year fall in their own period, in the province's time zone (00:30 on
// 1 January in Vietnam is still 31 December in UTC).
func TestContaining(t *testing.T) {
	for _, c := range []struct {
		at   time.Time
		kind string
		want string
	}{
		{time.Date(2026, 1, 1, 0, 30, 0, 0, ict), catalog.PeriodMonth, "2026-01"},
		{time.Date(2026, 1, 1, 0, 30, 0, 0, ict), catalog.PeriodQuarter, "2026-Q1"},
		{time.Date(2026, 1, 1, 0, 30, 0, 0, ict), catalog.PeriodYear, "2026"},
		{time.Date(2025, 12, 31, 23, 59, 59, 0, ict), catalog.PeriodQuarter, "2025-Q4"},
		{time.Date(2026, 3, 31, 23, 59, 59, 0, ict), catalog.PeriodQuarter, "2026-Q1"},
		{time.Date(2026, 4, 1, 0, 0, 0, 0, ict), catalog.PeriodQuarter, "2026-Q2"},
		{time.Date(2026, 2, 17, 10, 0, 0, 0, ict), catalog.PeriodMonth, "2026-02"}, // Tết 2026
	} {
		if got := Containing(c.kind, c.at.UTC(), ict).String(); got != c.want {
			t.Errorf("Containing(%s, %s) = %s, want %s", c.kind, c.at, got, c.want)
		}
	}
}

func sampleTable() *Table {
	agencies := []Agency{
		{"000.00.00.H15", "UBND thành phố Đà Nẵng", catalog.LevelProvince},
		{"000.05.00.H15", "Phường Hải Châu", catalog.LevelCommune},
		{"000.00.05.H15", "Sở Tài chính", catalog.LevelDept},
		{"000.06.00.H15", "Phường Hòa Cường", catalog.LevelCommune},
		{"000.07.00.H15", "Đặc khu Hoàng Sa", catalog.LevelCommune},
	}
	counts := map[string]Counts{
		"000.00.00.H15": {CarriedOver: 3, Online: 10, InPerson: 5, Early: 8, OnTime: 4, NotDue: 6},
		"000.05.00.H15": {CarriedOver: 20, Online: 300, InPerson: 150, Postal: 2, Early: 250, OnTime: 120, Late: 30, NotDue: 60, Overdue: 12},
		"000.00.05.H15": {Online: 1200, InPerson: 40, Early: 900, OnTime: 200, Late: 55, NotDue: 80, Overdue: 5},
		"000.06.00.H15": {Online: 80, InPerson: 90, Early: 100, OnTime: 50, Late: 1, NotDue: 19},
		"000.99.00.H15": {Online: 1, Early: 1}, // figures without info
	}
	p, _ := ParsePeriod("2026-02", ict)
	return New("Thành phố Đà Nẵng", p, catalog.LateResolvedOnly, time.Date(2026, 2, 28, 23, 59, 59, 0, ict), Build(agencies, counts))
}

func TestBuild(t *testing.T) {
	tb := sampleTable()
	var levels []string
	for _, g := range tb.Groups {
		levels = append(levels, g.Level)
	}
	if strings.Join(levels, ",") != "tinh,so,xa," {
		t.Errorf("groups %v, want province, departments, communes, then the unknown", levels)
	}
	xa := tb.Groups[2]
	if len(xa.Rows) != 3 || xa.Rows[0].Name != "Đặc khu Hoàng Sa" || xa.Rows[2].Name != "Phường Hòa Cường" || xa.Rows[0].Received() != 0 {
		t.Errorf("communes %+v", xa.Rows)
	}
	if xa.Total.Online != 380 || tb.Total.Online != 1591 || tb.Total.Late != 86 {
		t.Errorf("totals: communes %+v, province %+v", xa.Total, tb.Total)
	}
	if r, ok := tb.Total.LateRate(catalog.LateResolvedOnly); !ok || r != 86.0/(1259+374+86) {
		t.Errorf("late rate %v %v", r, ok)
	}
	if _, ok := (Counts{}).LateRate(catalog.LateResolvedOnly); ok {
		t.Error("a rate without a denominator")
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	file := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(file, got, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (-update rewrites it):\n%s", name, got)
	}
}

func TestCSVGolden(t *testing.T) {
	for _, lang := range []string{"vi", "en"} {
		var b bytes.Buffer
		if err := sampleTable().WriteCSV(&b, lang); err != nil {
			t.Fatal(err)
		}
		golden(t, "table-"+lang+".csv", b.Bytes())
	}
}

func TestFromExposition(t *testing.T) {
	body := `# TYPE tthc_agency_info gauge
tthc_agency_info{agency="000.05.00.H15",level="xa",name="Phường Hải Châu",parent="",unit_code="20194"} 1
tthc_agency_info{agency="000.05.00.H15",level="xa",name="Phường Hải Châu",parent="",province="49",unit_code="20194"} 1
# TYPE tthc_dossiers_received gauge
tthc_dossiers_received{agency="000.05.00.H15",channel="truc_tuyen",field="HT",period="month"} 7
tthc_dossiers_received{agency="000.05.00.H15",channel="truc_tuyen",field="DD",period="month"} 5
tthc_dossiers_received{agency="000.05.00.H15",channel="truc_tuyen",field="DD",period="year"} 500
tthc_dossiers_received{agency="000.05.00.H15",channel="truc_tiep",field="DD",period="month",province="49"} 1000
# TYPE tthc_dossiers_resolved gauge
tthc_dossiers_resolved{agency="000.05.00.H15",field="DD",period="month",timeliness="tre_han"} 2
`
	ag, counts, err := FromExposition(strings.NewReader(body), catalog.PeriodMonth, "48")
	if err != nil {
		t.Fatal(err)
	}
	c := counts["000.05.00.H15"]
	if len(ag) != 1 || ag[0].Name != "Phường Hải Châu" || c.Online != 12 || c.InPerson != 0 || c.Late != 2 {
		t.Errorf("agencies %v counts %+v", ag, c)
	}
	for _, bad := range []struct{ body, want string }{
		{"tthc_dossiers_received{agency=\"x\" 1\n", "cannot read the daemon's /metrics"},
		{"# TYPE up gauge\nup 1\n", "no one-stop figures yet"},
	} {
		if _, _, err := FromExposition(strings.NewReader(bad.body), catalog.PeriodMonth, ""); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: %v", bad.body, err)
		}
	}
}

// endless is a body that never ends.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = "# a comment line\n"[i%17]
	}
	return len(p), nil
}

func TestFromExpositionBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 512 MiB")
	}
	if _, _, err := FromExposition(endless{}, catalog.PeriodMonth, ""); err == nil || !strings.Contains(err.Error(), "over 512 MiB") {
		t.Errorf("an endless body: %v", err)
	}
}

func FuzzFromExposition(f *testing.F) {
	f.Add([]byte("tthc_dossiers_received{agency=\"a\",channel=\"truc_tuyen\",period=\"month\"} 1\n"))
	f.Add([]byte("tthc_agency_info{agency=\"a\",name=\"x\",level=\"xa\"} 1\ntthc_dossiers_resolved{agency=\"a\",timeliness=\"tre_han\",period=\"month\"} NaN\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ag, counts, err := FromExposition(bytes.NewReader(b), catalog.PeriodMonth, "")
		if err == nil && counts == nil {
			t.Fatal("no error and no counts")
		}
		tb := New("x", Period{Kind: catalog.PeriodMonth}, catalog.LateQD766, time.Time{}, Build(ag, counts))
		if err := tb.WriteCSV(&bytes.Buffer{}, "vi"); err != nil {
			t.Fatal(err)
		}
	})
}
