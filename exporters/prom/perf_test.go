package prom

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/store"
)

// TestPerformance measures a /metrics scrape against the floor, in-process
// and over loopback HTTP, and the publish cost, and prints the README's
// tables (-perf.readme rewrites them in place):
//
//	go test ./exporters/prom/ -run '^TestPerformance$' -timeout 60m -v -args -perf [-perf.sizes 10000,100000,1000000] [-perf.readme ../../README.md]
var (
	perfOn      = flag.Bool("perf", false, "run TestPerformance (minutes; skipped otherwise)")
	perfSizes   = flag.String("perf.sizes", "10000,100000,1000000", "TestPerformance: comma-separated series counts")
	perfReadme  = flag.String("perf.readme", "", "TestPerformance: rewrite the text between <!-- perf:begin --> and <!-- perf:end --> in this file")
	perfScrapes = flag.Int("perf.scrapes", 0, "TestPerformance: loopback scrapes per mode and round (0: enough for about 0.3 s)")
	perfRounds  = flag.Int("perf.rounds", 5, "TestPerformance: interleaved loopback rounds (in-process: 3)")
)

var perfEncs = []string{"plain", "gzip"}

// perfInRounds: in-process, each case is benchmarked this many times,
// interleaved, and the median kept.
const perfInRounds = 3

func TestPerformance(t *testing.T) {
	if !*perfOn {
		t.Skip("run with -args -perf")
	}
	var sizes []int
	for _, f := range strings.Split(*perfSizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			t.Fatalf("-perf.sizes %q: %q is not a positive count", *perfSizes, f)
		}
		sizes = append(sizes, n)
	}
	var readme []byte
	if *perfReadme != "" { // fail before the long run, not after
		var err error
		if readme, err = os.ReadFile(*perfReadme); err != nil {
			t.Fatal(err)
		}
		if _, err := perfReadmeRewrite(readme, ""); err != nil {
			t.Fatalf("-perf.readme %s: %v", *perfReadme, err)
		}
	}

	var (
		series  []int
		scrapes []perfScrapeRow
		pubs    []perfPublishRow
	)
	for _, size := range sizes {
		began := time.Now()
		n, pub, in := perfInProcess(t, size)
		t.Logf("%d series: publish and in-process done in %v", n, time.Since(began).Round(time.Second))
		runtime.GC() // the parent's snapshot is garbage before the children start
		loop := perfLoopback(t, size)
		t.Logf("%d series: done in %v", n, time.Since(began).Round(time.Second))
		series, pubs = append(series, n), append(pubs, pub)
		for _, flags := range []string{"default", "slim"} {
			for _, enc := range perfEncs {
				f, o := "floor/"+enc, flags+"/"+enc
				scrapes = append(scrapes, perfScrapeRow{Size: size, Flags: flags, Enc: enc,
					InFloor: in[f], InOurs: in[o],
					LoopFloor: loop[f].cpu, LoopOurs: loop[o].cpu,
					P50Floor: loop[f].p50, P50Ours: loop[o].p50})
			}
		}
	}
	report := perfReport(perfMachine(), series, scrapes, pubs)
	fmt.Println()
	fmt.Println(report)
	if readme != nil {
		out, err := perfReadmeRewrite(readme, report)
		if err != nil {
			t.Fatalf("-perf.readme %s: %v", *perfReadme, err)
		}
		if err := os.WriteFile(*perfReadme, out, 0o644); err != nil { //nolint:gosec // G306: a README, world-readable like the checkout
			t.Fatal(err)
		}
		t.Logf("rewrote the performance block of %s", *perfReadme)
	}
}

// perfMachine is the machine line: CPU model, cores, Go, platform.
func perfMachine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d cores, %s, %s/%s", model, runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func perfMedian(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// perfCPU runs op under testing.Benchmark and returns process CPU ns per
// op of its final run (GC and every goroutine's work included, such as the
// live part's background refresh). prep, if set, runs untimed before each
// run's loop.
func perfCPU(prep func(), op func()) float64 {
	var perOp float64
	testing.Benchmark(func(b *testing.B) {
		if prep != nil {
			prep()
		}
		start := processCPU()
		for b.Loop() {
			op()
		}
		perOp = float64(processCPU()-start) / float64(b.N)
	})
	return perOp
}

// perfWriter is a ResponseWriter that copies the body into a reused,
// pre-grown buffer: handing bytes on, without a growing recorder's
// allocations.
type perfWriter struct {
	hdr  http.Header
	code int
	buf  []byte
}

func (w *perfWriter) Header() http.Header         { return w.hdr }
func (w *perfWriter) WriteHeader(code int)        { w.code = code }
func (w *perfWriter) Write(p []byte) (int, error) { w.buf = append(w.buf, p...); return len(p), nil }
func (w *perfWriter) reset()                      { w.buf, w.code = w.buf[:0], http.StatusOK; clear(w.hdr) }

