package indices

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/sheet"
)

// Bounds of what a record may say.
const (
	minYear      = 2000
	maxYear      = 2099
	maxProvinces = 100 // 63 before 2025, 34 after
)

// record is one published figure set: an index's component in a year.
type record struct {
	index, component string
	year             int
	// score is in the index's exported unit: a ratio 0–1 (percent and ratio
	// scales) or points.
	score        float64
	hasScore     bool
	rank, ranked int // 0 when not given
}

type recordKey struct {
	index, component string
	year             int
}

func (r record) key() recordKey { return recordKey{r.index, r.component, r.year} }

// Column keys of a CSV or XLSX index file.
const (
	colIndex     = "index"
	colComponent = "component"
	colYear      = "year"
	colScore     = "score"
	colRank      = "rank"
	colRanked    = "ranked"
)

// Columns are the columns of a CSV or XLSX index file and the header texts each
// accepts (compared case- and diacritics-insensitively). Only index and year
// are required; a row needs a score or a rank. Other columns are ignored.
var Columns = []sheet.Column{
	{Key: colIndex, Name: "Chỉ số", Required: true, Aliases: []string{"Tên chỉ số", "Chỉ số đánh giá", "Bộ chỉ số"}},
	{Key: colComponent, Name: "Thành phần", Aliases: []string{"Lĩnh vực", "Chỉ số thành phần", "Trụ cột", "Lĩnh vực, trụ cột", "Nội dung"}},
	{Key: colYear, Name: "Năm", Required: true, Aliases: []string{"Năm đánh giá"}},
	{Key: colScore, Name: "Điểm", Aliases: []string{"Điểm số", "Điểm đạt được", "Kết quả", "Giá trị", "Chỉ số đạt được"}},
	{Key: colRank, Name: "Xếp hạng", Aliases: []string{"Thứ hạng", "Hạng", "Vị trí"}},
	{Key: colRanked, Name: "Số tỉnh xếp hạng", Aliases: []string{"Tổng số tỉnh", "Số tỉnh, thành phố", "Trên tổng số", "Số địa phương", "of", "out of"}},
}

// indexAliases are the further names accepted for each index, besides its
// code and its catalog names.
var indexAliases = map[string][]string{
	catalog.IndexPAR:   {"PAR", "PAR Index", "Chỉ số cải cách hành chính", "Chỉ số CCHC"},
	catalog.IndexSIPAS: {"Chỉ số hài lòng", "Chỉ số hài lòng của người dân, tổ chức", "Chỉ số hài lòng về sự phục vụ hành chính"},
	catalog.IndexPAPI:  {"Chỉ số hiệu quả quản trị và hành chính công", "Chỉ số PAPI"},
	catalog.IndexPCI:   {"Chỉ số năng lực cạnh tranh", "Chỉ số năng lực cạnh tranh cấp tỉnh", "Chỉ số PCI"},
	catalog.IndexDTI:   {"Chỉ số chuyển đổi số", "Chỉ số chuyển đổi số cấp tỉnh", "Chỉ số DTI"},
}

// names maps folded names to codes: indexes and, per index, components.
var names = func() struct {
	index     map[string]string
	component map[string]map[string]string
} {
	var n struct {
		index     map[string]string
		component map[string]map[string]string
	}
	n.index = map[string]string{}
	n.component = map[string]map[string]string{}
	put := func(m map[string]string, code string, texts ...string) {
		for _, t := range texts {
			if f := sheet.Fold(t); f != "" {
				if prev, dup := m[f]; dup && prev != code {
					panic("BUG: indices: " + t + " names both " + prev + " and " + code)
				}
				m[f] = code
			}
		}
	}
	for _, d := range catalog.Indices {
		put(n.index, d.Code, append([]string{d.Code, d.Name, d.En}, indexAliases[d.Code]...)...)
		cm := map[string]string{}
		total, _ := d.Component(catalog.ComponentTotal)
		put(cm, total.Code, append([]string{total.Code}, total.Aliases...)...)
		for _, c := range d.Components {
			put(cm, c.Code, append([]string{c.Code, c.Name, c.En}, c.Aliases...)...)
		}
		n.component[d.Code] = cm
	}
	return n
}()

