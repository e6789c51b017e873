package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/govpulse/govpulse/collector"
	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/simulate"
)

const (
	seriesBegin = "<!-- BEGIN SERIES (the demo at " + pinnedTime + "; go test . -run TestReadmeSeriesBudget -update) -->\n"
	seriesEnd   = "<!-- END SERIES -->"
)

// TestReadmeSeriesBudget keeps the README's series table what the demo
// exports: every source run once, in-process, at the pinned instant, and
// the exposition's series counted by the source that produced them.
func TestReadmeSeriesBudget(t *testing.T) {
	clock := testClock(t, pinnedTime)
	sim := simulate.New(simulate.Options{Seed: 47, Now: clock})
	up := httptest.NewServer(sim.Handler())
	defer up.Close()
	files := t.TempDir()
	if err := writeDemoFiles(files); err != nil {
		t.Fatal(err)
	}
	cfg, err := demoConfig(sim, up.URL, files)
	if err != nil {
		t.Fatal(err)
	}
	cfg.StateDir = files
	d, err := newDaemon(cfg, clock, slog.New(slog.NewTextHandler(io.Discard, nil)), false)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range cfg.Sources { // the rating source last: it derives from the others
		if s.Type != catalog.SourceRating {
			d.sched.RunNow(s.Name)
		}
	}
	for _, s := range cfg.Sources {
		if s.Type == catalog.SourceRating {
			d.sched.RunNow(s.Name)
		}
	}
	sn := d.store.Snapshot()
	perSource := map[string]int{}
	for _, st := range sn.Sources {
		if st.Result != nil {
			perSource[st.Name] = len(st.Result.Samples)
		}
	}
	var expo bytes.Buffer
	if _, err := d.exposition.WriteTo(&expo); err != nil {
		t.Fatal(err)
	}
	total := 0
	sc := bufio.NewScanner(&expo)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			total++
		}
	}
	names := make([]string, 0, len(perSource))
	data := 0
	for n, c := range perSource {
		names = append(names, n)
		data += c
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("| source | series |\n|---|---:|\n")
	for _, n := range names {
		what := n
		if n == collector.UnitsSource {
			what = "units (the `*_info` metrics of the unit lists)"
		}
		fmt.Fprintf(&b, "| %s | %d |\n", what, perSource[n])
	}
	fmt.Fprintf(&b, "| govpulse's own health metrics | %d |\n| **total on /metrics** (without `go_*`, `process_*`) | **%d** |\n", total-data, total)

	readmeSection(t, seriesBegin, seriesEnd, b.String())
}
