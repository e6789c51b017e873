package rating

import (
	"errors"
	"github.com/govpulse/govpulse/collector/source"
	"io/fs"
	"math"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/govpulse/govpulse/collector/catalog"
)

// What the Decision 766 estimate covers.
const (
	EstimateAgencies = "agencies" // the province and every agency
	EstimateProvince = "province" // the province only
	EstimateNone     = "none"
)

// Config is the `rating:` block of a source.
type Config struct {
	// Period is the report period the rules judge (default month: the
	// provincial office publishes late dossiers monthly).
	Period string `yaml:"period"`
	// Province is the unit code of the whole province in the estimate. Empty:
	// the one agency of level tinh in the agency list.
	Province string `yaml:"province"`
	// Scores are the agencies' CCHC scores by agency code, as ratios 0–1
	// (0.92 for 92%).
	Scores map[string]float64 `yaml:"scores"`
	// ScoresFile is a CSV file with the header agency,score and the same
	// content, read again on every run so a new month's scores need no
	// reload. Inline Scores win over the file.
	ScoresFile string `yaml:"scores_file"`
	// Estimate is agencies (default), province or none.
	Estimate string `yaml:"estimate"`
	// Targets are shown beside the actual values; zero fields take the
	// catalog's defaults.
	Targets catalog.Targets `yaml:"targets"`
	// Thresholds are the deployment's late-rate rules. They are not part of the
	// block: the daemon copies the top-level thresholds here, and zero fields
	// take the catalog's defaults.
	Thresholds catalog.Thresholds `yaml:"-"`
}

// SetDefaults fills unset fields.
func (c *Config) SetDefaults() {
	if c.Period == "" {
		c.Period = catalog.PeriodMonth
	}
	if c.Estimate == "" {
		c.Estimate = EstimateAgencies
	}
	d := catalog.DefaultTargets
	if c.Targets.ProcessingTimeCut == 0 {
		c.Targets.ProcessingTimeCut = d.ProcessingTimeCut
	}
	if c.Targets.Integration == 0 {
		c.Targets.Integration = d.Integration
	}
	if c.Targets.Sync == 0 {
		c.Targets.Sync = d.Sync
	}
	if c.Targets.VNeIDActivation == 0 {
		c.Targets.VNeIDActivation = d.VNeIDActivation
	}
	c.Thresholds.SetDefaults()
}

// Validate reports every problem. It checks c as SetDefaults would leave it,
// and reads the scores file, so `govpulse check` catches a missing one. A
// relative scores_file is read as given: the config loader anchors it.
func (c *Config) Validate() source.Problems {
	var errs source.Problems
	add := errs.Add
	d := *c
	d.SetDefaults()
	if !slices.Contains(catalog.Periods, d.Period) {
		add("period", "must be one of %s, not %q", strings.Join(catalog.Periods, ", "), d.Period)
	}
	if d.Province != "" && !catalog.AgencyCodePattern.MatchString(d.Province) {
		add("province", "%q is not an agency e-ID code like 000.00.00.H47", d.Province)
	}
	codes := make([]string, 0, len(d.Scores))
	for code := range d.Scores {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		if !catalog.AgencyCodePattern.MatchString(code) {
			add("scores."+code, "is not an agency e-ID code like 000.00.02.H47")
		}
		if v := d.Scores[code]; !(v >= 0 && v <= 1) {
			add("scores."+code, "%v is not a ratio 0–1 (write 0.92 for 92%%)", v)
		}
	}
	if d.ScoresFile != "" {
		if f, err := os.Open(d.ScoresFile); err != nil {
			add("scores_file", "cannot read %q: %v", d.ScoresFile, unwrapPath(err))
		} else {
			_, _, err := readScores(f)
			_ = f.Close() // read only
			if err != nil {
				add("scores_file", "%q: %v", d.ScoresFile, err)
			}
		}
	}
	switch d.Estimate {
	case EstimateAgencies, EstimateProvince, EstimateNone:
	default:
		add("estimate", "must be %q, %q or %q, not %q", EstimateAgencies, EstimateProvince, EstimateNone, d.Estimate)
	}
	for _, t := range []struct {
		path string
		v    float64
	}{{"targets.processing_time_cut", d.Targets.ProcessingTimeCut}, {"targets.integration", d.Targets.Integration}, {"targets.sync", d.Targets.Sync}, {"targets.vneid_activation", d.Targets.VNeIDActivation}} {
		if !(t.v > 0 && t.v <= 1) || math.IsNaN(t.v) {
			add(t.path, "%v is not a ratio in (0, 1]", t.v)
		}
	}
	return errs
}

// unwrapPath drops the path os.Open repeats in its error.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