// perfInProcess measures publishing and in-process scrapes at size: the
// series count, the publish row, and CPU ns per scrape by "mode/enc".
func perfInProcess(t *testing.T, size int) (int, perfPublishRow, map[string]float64) {
	sn := benchSnapshot(size)
	n := seriesCount(sn)
	pub := perfPublish(sn, size, n)

	e := NewExposition(discard())
	e.Update(sn)
	handlers := map[string]http.Handler{}
	for _, mode := range perfModes {
		h, err := perfHandler(mode, e)
		if err != nil {
			t.Fatal(err)
		}
		handlers[mode] = h
	}
	reqs := map[string]*http.Request{}
	for _, enc := range perfEncs {
		req, _ := http.NewRequest(http.MethodGet, "/metrics", nil)
		if enc == "gzip" {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		reqs[enc] = req
	}
	w := &perfWriter{hdr: http.Header{}, buf: make([]byte, 0, len(e.cur.Load().plain)+1<<20)}
	// Every case answers in full before it is timed.
	for _, mode := range perfModes {
		for _, enc := range perfEncs {
			w.reset()
			handlers[mode].ServeHTTP(w, reqs[enc])
			if cl := w.hdr.Get("Content-Length"); w.code != http.StatusOK || cl != strconv.Itoa(len(w.buf)) || len(w.buf) == 0 {
				t.Fatalf("in-process %s/%s: status %d, Content-Length %q, %d bytes", mode, enc, w.code, cl, len(w.buf))
			}
		}
	}
	runs := map[string][]float64{}
	for round := range perfInRounds {
		for _, mode := range perfModes {
			for _, enc := range perfEncs {
				h, req := handlers[mode], reqs[enc]
				runs[mode+"/"+enc] = append(runs[mode+"/"+enc], perfCPU(nil, func() {
					w.reset()
					h.ServeHTTP(w, req)
				}))
			}
		}
		t.Logf("%d series: in-process round %d/%d", n, round+1, perfInRounds)
	}
	in := map[string]float64{}
	for k, v := range runs {
		in[k] = perfMedian(v)
	}
	runtime.KeepAlive(e)
	return n, pub, in
}

// perfPublish measures rendering on publication at size, n series: from
// scratch, one source's new Result with the same samples (a run
// succeeded), health only (a run failed), and the heap an Exposition
// keeps.
func perfPublish(sn *store.Snapshot, size, n int) perfPublishRow {
	p := perfPublishRow{Size: size, Series: n}

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	e := NewExposition(discard())
	e.Update(sn)
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(e)
	p.RetainedBytes = float64(after.HeapAlloc) - float64(before.HeapAlloc)

	// changed is sn with the data source (Sources[1]) replaced by a copy
	// that edit altered.
	changed := func(edit func(*store.SourceState)) *store.Snapshot {
		next, st := *sn, *sn.Sources[1]
		edit(&st)
		next.Sources = []*store.SourceState{sn.Sources[0], &st}
		return &next
	}
	// Each republish starts from an Exposition that published sn, as the
	// daemon's did the snapshot before: its caches hold sn's blocks.
	prime := func() { e = NewExposition(discard()); e.Update(sn) }
	up := true
	var full, src, health []float64
	for range perfInRounds {
		full = append(full, perfCPU(nil, func() { NewExposition(discard()).Update(sn) }))
		src = append(src, perfCPU(prime, func() {
			e.Update(changed(func(st *store.SourceState) {
				res := *st.Result // same samples, new Result: a new publication
				st.Result = &res
			}))
		}))
		health = append(health, perfCPU(prime, func() {
			up = !up
			e.Update(changed(func(st *store.SourceState) { st.Up = up }))
		}))
	}
	p.Full, p.SourceChanged, p.HealthOK = perfMedian(full), perfMedian(src), perfMedian(health)
	return p
}

// perfChild is one server process and the keep-alive client scraping it.
type perfChild struct {
	mode   string
	base   string
	client *http.Client
	stop   func()
}

// perfStart starts the server of mode at size and waits for its address.
// It runs on its own goroutine, so it returns errors instead of failing t.
func perfStart(t *testing.T, mode string, size int) (*perfChild, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, "-test.run=^TestPerfChild$", "-test.timeout=35m") //nolint:gosec // G204: this test binary
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s,%d", perfChildEnv, mode, size))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe() // closed by the parent, or by its death: the child then exits
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			_ = stdin.Close()
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		})
	}
	t.Cleanup(stop)
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "PERF_ADDR "); ok {
				addr <- a
			}
		}
		close(addr)
	}() // keeps reading, so the child never blocks on its stdout
	select {
	case a, ok := <-addr:
		if !ok {
			stop()
			return nil, fmt.Errorf("perf child %s: exited before printing its address", mode)
		}
		return &perfChild{mode: mode, base: "http://" + a, stop: stop,
			client: &http.Client{Timeout: 5 * time.Minute, Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 1}}}, nil
	case <-time.After(10 * time.Minute):
		stop()
		return nil, fmt.Errorf("perf child %s: no address after 10 minutes", mode)
	}
}

