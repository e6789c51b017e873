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

// A run refused for its rejected share publishes nothing, but what it read
// and rejected is counted and its share exported: the counters and the
// share cover exactly the runs that failed for it.
func TestFailCountsRefusedRun(t *testing.T) {
	s := New(discard(), 0)
	s.Register("os", "onestop", time.Minute, false)
	s.SetRejectLimit("os", 0.5, true)
	good := &source.Result{Read: 10}
	good.Add(catalog.DossiersCarriedOver, 7, "000.00.31.H47", "DD", "month")
	good.Reject(catalog.RejectUnknownCode, 1)
	good.Reject(catalog.InconsistentKept, 4) // kept: not in the share
	t0 := time.Unix(1000, 0)
	s.Publish("os", good, t0, time.Second)
	if st := s.Snapshot().Source("os"); st.Read != 10 || !st.HasShare || st.RejectedShare != 0.1 {
		t.Fatalf("after a good run: read %d, share %v (%v)", st.Read, st.RejectedShare, st.HasShare)
	}

	refused := source.Counts{Read: 9, Rejected: map[string]int{catalog.RejectUnknownCode: 6}, Share: 6.0 / 9}
	s.Fail("os", source.CountedErrorf(refused, catalog.ReasonRejected, "6 of 9 rows rejected"), t0.Add(time.Minute), time.Second)
	st := s.Snapshot().Source("os")
	if st.Up || st.Errors[catalog.ReasonRejected] != 1 {
		t.Fatalf("health after the refused run: %+v", st)
	}
	if st.Read != 19 || st.Rejected[catalog.RejectUnknownCode] != 7 || st.Rejected[catalog.InconsistentKept] != 4 || st.RejectedShare != 6.0/9 {
		t.Fatalf("counts after the refused run: read %d, rejected %v, share %v", st.Read, st.Rejected, st.RejectedShare)
	}
	if len(st.Result.Samples) != 1 || st.Result.Samples[0].Value != 7 || !st.HasRejectLimit || st.RejectLimit != 0.5 {
		t.Fatalf("last good data or limit lost: %+v", st)
	}

	// A failure that read nothing keeps the share and counts nothing.
	s.Fail("os", errors.New("connection refused"), t0.Add(2*time.Minute), time.Second)
	if st := s.Snapshot().Source("os"); st.Read != 19 || st.RejectedShare != 6.0/9 {
		t.Fatalf("a failure without counts changed them: read %d, share %v", st.Read, st.RejectedShare)
	}
}
