package onestop

import (
	"sort"
	"strings"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
)

// Formats of the upstream report.
const (
	FormatStandard = "standard"
	FormatMapping  = "mapping"
	// FormatFeed reads the dossier sync feed record by record (feed.go).
	FormatFeed = "feed"
)

// Detail levels: per agency and field, or per agency only (field label empty),
// for deployments that must keep the series count down.
const (
	DetailField  = "field"
	DetailAgency = "agency"
)

// Config is the `onestop:` block of a source.
type Config struct {
	// Format is "standard" (govpulse's report JSON) or "mapping" (Mapping below).
	Format string `yaml:"format"`
	// Detail is "field" (default) or "agency".
	Detail  string   `yaml:"detail"`
	Mapping *Mapping `yaml:"mapping"`
	// Feed configures format feed.
	Feed *FeedConfig `yaml:"feed"`
}

// Mapping describes a vendor's report endpoint declaratively.
type Mapping struct {
	// Path is appended to the source's http.url.
	Path string `yaml:"path"`
	// Query holds constant query parameters (tenant ids and the like).
	Query map[string]string `yaml:"query"`
	// PeriodParam, if set, receives the period name (month, quarter, year).
	PeriodParam string `yaml:"period_param"`
	// FromParam and ToParam receive the start of the period's first day and the
	// last second of its last day, formatted with the Go time layouts
	// FromLayout and ToLayout (default 2006-01-02).
	FromParam  string      `yaml:"from_param"`
	FromLayout string      `yaml:"from_layout"`
	ToParam    string      `yaml:"to_param"`
	ToLayout   string      `yaml:"to_layout"`
	Pagination *Pagination `yaml:"pagination"`
	// ItemsPath is the JSON path of the array of rows ("" = the body itself).
	ItemsPath string `yaml:"items_path"`
	// Columns maps each govpulse column (see Columns) to a JSON path inside an
	// item. agency is required; field is required for per-field detail.
	Columns map[string]string `yaml:"columns"`
	// ValueMaps translate vendor codes to govpulse codes, per column (agency or
	// field). A code absent from a map that is defined is an unknown code.
	ValueMaps map[string]map[string]string `yaml:"value_maps"`

	// SuccessPath and SuccessValue say what success looks like: a body whose
	// value at SuccessPath (a string, number or boolean, compared as text) is
	// not SuccessValue, or lacks it, fails the run with reason upstream_error,
	// e.g. ketQua = THANH_CONG. ErrorMessagePath is the vendor's error text,
	// quoted (at most 200 characters) in the error.
	SuccessPath      string `yaml:"success_path"`
	SuccessValue     string `yaml:"success_value"`
	ErrorMessagePath string `yaml:"error_message_path"`
	// PeriodPath is the JSON path of the vendor's period tag, in each row, or
	// else in the body. A row (or body) whose tag is not PeriodTag fails the
	// run with reason invalid: a cached or misrouted answer is not this
	// period's report. PeriodTag is a template: {period} (month, quarter,
	// year), {from} and {to} (as sent, with FromLayout and ToLayout), {year},
	// {month} (01..12), {quarter} (1..4), all of the period's start.
	PeriodPath string `yaml:"period_path"`
	PeriodTag  string `yaml:"period_tag"`
	// AllowEmpty accepts an empty report (no rows) for a period whose last
	// good report had rows; by default that fails the run with reason empty.
	AllowEmpty bool `yaml:"allow_empty"`
	// MaxCount bounds every count (default 1e9): a row with a larger one is
	// rejected as absurd_count.
	MaxCount float64 `yaml:"max_count"`
	// MaxRejectedShare is the largest share of rejected rows,
	// rejected / (accepted + rejected), a run may have (default 0.5); above
	// it the run fails with reason rejected and the last good data stays.
	MaxRejectedShare *float64 `yaml:"max_rejected_share"`
}

// Defaults of the mapping's bounds.
const (
	DefaultMaxCount         = catalog.MaxCount
	DefaultMaxRejectedShare = catalog.DefaultMaxRejectedShare
)