// scrape gets /metrics whole and checks it: status 200, the body as long
// as Content-Length said, gzip when asked.
func (c *perfChild) scrape(gz bool) (time.Duration, error) {
	req, _ := http.NewRequest(http.MethodGet, c.base+"/metrics", nil)
	if gz {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	start := time.Now()
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	took := time.Since(start)
	switch {
	case err != nil:
		return 0, err
	case resp.StatusCode != http.StatusOK:
		return 0, fmt.Errorf("%s: status %s", c.mode, resp.Status)
	case resp.ContentLength != n || n == 0:
		return 0, fmt.Errorf("%s: %d bytes read, Content-Length %d", c.mode, n, resp.ContentLength)
	case gz != (resp.Header.Get("Content-Encoding") == "gzip"):
		return 0, fmt.Errorf("%s: gzip %v, Content-Encoding %q", c.mode, gz, resp.Header.Get("Content-Encoding"))
	}
	return took, nil
}

// cpu is the child's user+sys CPU so far.
func (c *perfChild) cpu() (time.Duration, error) {
	resp, err := c.client.Get(c.base + "/cpu")
	if err != nil {
		return 0, err
	}
	b, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return 0, err
	}
	ns, err := strconv.ParseInt(string(b), 10, 64)
	return time.Duration(ns), err
}

type perfLoop struct{ cpu, p50 float64 }

// perfLoopback measures, over loopback HTTP, each mode's server CPU per
// scrape (median over interleaved rounds, so machine noise hits every mode
// alike) and the client's median latency, by "mode/enc".
func perfLoopback(t *testing.T, size int) map[string]perfLoop {
	children := make([]*perfChild, len(perfModes))
	errs := make([]error, len(perfModes))
	var wg sync.WaitGroup
	for i, mode := range perfModes {
		wg.Go(func() { children[i], errs[i] = perfStart(t, mode, size) })
	}
	wg.Wait()
	defer func() {
		for _, c := range children {
			if c != nil {
				c.stop() // one size's servers at a time
			}
		}
	}()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}

	type cas struct {
		c    *perfChild
		enc  string
		lat  []float64
		cpus []float64
	}
	var cases []*cas
	for _, c := range children {
		for _, enc := range perfEncs {
			cases = append(cases, &cas{c: c, enc: enc})
		}
	}
	// Warm up (connections, caches, the live part's background refresh)
	// and size the rounds from the slowest mode of each encoding.
	const warm = 20
	slowest := map[string]float64{}
	for _, k := range cases {
		var lat []float64
		for range warm {
			d, err := k.c.scrape(k.enc == "gzip")
			if err != nil {
				t.Fatal(err)
			}
			lat = append(lat, float64(d))
		}
		slowest[k.enc] = max(slowest[k.enc], perfMedian(lat))
	}
	per := map[string]int{}
	for enc, lat := range slowest {
		per[enc] = *perfScrapes
		if per[enc] <= 0 {
			per[enc] = min(2000, max(5, int(0.3e9/lat)+1))
		}
	}
	t.Logf("%d series: loopback, %d rounds of %d plain and %d gzip scrapes per mode", size, *perfRounds, per["plain"], per["gzip"])
	for round := range *perfRounds {
		// Rotated, so no mode always follows the same one.
		for i := range cases {
			k := cases[(i+round)%len(cases)]
			n := per[k.enc]
			c0, err := k.c.cpu()
			if err != nil {
				t.Fatal(err)
			}
			for range n {
				d, err := k.c.scrape(k.enc == "gzip")
				if err != nil {
					t.Fatal(err)
				}
				k.lat = append(k.lat, float64(d))
			}
			c1, err := k.c.cpu()
			if err != nil {
				t.Fatal(err)
			}
			k.cpus = append(k.cpus, float64(c1-c0)/float64(n))
		}
	}
	out := map[string]perfLoop{}
	for _, k := range cases {
		ms := make([]string, len(k.cpus))
		for i, v := range k.cpus {
			ms[i] = strings.TrimSuffix(perfMs(v), " ms")
		}
		t.Logf("%d series, loopback %s/%s: server CPU ms per scrape by round: %s", size, k.c.mode, k.enc, strings.Join(ms, " "))
		out[k.c.mode+"/"+k.enc] = perfLoop{cpu: perfMedian(k.cpus), p50: perfMedian(k.lat)}
	}
	return out
}
