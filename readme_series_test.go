package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/govpulse/govpulse/collector"
)

const (
	seriesBegin = "<!-- BEGIN SERIES (the demo at " + pinnedTime + "; go test . -run TestReadmeSeriesBudget -update) -->\n"
	seriesEnd   = "<!-- END SERIES -->"
)

// TestReadmeSeriesBudget keeps the README's series table what the demo
// exports: every source run once, in-process, at the pinned instant, and
// the exposition's series counted by the source that produced them.
func TestReadmeSeriesBudget(t *testing.T) {
	m, err := measureDemo(context.Background(), 47, testClock(t, pinnedTime))
	if err != nil {
		t.Fatal(err)
	}
	perSource, total := m.perSource, m.total
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

const (
	sizingBegin = "<!-- BEGIN SIZING (the demo at " + pinnedTime + "; go test . -run TestReadmeSizing -update) -->\n"
	sizingEnd   = "<!-- END SIZING -->"
)

// TestReadmeSizing keeps the README's sizing table what `govpulse sizing`
// prints for the demo at the pinned instant, and checks its arithmetic
// against the series budget: a country is the demo's per-agency series times
// its agencies, plus each province's fixed series.
func TestReadmeSizing(t *testing.T) {
	m, err := measureDemo(context.Background(), 47, testClock(t, pinnedTime))
	if err != nil {
		t.Fatal(err)
	}
	if recordedPerAgency() == 0 {
		t.Fatal("no recorded series per agency: the catalog's agency-keyed recorded series are not counted")
	}
	if m.agencies != 112 || m.pairs == 0 {
		t.Fatalf("the demo measured %d agencies and %d pairs; want the city's 112", m.agencies, m.pairs)
	}
	// One province of the demo's size is the demo itself.
	one := sizingTable(m, 1, 94, 18)
	if !strings.Contains(one, "| 1 provinces, 94 communes (112 agencies) | "+thousands(int64(m.total))+" |") {
		t.Errorf("one demo-sized province is not the demo's %d series:\n%s", m.total, one)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"sizing", "--demo.time", pinnedTime}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if want := sizingTable(m, 34, 3321, 18); out.String() != want {
		t.Errorf("govpulse sizing printed\n%s\nwant\n%s", out.String(), want)
	}
	readmeSection(t, sizingBegin, sizingEnd, out.String())
}

// TestClusterURLs: the cluster configuration in docs/scaling.md has
// VictoriaMetrics' cluster URL format — writes to vminsert
// /insert/<tenant>/prometheus/api/v1/write, reads from vmselect
// /select/<tenant>/prometheus — and each vmagent line labels its province
// with the tenant it writes to (or tenant 0 for the shared one).
func TestClusterURLs(t *testing.T) {
	b, err := os.ReadFile("docs/scaling.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	write := regexp.MustCompile(`-remoteWrite\.url=http://vminsert:8480/insert/([0-9]+)/prometheus/api/v1/write`)
	label := regexp.MustCompile(`-remoteWrite\.label=province=([0-9]{2})`)
	read := regexp.MustCompile(`http://vmselect:8481/select/([0-9]+)/prometheus`)
	ws, ls, rs := write.FindAllStringSubmatch(doc, -1), label.FindAllStringSubmatch(doc, -1), read.FindAllStringSubmatch(doc, -1)
	if len(ws) != 2 || len(ls) != 2 || len(rs) != 2 {
		t.Fatalf("want two layouts with a write URL, a province label and a read URL each; got %d, %d, %d", len(ws), len(ls), len(rs))
	}
	for i := range ws {
		tenant, province, reads := ws[i][1], ls[i][1], rs[i][1]
		if tenant != reads {
			t.Errorf("layout %d writes tenant %s and reads tenant %s", i+1, tenant, reads)
		}
		if tenant != "0" && tenant != strings.TrimLeft(province, "0") {
			t.Errorf("layout %d: tenant %s is neither the shared 0 nor province %s", i+1, tenant, province)
		}
	}
	// The shape VictoriaMetrics parses: every URL in the file with /insert/
	// or /select/ must be one of the above.
	for _, u := range regexp.MustCompile(`http://[^ \x60)]*/(?:insert|select)/[^ \x60)]*`).FindAllString(doc, -1) {
		if !write.MatchString("-remoteWrite.url="+u) && !read.MatchString(u) {
			t.Errorf("%s is not a cluster URL of the documented form", u)
		}
	}
}