// Pagination describes page-numbered endpoints.
type Pagination struct {
	PageParam string `yaml:"page_param"`
	SizeParam string `yaml:"size_param"`
	Size      int    `yaml:"size"`
	// First is the number of the first page (0 or 1).
	First int `yaml:"first"`
	// TotalPagesPath is the JSON path of the page count; without it, paging
	// stops at the first page shorter than Size.
	TotalPagesPath string `yaml:"total_pages_path"`
	// MaxPages bounds a run against a misbehaving upstream (default 1000).
	MaxPages int `yaml:"max_pages"`
}

// Column names. Count columns are named <group>_<label value> after the
// catalog's label values, so the mapping reads like the metrics it feeds.
const (
	ColAgency             = "agency"
	ColField              = "field"
	ColCarriedOver        = "carried_over"
	ColWithdrawn          = "withdrawn"
	ColAwaitingSupplement = "awaiting_supplement"
)

// Columns lists every column a mapping may name.
func Columns() []string {
	out := []string{ColAgency, ColField, ColCarriedOver, ColWithdrawn, ColAwaitingSupplement}
	for _, c := range countColumns {
		if c.group != "" {
			out = append(out, c.name)
		}
	}
	sort.Strings(out)
	return dedupe(out)
}

func dedupe(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// Standard is the built-in mapping of govpulse's standard report (format
// "standard"): GET <url>/govpulse/v1/report?period=&from=&to=&page=&page_size=.
func Standard() *Mapping {
	cols := map[string]string{ColAgency: "agency", ColField: "field"}
	for _, c := range countColumns {
		if c.group == "" {
			cols[c.name] = c.name
		} else {
			cols[c.name] = c.group + "." + c.value
		}
	}
	return &Mapping{
		Path:        "/govpulse/v1/report",
		PeriodParam: "period",
		FromParam:   "from", FromLayout: time.DateOnly,
		ToParam: "to", ToLayout: time.DateOnly,
		Pagination: &Pagination{PageParam: "page", SizeParam: "page_size", Size: 1000, First: 1, TotalPagesPath: "pages", MaxPages: 1000},
		ItemsPath:  "rows",
		Columns:    cols,
	}
}

// EmitsPeriodReport reports whether the source exports the period report
// (tthc_dossiers_*): every mode does, except a feed with period_report: false.
// At most one source of a deployment may, or their series would collide.
func (c *Config) EmitsPeriodReport() bool {
	return c.Format != FormatFeed || c.Feed == nil || c.Feed.PeriodReport == nil || *c.Feed.PeriodReport
}

// SetDefaults fills unset fields.
func (c *Config) SetDefaults() {
	if c.Format == "" {
		c.Format = FormatStandard
	}
	if c.Detail == "" {
		c.Detail = DetailField
	}
	if c.Format == FormatStandard && c.Mapping == nil {
		c.Mapping = Standard()
	}
	if c.Format == FormatFeed && c.Feed == nil {
		c.Feed = &FeedConfig{}
	}
	if c.Feed != nil {
		c.Feed.SetDefaults()
	}
	if m := c.Mapping; m != nil {
		if m.FromLayout == "" {
			m.FromLayout = time.DateOnly
		}
		if m.ToLayout == "" {
			m.ToLayout = time.DateOnly
		}
		if p := m.Pagination; p != nil && p.MaxPages == 0 {
			p.MaxPages = 1000
		}
	}
}

// Validate reports every problem.
func (c *Config) Validate() source.Problems {
	var errs source.Problems
	add := errs.Add
	switch c.Format {
	case FormatStandard:
		if c.Mapping != nil && c.Mapping.Path == "" {
			add("mapping", "must not be set with format standard")
		}
	case FormatMapping:
		if c.Mapping == nil {
			add("mapping", "required with format mapping")
		}
	case FormatFeed:
		if c.Mapping != nil {
			add("mapping", "must not be set with format feed")
		}
	default:
		add("format", "must be %q, %q or %q, not %q", FormatStandard, FormatMapping, FormatFeed, c.Format)
	}
	if c.Detail != DetailField && c.Detail != DetailAgency {
		add("detail", "must be %q or %q, not %q", DetailField, DetailAgency, c.Detail)
	}
	if c.Feed != nil {
		if c.Format != FormatFeed {
			add("feed", "only with format feed")
		}
		errs = append(errs, c.Feed.Validate()...)
	}
	if c.Mapping != nil {
		c.Mapping.validate(c.Detail, &errs)
	}
	return errs
}

// validate reports the mapping block's problems.
func (m *Mapping) validate(detail string, errs *source.Problems) {
	add := errs.Add
	if !strings.HasPrefix(m.Path, "/") {
		add("mapping.path", "must start with /, got %q", m.Path)
	}
	if m.FromParam == "" || m.ToParam == "" {
		add("mapping.from_param", "from_param and to_param are required: a report without a date range cannot be a period report")
	}
	known := map[string]bool{}
	for _, col := range Columns() {
		known[col] = true
	}
	cols := sortedKeys(m.Columns)
	for _, col := range cols {
		if !known[col] {
			add("mapping.columns."+col, "unknown column; known: %s", strings.Join(Columns(), ", "))
		}
		if strings.TrimSpace(m.Columns[col]) == "" {
			add("mapping.columns."+col, "empty path")
		}
	}
	if m.Columns[ColAgency] == "" {
		add("mapping.columns.agency", "required")
	}
	if detail == DetailField && m.Columns[ColField] == "" {
		add("mapping.columns.field", "required with detail field")
	}
	for _, col := range sortedKeys(m.ValueMaps) {
		if col != ColAgency && col != ColField {
			add("mapping.value_maps."+col, "only agency and field codes can be mapped")
		}
	}
	if (m.SuccessPath == "") != (m.SuccessValue == "") {
		add("mapping.success_path", "success_path and success_value go together")
	}
	if m.ErrorMessagePath != "" && m.SuccessPath == "" {
		add("mapping.error_message_path", "needs success_path")
	}
	if (m.PeriodPath == "") != (m.PeriodTag == "") {
		add("mapping.period_path", "period_path and period_tag go together")
	}
	m.validatePaths(errs)
	if m.MaxCount < 0 {
		add("mapping.max_count", "must not be negative")
	}
	if r := m.MaxRejectedShare; r != nil && (*r < 0 || *r > 1) {
		add("mapping.max_rejected_share", "must be between 0 and 1, got %g", *r)
	}
	if p := m.Pagination; p != nil {
		if p.PageParam == "" {
			add("mapping.pagination.page_param", "required")
		}
		if p.Size <= 0 {
			add("mapping.pagination.size", "must be positive, got %d", p.Size)
		}
		if p.First != 0 && p.First != 1 {
			add("mapping.pagination.first", "must be 0 or 1, got %d", p.First)
		}
		if p.MaxPages < 0 {
			add("mapping.pagination.max_pages", "must not be negative")
		}
	}
}

// validatePaths checks the body paths: each parses, and together they can be
// walked as a stream (stream.go buildTree).
func (m *Mapping) validatePaths(errs *source.Problems) {
	add := errs.Add
	var slots [nSlots]path
	pathsOK := true
	for _, p := range []struct {
		slot int
		path string
	}{
		{slotSuccess, m.SuccessPath}, {slotErrMsg, m.ErrorMessagePath}, {slotPeriod, m.PeriodPath},
	} {
		pp, err := parsePath(p.path)
		if err != nil {
			add("mapping."+slotNames[p.slot], "%v", err)
			pathsOK = false
		}
		slots[p.slot] = pp
	}
	if m.Pagination != nil {
		pp, err := parsePath(m.Pagination.TotalPagesPath)
		if err != nil {
			add("mapping.pagination.total_pages_path", "%v", err)
			pathsOK = false
		}
		slots[slotPages] = pp
	}
	items, err := parsePath(m.ItemsPath)
	if err != nil {
		add("mapping.items_path", "%v", err)
		pathsOK = false
	}
	if pathsOK {
		if _, slot, err := tree(items, slots); err != nil {
			add("mapping."+slotNames[slot], "%v", err)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
