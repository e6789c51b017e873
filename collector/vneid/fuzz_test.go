package vneid

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
)

// FuzzDecodeJSON feeds arbitrary bodies to the JSON decoder and the
// validation behind it: no panic, every error classified, and every unit
// that gets through has a whitelisted code and plausible, consistent,
// non-negative counts.
func FuzzDecodeJSON(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "level2*.json"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"as_of":"2026-11-20","units":[{"code":"000.01.31.H47","applications":1e400,"issued":"1.2.3","activated":null}]}`))
	f.Add([]byte(`{"as_of":"2026-11-20T23:00:00Z","units":[[],{},1,"x",{"code":7}]}`))
	env := testEnv(nil)
	s, err := New("vneid", mustConfig(f, Config{Mode: ModeDir, Dir: f.TempDir()}), nil, env)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var rejects []rejection
		rep, err := decodeJSON(body, ict, &rejects)
		if err != nil {
			if source.Reason(err) != catalog.ReasonDecode {
				t.Fatalf("error %v classified %q", err, source.Reason(err))
			}
			return
		}
		if rep.total != len(rep.rows)+len(rejects) {
			t.Fatalf("%d units, %d rows and %d rejects", rep.total, len(rep.rows), len(rejects))
		}
		units := s.validate(rep.rows, &rejects)
		checkAccepted(t, env, units, rejects)
	})
}

// checkAccepted holds for every unit a decoder accepted: a whitelisted code,
// counts in range, activated within issued, reasons from the catalog.
func checkAccepted(t *testing.T, env source.Env, units map[string]counts, rejects []rejection) {
	t.Helper()
	for code, c := range units {
		if _, ok := env.Agencies[code]; !ok {
			t.Fatalf("code %q passed the whitelist", code)
		}
		for _, n := range c {
			if n < 0 || n > maxCount {
				t.Fatalf("count %d passed", n)
			}
		}
		if c[2] > c[1] {
			t.Fatalf("activated %d > issued %d passed", c[2], c[1])
		}
	}
	for _, r := range rejects {
		if !catalog.LabelValues[catalog.LabelReason].Allows(r.reason) {
			t.Fatalf("reject reason %q is not in the catalog", r.reason)
		}
	}
}
