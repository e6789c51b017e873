package onestop

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/govpulse/govpulse/collector/source"
)

// streamConfigs are mappings whose paths the walk must get right: tags
// before or after the rows, nested items and captures, a capture inside
// another, a period tag in the rows only, an array step.
func streamConfigs(t *testing.T) map[string]Config {
	t.Helper()
	return map[string]Config{
		"vendor":   vendorCfg(t, nil),
		"standard": loadConfig(t, ""),
		"third":    loadConfig(t, "thirdvendor.yml"),
		"nested": vendorCfg(t, func(m *Mapping) {
			m.ItemsPath = "result.data.rows"
			m.SuccessPath, m.ErrorMessagePath = "result.status", "result.status_text"
			m.PeriodPath = "result.ky"
			m.Pagination = &Pagination{PageParam: "p", Size: 3, TotalPagesPath: "result.paging.total"}
		}),
		"captureInCapture": vendorCfg(t, func(m *Mapping) {
			m.SuccessPath, m.ErrorMessagePath = "status", "status.msg"
		}),
		"arrayStep": vendorCfg(t, func(m *Mapping) {
			m.ItemsPath = "pages[1].data"
			m.SuccessPath, m.ErrorMessagePath = "pages[0].ok", "pages[0].msg"
			m.PeriodPath = "ky"
		}),
	}
}

// docGen writes random JSON bodies in the shapes of streamConfigs: the
// wanted keys in any order, missing, repeated, null or of the wrong type,
// among keys nobody asked for.
type docGen struct {
	r   *rand.Rand
	buf strings.Builder
}

var genKeys = []string{
	"data", "rows", "result", "status", "status_text", "msg", "ok", "pages", "paging", "total",
	"ketQua", "thongBao", "ky", "maDonVi", "linhVuc", "nhan", "tonKyTruoc", "dungHan",
	"ma_co_quan", "ma_linh_vuc", "donvi_id", "linhvuc", "tiepnhan", "tructuyen", "daxuly", "dunghan",
	"tiep_nhan_truc_tuyen", "giai_quyet_dung_han", "ton_ky_truoc", "x",
}

var genScalars = []string{
	`"THANH_CONG"`, `"LOI"`, `"month:2026-11-01"`, `"quarter:2026-10-01"`, `"000.00.31.H47"`, `"000.01.31.H47"`,
	`"DD"`, `"HT"`, `"dd"`, `"1017"`, `"2001"`, `3`, `0`, `-2`, `1.5`, `"7"`, `2`, `1e3`, `true`, `null`, `""`, `"Lỗi hệ thống"`,
}

func (g *docGen) value(depth int) {
	switch k := g.r.IntN(10); {
	case depth > 4 || k < 4:
		g.buf.WriteString(genScalars[g.r.IntN(len(genScalars))])
	case k < 7:
		g.buf.WriteByte('{')
		n := g.r.IntN(6)
		for i := range n {
			if i > 0 {
				g.buf.WriteByte(',')
			}
			fmt.Fprintf(&g.buf, "%q:", genKeys[g.r.IntN(len(genKeys))])
			g.value(depth + 1)
		}
		g.buf.WriteByte('}')
	default:
		g.buf.WriteByte('[')
		n := g.r.IntN(5)
		for i := range n {
			if i > 0 {
				g.buf.WriteByte(',')
			}
			g.value(depth + 1)
		}
		g.buf.WriteByte(']')
	}
}

func (g *docGen) doc() []byte {
	g.buf.Reset()
	g.value(0)
	return []byte(g.buf.String())
}

