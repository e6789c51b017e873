package portal

import (
	"fmt"
	"github.com/govpulse/govpulse/collector/source"
	"slices"
	"sort"
	"strings"

	"github.com/govpulse/govpulse/collector/catalog"
)

// Reports the source can read; Config.Collect names a subset.
const (
	ReportScores   = "scores"
	ReportSync     = "sync"
	ReportServices = "services"
)

// Reports lists every report, in the order a run reads them.
var Reports = []string{ReportScores, ReportSync, ReportServices}

// Default paths under the portal's base URL (see the package doc).
const (
	DefaultScoresPath   = "/api/v1/reporting/evaluation/service-results"
	DefaultSyncPath     = "/api/v1/reporting/evaluation/dossier-sync"
	DefaultServicesPath = "/api/v1/reporting/evaluation/provide-online-tree"
)

// Defaults of the paging settings.
const (
	DefaultPageSize = 500
	DefaultMaxPages = 100
)

// Config is the `portal:` block of a source.
type Config struct {
	// Province is the e-ID code of the province's root unit on the portal (its
	// People's Committee, e.g. 000.00.00.H47). Empty: the one agency of level
	// tinh in the agency list.
	Province string `yaml:"province"`
	// Periods are the report periods to read (default month, quarter, year).
	Periods []string `yaml:"periods"`
	// Collect names the reports to read: scores, sync, services (default all).
	Collect []string `yaml:"collect"`
	// PageSize is sent as pageSize; further pages are read while the answer's
	// totalPages says there are more, up to MaxPages.
	PageSize int   `yaml:"page_size"`
	MaxPages int   `yaml:"max_pages"`
	Paths    Paths `yaml:"paths"`
	// DepartmentCodes maps the portal's department ids (UUIDs) to e-ID codes,
	// for rows that carry no departmentCode. A row's own code wins.
	DepartmentCodes map[string]string `yaml:"department_codes"`
}

// Paths are the reporting endpoints, appended to the source's http.url.
type Paths struct {
	Scores   string `yaml:"scores"`
	Sync     string `yaml:"sync"`
	Services string `yaml:"services"`
}

// SetDefaults fills unset fields.
func (c *Config) SetDefaults() {
	if len(c.Periods) == 0 {
		c.Periods = slices.Clone(catalog.Periods)
	}
	if len(c.Collect) == 0 {
		c.Collect = slices.Clone(Reports)
	}
	if c.PageSize == 0 {
		c.PageSize = DefaultPageSize
	}
	if c.MaxPages == 0 {
		c.MaxPages = DefaultMaxPages
	}
	if c.Paths.Scores == "" {
		c.Paths.Scores = DefaultScoresPath
	}
	if c.Paths.Sync == "" {
		c.Paths.Sync = DefaultSyncPath
	}
	if c.Paths.Services == "" {
		c.Paths.Services = DefaultServicesPath
	}
}

// Validate reports every problem. It checks c as SetDefaults would leave it.
func (c *Config) Validate() source.Problems {
	var errs source.Problems
	add := errs.Add
	d := *c
	d.SetDefaults()
	if d.Province != "" && !catalog.AgencyCodePattern.MatchString(d.Province) {
		add("province", "%q is not an agency e-ID code like 000.00.00.H47", d.Province)
	}
	seen := map[string]bool{}
	for i, p := range d.Periods {
		switch {
		case !slices.Contains(catalog.Periods, p):
			add(fmt.Sprintf("periods[%d]", i), "must be one of %s, not %q", strings.Join(catalog.Periods, ", "), p)
		case seen[p]:
			add(fmt.Sprintf("periods[%d]", i), "%q listed twice", p)
		}
		seen[p] = true
	}
	seen = map[string]bool{}
	for i, r := range d.Collect {
		switch {
		case !slices.Contains(Reports, r):
			add(fmt.Sprintf("collect[%d]", i), "must be one of %s, not %q", strings.Join(Reports, ", "), r)
		case seen[r]:
			add(fmt.Sprintf("collect[%d]", i), "%q listed twice", r)
		}
		seen[r] = true
	}
	if d.PageSize < 1 || d.PageSize > 10000 {
		add("page_size", "must be between 1 and 10000, got %d", d.PageSize)
	}
	if d.MaxPages < 1 {
		add("max_pages", "must be positive, got %d", d.MaxPages)
	}
	for _, p := range []struct{ name, v string }{{"scores", d.Paths.Scores}, {"sync", d.Paths.Sync}, {"services", d.Paths.Services}} {
		if !strings.HasPrefix(p.v, "/") {
			add("paths."+p.name, "must start with /, got %q", p.v)
		}
	}
	ids := make([]string, 0, len(d.DepartmentCodes))
	for id := range d.DepartmentCodes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if strings.TrimSpace(id) == "" {
			add("department_codes", "empty department id")
		}
		if code := d.DepartmentCodes[id]; !catalog.AgencyCodePattern.MatchString(code) {
			add("department_codes."+id, "%q is not an agency e-ID code like 000.00.00.H47", code)
		}
	}
	return errs
}

func (c *Config) collects(report string) bool { return slices.Contains(c.Collect, report) }
