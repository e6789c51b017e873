package manual

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/sheet"
	"github.com/govpulse/govpulse/collector/source"
)

// kpi is one checked KPI of a file.
type kpi struct {
	code, name, nameEn, unit, direction, valueType string
	target, baseline                               float64
	hasTarget                                      bool
	// start and deadline are days (midnight in the province's time zone);
	// zero without a deadline (no target path).
	start, deadline time.Time
	perAgency       bool
	values          []value
}

// value is one checked value: a KPI's figure for an agency on a date.
type value struct {
	date   time.Time
	agency string
	v      float64
}

// field is one value as written, with where it was written.
type field struct {
	text string
	err  func(reason, format string, args ...any) error
}

func (f field) empty() bool { return strings.TrimSpace(f.text) == "" }

// rawKPI and rawValue are a file's contents in any format, before checking.
type rawKPI struct {
	code, name, nameEn, unit, valueType, direction, target, baseline, start, deadline field
}

type rawValue struct {
	code, date, agency, value field
}

// checker checks raw contents against the agency list.
type checker struct {
	agencies map[string]source.Agency
	province string // the agency code of province-wide values
	loc      *time.Location
}

// Bounds of what a value may say.
const (
	minYear  = 2000
	maxYear  = 2099
	maxValue = 1e12
)

// provinceWords are what the agency column may say for a province-wide
// value, besides an empty cell, compared after sheet.Fold.
var provinceWords = map[string]bool{"tinh": true, "toan tinh": true, "thanh pho": true, "toan thanh pho": true, "province": true}

// ReferencedAgencies returns the agency codes a KPI file's values name
// (province-wide values left out), unchecked: the demo includes its example
// file only where its agencies exist. A file that cannot be decoded names none.
func ReferencedAgencies(name string, data []byte) []string {
	var values []rawValue
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yml", ".yaml":
		_, values, _ = decodeYAML(name, data)
	case sheet.ExtCSV:
		if t, err := sheet.ReadCSV(name, data); err == nil {
			_, values, _ = decodeTable(t)
		}
	}
	seen := map[string]bool{}
	var out []string
	for _, v := range values {
		a := strings.TrimSpace(v.agency.text)
		if a == "" || provinceWords[sheet.Fold(a)] || seen[a] {
			continue
		}
		seen[a] = true
		out = append(out, a)
	}
	return out
}

// folded maps the folded forms of texts to codes.
func folded(m map[string][]string) map[string]string {
	out := map[string]string{}
	for code, texts := range m {
		for _, t := range append([]string{code}, texts...) {
			out[sheet.Fold(t)] = code
		}
	}
	return out
}

// directions and valueTypes are the words accepted for each code.
var (
	directions = folded(map[string][]string{
		catalog.DirectionHigher: {"càng cao càng tốt", "cao hơn là tốt", "tăng", "higher"},
		catalog.DirectionLower:  {"càng thấp càng tốt", "thấp hơn là tốt", "giảm", "lower"},
	})
	valueTypes = folded(map[string][]string{
		catalog.ValueCount: {"số lượng", "số"},
		catalog.ValueRatio: {"tỷ lệ", "tỉ lệ", "phần trăm"},
	})
)

// supported reports whether a file is read, by its extension.
func supported(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yml", ".yaml", sheet.ExtCSV, sheet.ExtXLSX:
		return true
	}
	return false
}

