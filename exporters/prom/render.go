package prom

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	mathbits "math/bits"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/klauspost/compress/gzip"
	"github.com/prometheus/common/model"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
)

// This file writes the text exposition format 0.0.4 straight from catalog
// samples, byte for byte what client_golang's registry plus expfmt write for
// the same metrics (tests compare the two): labels in name order, series
// sorted by label values in that order, floats as expfmt formats them. Going
// through dto.MetricFamily instead would allocate several objects per series
// on every publication.

// shape is what rendering needs to know about a catalogue metric, computed once.
type shape struct {
	// perm lists label indices in label-name order, the order client_golang
	// writes them in and sorts series by.
	perm   []int
	header []byte // "# HELP …\n# TYPE …\n"
	err    error
}

var shapes sync.Map // *catalog.Metric -> *shape

func shapeOf(m *catalog.Metric) *shape {
	if s, ok := shapes.Load(m); ok {
		return s.(*shape)
	}
	s := &shape{perm: make([]int, len(m.Labels))}
	if !model.LegacyValidation.IsValidMetricName(m.Name) {
		s.err = fmt.Errorf("%q is not a valid metric name", m.Name)
	}
	for i, l := range m.Labels {
		s.perm[i] = i
		if !model.LegacyValidation.IsValidLabelName(l) || strings.HasPrefix(l, "__") {
			s.err = fmt.Errorf("%q is not a valid label name for metric %q", l, m.Name)
		}
		if slices.Index(m.Labels, l) != i {
			s.err = fmt.Errorf("duplicate label name %q for metric %q", l, m.Name)
		}
	}
	slices.SortStableFunc(s.perm, func(a, b int) int { return strings.Compare(m.Labels[a], m.Labels[b]) })
	h := append([]byte("# HELP "), m.Name...)
	h = append(h, ' ')
	h = appendEscaped(h, m.Help, false)
	h = append(h, "\n# TYPE "...)
	h = append(h, m.Name...)
	h = append(h, ' ')
	h = append(h, m.Kind.String()...)
	h = append(h, '\n')
	s.header = h
	actual, _ := shapes.LoadOrStore(m, s)
	return actual.(*shape)
}

// part is one result's share of a family: indices into res.Samples.
type part struct {
	res *source.Result
	idx []int32
}

// renderStats counts what a render dropped, for one log line per family.
type renderStats struct {
	badLabels, conflict, duplicate int
}

func (st renderStats) any() bool { return st.badLabels+st.conflict+st.duplicate > 0 }

// dict numbers the distinct values of one label of a family. A family has
// few distinct values per label (agencies, fields, periods, channels) and
// many series, so everything per value — validity, escaping, order — is done
// once per value, and series compare as small integers.
type dict struct {
	id   map[string]uint32
	vals []string
	// last is the id of the value looked up last: neighbouring samples
	// mostly share an agency, a field, a period, and comparing with one
	// string is cheaper than hashing it.
	last uint32
}

func (d *dict) reset() {
	clear(d.id)
	d.vals = d.vals[:0]
}

func (d *dict) get(v string) uint32 {
	if len(d.vals) > 0 && d.vals[d.last] == v {
		return d.last
	}
	if len(d.vals) <= 8 { // periods, channels, timeliness: a scan beats hashing
		for i, x := range d.vals {
			if x == v {
				d.last = uint32(i) //nolint:gosec // G115: i < 8
				return d.last
			}
		}
	}
	id, ok := d.id[v]
	if !ok {
		id = uint32(len(d.vals)) //nolint:gosec // G115: a family holds far fewer than 2^32 series
		d.id[v] = id
		d.vals = append(d.vals, v)
	}
	d.last = id
	return id
}

// scratch is renderFamily's working memory, reused from one family to the
// next (Update holds the Exposition's lock while rendering).
type scratch struct {
	dicts     []dict
	ids       []uint32   // per sample, the value ids of its labels in perm order
	vals      []float64  // per sample
	rank      [][]uint32 // per label, per value id
	seg       [][][]byte // per label, per rank: `name="escaped value"`
	bad       [][]bool   // per label, per rank: not valid UTF-8
	keys, tmp []keyed
	order     []int32
}

// keyed is one sample: its sort key (the ranks of its values packed in
// label-name order, when they fit), its value and its position in
// precedence order. The value travels with the key so that writing in
// sorted order reads memory in order.
type keyed struct {
	key uint64
	val float64
	i   int32
}

// series is one series of a prepared family: its packed key (0 unpacked)
// and its value.
type series struct {
	key uint64
	val float64
}

