package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/govpulse/govpulse/collector/catalog"
)

// The outage the tests put VictoriaMetrics through, and the scrape and push
// interval across it: short enough for CI, long enough that every writer
// meets the outage for 30 intervals.
const (
	outageLength   = 60 * time.Second
	outageInterval = 2 * time.Second
)

// TestVMAgentScrapeConfig checks the shipped vmagent scrape file with the
// real binary (strict parsing: unknown keys are errors).
func TestVMAgentScrapeConfig(t *testing.T) {
	vmagent := needBinary(t, "vmagent")
	out, err := exec.Command(vmagent, "-promscrape.config=deploy/vmagent/scrape.yml", "-dryRun").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "configs are ok") {
		t.Fatalf("vmagent -dryRun: %v\n%s", err, out)
	}
}

// TestVictoriaMetricsOutage stops real VictoriaMetrics for outageLength and
// restarts them on the same data directories and ports, while three writers
// feed them from one `serve --demo`:
//   - vmagent, with the compose stack's flags and scrape file (interval
//     shortened): loses nothing;
//   - a second vmagent, stopped (SIGTERM) and started again on the same
//     queue directory during the outage: loses nothing it scraped;
//   - the direct push (--vm.push-url): loses every interval's snapshot that
//     falls in the outage, and its govpulse_push_* counters say so.
//
// One outage serves all three (told apart by a label "via"), so the test
// takes one outage's time, not three. The push has a VictoriaMetrics of its
// own, so the vmagents' backlog arriving after the outage does not slow its
// pushes into timeouts.
func TestVictoriaMetricsOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	vmBin, agentBin := needBinary(t, "victoria-metrics"), needBinary(t, "vmagent")
	dir := t.TempDir()
	vm, vmPush := startVM(t, vmBin, filepath.Join(dir, "vm")), startVM(t, vmBin, filepath.Join(dir, "vm-push"))

	// A busy day pinned whatever $GOVPULSE_DEMO_TIME says: the year's
	// received counts then exist from the first collection on, and do not
	// change their series set from one snapshot to the next.
	srv := startServe(t, io.Discard, "--demo", "--demo.time="+busyTime, "--vm.push-url", vmPush.url+"/api/v1/import/prometheus",
		"--vm.push-interval", outageInterval.String(), "--vm.push-extra-labels", `via="push"`)
	defer srv.stop(t)
	gp := "http://" + srv.addr

	// Each vmagent scrapes govpulse through its own counter: the scrapes
	// govpulse answered are what must reach VictoriaMetrics.
	steady, restarted := newScrapeCounter(t, gp+"/metrics"), newScrapeCounter(t, gp+"/metrics")
	agentArgs := func(name string, target *scrapeCounter) []string {
		target.agentURL = "http://" + freeAddr(t)
		return vmagentArgs(t, filepath.Join(dir, name), target, vm.url, "via="+name)
	}
	startProc(t, agentBin, agentArgs("vmagent", steady)...)
	restartedArgs := agentArgs("vmagent-restarted", restarted)
	agentB := startProc(t, agentBin, restartedArgs...)

	// Every writer's samples are in VictoriaMetrics before the window opens.
	pollUntil(t, time.Now().Add(60*time.Second), "every writer's series in VictoriaMetrics", func() bool {
		forceFlush(vm.url)
		forceFlush(vmPush.url)
		return len(exportTimestamps(t, vm.url, receivedSeries("vmagent"))) > 0 &&
			len(exportTimestamps(t, vm.url, receivedSeries("vmagent-restarted"))) > 0 &&
			len(exportTimestamps(t, vmPush.url, receivedSeries("push"))) > 0
	})
	received := len(exportTimestamps(t, vm.url, receivedSeries("vmagent")))
	// The window opens at the next scrape of each vmagent, and after the
	// next push: the one after it is the first counted, before the outage.
	first := map[*scrapeCounter]int{steady: steady.next(t), restarted: restarted.next(t)}
	before := nextPush(t, gp)
	nextPush(t, gp)

	vm.stop(t)
	vmPush.stop(t)
	down := time.Now()
	// The second vmagent stops a third of the way into the outage, with a
	// queue on disk, and starts again on it: a quarter interval after one of
	// its scrapes, so no scrape is in flight when it stops.
	time.Sleep(outageLength / 3)
	restarted.next(t)
	time.Sleep(outageInterval / 4)
	if q := agentQueueBytes(restarted.agentURL + "/metrics"); q == 0 {
		t.Fatal("the vmagent to restart has nothing queued on disk")
	} else {
		t.Logf("vmagent-restarted stops with %d bytes queued on disk", q)
	}
	agentB.stop(t)
	time.Sleep(outageInterval)
	startProc(t, agentBin, restartedArgs...)
	time.Sleep(time.Until(down.Add(outageLength)))
	queued := agentQueueBytes(steady.agentURL + "/metrics")
	vm.start(t)
	// A push may land as soon as the push target listens, before start
	// returns: the outage of the direct push ends when it is started.
	pushBack := time.Now()
	vmPush.start(t)
	up := time.Now()
	t.Logf("VictoriaMetrics down for %s", up.Sub(down).Round(time.Millisecond))

	// The window closes after two more pushes and scrapes once it is back.
	var after pushStats
	for range 2 {
		after = nextPush(t, gp)
	}
	last := map[*scrapeCounter]int{}
	for _, c := range []*scrapeCounter{steady, restarted} {
		c.next(t)
		last[c] = c.next(t)
	}

	t.Run("vmagent", func(t *testing.T) {
		n := assertScrapesStored(t, vm.url, "vmagent", received, steady, first[steady], last[steady], down, up)
		perSample := float64(queued) / float64(n*steady.samples())
		t.Logf("vmagent queued %d bytes for %d scrapes of %d samples during the outage: %.1f bytes a sample",
			queued, n, steady.samples(), perSample)
	})
	t.Run("vmagent restarted", func(t *testing.T) {
		assertScrapesStored(t, vm.url, "vmagent-restarted", received, restarted, first[restarted], last[restarted], down, up)
	})
	t.Run("direct push", func(t *testing.T) {
		assertPushLoss(t, vmPush.url, received, before, after, down, pushBack)
	})
}