// plausible writes a body a vendor might send: the usual envelope with
// rows, the keys shuffled, sometimes repeated.
func (g *docGen) plausible() []byte {
	g.buf.Reset()
	row := func() {
		g.buf.WriteByte('{')
		keys := []string{"maDonVi", "linhVuc", "ky", "nhan", "tonKyTruoc", "dungHan", "ma_co_quan", "ma_linh_vuc", "donvi_id", "linhvuc"}
		g.r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
		for i, k := range keys[:g.r.IntN(len(keys)+1)] {
			if i > 0 {
				g.buf.WriteByte(',')
			}
			fmt.Fprintf(&g.buf, "%q:", k)
			if g.r.IntN(8) == 0 {
				g.value(3)
			} else {
				g.buf.WriteString(genScalars[g.r.IntN(len(genScalars))])
			}
		}
		g.buf.WriteByte('}')
	}
	rows := func() {
		g.buf.WriteByte('[')
		for i := range g.r.IntN(8) {
			if i > 0 {
				g.buf.WriteByte(',')
			}
			row()
		}
		g.buf.WriteByte(']')
	}
	members := []func(){
		func() { g.buf.WriteString(`"ketQua":`); g.value(4) },
		func() { g.buf.WriteString(`"thongBao":"Lỗi kết nối"`) },
		func() { g.buf.WriteString(`"ky":`); g.value(4) },
		func() { g.buf.WriteString(`"data":`); rows() },
		func() { g.buf.WriteString(`"rows":`); rows() },
		func() { g.buf.WriteString(`"pages":`); g.value(4) },
		func() { g.buf.WriteString(`"status":{"msg":"hết hạn"}`) },
		func() {
			g.buf.WriteString(`"result":{"status":"THANH_CONG","ky":`)
			g.value(4)
			g.buf.WriteString(`,"data":{"rows":`)
			rows()
			g.buf.WriteString(`},"paging":{"total":`)
			g.value(4)
			g.buf.WriteString(`}}`)
		},
		func() {
			g.buf.WriteString(`"data":{"rows":`)
			rows()
			g.buf.WriteString(`}`)
		},
		func() {
			g.buf.WriteString(`"pages":[{"ok":"THANH_CONG"},{"data":`)
			rows()
			g.buf.WriteString(`}]`)
		},
		func() { g.buf.WriteString(`"x":`); g.value(0) },
	}
	g.buf.WriteByte('{')
	n := 1 + g.r.IntN(6)
	for i := range n {
		if i > 0 {
			g.buf.WriteByte(',')
		}
		members[g.r.IntN(len(members))]()
	}
	g.buf.WriteByte('}')
	return []byte(g.buf.String())
}

type decoded struct {
	n, total int
	err      string
	agg      map[[2]string][nCounts]float64
	seen     map[[2]string]struct{}
	rejected map[string]int
}

func runDecode(s *Source, body []byte, tag string, ref bool) decoded {
	agg := map[[2]string]*[nCounts]float64{}
	// One key from an earlier page, so duplicates across pages are checked.
	seen := map[[2]string]struct{}{{"000.01.31.H47", "HT"}: {}}
	res := &source.Result{}
	var d decoded
	var err error
	if ref {
		d.n, d.total, err = s.refDecodeTagged(body, tag, agg, seen, res)
	} else {
		d.n, d.total, err = s.decodeTagged(bytes.NewReader(body), tag, agg, seen, res)
	}
	if err != nil {
		d.err = err.Error()
		if !classified(err) {
			d.err += " (unclassified)"
		}
		return d // what a failed page left behind is dropped by the caller
	}
	d.agg = map[[2]string][nCounts]float64{}
	for k, v := range agg {
		d.agg[k] = *v
	}
	d.seen, d.rejected = seen, res.Rejected
	return d
}

// TestStreamMatchesReference: over generated bodies, the streaming walk
// gives what decoding the body into `any` gives — rows, totals, rejections
// and the very error message — and leaves nothing behind on failure.
func TestStreamMatchesReference(t *testing.T) {
	cfgs := streamConfigs(t)
	names := make([]string, 0, len(cfgs))
	srcs := map[string]*Source{}
	for n, c := range cfgs {
		names = append(names, n)
		s, err := New("os", c, nil, testEnv())
		if err != nil {
			t.Fatal(err)
		}
		srcs[n] = s
	}
	g := &docGen{r: rand.New(rand.NewPCG(8, 2026))}
	outcomes := map[string]int{}
	for i := range 1500 {
		body := g.plausible()
		if i%4 == 0 {
			body = g.doc()
		}
		if i%50 == 0 { // truncated bodies are malformed in both
			body = body[:len(body)/2]
		}
		for _, name := range names {
			s := srcs[name]
			for _, tag := range []string{"", "month:2026-11-01"} {
				want := runDecode(s, body, tag, true)
				got := runDecode(s, body, tag, false)
				if want.err != "" && strings.HasPrefix(want.err, "malformed JSON") {
					// Syntax errors are worded by different parts of encoding/json.
					if !strings.HasPrefix(got.err, "malformed JSON") {
						t.Fatalf("%s, body %s:\nreference: %s\nstream:    %+v", name, body, want.err, got)
					}
					outcomes["malformed"]++
					continue
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s, tag %q, body %s:\nreference: %+v\nstream:    %+v", name, tag, body, want, got)
				}
				switch {
				case want.err != "":
					outcomes["error"]++
				case want.n > 0:
					outcomes["rows"]++
				default:
					outcomes["empty"]++
				}
			}
		}
	}
	// The generator must reach every outcome, or the comparison proves little.
	for _, o := range []string{"malformed", "error", "rows", "empty"} {
		if outcomes[o] < 50 {
			t.Errorf("only %d bodies with outcome %s: %v", outcomes[o], o, outcomes)
		}
	}
}