// readFile reads and checks one file of at most maxBytes.
func (c *checker) readFile(path string, maxBytes int64) ([]kpi, error) {
	f, err := os.Open(path) //nolint:gosec // G304: a file of the configured directory
	if err != nil {
		return nil, fmt.Errorf("cannot open %q: %w", path, err)
	}
	defer func() { _ = f.Close() }() // read-only: nothing to lose on close
	data, err := io.ReadAll(io.LimitReader(f, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read %q: %w", path, err)
	}
	if int64(len(data)) > maxBytes {
		return nil, &sheet.Error{File: path, Col: -1, Reason: catalog.RejectMalformed, Msg: fmt.Sprintf("larger than %d bytes (max_file_bytes)", maxBytes)}
	}
	return c.decode(path, data)
}

// decode reads and checks one file's bytes, by the name's extension.
func (c *checker) decode(name string, data []byte) ([]kpi, error) {
	var kpis []rawKPI
	var values []rawValue
	var err error
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yml", ".yaml":
		kpis, values, err = decodeYAML(name, data)
	case sheet.ExtCSV:
		var t *sheet.Table
		if t, err = sheet.ReadCSV(name, data); err == nil {
			kpis, values, err = decodeTable(t)
		}
	case sheet.ExtXLSX:
		var t *sheet.Table
		if t, err = sheet.ReadXLSX(name, data); err == nil {
			kpis, values, err = decodeTable(t)
		}
	default:
		return nil, &sheet.Error{File: name, Col: -1, Reason: catalog.RejectMalformed, Msg: "unsupported file type: want .yml, .yaml, .csv or .xlsx"}
	}
	if err != nil {
		return nil, err
	}
	if len(kpis) == 0 && len(values) == 0 {
		return nil, &sheet.Error{File: name, Col: -1, Reason: catalog.RejectMalformed, Msg: "no KPI in the file"}
	}
	return c.check(kpis, values)
}

// check turns raw contents into KPIs. Any problem rejects the whole file: a
// typo in a hand-kept file must be seen, and the file's previous good
// version stays in use meanwhile.
func (c *checker) check(raws []rawKPI, rawValues []rawValue) ([]kpi, error) {
	if len(raws) > catalog.ManualMaxKPIs {
		return nil, raws[catalog.ManualMaxKPIs].code.err(catalog.RejectMalformed, "more than %d KPIs in one source", catalog.ManualMaxKPIs)
	}
	out := make([]kpi, 0, len(raws))
	index := map[string]int{}
	for _, r := range raws {
		k, err := c.checkKPI(r)
		if err != nil {
			return nil, err
		}
		if _, dup := index[k.code]; dup {
			return nil, r.code.err(catalog.RejectDuplicate, "KPI %s is defined twice", k.code)
		}
		index[k.code] = len(out)
		out = append(out, k)
	}
	type slot struct {
		code, agency string
		day          time.Time
	}
	seen := map[slot]bool{}
	agencyOf := map[string]bool{} // KPI code -> whether its first value was per agency
	for _, rv := range rawValues {
		code := strings.TrimSpace(rv.code.text)
		i, ok := index[code]
		if !ok {
			return nil, rv.code.err(catalog.RejectUnknownCode, "value for KPI %q, which the file does not define", clip(code))
		}
		k := &out[i]
		v, err := c.checkValue(k, rv)
		if err != nil {
			return nil, err
		}
		per := v.agency != c.province
		if first, set := agencyOf[k.code]; set && first != per {
			return nil, rv.agency.err(catalog.RejectInconsistent, "KPI %s mixes province-wide values and per-agency values: give it one or the other (the target applies to each series)", k.code)
		}
		agencyOf[k.code] = per
		k.perAgency = per
		s := slot{k.code, v.agency, v.date}
		if seen[s] {
			return nil, rv.date.err(catalog.RejectDuplicate, "KPI %s already has a value for %s on %s", k.code, v.agency, v.date.Format(time.DateOnly))
		}
		seen[s] = true
		k.values = append(k.values, v)
	}
	return out, nil
}

