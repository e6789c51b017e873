package prom

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

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

// renderFamily writes one family from its parts, in the parts' order of
// precedence: a series present in two parts is written once, from the first.
// It returns nil when nothing is left to write.
func renderFamily(m *catalog.Metric, parts []part) ([]byte, renderStats, error) {
	var st renderStats
	sh := shapeOf(m)
	if sh.err != nil {
		return nil, st, sh.err
	}
	n := 0
	for _, p := range parts {
		n += len(p.idx)
	}
	samples := make([]*source.Sample, 0, n)
	for _, p := range parts {
		for _, i := range p.idx {
			s := &p.res.Samples[i]
			switch {
			case s.Metric != m && !sameShape(s.Metric, m):
				st.conflict++
			case len(s.Labels) != len(m.Labels) || !validUTF8(s.Labels):
				st.badLabels++
			default:
				samples = append(samples, s)
			}
		}
	}
	cmp := func(a, b *source.Sample) int {
		for _, k := range sh.perm {
			if c := strings.Compare(a.Labels[k], b.Labels[k]); c != 0 {
				return c
			}
		}
		return 0
	}
	if !slices.IsSortedFunc(samples, cmp) {
		slices.SortStableFunc(samples, cmp) // stable: the first part wins a tie
	}
	size := len(sh.header)
	kept := samples[:0]
	for i, s := range samples {
		if i > 0 && cmp(samples[i-1], s) == 0 {
			st.duplicate++
			continue
		}
		kept = append(kept, s)
		size += len(m.Name) + 24 + 4*len(s.Labels)
		for k, v := range s.Labels {
			size += len(m.Labels[k]) + len(v)
		}
	}
	if len(kept) == 0 {
		return nil, st, nil
	}
	b := make([]byte, 0, size)
	b = append(b, sh.header...)
	for _, s := range kept {
		b = append(b, m.Name...)
		for j, k := range sh.perm {
			if j == 0 {
				b = append(b, '{')
			} else {
				b = append(b, ',')
			}
			b = append(b, m.Labels[k]...)
			b = append(b, '=', '"')
			b = appendEscaped(b, s.Labels[k], true)
			b = append(b, '"')
		}
		if len(sh.perm) > 0 {
			b = append(b, '}')
		}
		b = append(b, ' ')
		b = appendFloat(b, s.Value)
		b = append(b, '\n')
	}
	return b, st, nil
}

// sameShape reports whether two metric declarations of one name would render
// identically, so samples of either may share a family.
func sameShape(a, b *catalog.Metric) bool {
	return a.Name == b.Name && a.Help == b.Help && a.Kind == b.Kind && slices.Equal(a.Labels, b.Labels)
}

func validUTF8(vs []string) bool {
	for _, v := range vs {
		if !utf8.ValidString(v) {
			return false
		}
	}
	return true
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
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}

// gzipBytes compresses b into one complete gzip member. Members concatenate
// into a valid gzip stream (RFC 1952 §2.2), which is what lets the handler send
// cached blocks one after the other.
func gzipBytes(zw *gzip.Writer, b []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(b)/6 + 64)
	zw.Reset(&buf)
	_, _ = zw.Write(b) // writes to a bytes.Buffer cannot fail
	_ = zw.Close()
	return buf.Bytes()
}