// maxPacked is how many labels a packed key can hold; catalogue metrics
// have a handful.
const maxPacked = 16

// prepared is one family ready to be written: its series deduplicated and
// sorted, each label value escaped once, and the exact size it takes.
type prepared struct {
	m      *catalog.Metric
	header []byte
	nl     int
	packed bool // the ranks fit a 64-bit key: bits and shift place each label's
	total  int  // bits used by the packed key
	bits   [maxPacked]uint8
	shift  [maxPacked]uint8
	keys   []series // the series to write, in order
	ranks  []uint32 // unpacked: per series, its labels' value ranks
	arena  []byte   // every `name="escaped value"`, label by label, rank by rank
	off    [][]uint32
	size   int
}

// rank is the rank of label j's value in series x.
func (p *prepared) rank(x, j int) uint32 {
	if p.packed {
		return p.unpack(p.keys[x].key, j)
	}
	return p.ranks[x*p.nl+j]
}

// unpack takes label j's rank out of a packed key.
func (p *prepared) unpack(key uint64, j int) uint32 {
	return uint32(key >> p.shift[j] & (1<<p.bits[j] - 1)) //nolint:gosec // G115: masked to at most 32 bits
}

func (p *prepared) seg(j int, r uint32) []byte {
	return p.arena[p.off[j][r]:p.off[j][r+1]]
}

// appendTo writes the family into b, which must have room for p.size bytes
// more (Update sizes the joined buffer with them, so nothing is copied twice).
func (p *prepared) appendTo(b []byte) []byte {
	b = append(b, p.header...)
	name := p.m.Name
	for x, k := range p.keys {
		b = append(b, name...)
		for j := range p.nl {
			if j == 0 {
				b = append(b, '{')
			} else {
				b = append(b, ',')
			}
			b = append(b, p.seg(j, p.rank(x, j))...)
		}
		if p.nl > 0 {
			b = append(b, '}')
		}
		b = append(b, ' ')
		b = appendFloat(b, k.val)
		b = append(b, '\n')
	}
	return b
}

// prepareFamily readies one family from its parts, in the parts' order of
// precedence: a series present in two parts is written once, from the first.
// It returns nil when nothing is left to write. Series come out sorted by
// label values in label-name order, as client_golang sorts them.
//
// Cost is linear in the series: each label value is looked up in a map once
// per series (or matches its neighbour's), the distinct values are sorted
// and escaped once per family, and the series are ordered by a radix sort of
// their packed value ranks (a comparison sort on the strings grew as
// n·log n and was a third of a 1M-series render).
func prepareFamily(sc *scratch, m *catalog.Metric, parts []part) (*prepared, renderStats, error) {
	var st renderStats
	sh := shapeOf(m)
	if sh.err != nil {
		return nil, st, sh.err
	}
	n := sc.number(m, sh, parts, &st)
	if n == 0 {
		return nil, st, nil
	}
	p := &prepared{m: m, header: sh.header, nl: len(m.Labels)}
	sc.rankValues(p, sh)
	keys := sc.sortedKeys(p, n, &st)
	p.keep(sc, keys, &st)
	if len(p.keys) == 0 {
		return nil, st, nil
	}
	return p, st, nil
}

// number makes one pass over the samples, in memory order, numbering their
// label values (sc.ids, in perm order) and taking their values (sc.vals).
// It returns how many samples are of the family's shape.
func (sc *scratch) number(m *catalog.Metric, sh *shape, parts []part, st *renderStats) int {
	nl := len(m.Labels)
	for len(sc.dicts) < nl {
		sc.dicts = append(sc.dicts, dict{id: make(map[string]uint32)})
		sc.rank, sc.seg, sc.bad = append(sc.rank, nil), append(sc.seg, nil), append(sc.bad, nil)
	}
	for j := range nl {
		sc.dicts[j].reset()
	}
	count := 0
	for _, p := range parts {
		count += len(p.idx)
	}
	ids, vals := slices.Grow(sc.ids[:0], count*nl), slices.Grow(sc.vals[:0], count)
	for _, p := range parts {
		for _, i := range p.idx {
			s := &p.res.Samples[i]
			switch {
			case s.Metric != m && !sameShape(s.Metric, m):
				st.conflict++
			case len(s.Labels) != nl:
				st.badLabels++
			default:
				for j, k := range sh.perm {
					ids = append(ids, sc.dicts[j].get(s.Labels[k]))
				}
				vals = append(vals, s.Value)
			}
		}
	}
	sc.ids, sc.vals = ids, vals
	return len(vals)
}