func (c *checker) checkKPI(r rawKPI) (kpi, error) {
	var k kpi
	k.code = strings.TrimSpace(r.code.text)
	if !catalog.KPICodePattern.MatchString(k.code) {
		return k, r.code.err(catalog.RejectBadCode, "%q is not a KPI code: lower-case letters, digits and _, a letter first, at most 48 (like to_cong_nghe_so)", clip(k.code))
	}
	var err error
	if k.name, err = text(r.name, "the Vietnamese name"); err != nil {
		return k, err
	}
	if k.nameEn, err = text(r.nameEn, "the English name"); err != nil {
		return k, err
	}
	if k.unit, err = text(r.unit, "the unit (tổ, chữ ký số, %)"); err != nil {
		return k, err
	}
	switch t := sheet.Fold(r.valueType.text); {
	case t == "":
		k.valueType = catalog.ValueCount
		if k.unit == "%" {
			k.valueType = catalog.ValueRatio
		}
	case valueTypes[t] != "":
		k.valueType = valueTypes[t]
	default:
		return k, r.valueType.err(catalog.RejectMalformed, "%q is not a value type: want count (số lượng) or ratio (tỷ lệ, written in percent)", clip(r.valueType.text))
	}
	if k.valueType == catalog.ValueCount && k.unit == "%" {
		return k, r.valueType.err(catalog.RejectInconsistent, "the unit is %% but the value type is count: a percentage is a ratio")
	}
	switch d := sheet.Fold(r.direction.text); {
	case directions[d] != "":
		k.direction = directions[d]
	case d == "":
		return k, r.direction.err(catalog.RejectMalformed, "the direction is missing: higher_is_better (càng cao càng tốt) or lower_is_better (càng thấp càng tốt)")
	default:
		return k, r.direction.err(catalog.RejectMalformed, "%q is not a direction: higher_is_better (càng cao càng tốt) or lower_is_better (càng thấp càng tốt)", clip(r.direction.text))
	}
	if !r.target.empty() {
		if k.target, err = number(r.target, k.valueType); err != nil {
			return k, err
		}
		k.hasTarget = true
	}
	if !r.deadline.empty() {
		if !k.hasTarget {
			return k, r.deadline.err(catalog.RejectInconsistent, "a deadline without a target")
		}
		if k.deadline, err = c.date(r.deadline); err != nil {
			return k, err
		}
		if r.baseline.empty() {
			return k, r.baseline.err(catalog.RejectMalformed, "a deadline needs the baseline, the value the target path starts from")
		}
		if k.baseline, err = number(r.baseline, k.valueType); err != nil {
			return k, err
		}
		if r.start.empty() {
			y := k.deadline.Year()
			if k.deadline.Month() == time.January && k.deadline.Day() == 1 {
				y-- // a path of one day is no path
			}
			k.start = time.Date(y, time.January, 1, 0, 0, 0, 0, c.loc)
		} else if k.start, err = c.date(r.start); err != nil {
			return k, err
		}
		if !k.start.Before(k.deadline) {
			return k, r.start.err(catalog.RejectInconsistent, "the path starts on %s, not before its deadline %s", k.start.Format(time.DateOnly), k.deadline.Format(time.DateOnly))
		}
	} else {
		for _, f := range []field{r.baseline, r.start} {
			if !f.empty() {
				return k, f.err(catalog.RejectInconsistent, "a baseline or a start without a deadline: the target path needs all three")
			}
		}
	}
	return k, nil
}

func (c *checker) checkValue(k *kpi, rv rawValue) (value, error) {
	var v value
	var err error
	if v.date, err = c.date(rv.date); err != nil {
		return v, err
	}
	a := strings.TrimSpace(rv.agency.text)
	switch {
	case a == "" || provinceWords[sheet.Fold(a)]:
		v.agency = c.province
	case !catalog.AgencyCodePattern.MatchString(a):
		return v, rv.agency.err(catalog.RejectBadCode, "%q is not an agency e-ID code like 000.00.02.H15 (empty or \"tinh\" for the province as a whole)", clip(a))
	default:
		if _, ok := c.agencies[a]; !ok {
			return v, rv.agency.err(catalog.RejectUnknownCode, "agency %s is not in the agency list", a)
		}
		v.agency = a
	}
	if v.v, err = number(rv.value, k.valueType); err != nil {
		return v, err
	}
	return v, nil
}

// text is a required name or unit: one line, bounded.
func text(f field, what string) (string, error) {
	s := strings.Join(strings.Fields(f.text), " ")
	switch {
	case s == "":
		return "", f.err(catalog.RejectMalformed, "%s is missing", what)
	case !utf8.ValidString(s):
		return "", f.err(catalog.RejectMalformed, "%s is not valid UTF-8 text", what)
	case utf8.RuneCountInString(s) > catalog.ManualMaxTextLength:
		return "", f.err(catalog.RejectMalformed, "%s is longer than %d characters", what, catalog.ManualMaxTextLength)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "", f.err(catalog.RejectMalformed, "%s holds a control character", what)
		}
	}
	return s, nil
}