// vmInstance is a real VictoriaMetrics the test stops and starts again on
// the same data directory and port.
type vmInstance struct {
	bin, url string
	args     []string
	p        *proc
}

// startVM starts a VictoriaMetrics on a free loopback port. No
// -dedup.minScrapeInterval: a sample written twice is counted twice, not
// hidden. No latency offset, no cache: the tests read the newest samples.
func startVM(t *testing.T, bin, data string) *vmInstance {
	t.Helper()
	addr := freeAddr(t)
	v := &vmInstance{bin: bin, url: "http://" + addr, args: []string{"-storageDataPath=" + data, "-httpListenAddr=" + addr,
		"-retentionPeriod=100y", "-loggerLevel=ERROR", "-search.latencyOffset=0s", "-search.disableCache"}}
	v.start(t)
	return v
}

func (v *vmInstance) start(t *testing.T) {
	t.Helper()
	v.p = startProc(t, v.bin, v.args...)
	pollUntil(t, time.Now().Add(30*time.Second), "VictoriaMetrics healthy", func() bool { return httpOK(v.url + "/health") })
}

// stop stops it cleanly: it writes what it has in memory to disk.
func (v *vmInstance) stop(t *testing.T) {
	t.Helper()
	v.p.stop(t)
}

// vmagentArgs returns the compose stack's vmagent flags (deploy/docker-compose.yml)
// for a run on loopback: its scrape file with the interval shortened and the
// target replaced by the counter, its queue in queueDir, and label added to
// every sample.
func vmagentArgs(t *testing.T, queueDir string, c *scrapeCounter, vmURL, label string) []string {
	t.Helper()
	b, err := os.ReadFile("deploy/docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Command []string `yaml:"command"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &compose); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(queueDir, 0o755); err != nil {
		t.Fatal(err)
	}
	replace := map[string]string{
		"-promscrape.config":              vmagentScrapeFile(t, queueDir, c.addr),
		"-remoteWrite.url":                vmURL + "/api/v1/write",
		"-remoteWrite.tmpDataPath":        filepath.Join(queueDir, "queue"),
		"-remoteWrite.maxDiskUsagePerURL": "", // kept as shipped
	}
	var args []string
	seen := map[string]bool{}
	for _, a := range compose.Services["vmagent"].Command {
		name, _, _ := strings.Cut(a, "=")
		v, ok := replace[name]
		if !ok {
			t.Fatalf("compose's vmagent has flag %s, which this test does not know", a)
		}
		seen[name] = true
		if v != "" {
			a = name + "=" + v
		}
		args = append(args, a)
	}
	for name := range replace {
		if !seen[name] {
			t.Fatalf("compose's vmagent does not set %s", name)
		}
	}
	return append(args, "-httpListenAddr="+strings.TrimPrefix(c.agentURL, "http://"), "-remoteWrite.label="+label, "-loggerLevel=WARN")
}

