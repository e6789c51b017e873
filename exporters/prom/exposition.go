package prom

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"hash/crc32"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

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
// Rendering is cached per metric family: a family fed by one source is cached
// with that source's *source.Result, so a publication re-renders only the
// health families and the families of sources whose Result changed. A family
// fed by several sources of one kind is rendered from all of them together
// (the first source in name order wins a series both have).
type Exposition struct {
	logger *slog.Logger
	cur    atomic.Pointer[rendered]

	mu      sync.Mutex // serialises Update and guards the caches below
	zw      *gzip.Writer
	results map[*source.Result]*resultIndex
	merged  map[string]*mergedBlock
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

// resultIndex groups one Result's samples by family and caches the blocks of
// the families that Result alone feeds.
type resultIndex struct {
	names  []string // sorted
	metric map[string]*catalog.Metric
	idx    map[string][]int32
	blocks map[string]*block
}

type mergedBlock struct {
	owners []*source.Result
	blk    *block
}

// NewExposition returns an Exposition serving an empty snapshot until the
// first Update. A nil logger discards.
func NewExposition(logger *slog.Logger) *Exposition {
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	// The default level, not BestSpeed: it runs once per publication (100k
	// series: ~0.1 s, 570 KB) while the bytes go out on every scrape
	// (BestSpeed: ~0.02 s but 760 KB).
	zw, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression)
	e := &Exposition{
		logger:  logger,
		zw:      zw,
		results: make(map[*source.Result]*resultIndex),
		merged:  make(map[string]*mergedBlock),
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
		m     *catalog.Metric
		parts []part
	}
	plans := make(map[string]*plan)
	nextResults := make(map[*source.Result]*resultIndex, len(sn.Sources))
	add := func(res *source.Result, keep bool) {
		ri := e.results[res]
		if ri == nil {
			ri = indexResult(res)
		}
		if keep {
			nextResults[res] = ri
		}
		for _, name := range ri.names {
			p := plans[name]
			if p == nil {
				p = &plan{m: ri.metric[name]}
				plans[name] = p
			}
			p.parts = append(p.parts, part{res: res, idx: ri.idx[name]})
		}
	}
	for _, st := range sn.Sources {
		if st.Result != nil && nextResults[st.Result] == nil {
			add(st.Result, true)
		}
	}
	// Health is new with every snapshot: rendered every time, never cached.
	add(healthSamples(sn), false)

	names := make([]string, 0, len(plans))
	for name := range plans {
		names = append(names, name)
	}
	slices.Sort(names)

	nextMerged := make(map[string]*mergedBlock)
	r := &rendered{families: make(map[string]struct{}, len(names))}
	blocks := make([]*block, 0, len(names))
	var plainLen, gzLen int
	for _, name := range names {
		p := plans[name]
		var blk *block
		if len(p.parts) == 1 {
			ri := nextResults[p.parts[0].res]
			if ri != nil {
				blk = ri.blocks[name]
			}
			if blk == nil {
				blk = e.render(p.m, p.parts)
				if ri != nil {
					ri.blocks[name] = blk
				}
			}
		} else {
			owners := make([]*source.Result, len(p.parts))
			for i, pt := range p.parts {
				owners[i] = pt.res
			}
			mb := e.merged[name]
			if mb == nil || !slices.Equal(mb.owners, owners) {
				mb = &mergedBlock{owners: owners, blk: e.render(p.m, p.parts)}
			}
			if nextResults[owners[len(owners)-1]] != nil { // not fed by health
				nextMerged[name] = mb
			}
			blk = mb.blk
		}
		if blk.plain == nil {
			continue
		}
		blocks = append(blocks, blk)
		plainLen += len(blk.plain)
		gzLen += len(blk.gz)
		r.families[name] = struct{}{}
	}
	r.plain, r.gz = make([]byte, 0, plainLen), make([]byte, 0, gzLen)
	for _, blk := range blocks {
		r.plain = append(r.plain, blk.plain...)
		r.gz = append(r.gz, blk.gz...)
		// Rebased into the joined buffers: the freshly rendered bytes and
		// the previous rendering's buffers are left to the collector (a
		// scrape still reading the previous one keeps it alive until done).
		blk.plain, blk.gz = r.plain[len(r.plain)-len(blk.plain):len(r.plain):len(r.plain)], r.gz[len(r.gz)-len(blk.gz):len(r.gz):len(r.gz)]
	}
	e.results, e.merged = nextResults, nextMerged
	e.cur.Store(r)
}