// number reads a value or target in the KPI's type: a count as written, a
// ratio written in percent ("85%", "85" or "85,5") as 0–1.
func number(f field, valueType string) (float64, error) {
	v, pct, err := sheet.ParseNumber(f.text)
	if errors.Is(err, sheet.ErrEmpty) {
		return 0, f.err(catalog.RejectMalformed, "the value is missing")
	}
	if err != nil {
		return 0, f.err(catalog.RejectMalformed, "%v", err)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, f.err(catalog.RejectMalformed, "%q is not a number", clip(f.text))
	}
	if v < 0 {
		return 0, f.err(catalog.RejectNegative, "negative value %v", v)
	}
	if valueType == catalog.ValueCount {
		if pct {
			return 0, f.err(catalog.RejectMalformed, "%q is a percentage, but the KPI is a count (set its unit to %% or its value type to ratio)", clip(f.text))
		}
		if v > maxValue {
			return 0, f.err(catalog.RejectAbsurd, "%v is not a plausible value", v)
		}
		return v, nil
	}
	if !pct && v > 0 && v < 1 {
		return 0, f.err(catalog.RejectMalformed, "%v looks like a ratio; the KPI is written in percent: write %v%% (or 0,5%% for half a percent)", v, v*100)
	}
	if v > 100 {
		return 0, f.err(catalog.RejectAbsurd, "%v%% is above 100%%", v)
	}
	return percentToRatio(v), nil
}

// percentToRatio divides by 100 in decimal (84.6 gives 0.846, not 0.8459999…).
func percentToRatio(v float64) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', -1, 64)+"e-2", 64)
	if err != nil {
		return v / 100
	}
	return r
}

// dateLayouts are the ways a date may be written: ISO, and day first as
// Vietnamese forms write it.
var dateLayouts = []string{time.DateOnly, "2/1/2006", "2-1-2006", "2.1.2006"}

// excelEpoch is day 0 of Excel's serial dates (1900 system, past its
// 1900 leap-year bug).
var excelEpoch = time.Date(1899, time.December, 30, 0, 0, 0, 0, time.UTC)

// date reads a day: 2026-03-31, 31/03/2026 or an Excel serial date.
func (c *checker) date(f field) (time.Time, error) {
	s := strings.TrimSpace(f.text)
	if s == "" {
		return time.Time{}, f.err(catalog.RejectMalformed, "the date is missing")
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return c.day(f, t)
		}
	}
	if n, err := strconv.Atoi(s); err == nil && n > 36000 && n < 73000 { // 1998–2099
		return c.day(f, excelEpoch.AddDate(0, 0, n))
	}
	return time.Time{}, f.err(catalog.RejectMalformed, "%q is not a date: write 2026-03-31 or 31/03/2026", clip(s))
}

func (c *checker) day(f field, t time.Time) (time.Time, error) {
	if t.Year() < minYear || t.Year() > maxYear {
		return time.Time{}, f.err(catalog.RejectMalformed, "year %d is not between %d and %d", t.Year(), minYear, maxYear)
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, c.loc), nil
}

func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// Column keys of a CSV or XLSX KPI file.
const (
	colCode      = "code"
	colName      = "name"
	colNameEn    = "name_en"
	colUnit      = "unit"
	colValueType = "value_type"
	colDirection = "direction"
	colTarget    = "target"
	colBaseline  = "baseline"
	colStart     = "start"
	colDeadline  = "deadline"
	colDate      = "date"
	colAgency    = "agency"
	colValue     = "value"
)

// definitionCols are the columns that define a KPI.
var definitionCols = []string{colName, colNameEn, colUnit, colValueType, colDirection, colTarget, colBaseline, colStart, colDeadline}

