package prom

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
	"github.com/govpulse/govpulse/collector/store"
)

// ContentType is the only format /metrics answers with: the text format 0.0.4,
// which every Prometheus-compatible scraper accepts.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// Exposition holds the rendered text exposition of the current Snapshot, plain
// and gzip-compressed, and serves it (docs/design.md §7). A Snapshot is immutable, so
// it is rendered once on publication instead of on every scrape.
//
// Rendering is cached per metric family, so a publication re-renders only the
// families whose data changed: a family fed by the same *source.Results as in
// the previous publication is reused as is, and one fed by new Results is
// reused if its samples equal the previous ones (a run that brought the same
// figures).
// A family fed by several sources of one kind is rendered from all of them
// together (the first source in name order wins a series both have).
type Exposition struct {
	logger *slog.Logger
	cur    atomic.Pointer[rendered]

	mu       sync.Mutex   // serialises Update and guards the caches below
	zw       *gzip.Writer // within an Update
	sc       scratch      // reused from family to family within an Update
	results  map[*source.Result]*resultIndex
	families map[string]*family
}

// rendered is one published exposition; never modified once stored.
type rendered struct {
	// plain and gz are the family blocks in name order, joined: a scrape is
	// one write of them (the floor's), not one per family. gz is the
	// blocks' gzip members one after the other, which is one gzip stream.
	plain, gz []byte
	families  map[string]struct{}
}

// block is one family rendered, plain and compressed; nil if it came out
// empty. Once published, its slices point into the rendering's joined
// buffers, so the cache holds each family's bytes once, not twice.
type block struct {
	plain, gz []byte
}

// family is one family of the last publication: the Results that fed it, in
// precedence order, and its rendering. The Results stay alive until the next
// publication, which compares their samples with the new ones.
type family struct {
	owners []*source.Result
	blk    *block
}

// resultIndex groups one Result's samples by family. idx is dropped after
// each publication (4 bytes a series) and rebuilt only for a Result whose
// families must be compared or rendered again.
type resultIndex struct {
	res    *source.Result
	names  []string // sorted
	metric map[string]*catalog.Metric
	idx    map[string][]int32
}

// GzipLevel is the compression of the pre-rendered gzip body. klauspost's
// fastest level compresses a 1M-series exposition (96 MB) in about 0.23 s
// to 7.5 MB; the standard library's default level took 2.2 s for 5.7 MB,
// most of a publication. A publication runs once per source interval,
// the bytes go out on every scrape: a quarter more bytes on a loopback or
// LAN scrape is the cheaper side.
const GzipLevel = gzip.BestSpeed

// NewExposition returns an Exposition serving an empty snapshot until the
// first Update. A nil logger discards.
func NewExposition(logger *slog.Logger) *Exposition {
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	e := &Exposition{
		logger:   logger,
		results:  make(map[*source.Result]*resultIndex),
		families: make(map[string]*family),
	}
	e.cur.Store(&rendered{families: map[string]struct{}{}})
	return e
}