// render renders and compresses one family, logging what it had to drop.
func (e *Exposition) render(m *catalog.Metric, parts []part) *block {
	plain, st, err := renderFamily(m, parts)
	if err != nil {
		e.logger.Error("cannot render metric family", "family", m.Name, "err", err)
		return &block{}
	}
	if st.any() {
		e.logger.Warn("dropped samples while rendering", "family", m.Name,
			"bad_labels", st.badLabels, "conflicting_declaration", st.conflict, "duplicate", st.duplicate)
	}
	if plain == nil {
		return &block{}
	}
	return &block{plain: plain, gz: gzipBytes(e.zw, plain)}
}

// indexResult groups res's samples by family name, in one pass.
func indexResult(res *source.Result) *resultIndex {
	ri := &resultIndex{
		metric: make(map[string]*catalog.Metric),
		idx:    make(map[string][]int32),
		blocks: make(map[string]*block),
	}
	var (
		last *catalog.Metric
		cur  []int32
	)
	flush := func() {
		if last != nil {
			ri.idx[last.Name] = cur
		}
	}
	for i := range res.Samples {
		m := res.Samples[i].Metric
		if m != last {
			flush()
			last = m
			if _, ok := ri.metric[m.Name]; !ok {
				ri.metric[m.Name] = m
				ri.names = append(ri.names, m.Name)
			}
			cur = ri.idx[m.Name]
		}
		cur = append(cur, int32(i))
	}
	flush()
	slices.Sort(ri.names)
	return ri
}

// Handler serves the current rendering followed by a live part gathered from
// live at most once per LiveMaxAge (build info, go_*, process_*, scrape
// counters; nil for none). A live family whose name the snapshot part already has is dropped, so
// no family is ever written twice.
//
// With Accept-Encoding gzip the body is the pre-compressed members followed by
// the live part as a stored (uncompressed) member: concatenated gzip members are one valid
// gzip stream, and Go's reader (Prometheus, vmagent) reads them as one. The
// answer is always the text format 0.0.4, with its Content-Length.
func (e *Exposition) Handler(live prometheus.Gatherer, logger *slog.Logger) http.Handler {
	return e.handler(live, nil, logger)
}

// handler is Handler with a part gathered on every scrape (perScrape, nil
// for none; see ServerConfig.PerScrape).
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
	mu           sync.Mutex // one gathering at a time; scrapes meanwhile wait for it
	cache        atomic.Pointer[liveBytes]
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
		var z bytes.Buffer
		storedGzip(&z, lb.plain)
		lb.gz = z.Bytes()
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
	var now []byte // the per-scrape part
	if h.perScrape != nil {
		buf := bufPool.Get().(*bytes.Buffer)
		buf.Reset()
		defer putBuf(buf)
		h.writeFamilies(buf, h.perScrape, r.families)
		now = buf.Bytes()
		if gz && len(now) > 0 {
			z := bufPool.Get().(*bytes.Buffer)
			z.Reset()
			defer putBuf(z)
			storedGzip(z, now)
			now = z.Bytes()
		}
	}
	if gz {
		body, live = r.gz, lb.gz
		if len(body)+len(live)+len(now) == 0 {
			live = emptyGzip // an empty body is not a valid gzip stream
		}
	}

	hdr := w.Header()
	hdr.Set("Content-Type", ContentType)
	hdr.Set("Content-Length", strconv.Itoa(len(body)+len(live)+len(now)))
	hdr.Add("Vary", "Accept-Encoding")
	if gz {
		hdr.Set("Content-Encoding", "gzip")
	}
	// The joined snapshot goes out in as many write(2) calls as the floor's
	// same bytes do, the few KiB of live and per-scrape part after it. (Live
	// part first puts the snapshot's big copy at an odd offset of an
	// in-process writer's buffer, which cost that copy half again.)
	for _, b := range [3][]byte{body, live, now} {
		if len(b) == 0 {
			continue
		}
		if _, err := w.Write(b); err != nil {
			h.logger.Debug("cannot write metrics", "err", err)
			return
		}
	}
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