// field is one value of a record as written, with where it was written.
type field struct {
	text string
	set  bool
	err  func(reason, format string, args ...any) error
}

// rawRecord is a record as read from any format, before checking.
type rawRecord struct {
	index, component, year, score, rank, ranked field
}

// supported reports whether the file is read by its extension.
func supported(p string) bool {
	switch strings.ToLower(filepath.Ext(p)) {
	case ".yml", ".yaml":
		return true
	}
	return sheet.Supported(p)
}

// expand returns the files the patterns match, without duplicates, skipping
// hidden files, Excel's lock files and unsupported extensions.
func expand(patterns []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, p := range patterns {
		matches, err := filepath.Glob(p)
		if err != nil {
			return nil, fmt.Errorf("pattern %q: %w", p, err)
		}
		for _, m := range matches {
			base := filepath.Base(m)
			if seen[m] || strings.HasPrefix(base, ".") || strings.HasPrefix(base, "~$") || !supported(m) {
				continue
			}
			if fi, err := os.Stat(m); err != nil || !fi.Mode().IsRegular() {
				continue
			}
			seen[m] = true
			out = append(out, m)
		}
	}
	sort.Strings(out)
	return out, nil
}

// readFile reads and checks one file. Any problem rejects the whole file:
// index files are edited by hand, and a typo should be seen, not silently cost
// a year of history. lastYear, when not 0, is the latest year a record may
// assess (the current year).
func readFile(path string, maxBytes int64, lastYear int) ([]record, error) {
	var raws []rawRecord
	var err error
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yml", ".yaml":
		raws, err = readYAML(path, maxBytes)
	default:
		raws, err = readSheet(path, maxBytes)
	}
	if err != nil {
		return nil, err
	}
	if len(raws) == 0 {
		return nil, &sheet.Error{File: path, Col: -1, Reason: catalog.RejectMalformed, Msg: "no index records"}
	}
	out := make([]record, 0, len(raws))
	seen := map[recordKey]bool{}
	for _, raw := range raws {
		r, err := check(raw, lastYear)
		if err != nil {
			return nil, err
		}
		if seen[r.key()] {
			return nil, raw.index.err(catalog.RejectDuplicate, "%s %s %d is listed twice", r.index, r.component, r.year)
		}
		seen[r.key()] = true
		out = append(out, r)
	}
	return out, nil
}

// check turns a raw record into a record in exported units.
func check(raw rawRecord, lastYear int) (record, error) {
	r, def, err := checkIndex(raw)
	if err != nil {
		return r, err
	}
	y, err := strconv.Atoi(strings.TrimSpace(raw.year.text))
	switch {
	case err != nil || y < minYear || y > maxYear:
		return r, raw.year.err(catalog.RejectMalformed, "%q is not a year between %d and %d", clip(raw.year.text), minYear, maxYear)
	case lastYear > 0 && y > lastYear:
		return r, raw.year.err(catalog.RejectInconsistent, "year %d has not been assessed yet", y)
	}
	r.year = y

	if raw.score.set && raw.score.text != "" {
		v, pct, err := sheet.ParseNumber(raw.score.text)
		if err != nil {
			return r, raw.score.err(catalog.RejectMalformed, "%v", err)
		}
		if r.score, err = toUnit(def, v, pct); err != nil {
			return r, raw.score.err(catalog.RejectMalformed, "%v", err)
		}
		r.hasScore = true
	}
	if err := checkRank(&r, raw); err != nil {
		return r, err
	}
	if !r.hasScore && r.rank == 0 {
		return r, raw.index.err(catalog.RejectMalformed, "%s %s %d has neither a score nor a rank", r.index, r.component, r.year)
	}
	return r, nil
}