// Update renders sn and makes it what the handler serves. It is meant for
// store.Subscribe, which calls it serially on every publication; concurrent
// calls are serialised. Scrapes are never blocked: they keep reading the
// previous rendering until the new one is swapped in.
func (e *Exposition) Update(sn *store.Snapshot) {
	if sn == nil {
		sn = &store.Snapshot{}
	}
	e.mu.Lock()
	defer e.mu.Unlock()

	type plan struct {
		m      *catalog.Metric
		owners []*resultIndex
	}
	plans := make(map[string]*plan)
	nextResults := make(map[*source.Result]*resultIndex, len(sn.Sources))
	add := func(ri *resultIndex) {
		for _, name := range ri.names {
			p := plans[name]
			if p == nil {
				p = &plan{m: ri.metric[name]}
				plans[name] = p
			}
			p.owners = append(p.owners, ri)
		}
	}
	for _, st := range sn.Sources {
		if st.Result == nil || nextResults[st.Result] != nil {
			continue
		}
		ri := e.results[st.Result]
		if ri == nil {
			ri = indexResult(st.Result)
		}
		nextResults[st.Result] = ri
		add(ri)
	}
	// Health is new with every snapshot; its families are reused when their
	// samples come out the same.
	health := indexResult(healthSamples(sn))
	nextResults[health.res] = health
	add(health)

	names := make([]string, 0, len(plans))
	for name := range plans {
		names = append(names, name)
	}
	slices.Sort(names)

	// First the families to render are prepared, so that the joined buffer
	// is allocated once, to the byte, and they are written straight into it.
	type entry struct {
		f    *family
		prep *prepared // nil: f.blk is reused
	}
	nextFamilies := make(map[string]*family, len(names))
	r := &rendered{families: make(map[string]struct{}, len(names))}
	entries := make([]entry, 0, len(names))
	var plainLen, gzLen int
	for _, name := range names {
		p := plans[name]
		owners := make([]*source.Result, len(p.owners))
		for i, ri := range p.owners {
			owners[i] = ri.res
		}
		f := e.families[name]
		var prep *prepared
		if f == nil || !slices.Equal(f.owners, owners) {
			parts := e.parts(name, p.owners)
			if f == nil || !sameSamples(e.parts(name, e.indices(f.owners)), parts) {
				prep = e.prepare(p.m, parts)
				f = &family{blk: &block{}}
			} else {
				f = &family{blk: f.blk} // new Results, the same samples: a run that brought the same figures
			}
			f.owners = owners
		}
		nextFamilies[name] = f
		switch {
		case prep != nil:
			plainLen += prep.size
		case f.blk.plain != nil:
			plainLen += len(f.blk.plain)
			gzLen += len(f.blk.gz)
		default:
			continue // rendered empty
		}
		entries = append(entries, entry{f: f, prep: prep})
		r.families[name] = struct{}{}
	}
	r.plain = make([]byte, 0, plainLen)
	gzs := make([][]byte, len(entries))
	for i, en := range entries {
		start := len(r.plain)
		if en.prep == nil {
			r.plain = append(r.plain, en.f.blk.plain...)
			gzs[i] = en.f.blk.gz
		} else {
			r.plain = en.prep.appendTo(r.plain)
			if e.zw == nil {
				e.zw, _ = gzip.NewWriterLevel(nil, GzipLevel)
			}
			gzs[i] = gzipBytes(e.zw, r.plain[start:])
			gzLen += len(gzs[i])
		}
		en.f.blk.plain = r.plain[start:len(r.plain):len(r.plain)] // rebased: a reused block keeps its identity
	}
	if len(r.plain) != plainLen {
		e.logger.Error("BUG: the exposition came out another size than prepared", "prepared", plainLen, "written", len(r.plain))
	}
	// The gzip members joined as well; the fresh ones and the previous
	// rendering's buffers are left to the collector (a scrape still reading
	// the previous rendering keeps it alive until done).
	r.gz = make([]byte, 0, gzLen)
	for i, en := range entries {
		r.gz = append(r.gz, gzs[i]...)
		en.f.blk.gz = r.gz[len(r.gz)-len(gzs[i]) : len(r.gz) : len(r.gz)]
	}
	for _, ri := range nextResults {
		ri.idx = nil
	}
	// The scratch is as large as the largest family's series (about 20 bytes
	// a series): not kept between publications, which come minutes apart.
	e.sc = scratch{}
	e.zw = nil // its tables, about 1 MB, are not kept either
	e.results, e.families = nextResults, nextFamilies
	e.cur.Store(r)
}

// indices returns the index of each of the previous publication's Results.
func (e *Exposition) indices(owners []*source.Result) []*resultIndex {
	ris := make([]*resultIndex, len(owners))
	for i, res := range owners {
		if ris[i] = e.results[res]; ris[i] == nil {
			ris[i] = indexResult(res) // not reached: every owner was indexed
		}
	}
	return ris
}