// vmagentScrapeFile writes deploy/vmagent/scrape.yml with the scrape interval
// set to outageInterval and the target to target, and returns its path.
func vmagentScrapeFile(t *testing.T, dir, target string) string {
	t.Helper()
	b, err := os.ReadFile("deploy/vmagent/scrape.yml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		ScrapeConfigs []map[string]any `yaml:"scrape_configs"`
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	if len(cfg.ScrapeConfigs) != 1 || cfg.ScrapeConfigs[0]["job_name"] != "govpulse" {
		t.Fatalf("deploy/vmagent/scrape.yml: want one job govpulse, have %v", cfg.ScrapeConfigs)
	}
	job := cfg.ScrapeConfigs[0]
	job["scrape_interval"] = outageInterval.String()
	job["scrape_timeout"] = outageInterval.String() // at most the interval
	job["static_configs"] = []map[string]any{{"targets": []string{target}}}
	out, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "scrape.yml")
	if err := os.WriteFile(file, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// receivedSeries selects Phường Tam Kỳ's received counts of the year (zeros
// included: the set does not change between snapshots).
func receivedSeries(via string) string {
	return catalog.DossiersReceived.Name + `{agency="` + tamKy + `",period="year",via="` + via + `"}`
}

// assertScrapesStored checks that VictoriaMetrics holds exactly one sample
// per series for each scrape the counter served from scrape first to scrape
// last, for up, govpulse_build_info and a tthc_* series, and that the window
// spans the outage. It returns how many scrapes fell in the outage.
//
// Why the count is exact: vmagent stamps a scrape's samples with the time
// the scrape was due, which is before the scrape reached the counter and
// after the previous one did. So the samples of scrapes first..last are
// exactly those with timestamps in (arrival[first-1], arrival[last]].
func assertScrapesStored(t *testing.T, vmURL, via string, received int, c *scrapeCounter, first, last int, down, up time.Time) int {
	t.Helper()
	arrivals := c.arrivalsMs()
	if first < 1 || last >= len(arrivals) || last <= first {
		t.Fatalf("window of scrapes %d..%d of %d", first, last, len(arrivals))
	}
	from, to := arrivals[first-1], arrivals[last]
	want := last - first + 1
	inOutage := 0
	for _, a := range arrivals[first : last+1] {
		if a > down.UnixMilli() && a < up.UnixMilli() {
			inOutage++
		}
	}
	// The vmagent that did not stop scraped all through the outage; the
	// restarted one missed the intervals it was down for.
	if least := int(outageLength/outageInterval) - 4; inOutage < least {
		t.Fatalf("%s made %d scrapes during the outage, want at least %d", via, inOutage, least)
	}
	if bad := c.failures(); bad != "" {
		t.Fatalf("a scrape of govpulse failed, so not every series is in it: %s", bad)
	}
	selectors := []string{
		`up{job="govpulse",via="` + via + `"}`,
		catalog.BuildInfo.Name + `{via="` + via + `"}`,
		receivedSeries(via),
	}
	// The queue drains after the restart: wait until the counts are there,
	// then compare them exactly (a duplicate would show as one too many).
	counts := func() map[string]int {
		forceFlush(vmURL)
		got := map[string]int{}
		for _, sel := range selectors {
			for series, ts := range exportTimestamps(t, vmURL, sel) {
				n := 0
				for _, v := range ts {
					if v > from && v <= to {
						n++
					}
				}
				got[series] = n
			}
		}
		return got
	}
	var got map[string]int
	// vmagent 1.79 retries a block with a backoff that doubles up to a
	// minute: the backlog starts to drain within a minute of the return.
	pollUntil(t, up.Add(2*time.Minute), via+"'s queue drained into VictoriaMetrics", func() bool {
		got = counts()
		for _, n := range got {
			if n < want {
				return false
			}
		}
		return len(got) == 2+received // up, build info, the received series
	})
	time.Sleep(time.Second) // anything sent twice has arrived too
	got = counts()
	for series, n := range got {
		if n != want {
			t.Errorf("%s: %d samples in the window, want %d (one per scrape)", series, n, want)
		}
	}
	t.Logf("%s: %d scrapes in the window, %d during the outage; %d series each with all %d samples",
		via, want, inOutage, len(got), want)
	return inOutage
}

// assertPushLoss checks what the direct push loses across the outage and
// that its counters account for it.
func assertPushLoss(t *testing.T, vmURL string, received int, before, after pushStats, down, up time.Time) {
	t.Helper()
	// Each push is stamped by VictoriaMetrics on arrival: after the previous
	// push's success was recorded, before its own was. So the pushes after
	// `before` up to `after` are exactly the samples in (before, after].
	from, to := before.lastSuccessMs, after.lastSuccessMs
	pushed := int((after.pushes - after.failures) - (before.pushes - before.failures))
	attempts := int(after.pushes - before.pushes)
	selectors := []string{receivedSeries("push"), catalog.SourceUp.Name + `{via="push"}`}
	var samples map[string][]int64
	pollUntil(t, time.Now().Add(30*time.Second), "the pushes in VictoriaMetrics", func() bool {
		forceFlush(vmURL)
		samples = map[string][]int64{}
		for _, sel := range selectors {
			for series, ts := range exportTimestamps(t, vmURL, sel) {
				for _, v := range ts {
					if v > from && v <= to {
						samples[series] = append(samples[series], v)
					}
				}
			}
		}
		for _, ts := range samples {
			if len(ts) < pushed {
				return false
			}
		}
		return len(samples) > received // the received series, source up of each source
	})
	// Every push counted a success is stored. An attempt counted a failure
	// may be stored too, when it timed out after VictoriaMetrics took it
	// (its retry is then stored again): one more sample, never one fewer.
	stored := -1
	var gapFrom, gapTo int64
	for series, ts := range samples {
		if len(ts) < pushed || len(ts) > attempts || stored >= 0 && len(ts) != stored {
			t.Errorf("%s: %d samples, want %d (one per successful push; at most one per attempt, %d)", series, len(ts), pushed, attempts)
		}
		stored = len(ts)
		for i := 1; i < len(ts); i++ {
			if ts[i]-ts[i-1] > gapTo-gapFrom {
				gapFrom, gapTo = ts[i-1], ts[i]
			}
		}
	}
	// The gap is the outage: no push arrived while VictoriaMetrics was down,
	// and pushes follow one another every interval, so the gap holds the
	// intervals whose snapshots were dropped.
	if gapFrom > down.UnixMilli() || gapTo < up.UnixMilli() {
		t.Fatalf("the longest gap between pushes (%s to %s) does not span the outage (%s to %s)",
			time.UnixMilli(gapFrom).Format(time.TimeOnly), time.UnixMilli(gapTo).Format(time.TimeOnly), down.Format(time.TimeOnly), up.Format(time.TimeOnly))
	}
	lost := int(math.Round(float64(gapTo-gapFrom)/float64(outageInterval.Milliseconds()))) - 1
	outage := up.Sub(down)
	if lo, hi := int(outage/outageInterval)-1, int(outage/outageInterval)+1; lost < lo || lost > hi {
		t.Errorf("%d snapshots lost over a %s outage at %s; want %d to %d (every interval in it)", lost, outage.Round(time.Second), outageInterval, lo, hi)
	}
	// A dropped snapshot counts all its samples. The demo's series set does
	// not change from one snapshot to the next (zeros are exported), so the
	// series pushed over the whole window is the size of every snapshot,
	// the lost ones included; the push just before the outage confirms it.
	size := pushedSeries(t, vmURL, from, to)
	if one := pushedSeries(t, vmURL, gapFrom-outageInterval.Milliseconds()/2, gapFrom+outageInterval.Milliseconds()/2); one != size {
		t.Fatalf("the push before the outage carried %d series, the window %d: the series set changed", one, size)
	}
	dropped := int(after.dropped - before.dropped)
	failures := int(after.failures - before.failures)
	if stored == pushed {
		// No failed attempt was stored: every dropped snapshot is in the
		// gap, and took its three attempts; the intervals at the outage's
		// edges may add up to two failures (a success at the second or third
		// attempt) or take two fewer (an attempt that hung until the
		// interval's end).
		if dropped != lost*size {
			t.Errorf("govpulse_push_samples_dropped_total grew by %d, want %d lost snapshots × %d samples = %d", dropped, lost, size, lost*size)
		}
		if failures < 3*lost-2 || failures > 3*lost+2 {
			t.Errorf("govpulse_push_failures_total grew by %d for %d lost snapshots; want 3 a snapshot, ±2 at the edges", failures, lost)
		}
	} else {
		// Some failed attempts were stored after all: the counters may
		// count more than the gap holds, never less.
		t.Logf("%d attempts counted as failed were stored anyway (timed out after VictoriaMetrics took them)", stored-pushed)
		if dropped < lost*size || dropped%size != 0 || failures < 3*lost-2 {
			t.Errorf("govpulse_push_samples_dropped_total grew by %d, failures by %d: want at least %d lost snapshots × %d samples, 3 failures each", dropped, failures, lost, size)
		}
	}
	t.Logf("direct push over a %s outage at %s: %d snapshots of %d samples lost (%d samples dropped, %d failed attempts); %d pushes stored",
		outage.Round(time.Second), outageInterval, lost, size, dropped, failures, stored)
}

// pushedSeries returns the number of pushed series (label via="push") with
// a sample in (from, to], timestamps in ms.
func pushedSeries(t *testing.T, vmURL string, from, to int64) int {
	t.Helper()
	q := fmt.Sprintf(`count(count_over_time({via="push"}[%dms]))`, to-from)
	at := strconv.FormatFloat(float64(to)/1000, 'f', 3, 64)
	got := promQueryAt(t, vmURL, q, at)
	if len(got) != 1 {
		t.Fatalf("%s at %s: %v", q, at, got)
	}
	return int(got[0].float())
}

func promQueryAt(t *testing.T, base, q, at string) []promSample {
	t.Helper()
	resp, err := http.Get(base + "/api/v1/query?query=" + url.QueryEscape(q) + "&time=" + at)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []promSample `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Status != "success" {
		t.Fatalf("query %s at %s: %v %s", q, at, err, body.Error)
	}
	return body.Data.Result
}

// exportTimestamps returns the raw sample timestamps (ms) of every series
// the selector matches, by series, from VictoriaMetrics' /api/v1/export.
func exportTimestamps(t *testing.T, vmURL, selector string) map[string][]int64 {
	t.Helper()
	resp, err := http.PostForm(vmURL+"/api/v1/export", url.Values{"match[]": {selector}})
	if err != nil {
		return nil // down or restarting: the caller polls
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil
	}
	out := map[string][]int64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var line struct {
			Metric     map[string]string `json:"metric"`
			Timestamps []int64           `json:"timestamps"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("export %s: %v", selector, err)
		}
		out[fmt.Sprint(line.Metric)] = line.Timestamps
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("export %s: %v", selector, err)
	}
	return out
}