// checkIndex reads the index and component names as codes.
func checkIndex(raw rawRecord) (record, catalog.IndexDef, error) {
	var r record
	if strings.TrimSpace(raw.index.text) == "" {
		return r, catalog.IndexDef{}, raw.index.err(catalog.RejectMalformed, "the index is missing")
	}
	code, ok := names.index[sheet.Fold(raw.index.text)]
	if !ok {
		return r, catalog.IndexDef{}, raw.index.err(catalog.RejectUnknownCode, "unknown index %q; known: %s", clip(raw.index.text), strings.Join(catalog.IndexCodes(), ", "))
	}
	def, _ := catalog.IndexByCode(code)
	r.index = code
	r.component = catalog.ComponentTotal
	if raw.component.set && raw.component.text != "" {
		c, ok := names.component[code][sheet.Fold(raw.component.text)]
		if !ok {
			var known []string
			for _, c := range append([]catalog.IndexComponent{{Code: catalog.ComponentTotal}}, def.Components...) {
				known = append(known, c.Code)
			}
			return r, def, raw.component.err(catalog.RejectUnknownCode, "unknown component %q of %s; known: %s", clip(raw.component.text), code, strings.Join(known, ", "))
		}
		r.component = c
	}
	return r, def, nil
}

// checkRank reads the rank and the number of provinces ranked, from their
// own columns or from one "56/63".
func checkRank(r *record, raw rawRecord) error {
	if raw.rank.set && raw.rank.text != "" {
		// "56/63", as the press writes it, gives both.
		rank, of, slash := strings.Cut(raw.rank.text, "/")
		n, err := strconv.Atoi(strings.TrimSpace(rank))
		if err != nil || n < 1 || n > maxProvinces {
			return raw.rank.err(catalog.RejectMalformed, "%q is not a rank between 1 and %d (or rank/ranked like 56/63)", clip(raw.rank.text), maxProvinces)
		}
		r.rank = n
		if slash {
			if raw.ranked.set && raw.ranked.text != "" {
				return raw.rank.err(catalog.RejectMalformed, "rank %q gives the number of provinces ranked, and so does the ranked column", clip(raw.rank.text))
			}
			raw.ranked = field{text: of, set: true, err: raw.rank.err}
		}
	}
	if raw.ranked.set && raw.ranked.text != "" {
		n, err := strconv.Atoi(strings.TrimSpace(raw.ranked.text))
		if err != nil || n < 1 || n > maxProvinces {
			return raw.ranked.err(catalog.RejectMalformed, "%q is not a number of provinces between 1 and %d", clip(raw.ranked.text), maxProvinces)
		}
		r.ranked = n
		if r.rank > n {
			return raw.rank.err(catalog.RejectInconsistent, "rank %d of only %d provinces", r.rank, n)
		}
	}
	return nil
}

// toUnit converts a published score to its exported unit, refusing values
// that cannot be on the index's scale.
func toUnit(def catalog.IndexDef, v float64, pct bool) (float64, error) {
	if v < 0 {
		return 0, fmt.Errorf("negative score %v", v)
	}
	switch def.Scale {
	case catalog.IndexScalePercent:
		if !pct && v <= 1 && v > 0 {
			// 0.846 for a PAR Index is a ratio typed where a percentage goes:
			// refuse rather than export 0.00846.
			return 0, fmt.Errorf("%v looks like a ratio; %s is published in percent: write %v or %v%%", v, def.Code, v*100, v*100)
		}
		if v > 100 {
			return 0, fmt.Errorf("%v%% is above 100%%", v)
		}
		return percentToRatio(v), nil
	case catalog.IndexScaleRatio:
		if pct {
			v = percentToRatio(v)
		}
		if v > 1 {
			return 0, fmt.Errorf("%v is above 1; %s is published on a 0–1 scale (write 0.5432 or 54.32%%)", v, def.Code)
		}
		return v, nil
	default: // points
		if pct {
			return 0, fmt.Errorf("%s is published in points, not as a percentage", def.Code)
		}
		if v > def.Max {
			return 0, fmt.Errorf("%v is above the %v points of the %s scale", v, def.Max, def.Code)
		}
		return v, nil
	}
}