// parts is family name's share of each Result, indexing a Result again if
// its index was dropped.
func (e *Exposition) parts(name string, ris []*resultIndex) []part {
	parts := make([]part, len(ris))
	for i, ri := range ris {
		if ri.idx == nil {
			ri.idx = indexSamples(ri.res)
		}
		parts[i] = part{res: ri.res, idx: ri.idx[name]}
	}
	return parts
}

// sameSamples reports whether two families' parts hold the same samples in
// the same order: then they render the same bytes.
func sameSamples(a, b []part) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i].idx) != len(b[i].idx) {
			return false
		}
	}
	for i := range a {
		for x, ia := range a[i].idx {
			sa, sb := &a[i].res.Samples[ia], &b[i].res.Samples[b[i].idx[x]]
			if sa.Metric != sb.Metric || math.Float64bits(sa.Value) != math.Float64bits(sb.Value) || !slices.Equal(sa.Labels, sb.Labels) {
				return false
			}
		}
	}
	return true
}

// prepare readies one family for writing, logging what it had to drop; nil
// when nothing is left to write.
func (e *Exposition) prepare(m *catalog.Metric, parts []part) *prepared {
	p, st, err := prepareFamily(&e.sc, m, parts)
	if err != nil {
		e.logger.Error("cannot render metric family", "family", m.Name, "err", err)
		return nil
	}
	if st.any() {
		e.logger.Warn("dropped samples while rendering", "family", m.Name,
			"bad_labels", st.badLabels, "conflicting_declaration", st.conflict, "duplicate", st.duplicate)
	}
	return p
}

// indexResult lists the families of res, with their samples' indices.
func indexResult(res *source.Result) *resultIndex {
	ri := &resultIndex{res: res, metric: make(map[string]*catalog.Metric)}
	var last *catalog.Metric
	for i := range res.Samples {
		if m := res.Samples[i].Metric; m != last {
			last = m
			if _, ok := ri.metric[m.Name]; !ok {
				ri.metric[m.Name] = m
				ri.names = append(ri.names, m.Name)
			}
		}
	}
	slices.Sort(ri.names)
	ri.idx = indexSamples(res)
	return ri
}

// indexSamples groups res's sample indices by family name: one pass to
// count, one to fill slices of the exact size.
func indexSamples(res *source.Result) map[string][]int32 {
	count := make(map[string]int)
	var last *catalog.Metric
	run := 0
	for i := range res.Samples {
		if m := res.Samples[i].Metric; m != last {
			if last != nil {
				count[last.Name] += run
			}
			last, run = m, 0
		}
		run++
	}
	if last != nil {
		count[last.Name] += run
	}
	idx := make(map[string][]int32, len(count))
	for name, n := range count {
		idx[name] = make([]int32, 0, n)
	}
	var cur []int32
	last = nil
	for i := range res.Samples {
		m := res.Samples[i].Metric
		if m != last {
			if last != nil {
				idx[last.Name] = cur
			}
			last = m
			cur = idx[m.Name]
		}
		cur = append(cur, int32(i)) //nolint:gosec // G115: a Result holds far fewer than 2^31 samples
	}
	if last != nil {
		idx[last.Name] = cur
	}
	return idx
}

// Handler serves the current rendering and a live part gathered from live at
// most once per LiveMaxAge (build info, go_*, process_*, scrape counters; nil
// for none). A live family whose name the snapshot part already has is
// dropped, so no family is ever written twice.
//
// With Accept-Encoding gzip the body is gzip members one after the other:
// the live part's (compressed when gathered), the per-scrape part's (stored,
// uncompressed) and the snapshot's pre-compressed ones. Concatenated members
// are one valid gzip stream (RFC 1952 §2.2), and Go's reader (Prometheus,
// vmagent) reads them as one. The answer is always the text format 0.0.4,
// with its Content-Length.
func (e *Exposition) Handler(live prometheus.Gatherer, logger *slog.Logger) http.Handler {
	return e.handler(live, nil, logger)
}

