package onestop

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/govpulse/govpulse/collector/simulate/feedgen"
)

// stateSizes are what a state holds, to compare a state with its reload.
type stateSizes struct {
	cursor                            string
	year                              int
	offMonth                          int32
	keys, set, prevSet, inprog, offLt int
	offSeen                           int
	hasPrev                           bool
}

func sizesOf(a *feedAgg) stateSizes {
	s := stateSizes{cursor: a.cursor, year: a.year, offMonth: a.offMonth, keys: len(a.keys), set: a.set.n,
		inprog: len(a.inprog), offLt: len(a.offLate), offSeen: a.offSeen.n, hasPrev: a.prevSet != nil}
	if a.prevSet != nil {
		s.prevSet = a.prevSet.n
	}
	return s
}

// stateSeed runs a feed source once against srv and returns its state file.
func stateSeed(f *testing.F, cfg Config, srv *httptest.Server) []byte {
	dir := f.TempDir()
	s := newFeedSource(f, cfg, srv.URL, feedEnv(dir))
	if _, err := s.Collect(context.Background()); err != nil {
		f.Fatal(err)
	}
	b, err := os.ReadFile(s.feed.statePath)
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// FuzzLoadState feeds arbitrary state files to loadState: no panic, no
// allocation the file cannot back, and a state that loads is written back and
// loads again unchanged, with nothing more dropped. Seeds are the states of
// the testdata sample feed and of a generated one (with official_late), and
// damaged copies.
func FuzzLoadState(f *testing.F) {
	cfg := feedCfg(f, 200, func(c *FeedConfig) { c.OfficialLate = true })
	srv := httptest.NewServer(&feedServer{g: genFor(f, 600, 5, feedgen.Options{})})
	f.Cleanup(srv.Close)
	seeds := [][]byte{stateSeed(f, cfg, serveFile(f, "feed-sample.json")), stateSeed(f, cfg, srv)}
	dir := f.TempDir()
	s := newFeedSource(f, cfg, srv.URL, feedEnv(dir))
	fs := s.feed
	path := filepath.Join(dir, "fuzz.feed.state")
	for _, b := range seeds {
		// The intact seeds must load, or the round trip below goes unfuzzed.
		if err := os.WriteFile(path, b, 0o600); err != nil {
			f.Fatal(err)
		}
		if a, _, err := loadState(path, fs.config, fs.codes, fs.fresh); err != nil || len(a.keys) == 0 {
			f.Fatalf("seed state does not load: %v", err)
		}
		f.Add(b)
		f.Add(b[:len(b)/2])
		f.Add(bytes.Replace(b, []byte(`"keys":`), []byte(`"keys":-`), 1))
	}
	f.Add([]byte(stateMagic + "\x02{}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		a, dropped, err := loadState(path, fs.config, fs.codes, fs.fresh)
		if err != nil {
			return
		}
		if dropped < 0 || dropped > len(b) {
			t.Fatalf("dropped %d keys of a %d-byte file", dropped, len(b))
		}
		want := sizesOf(a)
		var buf bytes.Buffer
		if err := a.writeTo(&buf, "feed", fs.config, feedNow); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		a2, dropped2, err := loadState(path, fs.config, fs.codes, fs.fresh)
		if err != nil {
			t.Fatalf("a loaded state written back does not load: %v", err)
		}
		if dropped2 != 0 {
			t.Fatalf("reload dropped %d keys", dropped2)
		}
		if got := sizesOf(a2); got != want {
			t.Fatalf("reload holds %+v, want %+v", got, want)
		}
	})
}
