package indices

import (
	"errors"
	"fmt"
	"github.com/govpulse/govpulse/collector/source"
	"os"
	"path/filepath"
	"strings"

	"github.com/govpulse/govpulse/collector/catalog"
)

// DefaultMaxFileBytes caps one index file.
const DefaultMaxFileBytes = 8 << 20

// Config is the `indices:` block of a source of type indices.
//
//	indices:
//	  files: [indices/danang.yml, /srv/govpulse/indices/*.xlsx]
//	  targets:
//	    - {index: dti, rank_max: 10, by_year: 2025}
//	    - {index: par, rank_max: 20, by_year: 2025}
type Config struct {
	// Files are paths or glob patterns (filepath.Match syntax) of .yml, .yaml,
	// .csv and .xlsx files. Every file is read; when two give the same index,
	// component and year, the newer file (by modification time, then name) wins.
	Files []string `yaml:"files"`
	// Targets are the province's rank targets, exported as index_target_rank.
	Targets []Target `yaml:"targets"`
	// MaxFileBytes caps one file.
	MaxFileBytes int64 `yaml:"max_file_bytes"`
}

// Target is a rank to reach (or beat) by a year: DTI top 10 by 2025.
type Target struct {
	Index   string `yaml:"index"`
	RankMax int    `yaml:"rank_max"`
	ByYear  int    `yaml:"by_year"`
}

// SetDefaults fills unset fields.
func (c *Config) SetDefaults() {
	if c.MaxFileBytes == 0 {
		c.MaxFileBytes = DefaultMaxFileBytes
	}
}

// ResolvePaths makes relative file patterns relative to base (the config
// file's directory).
func (c *Config) ResolvePaths(base string) {
	for i, p := range c.Files {
		if p != "" && !filepath.IsAbs(p) {
			c.Files[i] = filepath.Join(base, p)
		}
	}
}

// Validate reports every problem. It reads the files the patterns match, so
// that `govpulse check` reports a typo in a hand-edited index file with its
// line or row before the daemon starts.
func (c *Config) Validate() source.Problems {
	var errs source.Problems
	add := errs.Add
	d := *c
	d.SetDefaults()
	if len(d.Files) == 0 {
		add("files", "at least one file or pattern is required")
	}
	for i, p := range d.Files {
		path := fmt.Sprintf("files[%d]", i)
		if _, err := filepath.Match(p, ""); err != nil || strings.TrimSpace(p) == "" {
			add(path, "%q is not a file path or glob pattern", p)
			continue
		}
		if !hasMeta(p) {
			if !supported(p) {
				add(path, "%q: want a .yml, .yaml, .csv or .xlsx file", p)
				continue
			}
			if _, err := os.Stat(p); err != nil {
				add(path, "cannot use %q: %v", p, unwrapPath(err))
				continue
			}
		}
		files, _ := expand([]string{p})
		for _, f := range files {
			if _, err := readFile(f, d.MaxFileBytes, 0); err != nil {
				add(path, "%v", err)
			}
		}
	}
	if d.MaxFileBytes < 0 {
		add("max_file_bytes", "must not be negative")
	}
	seen := map[[2]any]int{}
	for i, t := range d.Targets {
		path := fmt.Sprintf("targets[%d]", i)
		if _, ok := catalog.IndexByCode(t.Index); !ok {
			add(path+".index", "unknown index %q; known: %s", t.Index, strings.Join(catalog.IndexCodes(), ", "))
		}
		if t.RankMax < 1 || t.RankMax > maxProvinces {
			add(path+".rank_max", "must be a rank between 1 and %d, got %d", maxProvinces, t.RankMax)
		}
		if t.ByYear < minYear || t.ByYear > maxYear {
			add(path+".by_year", "must be a year between %d and %d, got %d", minYear, maxYear, t.ByYear)
		}
		k := [2]any{t.Index, t.ByYear}
		if j, dup := seen[k]; dup {
			add(path, "targets[%d] already sets %s for %d", j, t.Index, t.ByYear)
		}
		seen[k] = i
	}
	return errs
}

func hasMeta(p string) bool { return strings.ContainsAny(p, `*?[\`) }

func unwrapPath(err error) error {
	if pe := (*os.PathError)(nil); errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