// handler is Handler with a per-scrape part (perScrape, nil for none; see
// ServerConfig.PerScrape).
func (e *Exposition) handler(live, perScrape prometheus.Gatherer, logger *slog.Logger) *handler {
	if logger == nil {
		logger = e.logger
	}
	return &handler{e: e, live: live, perScrape: perScrape, logger: logger,
		maxAge: LiveMaxAge, idle: LiveIdle, now: time.Now, background: live != nil}
}

// LiveMaxAge is how old the live part may be. Gathering it reads /proc
// (process_*, several files) and the Go runtime; done per scrape it cost
// 20–30 times the snapshot's pre-rendered bytes. So it is gathered apart
// from the scrapes: while scrapes come, a goroutine renders it anew every
// LiveMaxAge (about 0.3 ms of CPU a second), and a scrape serves the last
// rendering; only a scrape that finds it older gathers it itself.
const LiveMaxAge = time.Second

// LiveIdle stops the background gathering when no scrape came for this
// long (longer than any scrape interval); the next scrape restarts it.
const LiveIdle = 2 * time.Minute

type handler struct {
	e               *Exposition
	live, perScrape prometheus.Gatherer
	logger          *slog.Logger
	warned          sync.Map // live family names already reported as shadowed

	maxAge, idle time.Duration
	now          func() time.Time
	background   bool        // gather in the background while scrapes come
	running      atomic.Bool // the background gathering runs
	lastScrape   atomic.Int64
	mu           sync.Mutex   // one gathering at a time; scrapes meanwhile wait for it
	zw           *gzip.Writer // compresses the live part; h.mu held
	cache        atomic.Pointer[liveBytes]
	perCache     atomic.Pointer[perCache]
}

// liveBytes is the live part rendered at one instant, against one rendering
// (whose families it leaves out).
type liveBytes struct {
	at        time.Time
	r         *rendered
	plain, gz []byte
}

var (
	bufPool   = sync.Pool{New: func() any { return new(bytes.Buffer) }}
	emptyGzip = gzipBytes(gzip.NewWriter(nil), nil)
)

// maxPooledBuf keeps an unusually large per-scrape part from pinning its buffer.
const maxPooledBuf = 1 << 20

func putBuf(b *bytes.Buffer) {
	if b.Cap() <= maxPooledBuf {
		bufPool.Put(b)
	}
}