// Columns are the columns of a CSV or XLSX KPI file (one table, the first
// sheet) and the header texts each accepts, compared case- and
// diacritics-insensitively (docs/manual-kpi.md). Only the code is required
// of the header; a row defines its KPI when it fills a definition column and
// gives a value when it fills the date or the value.
var Columns = []sheet.Column{
	{Key: colCode, Name: "Mã chỉ tiêu", Required: true, Aliases: []string{"Mã KPI", "kpi"}},
	{Key: colName, Name: "Tên chỉ tiêu", Aliases: []string{"Tên", "Tên tiếng Việt", "name_vi"}},
	{Key: colNameEn, Name: "Tên tiếng Anh", Aliases: []string{"English name"}},
	{Key: colUnit, Name: "Đơn vị tính", Aliases: []string{"ĐVT", "Đơn vị đo"}},
	{Key: colValueType, Name: "Loại giá trị", Aliases: []string{"Kiểu giá trị"}},
	{Key: colDirection, Name: "Chiều đánh giá", Aliases: []string{"Chiều", "Hướng"}},
	{Key: colTarget, Name: "Mục tiêu", Aliases: []string{"Giá trị mục tiêu", "Chỉ tiêu cần đạt"}},
	{Key: colBaseline, Name: "Giá trị đầu kỳ", Aliases: []string{"Đầu kỳ", "Giá trị ban đầu"}},
	{Key: colStart, Name: "Ngày bắt đầu", Aliases: []string{"Bắt đầu", "Từ ngày"}},
	{Key: colDeadline, Name: "Hạn hoàn thành", Aliases: []string{"Thời hạn", "Hạn"}},
	{Key: colDate, Name: "Ngày số liệu", Aliases: []string{"Ngày", "Tính đến ngày"}},
	{Key: colAgency, Name: "Mã cơ quan", Aliases: []string{"Mã đơn vị", "Cơ quan, đơn vị", "Đơn vị"}},
	{Key: colValue, Name: "Giá trị", Aliases: []string{"Kết quả", "Số liệu", "Giá trị thực hiện"}},
}

// decodeTable reads a KPI table. A KPI's first row that fills a definition
// column defines it; later rows of the same code may leave those columns
// empty, and a cell they fill must say the same.
func decodeTable(t *sheet.Table) ([]rawKPI, []rawValue, error) {
	l, err := t.Locate(Columns)
	if err != nil {
		return nil, nil, err
	}
	var kpis []rawKPI
	defs := map[string]int{} // code -> index in kpis
	defRow := map[string]int{}
	var values []rawValue
	for i := range l.Records {
		rec := l.Records[i]
		f := func(key string) field {
			return field{text: rec.Text(key), err: func(reason, format string, args ...any) error {
				return rec.Errorf(key, reason, format, args...)
			}}
		}
		code := f(colCode)
		hasDef, hasValue := false, false
		for _, k := range definitionCols {
			hasDef = hasDef || strings.TrimSpace(rec.Text(k)) != ""
		}
		for _, k := range []string{colDate, colValue} {
			hasValue = hasValue || strings.TrimSpace(rec.Text(k)) != ""
		}
		if code.empty() {
			if hasDef || hasValue {
				return nil, nil, code.err(catalog.RejectMalformed, "a row without a KPI code")
			}
			continue // a note under the table
		}
		c := strings.TrimSpace(code.text)
		if hasDef {
			r := rawKPI{code: code, name: f(colName), nameEn: f(colNameEn), unit: f(colUnit), valueType: f(colValueType), direction: f(colDirection),
				target: f(colTarget), baseline: f(colBaseline), start: f(colStart), deadline: f(colDeadline)}
			if j, ok := defs[c]; ok {
				if err := sameDefinition(&kpis[j], r, defRow[c]); err != nil {
					return nil, nil, err
				}
			} else {
				defs[c], defRow[c] = len(kpis), rec.Num
				kpis = append(kpis, r)
			}
		}
		if hasValue {
			values = append(values, rawValue{code: code, date: f(colDate), agency: f(colAgency), value: f(colValue)})
		} else if !hasDef {
			return nil, nil, code.err(catalog.RejectMalformed, "KPI %s: the row has neither a definition nor a value", clip(c))
		}
	}
	return kpis, values, nil
}

// sameDefinition merges a later definition row into the first: its filled
// cells must say what the first says, or fill what it left empty.
func sameDefinition(first *rawKPI, later rawKPI, firstRow int) error {
	pairs := []struct {
		a *field
		b field
	}{
		{&first.name, later.name}, {&first.nameEn, later.nameEn}, {&first.unit, later.unit}, {&first.valueType, later.valueType},
		{&first.direction, later.direction}, {&first.target, later.target}, {&first.baseline, later.baseline},
		{&first.start, later.start}, {&first.deadline, later.deadline},
	}
	for _, p := range pairs {
		switch {
		case p.b.empty():
		case p.a.empty():
			*p.a = p.b
		case strings.TrimSpace(p.a.text) != strings.TrimSpace(p.b.text):
			return p.b.err(catalog.RejectInconsistent, "says %q, but row %d defines %q for this KPI", clip(strings.TrimSpace(p.b.text)), firstRow, clip(strings.TrimSpace(p.a.text)))
		}
	}
	return nil
}