// percentToRatio divides by 100 in decimal: 84.6 gives 0.846, where v/100
// gives 0.8459999999999999 and the exposition would show it.
func percentToRatio(v float64) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', -1, 64)+"e-2", 64)
	if err != nil {
		return v / 100 // unreachable for a finite v
	}
	return r
}

// readSheet reads a CSV or XLSX index file.
func readSheet(path string, maxBytes int64) ([]rawRecord, error) {
	tab, err := sheet.ReadFile(path, maxBytes)
	if err != nil {
		return nil, err
	}
	l, err := tab.Locate(Columns)
	if err != nil {
		return nil, err
	}
	var out []rawRecord
	for _, rec := range l.Records {
		f := func(key string) field {
			return field{text: rec.Text(key), set: l.Has(key), err: func(reason, format string, args ...any) error {
				return rec.Errorf(key, reason, format, args...)
			}}
		}
		r := rawRecord{index: f(colIndex), component: f(colComponent), year: f(colYear), score: f(colScore), rank: f(colRank), ranked: f(colRanked)}
		if r.index.text == "" && r.year.text == "" {
			continue // a note under the table
		}
		out = append(out, r)
	}
	return out, nil
}

// yamlFile is the YAML index file (see the package doc). Every value is a node
// so that errors name its line.
type yamlFile struct {
	// Province and Note are for people; they are not exported.
	Province string       `yaml:"province"`
	Note     string       `yaml:"note"`
	Records  []yamlRecord `yaml:"records"`
}

type yamlRecord struct {
	Index     yaml.Node `yaml:"index"`
	Component yaml.Node `yaml:"component"`
	Year      yaml.Node `yaml:"year"`
	Score     yaml.Node `yaml:"score"`
	Rank      yaml.Node `yaml:"rank"`
	Ranked    yaml.Node `yaml:"ranked"`
	// Source says where the figure was published (free text, not exported).
	Source string `yaml:"source"`
}

func readYAML(path string, maxBytes int64) ([]rawRecord, error) {
	f, err := os.Open(path) //nolint:gosec // G304: the configured indices file
	if err != nil {
		return nil, fmt.Errorf("cannot open %q: %w", path, err)
	}
	defer func() { _ = f.Close() }() // read-only: nothing to lose on close
	data, err := io.ReadAll(io.LimitReader(f, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read %q: %w", path, err)
	}
	if int64(len(data)) > maxBytes {
		return nil, &sheet.Error{File: path, Col: -1, Reason: catalog.RejectMalformed, Msg: fmt.Sprintf("larger than %d bytes", maxBytes)}
	}
	var doc yamlFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		line, msg := sheet.YAMLLine(err)
		return nil, &sheet.Error{File: path, Row: line, Col: -1, Lines: true, Reason: catalog.RejectMalformed, Msg: msg}
	}
	out := make([]rawRecord, 0, len(doc.Records))
	for i, y := range doc.Records {
		prefix := fmt.Sprintf("records[%d]", i)
		line := sheet.FirstLine(y.Index, y.Year, y.Component, y.Score, y.Rank, y.Ranked)
		f := func(name string, n yaml.Node) field {
			l := n.Line
			if l == 0 {
				l = line
			}
			return field{text: n.Value, set: n.Kind != 0, err: func(reason, format string, args ...any) error {
				return &sheet.Error{File: path, Row: l, Col: -1, Column: prefix + "." + name, Lines: true, Reason: reason, Msg: fmt.Sprintf(format, args...)}
			}}
		}
		for name, n := range map[string]yaml.Node{"index": y.Index, "component": y.Component, "year": y.Year, "score": y.Score, "rank": y.Rank, "ranked": y.Ranked} {
			if n.Kind != 0 && n.Kind != yaml.ScalarNode {
				return nil, f(name, n).err(catalog.RejectMalformed, "must be a single value")
			}
		}
		out = append(out, rawRecord{index: f("index", y.Index), component: f("component", y.Component), year: f("year", y.Year),
			score: f("score", y.Score), rank: f("rank", y.Rank), ranked: f("ranked", y.Ranked)})
	}
	return out, nil
}

func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