// liveFor returns the live part for rendering r, gathering it anew when the
// cached one is older than maxAge or was made for another rendering.
func (h *handler) liveFor(r *rendered) *liveBytes {
	fresh := func(lb *liveBytes) bool {
		return lb != nil && lb.r == r && h.now().Sub(lb.at) < h.maxAge
	}
	if lb := h.cache.Load(); fresh(lb) {
		return lb
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if lb := h.cache.Load(); fresh(lb) {
		return lb // another scrape gathered it while this one waited
	}
	return h.gather(r)
}

// gather renders the live part for r and caches it; h.mu is held.
func (h *handler) gather(r *rendered) *liveBytes {
	var buf bytes.Buffer
	h.writeFamilies(&buf, h.live, r.families)
	lb := &liveBytes{at: h.now(), r: r, plain: buf.Bytes()}
	if len(lb.plain) > 0 {
		// Compressed once per LiveMaxAge, not per scrape: about 10 KiB of
		// text (mostly go_*) becomes about 2 KiB, small enough to travel
		// in net/http's buffer with the headers.
		if h.zw == nil {
			h.zw, _ = gzip.NewWriterLevel(nil, GzipLevel)
		}
		lb.gz = gzipBytes(h.zw, lb.plain)
	}
	h.cache.Store(lb)
	return lb
}

// keepFresh gathers the live part every maxAge until no scrape came for
// idle: scrapes then find it at most maxAge old and never wait for /proc.
func (h *handler) keepFresh() {
	tick := time.NewTicker(h.maxAge)
	defer tick.Stop()
	for range tick.C {
		if h.now().UnixNano()-h.lastScrape.Load() > int64(h.idle) {
			h.running.Store(false)
			return
		}
		h.mu.Lock()
		h.gather(h.e.cur.Load())
		h.mu.Unlock()
	}
}

func (h *handler) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r := h.e.cur.Load()
	gz := acceptsGzip(req.Header.Get("Accept-Encoding"))
	lb := h.liveFor(r)
	if h.background {
		h.lastScrape.Store(h.now().UnixNano())
		if !h.running.Load() && h.running.CompareAndSwap(false, true) {
			go h.keepFresh()
		}
	}

	body, live := r.plain, lb.plain
	now := h.perScrapeFor(r, gz)
	defer now.release()
	// Plain: the joined snapshot first, in as many write(2) calls as the
	// floor's same bytes, the live and per-scrape parts after it (first,
	// they would put the snapshot's big copy at an odd offset of an
	// in-process writer's buffer, which cost that copy half again).
	// gzip: the live part (compressed) and the per-scrape part first, in one
	// Write: a few KiB, they stay in net/http's 4 KiB buffer with the
	// headers and go out with the snapshot's first bytes, so the scrape
	// takes the floor's two writes to the socket. (After the snapshot they
	// took a third; as two Writes, net/http's 2 KiB response buffer split
	// them and the snapshot's first write, for a third as well.)
	parts := [3][]byte{body, live, now.bytes()}
	if gz {
		head := lb.gz
		if now.len() > 0 && len(head) > 0 {
			buf := bufPool.Get().(*bytes.Buffer)
			buf.Reset()
			defer putBuf(buf)
			buf.Write(head)
			buf.Write(now.bytes())
			head = buf.Bytes()
		} else if now.len() > 0 {
			head = now.bytes()
		}
		parts = [3][]byte{head, r.gz, nil}
		if len(head)+len(r.gz) == 0 {
			parts[0] = emptyGzip // an empty body is not a valid gzip stream
		}
	}
	n := len(parts[0]) + len(parts[1]) + len(parts[2])

	hdr := w.Header()
	hdr.Set("Content-Type", ContentType)
	hdr.Set("Content-Length", strconv.Itoa(n))
	hdr.Add("Vary", "Accept-Encoding")
	if gz {
		hdr.Set("Content-Encoding", "gzip")
	}
	for _, b := range parts {
		if len(b) == 0 {
			continue
		}
		if _, err := w.Write(b); err != nil {
			h.logger.Debug("cannot write metrics", "err", err)
			return
		}
	}
}

// perScrapeBytes is the per-scrape part of one scrape: cached bytes of an
// Events part, or a pooled buffer gathered for this scrape alone.
type perScrapeBytes struct {
	b      []byte
	pooled []*bytes.Buffer
}

func (p *perScrapeBytes) bytes() []byte {
	if p == nil {
		return nil
	}
	return p.b
}

func (p *perScrapeBytes) len() int { return len(p.bytes()) }

func (p *perScrapeBytes) release() {
	if p == nil {
		return
	}
	for _, b := range p.pooled {
		putBuf(b)
	}
}

// perCache is an Events part rendered at one version, against one rendering.
type perCache struct {
	version   uint64
	r         *rendered
	plain, gz []byte
}

