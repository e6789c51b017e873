package prom

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
)

// The results of TestPerformance and their markdown, kept apart from the
// measuring so the formatting and the README rewrite have plain unit tests.

// perfScrapeRow is one row of the scrape table. CPU figures are server CPU
// nanoseconds per scrape; the latencies are the client's median, in ns.
type perfScrapeRow struct {
	Size                int    // nominal series count (10000, …)
	Flags               string // "default" or "slim"
	Enc                 string // "plain" or "gzip"
	InFloor, InOurs     float64
	LoopFloor, LoopOurs float64
	P50Floor, P50Ours   float64
}

// perfPublishRow is one row of the publish table, CPU in ns.
type perfPublishRow struct {
	Size, Series                  int
	Full, SourceChanged, HealthOK float64
	RetainedBytes                 float64 // heap kept by the Exposition
}

// perfLabel is a size as the tables show it: 10k, 100k, 1M.
func perfLabel(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

// perfMs formats ns as milliseconds with 3 significant digits (no exponent;
// 1000 ms and over keep their integer digits).
func perfMs(ns float64) string {
	ms := ns / 1e6
	if ms <= 0 || math.IsNaN(ms) {
		return "–"
	}
	// Round to 3 significant digits first, so a carry (9.996 → 10.0)
	// gets the decimals of its new magnitude.
	unit := math.Pow(10, math.Floor(math.Log10(ms))-2)
	ms = math.Round(ms/unit) * unit
	if ms >= 1000 {
		return fmt.Sprintf("%.0f ms", ms)
	}
	dec := max(0, 2-int(math.Floor(math.Log10(ms))))
	return fmt.Sprintf("%.*f ms", dec, ms)
}

// perfRatio is ours/floor as "1.1×".
func perfRatio(ours, floor float64) string {
	if floor <= 0 || ours <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f×", ours/floor)
}

// perfReport is the machine line and the two tables, as markdown.
func perfReport(machine string, series []int, scrapes []perfScrapeRow, pubs []perfPublishRow) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Machine: %s.\n", machine)
	if len(series) > 0 {
		s := make([]string, len(series))
		for i, n := range series {
			s[i] = fmt.Sprint(n)
		}
		fmt.Fprintf(&b, "Data series per size (benchSnapshot): %s.\n", strings.Join(s, ", "))
	}
	b.WriteString("\nServer CPU per /metrics scrape (process user+sys, GC and background live-part refresh included) " +
		"against the floor (a handler writing the same pre-rendered snapshot bytes, nothing else); " +
		"loopback = a separate server process behind `Serve`, one keep-alive client:\n\n")
	b.WriteString("| series | flags | encoding | in-process floor | in-process govpulse | ratio | loopback floor | loopback govpulse | ratio | p50 latency floor | p50 latency govpulse |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range scrapes {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			perfLabel(r.Size), r.Flags, r.Enc,
			perfMs(r.InFloor), perfMs(r.InOurs), perfRatio(r.InOurs, r.InFloor),
			perfMs(r.LoopFloor), perfMs(r.LoopOurs), perfRatio(r.LoopOurs, r.LoopFloor),
			perfMs(r.P50Floor), perfMs(r.P50Ours))
	}
	b.WriteString("\nPublish (render on publication) CPU, and the heap the Exposition keeps:\n\n")
	b.WriteString("| series | full publish | per series | one source republished, same data | health only | retained exposition |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, p := range pubs {
		perSeries, perB := "–", "–"
		if p.Series > 0 {
			perSeries = fmt.Sprintf("%.0f ns", p.Full/float64(p.Series))
			perB = fmt.Sprintf("%.0f B/series", p.RetainedBytes/float64(p.Series))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", perfLabel(p.Size),
			perfMs(p.Full), perSeries, perfMs(p.SourceChanged), perfMs(p.HealthOK), perB)
	}
	return b.String()
}

const (
	perfBegin = "<!-- perf:begin -->"
	perfEnd   = "<!-- perf:end -->"
)

var errPerfMarkers = errors.New("markers " + perfBegin + " and " + perfEnd + " not found (each alone on a line, begin first, once each)")

// markerLine finds the line that is exactly marker (a trailing \r allowed):
// the offset of its first byte and of the byte after its newline; -1 if
// absent, -2 if there are several.
func markerLine(s []byte, marker string) (start, next int) {
	start, next = -1, -1
	for off := 0; off < len(s); {
		end := bytes.IndexByte(s[off:], '\n')
		lineEnd, nl := len(s), len(s)
		if end >= 0 {
			lineEnd, nl = off+end, off+end+1
		}
		if string(bytes.TrimSuffix(s[off:lineEnd], []byte("\r"))) == marker {
			if start >= 0 {
				return -2, -2
			}
			start, next = off, nl
		}
		off = nl
	}
	return start, next
}

// perfReadmeRewrite replaces what lies between the marker lines of old with
// block (blank lines around it, so the tables stay tables); everything else,
// the markers included, is kept byte for byte.
func perfReadmeRewrite(old []byte, block string) ([]byte, error) {
	_, afterBegin := markerLine(old, perfBegin)
	endStart, _ := markerLine(old, perfEnd)
	if afterBegin < 0 || endStart < 0 || endStart < afterBegin {
		return nil, errPerfMarkers
	}
	var out bytes.Buffer
	out.Write(old[:afterBegin])
	if afterBegin > 0 && old[afterBegin-1] != '\n' { // begin marker was the last line
		out.WriteByte('\n')
	}
	out.WriteString("\n" + strings.TrimRight(block, "\n") + "\n\n")
	out.Write(old[endStart:])
	return out.Bytes(), nil
}

