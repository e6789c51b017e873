package main

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// pinnedTime is the instant the demo and the simulator start at in tests
// when $GOVPULSE_DEMO_TIME is not set: an ordinary Monday morning early in
// a month. .ci/run runs the suite once more with the variable set to a hard
// instant (the 1st of a month at 00:30, 1 January), so that a test that
// quietly needs an easy date fails there.
const pinnedTime = "2026-03-02T09:00:00+07:00"

// busyTime is for tests that need a month with volume behind it (every
// agency judged by the late-rate rules, every board panel with data): a
// Wednesday in the middle of a month. They pin it whatever the variable says.
const busyTime = "2026-03-18T10:00:00+07:00"

// testTime is the demo's start time in this test run.
func testTime() string {
	if v := os.Getenv(demoTimeEnv); v != "" {
		return v
	}
	return pinnedTime
}

// testClock returns a clock that starts at at (RFC 3339) and runs with the
// wall clock, as serve's --demo.time does.
func testClock(t testing.TB, at string) func() time.Time {
	t.Helper()
	c, err := clockAt(at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// withDemoTime adds --demo.time=testTime() to serve args that do not name one.
func withDemoTime(args []string) []string {
	if slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(strings.TrimLeft(a, "-"), "demo.time") }) {
		return args
	}
	return append(slices.Clone(args), "--demo.time="+testTime())
}

func TestDemoClockFrozen(t *testing.T) {
	c, err := demoClock("2026-01-01T00:30:00+07:00", true)
	if err != nil {
		t.Fatal(err)
	}
	first := c()
	time.Sleep(20 * time.Millisecond)
	if !c().Equal(first) || !first.Equal(time.Date(2025, 12, 31, 17, 30, 0, 0, time.UTC)) {
		t.Errorf("a frozen clock reads %v then %v", first, c())
	}
	running, _ := demoClock("2026-01-01T00:30:00+07:00", false)
	r := running()
	time.Sleep(20 * time.Millisecond)
	if !running().After(r) {
		t.Error("a running clock stood still")
	}
	if _, err := demoClock("", true); err == nil || !strings.Contains(err.Error(), "--demo.frozen needs --demo.time") {
		t.Errorf("frozen without a time: %v", err)
	}
	if _, err := demoClock("tomorrow", true); err == nil || !strings.Contains(err.Error(), "--demo.time: ") {
		t.Errorf("a bad time: %v", err)
	}
}

func TestClockAt(t *testing.T) {
	c := testClock(t, "2026-01-01T00:30:00+07:00")
	got := c()
	want := time.Date(2026, 1, 1, 0, 30, 0, 0, time.FixedZone("", 7*3600))
	if d := got.Sub(want); d < 0 || d > time.Minute {
		t.Errorf("clock reads %v, want %v (plus the test's run time)", got, want)
	}
	if later := c(); later.Before(got) {
		t.Errorf("clock went back: %v then %v", got, later)
	}
	for _, bad := range []string{"2026-01-01", "yesterday", "2026-01-01T00:30:00"} {
		if _, err := clockAt(bad); err == nil || !strings.Contains(err.Error(), "RFC 3339") {
			t.Errorf("clockAt(%q) = %v, want an RFC 3339 error", bad, err)
		}
	}
	if c, err := clockAt(""); err != nil || time.Since(c()) > time.Minute {
		t.Errorf(`clockAt("") is not the wall clock: %v`, err)
	}
}