// yamlFile is the YAML KPI file. Every value is a node so that errors name
// its line.
type yamlFile struct {
	// Note is for people; it is not exported.
	Note string    `yaml:"note"`
	KPIs []yamlKPI `yaml:"kpis"`
}

type yamlKPI struct {
	Code      yaml.Node   `yaml:"code"`
	Name      yaml.Node   `yaml:"name"`
	NameEn    yaml.Node   `yaml:"name_en"`
	Unit      yaml.Node   `yaml:"unit"`
	ValueType yaml.Node   `yaml:"value_type"`
	Direction yaml.Node   `yaml:"direction"`
	Target    yaml.Node   `yaml:"target"`
	Baseline  yaml.Node   `yaml:"baseline"`
	Start     yaml.Node   `yaml:"start"`
	Deadline  yaml.Node   `yaml:"deadline"`
	Values    []yamlValue `yaml:"values"`
	// Source says where the figures come from (free text, not exported).
	Source string `yaml:"source"`
}

type yamlValue struct {
	Date   yaml.Node `yaml:"date"`
	Agency yaml.Node `yaml:"agency"`
	Value  yaml.Node `yaml:"value"`
	// Note is for people; it is not exported.
	Note string `yaml:"note"`
}

func decodeYAML(name string, data []byte) ([]rawKPI, []rawValue, error) {
	var doc yamlFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		line, msg := sheet.YAMLLine(err)
		return nil, nil, &sheet.Error{File: name, Row: line, Col: -1, Lines: true, Reason: catalog.RejectMalformed, Msg: msg}
	}
	var kpis []rawKPI
	var values []rawValue
	for i, y := range doc.KPIs {
		prefix := fmt.Sprintf("kpis[%d]", i)
		line := sheet.FirstLine(y.Code, y.Name, y.Direction, y.Target)
		f := func(path string, n yaml.Node, line int) (field, error) {
			l := n.Line
			if l == 0 {
				l = line
			}
			fd := field{text: n.Value, err: func(reason, format string, args ...any) error {
				return &sheet.Error{File: name, Row: l, Col: -1, Column: path, Lines: true, Reason: reason, Msg: fmt.Sprintf(format, args...)}
			}}
			if n.Kind != 0 && n.Kind != yaml.ScalarNode {
				return fd, fd.err(catalog.RejectMalformed, "must be a single value")
			}
			return fd, nil
		}
		var r rawKPI
		for _, x := range []struct {
			key string
			dst *field
			n   yaml.Node
		}{{"code", &r.code, y.Code}, {"name", &r.name, y.Name}, {"name_en", &r.nameEn, y.NameEn}, {"unit", &r.unit, y.Unit},
			{"value_type", &r.valueType, y.ValueType}, {"direction", &r.direction, y.Direction}, {"target", &r.target, y.Target},
			{"baseline", &r.baseline, y.Baseline}, {"start", &r.start, y.Start}, {"deadline", &r.deadline, y.Deadline}} {
			fd, err := f(prefix+"."+x.key, x.n, line)
			if err != nil {
				return nil, nil, err
			}
			*x.dst = fd
		}
		kpis = append(kpis, r)
		for j, yv := range y.Values {
			vp := fmt.Sprintf("%s.values[%d]", prefix, j)
			vline := sheet.FirstLine(yv.Date, yv.Value, yv.Agency)
			if vline == 0 {
				vline = line
			}
			rv := rawValue{code: r.code}
			for _, x := range []struct {
				key string
				dst *field
				n   yaml.Node
			}{{"date", &rv.date, yv.Date}, {"agency", &rv.agency, yv.Agency}, {"value", &rv.value, yv.Value}} {
				fd, err := f(vp+"."+x.key, x.n, vline)
				if err != nil {
					return nil, nil, err
				}
				*x.dst = fd
			}
			values = append(values, rv)
		}
	}
	return kpis, values, nil
}
