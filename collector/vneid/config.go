package vneid

import (
	"errors"
	"fmt"
	"github.com/govpulse/govpulse/collector/source"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/govpulse/govpulse/collector/catalog"
)

// Modes of the source.
const (
	// ModeHTTP reads the JSON report from the source's http.url + path.
	ModeHTTP = "http"
	// ModeDir reads the newest valid CSV or XLSX report dropped into dir.
	ModeDir = "dir"
)

// Defaults applied by SetDefaults.
const (
	DefaultPath         = "/vneid/v1/level2"
	DefaultMaxFileBytes = 32 << 20
)

// Config is the `vneid:` block of a source of type vneid.
//
//	vneid:
//	  mode: dir                       # http (default) or dir
//	  dir: /srv/govpulse/vneid        # dir mode: where the police's reports are dropped
//	  population_14plus: 1180000      # the province's population aged 14+
//	  population_file: population.csv # optional, per commune: Mã đơn vị, Dân số từ 14 tuổi trở lên
//	  code_map: {"20335": 000.01.31.H47} # optional: codes in reports -> agency e-ID codes
type Config struct {
	// Mode is ModeHTTP or ModeDir.
	Mode string `yaml:"mode"`
	// Path is appended to the source's http.url (http mode).
	Path string `yaml:"path"`
	// Query holds constant query parameters (http mode).
	Query map[string]string `yaml:"query"`
	// Dir is the drop directory (dir mode). It is not searched recursively.
	Dir string `yaml:"dir"`
	// MaxFileBytes caps one report file (dir mode) and the population file.
	MaxFileBytes int64 `yaml:"max_file_bytes"`
	// MaxRejectedShare is the largest share of a report's units that may be
	// rejected (default catalog.DefaultMaxRejectedShare). Above it the HTTP
	// report fails the run with reason rejected, and a dropped file is
	// rejected so an older valid one is used: the last good figures stay.
	MaxRejectedShare *float64 `yaml:"max_rejected_share"`
	// Population14Plus is the province's population aged 14 and over, the
	// denominator of the province's coverage rate; 0 exports none.
	Population14Plus int64 `yaml:"population_14plus"`
	// PopulationFile is a CSV or XLSX with the population aged 14+ per unit
	// (columns Mã đơn vị and Dân số từ 14 tuổi trở lên, see PopulationColumns).
	PopulationFile string `yaml:"population_file"`
	// ProvinceAgency is the code the province's totals are exported under;
	// by default the one agency of level tinh.
	ProvinceAgency string `yaml:"province_agency"`
	// CodeMap translates the codes a report uses (for example the national
	// administrative unit codes) into agency e-ID codes; codes absent from it
	// are taken as they are.
	CodeMap map[string]string `yaml:"code_map"`
}

// SetDefaults fills unset fields.
func (c *Config) SetDefaults() {
	if c.Mode == "" {
		c.Mode = ModeHTTP
	}
	if c.Mode == ModeHTTP && c.Path == "" {
		c.Path = DefaultPath
	}
	if c.MaxFileBytes == 0 {
		c.MaxFileBytes = DefaultMaxFileBytes
	}
}

// ResolvePaths makes Dir and PopulationFile relative to base (the config
// file's directory), as the config does for its unit files.
func (c *Config) ResolvePaths(base string) {
	for _, p := range []*string{&c.Dir, &c.PopulationFile} {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(base, *p)
		}
	}
}

// Validate reports every problem. It reads the population file and checks the
// drop directory, so that `govpulse check` catches them before the daemon
// starts; whether codes are known agencies is checked by New.
func (c *Config) Validate() source.Problems {
	var errs source.Problems
	add := errs.Add
	d := *c
	d.SetDefaults()
	switch d.Mode {
	case ModeHTTP:
		if !strings.HasPrefix(d.Path, "/") {
			add("path", "must start with /, got %q", d.Path)
		}
		if d.Dir != "" {
			add("dir", "only valid with mode dir")
		}
	case ModeDir:
		if d.Path != "" {
			add("path", "only valid with mode http")
		}
		if len(d.Query) > 0 {
			add("query", "only valid with mode http")
		}
		if d.Dir == "" {
			add("dir", "required with mode dir")
		} else if fi, err := os.Stat(d.Dir); err != nil {
			add("dir", "%s", statError(d.Dir, err))
		} else if !fi.IsDir() {
			add("dir", "%q is not a directory", d.Dir)
		}
	default:
		add("mode", "must be %q or %q, not %q", ModeHTTP, ModeDir, d.Mode)
	}
	if d.MaxFileBytes < 0 {
		add("max_file_bytes", "must not be negative")
	}
	if r := d.MaxRejectedShare; r != nil && !(*r >= 0 && *r <= 1) {
		add("max_rejected_share", "must be a share between 0 and 1, got %v", *r)
	}
	if d.Population14Plus < 0 {
		add("population_14plus", "must not be negative")
	}
	if d.ProvinceAgency != "" && !catalog.AgencyCodePattern.MatchString(d.ProvinceAgency) {
		add("province_agency", "%q is not an agency e-ID code like 000.00.00.H47", d.ProvinceAgency)
	}
	keys := make([]string, 0, len(d.CodeMap))
	for k := range d.CodeMap {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if strings.TrimSpace(k) == "" {
			add("code_map", "empty code")
		}
		if v := d.CodeMap[k]; !catalog.AgencyCodePattern.MatchString(v) {
			add("code_map."+k, "%q is not an agency e-ID code like 000.01.31.H47", v)
		}
	}
	if d.PopulationFile != "" {
		if _, err := readPopulation(d.PopulationFile, d.MaxFileBytes, d.CodeMap); err != nil {
			add("population_file", "%v", err)
		}
	}
	return errs
}

func statError(path string, err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Sprintf("cannot use %q: %v", path, err)
}