// rankValues ranks each label's distinct values in byte order, checks and
// escapes each once into p's arena, and decides whether ranks pack into a
// 64-bit key.
func (sc *scratch) rankValues(p *prepared, sh *shape) {
	m, total, arena := p.m, 0, 0
	for j, k := range sh.perm {
		d := &sc.dicts[j]
		nv := len(d.vals)
		order := slices.Grow(sc.order[:0], nv)[:nv]
		for i := range order {
			order[i] = int32(i) //nolint:gosec // G115: ids are below the sample count
		}
		slices.SortFunc(order, func(a, b int32) int { return strings.Compare(d.vals[a], d.vals[b]) })
		sc.order = order
		rank := slices.Grow(sc.rank[j][:0], nv)[:nv]
		bad := slices.Grow(sc.bad[j][:0], nv)[:nv]
		seg := slices.Grow(sc.seg[j][:0], nv)[:nv]
		for r, id := range order {
			rank[id] = uint32(r) //nolint:gosec // G115: ranks are below the sample count
			v := d.vals[id]
			bad[r] = !utf8.ValidString(v)
			b := seg[r][:0]
			b = append(b, m.Labels[k]...)
			b = append(b, '=', '"')
			b = appendEscaped(b, v, true)
			seg[r] = append(b, '"')
			arena += len(seg[r])
		}
		sc.rank[j], sc.bad[j], sc.seg[j] = rank, bad, seg
		if j < maxPacked {
			p.bits[j] = uint8(mathbits.Len32(uint32(nv - 1))) //nolint:gosec // G115: at most 32
			total += int(p.bits[j])
		}
	}
	p.total = total
	p.packed = total <= 64 && p.nl <= maxPacked
	if p.packed {
		for j, at := p.nl-1, 0; j >= 0; j-- {
			p.shift[j] = uint8(at) //nolint:gosec // G115: below 64
			at += int(p.bits[j])
		}
	}
	// The family's own copy of the escaped values: the scratch serves the next.
	p.arena, p.off = make([]byte, 0, arena), make([][]uint32, p.nl)
	for j := range p.nl {
		segs := sc.seg[j][:len(sc.dicts[j].vals)]
		off := make([]uint32, 0, len(segs)+1)
		for _, sg := range segs {
			off = append(off, uint32(len(p.arena))) //nolint:gosec // G115: label values of one family, far below 4 GiB
			p.arena = append(p.arena, sg...)
		}
		p.off[j] = append(off, uint32(len(p.arena))) //nolint:gosec // G115: as above
	}
}

// rankOf is the rank of label j's value in sample k.
func (sc *scratch) rankOf(p *prepared, k keyed, j int) uint32 {
	if p.packed {
		return p.unpack(k.key, j)
	}
	return sc.rank[j][sc.ids[int(k.i)*p.nl+j]]
}

// sortedKeys returns the samples' keys in series order, equal series in
// precedence order, samples with an invalid label value left out.
func (sc *scratch) sortedKeys(p *prepared, n int, st *renderStats) []keyed {
	nl, ids := p.nl, sc.ids
	keys := slices.Grow(sc.keys[:0], n)
	for i := range n {
		var key uint64
		ok := true
		for j := range nl {
			r := sc.rank[j][ids[i*nl+j]]
			if sc.bad[j][r] {
				ok = false
				break
			}
			if p.packed {
				key = key<<p.bits[j] | uint64(r)
			}
		}
		if !ok {
			st.badLabels++
			continue
		}
		keys = append(keys, keyed{key: key, val: sc.vals[i], i: int32(i)}) //nolint:gosec // G115: i < n
	}
	if p.packed {
		keys, sc.tmp = radixSort(keys, sc.tmp, p.total)
	} else {
		// Too many distinct values to pack into 64 bits: compare the ranks.
		slices.SortStableFunc(keys, func(a, b keyed) int {
			for j := range nl {
				if ra, rb := sc.rankOf(p, a, j), sc.rankOf(p, b, j); ra != rb {
					return cmpUint32(ra, rb)
				}
			}
			return 0
		})
	}
	sc.keys = keys
	return keys
}

