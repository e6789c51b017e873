package onestop

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/govpulse/govpulse/collector/source"
)

// FuzzDecodePage feeds arbitrary bodies to the standard, iGate-like and
// third-vendor decoders: no panic, and every row that gets through has
// whitelisted codes and non-negative integral counts.
func FuzzDecodePage(f *testing.F) {
	for _, name := range []string{"standard-page1.json", "standard-page2.json", "igate-page0.json", "thirdvendor.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"rows":[{"agency":1e400}],"pages":-1}`))
	f.Add([]byte(`[[[[[[`))
	env := testEnv()
	var srcs []*Source
	for _, file := range []string{"", "igate.yml", "thirdvendor.yml"} {
		s, err := New("os", loadConfig(f, file), nil, env)
		if err != nil {
			f.Fatal(err)
		}
		srcs = append(srcs, s)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, s := range srcs {
			agg := map[[2]string]*[nCounts]float64{}
			res := &source.Result{}
			if _, _, err := s.decodePage(body, agg, res); err != nil && !classified(err) {
				t.Fatalf("unclassified error %v", err)
			}
			// The streaming walk agrees with decoding into `any` (short of
			// nesting near encoding/json's depth limit, counted differently).
			if bytes.Count(body, []byte("["))+bytes.Count(body, []byte("{")) < 9000 {
				got, want := runDecode(s, body, "", false), runDecode(s, body, "", true)
				if (got.err == "") != (want.err == "") || (got.err == "" && !reflect.DeepEqual(got, want)) {
					t.Fatalf("stream %+v, reference %+v", got, want)
				}
			}
			for k, c := range agg {
				if _, ok := env.Agencies[k[0]]; !ok {
					t.Fatalf("agency %q passed the whitelist", k[0])
				}
				if _, ok := env.Fields[k[1]]; !ok {
					t.Fatalf("field %q passed the whitelist", k[1])
				}
				for _, v := range c {
					if v < 0 || v != math.Trunc(v) || math.IsInf(v, 0) || math.IsNaN(v) {
						t.Fatalf("count %v passed", v)
					}
				}
			}
		}
	})
}
