package store

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/source"
)

// NextDue counts from the last success, or from scheduling before any.
func TestNextDue(t *testing.T) {
	s := New(slog.New(slog.NewTextHandler(io.Discard, nil)), 0)
	t0 := time.Date(2026, 3, 6, 8, 0, 0, 0, time.UTC)
	hour := func(after time.Time) time.Time { return after.Truncate(time.Hour).Add(time.Hour) }
	s.Register("os", "onestop", time.Hour, false)
	if due := s.Snapshot().Source("os").NextDue(); !due.IsZero() {
		t.Fatalf("unscheduled source due at %v", due)
	}
	s.SetDue("os", t0, hour)
	if due := s.Snapshot().Source("os").NextDue(); !due.Equal(t0.Add(time.Hour)) {
		t.Errorf("before any success: due %v, want %v", due, t0.Add(time.Hour))
	}
	s.Fail("os", source.Errorf("other", "boom"), t0.Add(time.Hour), 0)
	if due := s.Snapshot().Source("os").NextDue(); !due.Equal(t0.Add(time.Hour)) {
		t.Errorf("a failed run does not move what is due: %v", due)
	}
	s.Publish("os", &source.Result{}, t0.Add(3*time.Hour), 0)
	if due := s.Snapshot().Source("os").NextDue(); !due.Equal(t0.Add(4 * time.Hour)) {
		t.Errorf("after a success at 11:00: due %v, want 12:00", due)
	}
}