// perScrapeFor renders the per-scrape part: from the cache if it is an
// Events part that has not changed since, else gathered now.
func (h *handler) perScrapeFor(r *rendered, gz bool) *perScrapeBytes {
	if h.perScrape == nil {
		return nil
	}
	if ev, ok := h.perScrape.(versioned); ok {
		v := ev.Version() // read first: a change during the gathering shows next time
		pc := h.perCache.Load()
		if pc == nil || pc.version != v || pc.r != r {
			var buf bytes.Buffer
			h.writeFamilies(&buf, h.perScrape, r.families)
			pc = &perCache{version: v, r: r, plain: buf.Bytes()}
			if len(pc.plain) > 0 {
				var z bytes.Buffer
				storedGzip(&z, pc.plain)
				pc.gz = z.Bytes()
			}
			h.perCache.Store(pc)
		}
		if gz {
			return &perScrapeBytes{b: pc.gz}
		}
		return &perScrapeBytes{b: pc.plain}
	}
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	h.writeFamilies(buf, h.perScrape, r.families)
	out := &perScrapeBytes{b: buf.Bytes(), pooled: []*bytes.Buffer{buf}}
	if gz && buf.Len() > 0 {
		z := bufPool.Get().(*bytes.Buffer)
		z.Reset()
		storedGzip(z, buf.Bytes())
		out.b, out.pooled = z.Bytes(), append(out.pooled, z)
	}
	return out
}

// storedGzip appends p to dst as one gzip member of stored (uncompressed)
// deflate blocks (RFC 1951 §3.2.4, RFC 1952). The live part is a few KiB
// rendered on every scrape: compressing it would cost more CPU than sending
// the snapshot's pre-compressed bytes, for a few KiB saved.
func storedGzip(dst *bytes.Buffer, p []byte) {
	// Header: magic, CM=deflate, no flags, no mtime, XFL=0, OS=unknown.
	dst.Write([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff})
	crc := crc32.ChecksumIEEE(p)
	size := uint32(len(p)) //nolint:gosec // G115: ISIZE is the input size modulo 2^32 (RFC 1952 §2.3.1); wrapping is the format
	for {
		n := min(len(p), 0xffff)
		final := byte(0)
		if n == len(p) {
			final = 1
		}
		dst.Write([]byte{final, byte(n), byte(n >> 8), ^byte(n), ^byte(n >> 8)}) //nolint:gosec // G115: n <= 0xffff, split into LEN and NLEN bytes on purpose
		dst.Write(p[:n])
		p = p[n:]
		if final == 1 {
			break
		}
	}
	var tail [8]byte
	binary.LittleEndian.PutUint32(tail[:4], crc)
	binary.LittleEndian.PutUint32(tail[4:], size)
	dst.Write(tail[:])
}

// writeFamilies gathers g into buf, skipping families the snapshot has.
func (h *handler) writeFamilies(buf *bytes.Buffer, g prometheus.Gatherer, skip map[string]struct{}) {
	if g == nil {
		return
	}
	mfs, err := g.Gather()
	if err != nil {
		// Like promhttp's ContinueOnError: serve what was gathered.
		h.logger.Error("cannot gather live metrics", "err", err)
	}
	for _, mf := range mfs {
		if _, dup := skip[mf.GetName()]; dup {
			if _, seen := h.warned.LoadOrStore(mf.GetName(), true); !seen {
				h.logger.Warn("live metric family shadowed by the snapshot; serving the snapshot's", "family", mf.GetName())
			}
			continue
		}
		if _, err := expfmt.MetricFamilyToText(buf, mf); err != nil {
			h.logger.Error("cannot encode live metric family", "family", mf.GetName(), "err", err)
		}
	}
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip (a q of 0
// refuses it).
func acceptsGzip(header string) bool {
	for header != "" {
		var item string
		item, header, _ = strings.Cut(header, ",")
		coding, params, _ := strings.Cut(item, ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		for params != "" {
			var p string
			p, params, _ = strings.Cut(params, ";")
			k, v, _ := strings.Cut(p, "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				if q, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && q == 0 {
					return false
				}
			}
		}
		return true
	}
	return false
}

// WriteTo writes the current snapshot's pre-rendered text exposition (no
// live part, no timestamps): what the VictoriaMetrics pusher sends.
func (e *Exposition) WriteTo(w io.Writer) (int64, error) {
	r := e.cur.Load()
	if r == nil {
		return 0, nil
	}
	n, err := w.Write(r.plain)
	return int64(n), err
}
