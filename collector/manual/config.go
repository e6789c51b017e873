package manual

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
)

// DefaultMaxFileBytes caps one KPI file: a file typed by hand is kilobytes.
const DefaultMaxFileBytes = 8 << 20

// Config is the `manual:` block of a source of type manual.
//
//	manual:
//	  dir: manual                       # the watched directory of KPI files
//	  province_agency: 000.00.00.H15    # optional: province-wide values' agency
type Config struct {
	// Dir is the watched directory: every .yml, .yaml, .csv and .xlsx file in
	// it (not in its subdirectories) is read on the source's schedule when it
	// changed since the last run.
	Dir string `yaml:"dir"`
	// MaxFileBytes caps one file.
	MaxFileBytes int64 `yaml:"max_file_bytes"`
	// ProvinceAgency is the code province-wide values are exported under; by
	// default the one agency of level tinh.
	ProvinceAgency string `yaml:"province_agency"`
}

// SetDefaults fills unset fields.
func (c *Config) SetDefaults() {
	if c.MaxFileBytes == 0 {
		c.MaxFileBytes = DefaultMaxFileBytes
	}
}

// ResolvePaths makes Dir relative to base (the config file's directory).
func (c *Config) ResolvePaths(base string) {
	if c.Dir != "" && !filepath.IsAbs(c.Dir) {
		c.Dir = filepath.Join(base, c.Dir)
	}
}

// Validate reports every problem of the block. The files' contents are
// checked by New and on every run, against the agency list (which the block
// does not see): `govpulse check` builds the sources, so it reports them too.
func (c *Config) Validate() source.Problems {
	var errs source.Problems
	d := *c
	d.SetDefaults()
	if d.Dir == "" {
		errs.Add("dir", "required: the directory of the KPI files")
	} else if fi, err := os.Stat(d.Dir); err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		errs.Add("dir", "cannot use %q: %v", d.Dir, err)
	} else if !fi.IsDir() {
		errs.Add("dir", "%q is not a directory", d.Dir)
	}
	if d.MaxFileBytes < 0 {
		errs.Add("max_file_bytes", "must not be negative")
	}
	if d.ProvinceAgency != "" && !catalog.AgencyCodePattern.MatchString(d.ProvinceAgency) {
		errs.Add("province_agency", "%q is not an agency e-ID code like 000.00.00.H15", d.ProvinceAgency)
	}
	return errs
}

// String is for logs.
func (c *Config) String() string { return fmt.Sprintf("dir=%s", c.Dir) }