// TestStreamLastKeyWins: of two equal keys the last one counts, as when the
// body is decoded into a map, even when the first held the rows.
func TestStreamLastKeyWins(t *testing.T) {
	s, err := New("os", vendorCfg(t, nil), nil, testEnv())
	if err != nil {
		t.Fatal(err)
	}
	row := `{"maDonVi":"000.00.31.H47","linhVuc":"DD","ky":"t","nhan":%d}`
	for _, tc := range []struct {
		body    string
		n       int
		err     string
		counted float64
	}{
		{`{"ketQua":"THANH_CONG","data":[` + fmt.Sprintf(row, 1) + `],"data":[` + fmt.Sprintf(row, 5) + `]}`, 1, "", 5},
		{`{"ketQua":"THANH_CONG","data":[` + fmt.Sprintf(row, 1) + `],"data":null}`, 0, "", 0},
		{`{"ketQua":"THANH_CONG","data":[` + fmt.Sprintf(row, 1) + `],"data":7}`, 0, "items at \"data\" are not an array", 0},
		{`{"ketQua":"LOI","data":[` + fmt.Sprintf(row, 1) + `],"ketQua":"THANH_CONG"}`, 1, "", 1},
		{`{"ketQua":"THANH_CONG","data":[` + fmt.Sprintf(row, 1) + `],"ketQua":"LOI"}`, 0, `the upstream says it failed: ketQua = "LOI", not "THANH_CONG"`, 0},
	} {
		got := runDecode(s, []byte(tc.body), "t", false)
		if got.err != tc.err || got.n != tc.n {
			t.Errorf("%s: got %d rows, error %q; want %d, %q", tc.body, got.n, got.err, tc.n, tc.err)
			continue
		}
		if tc.err == "" && got.agg[[2]string{"000.00.31.H47", "DD"}][iReceivedLo+1] != tc.counted && tc.counted != 0 {
			t.Errorf("%s: counted %v, want %v", tc.body, got.agg, tc.counted)
		}
	}
}

// TestMappingPathsValidated: a path that would make the walk decode the
// rows whole, or look a body value up inside the rows, is a config error.
func TestMappingPathsValidated(t *testing.T) {
	for _, tc := range []struct {
		mod  func(*Mapping)
		path string
	}{
		{func(m *Mapping) { m.SuccessPath = "data" }, "mapping.success_path"},
		{func(m *Mapping) { m.ItemsPath = "result.rows"; m.SuccessPath = "result" }, "mapping.success_path"},
		{func(m *Mapping) { m.ErrorMessagePath = "data[0].msg" }, "mapping.error_message_path"},
		{func(m *Mapping) {
			m.Pagination = &Pagination{PageParam: "p", Size: 10, TotalPagesPath: "data.total"}
		}, "mapping.pagination.total_pages_path"},
		{func(m *Mapping) { m.ItemsPath = ""; m.SuccessPath = "ok" }, "mapping.success_path"},
		{func(m *Mapping) { m.ItemsPath = "data..rows" }, "mapping.items_path"},
	} {
		c := Config{Format: FormatMapping, Mapping: &Mapping{
			Path: "/baocao", FromParam: "tu", ToParam: "den", ItemsPath: "data",
			Columns:     map[string]string{ColAgency: "a", ColField: "f"},
			SuccessPath: "ketQua", SuccessValue: "OK",
		}}
		tc.mod(c.Mapping)
		c.SetDefaults()
		errs := c.Validate()
		found := false
		for _, e := range errs {
			found = found || e.Path == tc.path
		}
		if !found {
			t.Errorf("want a problem at %s, got %v", tc.path, errs)
		}
	}
	// A period tag path through the rows is a row-level tag only: valid.
	c := vendorCfg(t, func(m *Mapping) { m.PeriodPath = "data.ky" })
	if _, err := New("os", c, nil, testEnv()); err != nil {
		t.Fatal(err)
	}
}

// classified: err says why the run failed (a *source.Error), not "other".
func classified(err error) bool {
	var se *source.Error
	return errors.As(err, &se)
}
