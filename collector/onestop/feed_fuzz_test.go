package onestop

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"

	"github.com/govpulse/govpulse/collector/simulate/feedgen"
	"github.com/govpulse/govpulse/collector/source"
	"github.com/govpulse/govpulse/collector/workday"
)

// FuzzFeedDecode: arbitrary bytes never panic the decoder or the
// aggregation; every error is classified; every counted record has
// whitelisted codes; and reading the body one byte at a time (every token
// split across buffer refills) decodes exactly what reading it whole does.
func FuzzFeedDecode(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("testdata", "feed-sample.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	var page bytes.Buffer
	g, err := feedgen.New(6, 1, feedgen.Options{To: feedNow, BadShare: 0.3})
	if err != nil {
		f.Fatal(err)
	}
	g.WriteTo(&page)
	f.Add(page.Bytes())
	f.Add([]byte(`{"data":[{"MaHoSo":"\u0041\"b","TrangThaiHoSo":"1e3","NgayTiepNhan":"\ud800"}],"next_cursor":"x"}`))
	f.Add([]byte(`{"data":[{"QuaTrinhXuLy":[{"NguoiXuLy":"a.cb1","NgayKetThuc":"20261102080000","HanXuLy":"20261101080000"}]}]}`))
	f.Add([]byte(`[[[[{{{{`))
	f.Add([]byte(`{"data":[-1e999, tru, "\`))

	env := feedEnv("")
	cal, err := workday.Default()
	if err != nil {
		f.Fatal(err)
	}
	cal = cal.WithLocation(env.Location)
	codes := newFeedCodes(env, false)
	f.Fuzz(func(t *testing.T, body []byte) {
		run := func(r func() *bytes.Reader, oneByte bool) (string, string) {
			agg := newFeedAgg(codes, cal, true)
			agg.begin(feedNow)
			dec := newFeedDecoder(codes, true, 8*3600)
			var trace bytes.Buffer
			apply := func(rec *feedRecord) {
				if rec.reject == "" {
					if rec.agency < 0 || int(rec.agency) >= len(codes.agencies) || rec.field < 0 || int(rec.field) >= len(codes.fields) {
						t.Fatalf("record with codes %d/%d passed", rec.agency, rec.field)
					}
				}
				reason := agg.apply(rec)
				fmt.Fprintf(&trace, "%x %d %d %d %d %d %v %v %s|", rec.id, rec.agency, rec.field, rec.status, rec.received.w, rec.legal, rec.digitised, rec.lateSteps, reason)
			}
			var err error
			var info pageInfo
			if oneByte {
				info, err = dec.decode(iotest.OneByteReader(r()), apply)
			} else {
				info, err = dec.decode(r(), apply)
			}
			if err != nil && source.Reason(err) == "" {
				t.Fatalf("unclassified error %v", err)
			}
			res := &source.Result{}
			agg.emit(res, true)
			for _, s := range res.Samples {
				if err := s.Metric.ValidateLabels(s.Labels); err != nil {
					t.Fatal(err)
				}
			}
			e := ""
			if err != nil {
				e = source.Reason(err)
			}
			return trace.String(), fmt.Sprintf("%s %d %q %v %q", e, info.records, info.cursor, info.maxUpdated, info.errorCode)
		}
		t1, i1 := run(func() *bytes.Reader { return bytes.NewReader(body) }, false)
		t2, i2 := run(func() *bytes.Reader { return bytes.NewReader(body) }, true)
		if t1 != t2 || i1 != i2 {
			t.Fatalf("whole and byte-by-byte reads differ:\n%s\n%s\n%s\n%s", t1, t2, i1, i2)
		}
	})
}
