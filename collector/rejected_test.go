package collector

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
	"github.com/govpulse/govpulse/collector/store"
	"github.com/govpulse/govpulse/exporters/prom"
)

// limited is a scripted source with a rejected-share limit.
type limited struct {
	*scripted
	limit float64
}

func (l limited) MaxRejectedShare() float64 { return l.limit }

// A run refused for its rejected share: /metrics shows the source down, its
// last good samples, and the refused run's records in the read and rejected
// counters and the share gauge, beside the limit.
func TestRefusedRunCountedOnMetrics(t *testing.T) {
	good := func(context.Context) (*source.Result, error) {
		r := &source.Result{Read: 9}
		r.Add(catalog.DossiersCarriedOver, 7, "000.00.31.H47", "DD", "month")
		r.Reject(catalog.RejectUnknownCode, 1)
		return r, nil
	}
	refused := func(context.Context) (*source.Result, error) {
		// What onestop's checkRejected returns: 6 of 9 rows rejected.
		c := source.Counts{Read: 9, Rejected: map[string]int{catalog.RejectUnknownCode: 4, catalog.RejectBadCode: 2}, Share: 6.0 / 9}
		return nil, source.CountedErrorf(c, catalog.ReasonRejected, "6 of 9 rows rejected")
	}
	src := limited{&scripted{steps: []func(context.Context) (*source.Result, error){good, refused}}, 0.5}
	logger := slog.New(slog.DiscardHandler)
	st := store.New(logger, 0)
	s, err := newScheduler([]Job{{Name: "os", Kind: catalog.SourceOnestop, Schedule: "0 0 1 1 *", Timeout: time.Second, Source: src}}, st, nil, logger)
	if err != nil {
		t.Fatal(err)
	}
	s.RunNow("os")
	s.RunNow("os")

	e := prom.NewExposition(logger)
	e.Update(st.Snapshot())
	var b bytes.Buffer
	if _, err := e.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`govpulse_source_up{source="os"} 0`,
		`govpulse_source_errors_total{reason="rejected",source="os"} 1`,
		`govpulse_source_records_read_total{source="os"} 18`,
		`govpulse_source_records_rejected_total{reason="unknown_code",source="os"} 5`,
		`govpulse_source_records_rejected_total{reason="bad_code",source="os"} 2`,
		`govpulse_source_records_rejected_ratio{source="os"} 0.6666666666666666`,
		`govpulse_source_records_rejected_limit_ratio{source="os"} 0.5`,
		`tthc_dossiers_carried_over{agency="000.00.31.H47",field="DD",period="month"} 7`,
	} {
		if !strings.Contains(b.String(), want+"\n") {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", b.String())
	}

	// A source without a limit exports none.
	st2 := store.New(logger, 0)
	if _, err := newScheduler([]Job{{Name: "p", Kind: catalog.SourcePortal, Schedule: "0 0 1 1 *", Timeout: time.Second, Source: src.scripted}}, st2, nil, logger); err != nil {
		t.Fatal(err)
	}
	if ss := st2.Snapshot().Source("p"); ss.HasRejectLimit {
		t.Errorf("a source without a limit has one: %+v", ss)
	}
}