// forceFlush makes recently written samples searchable.
func forceFlush(vmURL string) {
	if resp, err := http.Get(vmURL + "/internal/force_flush"); err == nil {
		resp.Body.Close()
	}
}

// pushStats is the direct push's counters, read from govpulse's /metrics.
type pushStats struct {
	pushes, failures, dropped uint64
	lastSuccessMs             int64
}

// readPushStats reads the push counters off govpulse's /metrics.
func readPushStats(t *testing.T, gp string) pushStats {
	t.Helper()
	resp, err := http.Get(gp + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s pushStats
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok || !strings.HasPrefix(name, "govpulse_push_") {
			continue
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			t.Fatalf("%s: %v", sc.Text(), err)
		}
		switch name {
		case catalog.PushTotal.Name:
			s.pushes = uint64(v)
		case catalog.PushFailures.Name:
			s.failures = uint64(v)
		case catalog.PushSamplesDropped.Name:
			s.dropped = uint64(v)
		case catalog.PushLastSuccess.Name:
			s.lastSuccessMs = int64(math.Round(v * 1000))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return s
}

// nextPush waits for the next successful push and returns the counters read
// just after it: with the next push an interval away, none is in flight, so
// they are consistent with the samples VictoriaMetrics has. A read that
// came late (a slow machine) waits for the push after.
func nextPush(t *testing.T, gp string) pushStats {
	t.Helper()
	for range 5 {
		prev := readPushStats(t, gp)
		var s pushStats
		pollUntil(t, time.Now().Add(30*time.Second), "a successful push", func() bool {
			s = readPushStats(t, gp)
			return s.lastSuccessMs > prev.lastSuccessMs && s.lastSuccessMs > 0
		})
		if time.Since(time.UnixMilli(s.lastSuccessMs)) < outageInterval/2 {
			return s
		}
	}
	t.Fatal("the push counters were never read within half an interval of a push")
	return pushStats{}
}

// scrapeCounter serves govpulse's /metrics to one vmagent and records when
// each scrape arrived: the scrapes that must all reach VictoriaMetrics.
type scrapeCounter struct {
	addr   string
	target string
	// agentURL is the vmagent's own HTTP address (its /metrics).
	agentURL string

	mu       sync.Mutex
	arrivals []int64 // unix ms
	bad      []string
	lines    int // samples in the last scrape
}

func newScrapeCounter(t *testing.T, target string) *scrapeCounter {
	t.Helper()
	c := &scrapeCounter{target: target}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	c.addr = strings.TrimPrefix(srv.URL, "http://")
	return c
}

func (c *scrapeCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	at := time.Now().UnixMilli()
	resp, err := http.Get(c.target)
	if err != nil {
		c.record(at, 0, "govpulse: "+err.Error())
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		c.record(at, 0, fmt.Sprintf("govpulse: %d %v", resp.StatusCode, err))
		http.Error(w, "govpulse failed", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
	if _, err := w.Write(body); err != nil {
		c.record(at, 0, "vmagent: "+err.Error())
		return
	}
	c.record(at, sampleLines(body), "")
}

func (c *scrapeCounter) record(at int64, lines int, bad string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.arrivals = append(c.arrivals, at)
	if bad != "" {
		c.bad = append(c.bad, time.UnixMilli(at).Format(time.TimeOnly)+" "+bad)
	} else {
		c.lines = lines
	}
}

func (c *scrapeCounter) arrivalsMs() []int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]int64(nil), c.arrivals...)
}

func (c *scrapeCounter) failures() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.bad, "; ")
}