// keep takes the first of each series from the sorted keys into p, and
// counts p's exact size: the joined buffer is allocated once, to the byte.
func (p *prepared) keep(sc *scratch, keys []keyed, st *renderStats) {
	same := func(a, b keyed) bool {
		if p.packed {
			return a.key == b.key
		}
		for j := range p.nl {
			if sc.rankOf(p, a, j) != sc.rankOf(p, b, j) {
				return false
			}
		}
		return true
	}
	n := 0
	for x, k := range keys {
		if x == 0 || !same(keys[x-1], k) {
			n++
		}
	}
	st.duplicate += len(keys) - n // the sort is stable: the first in precedence stays
	p.keys = make([]series, 0, n)
	if !p.packed {
		p.ranks = make([]uint32, 0, n*p.nl)
	}
	for x, k := range keys {
		if x > 0 && same(keys[x-1], k) {
			continue
		}
		p.keys = append(p.keys, series{key: k.key, val: k.val})
		if !p.packed {
			for j := range p.nl {
				p.ranks = append(p.ranks, sc.rankOf(p, k, j))
			}
		}
	}
	size := len(p.header)
	perSeries := len(p.m.Name) + 2 // ' ' and '\n'
	if p.nl > 0 {
		perSeries += p.nl + 1 // '{', the commas, '}'
	}
	for x, k := range p.keys {
		size += perSeries + floatLen(k.val)
		for j := range p.nl {
			size += len(p.seg(j, p.rank(x, j)))
		}
	}
	p.size = size
}

func cmpUint32(a, b uint32) int {
	if a < b {
		return -1
	}
	return 1
}

// radixSort sorts keys by key, keeping the order of equal keys (LSD radix
// sort, one pass per byte of the bits used). tmp is scratch space; both
// slices are returned for reuse, the sorted one first.
func radixSort(keys, tmp []keyed, bits int) ([]keyed, []keyed) {
	if slices.IsSortedFunc(keys, func(a, b keyed) int { return cmp.Compare(a.key, b.key) }) {
		return keys, tmp
	}
	tmp = slices.Grow(tmp[:0], len(keys))[:len(keys)]
	for shift := 0; shift < bits; shift += 8 {
		var count [257]int
		for _, k := range keys {
			count[int(k.key>>shift&0xff)+1]++
		}
		for i := 1; i < len(count); i++ {
			count[i] += count[i-1]
		}
		for _, k := range keys {
			d := int(k.key >> shift & 0xff)
			tmp[count[d]] = k
			count[d]++
		}
		keys, tmp = tmp, keys
	}
	return keys, tmp
}

// sameShape reports whether two metric declarations of one name would render
// identically, so samples of either may share a family.
func sameShape(a, b *catalog.Metric) bool {
	return a.Name == b.Name && a.Help == b.Help && a.Kind == b.Kind && slices.Equal(a.Labels, b.Labels)
}

// appendEscaped escapes as expfmt does: backslash and newline, and the double
// quote inside label values.
func appendEscaped(b []byte, s string, quote bool) []byte {
	if !strings.ContainsAny(s, "\\\n\"") {
		return append(b, s...)
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			b = append(b, '\\', '\\')
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '"' && quote:
			b = append(b, '\\', '"')
		default:
			b = append(b, c)
		}
	}
	return b
}

// appendFloat formats f as expfmt's writeFloat does.
func appendFloat(b []byte, f float64) []byte {
	switch {
	case f == 1:
		return append(b, '1')
	case f == 0:
		return append(b, '0')
	case f == -1:
		return append(b, '-', '1')
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, +1):
		return append(b, "+Inf"...)
	case math.IsInf(f, -1):
		return append(b, "-Inf"...)
	case f == math.Trunc(f) && f > -1e6 && f < 1e6:
		// What 'g' writes for these (it turns to an exponent at 1e6),
		// without its shortest-digits search: counts are most values.
		return strconv.AppendInt(b, int64(f), 10)
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}

// floatLen is len(appendFloat(nil, f)), counted without formatting the
// counts that most values are.
func floatLen(f float64) int {
	if f != math.Trunc(f) || f <= -1e6 || f >= 1e6 || f == 0 || f == 1 || f == -1 {
		var num [32]byte
		return len(appendFloat(num[:0], f))
	}
	n := 1
	if f < 0 {
		n, f = 2, -f
	}
	for f >= 10 {
		f /= 10
		n++
	}
	return n
}

// gzipBytes compresses b into one complete gzip member. Members concatenate
// into a valid gzip stream (RFC 1952 §2.2), which is what lets the handler send
// cached blocks one after the other.
func gzipBytes(zw *gzip.Writer, b []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(b)/10 + 64) // expositions compress to about 8%
	zw.Reset(&buf)
	_, _ = zw.Write(b) // writes to a bytes.Buffer cannot fail
	_ = zw.Close()
	return buf.Bytes()
}