func TestPerfReadmeRewrite(t *testing.T) {
	old := "# T\r\nintro\n" + perfBegin + "\nold table\n| a |\n" + perfEnd + "\ntail  \nno newline"
	got, err := perfReadmeRewrite([]byte(old), "NEW\n")
	if err != nil {
		t.Fatal(err)
	}
	want := "# T\r\nintro\n" + perfBegin + "\n\nNEW\n\n" + perfEnd + "\ntail  \nno newline"
	if string(got) != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	// Idempotent: a second run over its own output changes nothing.
	again, err := perfReadmeRewrite(got, "NEW\n")
	if err != nil || string(again) != want {
		t.Errorf("second rewrite: %v\n%q", err, again)
	}
	for name, bad := range map[string]string{
		"no markers":      "# T\nnothing here\n",
		"no end":          perfBegin + "\nx\n",
		"no begin":        "x\n" + perfEnd + "\n",
		"end first":       perfEnd + "\nx\n" + perfBegin + "\n",
		"inline marker":   "see " + perfBegin + "\nx\n" + perfEnd + "\n",
		"begin twice":     perfBegin + "\n" + perfBegin + "\n" + perfEnd + "\n",
		"end twice":       perfBegin + "\n" + perfEnd + "\n" + perfEnd + "\n",
		"empty file text": "",
	} {
		if _, err := perfReadmeRewrite([]byte(bad), "NEW"); !errors.Is(err, errPerfMarkers) {
			t.Errorf("%s: err %v, want the markers error", name, err)
		}
	}
}

func TestPerfFormat(t *testing.T) {
	for ns, want := range map[float64]string{
		1_400:           "0.00140 ms",
		12_345:          "0.0123 ms",
		669_000:         "0.669 ms",
		9_996_000:       "10.0 ms",
		13_520_000:      "13.5 ms",
		145_000_000:     "145 ms",
		999_600_000:     "1000 ms",
		1_452_000_000:   "1450 ms",
		0:               "–",
		1_000_000:       "1.00 ms",
		100_000:         "0.100 ms",
		999_999_999_999: "1000000 ms",
	} {
		if got := perfMs(ns); got != want {
			t.Errorf("perfMs(%v) = %q, want %q", ns, got, want)
		}
	}
	got := perfReport("AMD EPYC, 2 cores, go1.26.0, linux/amd64", []int{9900},
		[]perfScrapeRow{{Size: 10000, Flags: "default", Enc: "gzip", InFloor: 1400, InOurs: 2300,
			LoopFloor: 25_000, LoopOurs: 27_500, P50Floor: 60_000, P50Ours: 61_000}},
		[]perfPublishRow{{Size: 10000, Series: 9900, Full: 13_000_000, SourceChanged: 12_000_000, HealthOK: 150_000, RetainedBytes: 990_000}})
	want := "Machine: AMD EPYC, 2 cores, go1.26.0, linux/amd64.\n" +
		"Data series per size (benchSnapshot): 9900.\n" +
		"\nServer CPU per /metrics scrape (process user+sys, GC and background live-part refresh included) against the floor (a handler writing the same pre-rendered snapshot bytes, nothing else); loopback = a separate server process behind `Serve`, one keep-alive client:\n\n" +
		"| series | flags | encoding | in-process floor | in-process govpulse | ratio | loopback floor | loopback govpulse | ratio | p50 latency floor | p50 latency govpulse |\n" +
		"|---|---|---|---|---|---|---|---|---|---|---|\n" +
		"| 10k | default | gzip | 0.00140 ms | 0.00230 ms | 1.6× | 0.0250 ms | 0.0275 ms | 1.1× | 0.0600 ms | 0.0610 ms |\n" +
		"\nPublish (render on publication) CPU, and the heap the Exposition keeps:\n\n" +
		"| series | full publish | per series | one source republished, same data | health only | retained exposition |\n" +
		"|---|---|---|---|---|---|\n" +
		"| 10k | 13.0 ms | 1313 ns | 12.0 ms | 0.150 ms | 100 B/series |\n"
	if got != want {
		t.Errorf("report:\n%s\nwant:\n%s", got, want)
	}
	if perfLabel(1_000_000) != "1M" || perfLabel(100_000) != "100k" || perfLabel(1234) != "1234" {
		t.Error("perfLabel")
	}
}

// TestReadmePerformanceTables: the README's performance block is
// TestPerformance's output, whole: the machine, a scrape row for every size,
// flag set and encoding, a publish row for every size.
func TestReadmePerformanceTables(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, from := markerLine(readme, perfBegin)
	to, _ := markerLine(readme, perfEnd)
	if from < 0 || to < from {
		t.Fatal(errPerfMarkers)
	}
	block := string(readme[from:to])
	if !strings.Contains(block, "\nMachine: ") {
		t.Error("no Machine line: regenerate with TestPerformance -perf.readme ../../README.md")
	}
	for _, size := range []string{"10k", "100k", "1M"} {
		for _, flags := range []string{"default", "slim"} {
			for _, enc := range perfEncs {
				if row := "| " + size + " | " + flags + " | " + enc + " | "; !strings.Contains(block, row) {
					t.Errorf("no scrape row %q", row)
				}
			}
		}
		if n := strings.Count(block, "\n| "+size+" | "); n != 5 { // 4 scrape rows and the publish row
			t.Errorf("%d rows for %s, want 5", n, size)
		}
	}
}