func (c *scrapeCounter) samples() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lines
}

// next waits for the next scrape to be served and returns its index.
func (c *scrapeCounter) next(t *testing.T) int {
	t.Helper()
	n := len(c.arrivalsMs())
	pollUntil(t, time.Now().Add(4*outageInterval), "the next scrape", func() bool { return len(c.arrivalsMs()) > n })
	return n
}

// sampleLines counts the samples of an exposition.
func sampleLines(b []byte) int {
	n := 0
	for line := range bytes.Lines(b) {
		if line = bytes.TrimSpace(line); len(line) > 0 && line[0] != '#' {
			n++
		}
	}
	return n
}

// agentQueueBytes is what a vmagent holds in its on-disk queue.
func agentQueueBytes(metricsURL string) int64 {
	var total int64
	for line := range strings.Lines(httpBody(metricsURL)) {
		if name, value, ok := strings.Cut(strings.TrimSpace(line), " "); ok && strings.HasPrefix(name, "vm_persistentqueue_bytes_pending{") {
			v, _ := strconv.ParseInt(value, 10, 64)
			total += v
		}
	}
	return total
}

// proc is a real binary the test stops and starts itself (startBinary's
// only stop is the test's end).
type proc struct {
	cmd  *exec.Cmd
	logs *syncWriter
	done chan struct{}
	err  error
}

// startProc starts bin; cleanup kills it if the test has not stopped it,
// and shows its output if the test failed.
func startProc(t *testing.T, bin string, args ...string) *proc {
	t.Helper()
	p := &proc{logs: &syncWriter{w: &bytes.Buffer{}}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("cannot start %s: %v", bin, err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("%s %s output:\n%s", filepath.Base(bin), strings.Join(args, " "), p.logs.String())
		}
	})
	return p
}

// stop sends SIGTERM and waits (30 s at most) for a clean exit.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("cannot stop %s: %v", p.cmd.Path, err)
	}
	select {
	case <-p.done:
		if p.err != nil {
			t.Fatalf("%s exited with %v:\n%s", p.cmd.Path, p.err, p.logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not stop within 30 s of SIGTERM", p.cmd.Path)
	}
}
