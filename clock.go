package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"time"
)

// demoTimeEnv names the environment variable that gives --demo.time (and
// simulate's --time) its default, so a whole test suite or a compose stack
// can be run at another date without editing a command line.
const demoTimeEnv = "GOVPULSE_DEMO_TIME"

// addClockFlag adds the simulated province's clock flag to fs.
func addClockFlag(fs *flag.FlagSet, name string) *string {
	return fs.String(name, os.Getenv(demoTimeEnv),
		"the simulated province's time at start, RFC 3339 (e.g. 2026-03-02T09:00:00+07:00); its clock then runs with the wall clock. Empty: the wall clock. Default from $"+demoTimeEnv)
}

// clockAt returns a clock that reads at when called now and advances with
// the wall clock; at == "" is the wall clock itself.
func clockAt(at string) (func() time.Time, error) {
	if at == "" {
		return time.Now, nil
	}
	t0, err := time.Parse(time.RFC3339, at)
	if err != nil {
		return nil, fmt.Errorf("cannot read the time %q: want RFC 3339 like 2026-03-02T09:00:00+07:00", at)
	}
	start := time.Now()
	// time.Since uses the monotonic clock: a wall-clock step does not move the demo.
	return func() time.Time { return t0.Add(time.Since(start)) }, nil
}

// demoClock is serve's demo clock: clockAt(at), or with frozen the instant
// at itself, read by every collection.
func demoClock(at string, frozen bool) (func() time.Time, error) {
	if frozen && at == "" {
		return nil, errors.New("--demo.frozen needs --demo.time (or $" + demoTimeEnv + "): the instant the clock stands at")
	}
	clock, err := clockAt(at)
	if err != nil {
		return nil, fmt.Errorf("--demo.time: %w", err)
	}
	if frozen {
		t0, _ := time.Parse(time.RFC3339, at) // clockAt read it
		clock = func() time.Time { return t0 }
	}
	return clock, nil
}
