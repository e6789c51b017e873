package store

import (
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
)

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestFailKeepsLastGoodData(t *testing.T) {
	s := New(discard(), 0)
	s.Register("os", "onestop", time.Minute, false)
	res := &source.Result{}
	res.Add(catalog.DossiersCarriedOver, 7, "000.00.31.H47", "DD", "month")
	t0 := time.Unix(1000, 0)
	s.Publish("os", res, t0, time.Second)
	before := s.Snapshot()

	s.Fail("os", source.Errorf(catalog.ReasonHTTP5xx, "upstream said 500"), t0.Add(time.Minute), time.Second)
	after := s.Snapshot()
	st := after.Source("os")
	if st.Up || st.Errors[catalog.ReasonHTTP5xx] != 1 || st.LastError != "upstream said 500" {
		t.Fatalf("health after failure: %+v", st)
	}
	if len(st.Result.Samples) != 1 || st.Result.Samples[0].Value != 7 || !st.LastSuccess.Equal(t0) {
		t.Fatalf("last good data lost: %+v", st.Result)
	}
	// The earlier snapshot is immutable.
	if b := before.Source("os"); !b.Up || len(b.Errors) != 0 {
		t.Fatalf("published snapshot was modified: %+v", b)
	}
	if after.Gen <= before.Gen {
		t.Fatalf("gen did not increase: %d -> %d", before.Gen, after.Gen)
	}
}

func TestSanitizeRejects(t *testing.T) {
	s := New(discard(), 2)
	res := &source.Result{}
	res.Reject(catalog.RejectNegative, 3)
	res.Add(catalog.DossiersCarriedOver, 1, "000.00.31.H47", "DD", "month")
	res.Add(catalog.DossiersCarriedOver, 1, "000.00.31.H47", "DD", "month") // duplicate
	res.Add(catalog.DossiersCarriedOver, 1, "Nguyen Van A", "DD", "month")  // free text
	res.Add(catalog.DossiersCarriedOver, 1, "000.00.31.H47", "DD", "week")  // unknown period
	res.Add(catalog.DossiersCarriedOver, 1, "000.00.32.H47", "DD", "month")
	res.Add(catalog.DossiersCarriedOver, 1, "000.00.33.H47", "DD", "month") // over the cap of 2
	s.Publish("os", res, time.Unix(1, 0), 0)
	st := s.Snapshot().Source("os")
	if n := len(st.Result.Samples); n != 2 {
		t.Fatalf("kept %d samples, want 2", n)
	}
	want := map[string]uint64{catalog.RejectNegative: 3, catalog.RejectDuplicate: 1, catalog.RejectBadCode: 2, catalog.RejectCardinality: 1}
	for r, n := range want {
		if st.Rejected[r] != n {
			t.Errorf("rejected[%s] = %d, want %d", r, st.Rejected[r], n)
		}
	}
}

func TestSubscribeSeesEveryPublication(t *testing.T) {
	s := New(discard(), 0)
	var gens []uint64
	s.Subscribe(func(sn *Snapshot) { gens = append(gens, sn.Gen) })
	s.Register("a", "onestop", 0, false)
	s.Fail("a", errors.New("x"), time.Unix(1, 0), 0)
	if len(gens) != 3 || gens[0] != 0 || gens[2] != 2 {
		t.Fatalf("gens = %v", gens)
	}
	s.Unregister(map[string]bool{})
	if len(s.Snapshot().Sources) != 0 {
		t.Fatal("unregister kept a source")
	}
}
