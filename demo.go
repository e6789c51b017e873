package main

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/config"
	"github.com/govpulse/govpulse/collector/httpc"
	"github.com/govpulse/govpulse/collector/indices"
	"github.com/govpulse/govpulse/collector/manual"
	"github.com/govpulse/govpulse/collector/onestop"
	"github.com/govpulse/govpulse/collector/portal"
	"github.com/govpulse/govpulse/collector/rating"
	"github.com/govpulse/govpulse/collector/simulate"
	"github.com/govpulse/govpulse/collector/source"
	"github.com/govpulse/govpulse/collector/vneid"
)

// The demo's file inputs ship inside the binary, so `serve --demo` works from
// any directory; they are the same files deploy/ documents.
//
//go:embed deploy/indices/danang.yml deploy/vneid/population.csv deploy/manual/kpi.yml
var demoFS embed.FS

// demoPopulation14Plus is the simulated city's population aged 14+ (the
// total of deploy/vneid/population.csv, about 77% of its 3,065,628 people).
const demoPopulation14Plus = 2358759

// demoTargets are old Quảng Nam's published 2025 targets (domain.md §1),
// kept as the demo city's illustrative ones: no target of the new city was
// read.
var demoTargets = []indices.Target{
	{Index: "dti", RankMax: 10, ByYear: 2025},
	{Index: "par", RankMax: 20, ByYear: 2025},
}

// writeDemoFiles writes the demo's file inputs into dir.
func writeDemoFiles(dir string) error {
	for src, dst := range map[string]string{
		"deploy/indices/danang.yml":   "indices.yml",
		"deploy/vneid/population.csv": "population.csv",
	} {
		b, err := demoFS.ReadFile(src)
		if err != nil {
			return fmt.Errorf("BUG: embedded %s: %w", src, err)
		}
		if err := os.WriteFile(filepath.Join(dir, dst), b, 0o600); err != nil {
			return fmt.Errorf("cannot write the demo's files: %w", err)
		}
	}
	// The manual source watches a directory of its own.
	b, err := demoFS.ReadFile(demoManualFile)
	if err != nil {
		return fmt.Errorf("BUG: embedded %s: %w", demoManualFile, err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "manual"), 0o700); err != nil {
		return fmt.Errorf("cannot write the demo's files: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "manual", "kpi.yml"), b, 0o600); err != nil {
		return fmt.Errorf("cannot write the demo's files: %w", err)
	}
	return nil
}

// demoManualFile is the example of manual KPIs the demo reads.
const demoManualFile = "deploy/manual/kpi.yml"

// demoHasManualAgencies reports whether every agency the example KPI file
// names is one of the demo's: a clock before the 2025 reorganisation has
// other departments, and the demo then runs without the manual source.
func demoHasManualAgencies(agencies []source.Agency) bool {
	b, err := demoFS.ReadFile(demoManualFile)
	if err != nil {
		return false
	}
	have := map[string]bool{}
	for _, a := range agencies {
		have[a.Code] = true
	}
	for _, c := range manual.ReferencedAgencies(demoManualFile, b) {
		if !have[c] {
			return false
		}
	}
	return true
}

// demoConfig is the demo province's config, collecting from the simulator
// sim serves at url, with the lineage of its former units written into
// files. generate uses it, with no simulator running, for the default
// thresholds and units.
func demoConfig(sim *simulate.Sim, url, files string) (*config.Config, error) {
	var lin bytes.Buffer
	if err := simulate.WriteLineageCSV(&lin, sim.Lineage()); err != nil {
		return nil, fmt.Errorf("BUG: the demo's lineage: %w", err)
	}
	lineageFile := filepath.Join(files, "lineage.csv")
	if err := os.WriteFile(lineageFile, lin.Bytes(), 0o600); err != nil {
		return nil, fmt.Errorf("cannot write the demo's files: %w", err)
	}
	population, err := demoPopulation(sim, files)
	if err != nil {
		return nil, err
	}
	// The city's People's Committee is named where a source would otherwise
	// look for the one agency of level tinh: a clock before the merger has two.
	province := sim.ProvinceAgency()
	cfg := &config.Config{
		Province:    config.Province{Code: "48", Name: "Thành phố Đà Nẵng (mô phỏng)"},
		Agencies:    sim.Agencies(),
		Fields:      sim.Fields(),
		LineageFile: lineageFile,
		Sources: []config.Source{{
			Name:     catalog.SourceOnestop,
			Type:     catalog.SourceOnestop,
			Schedule: "@every 30s",
			Timeout:  20 * time.Second,
			HTTP:     httpc.Config{URL: url, RateLimit: 50, Burst: 10},
		}, {
			// The dossier feed beside the report: only what the feed alone
			// knows (due soon, processing time, digitised, paid online), per
			// agency to keep the demo's series budget.
			Name:     "onestop_feed",
			Type:     catalog.SourceOnestop,
			Schedule: "@every 30s",
			Timeout:  25 * time.Second,
			HTTP:     httpc.Config{URL: url, RateLimit: 50, Burst: 10},
			Onestop: &onestop.Config{
				Format: onestop.FormatFeed,
				Detail: onestop.DetailAgency,
				Feed:   &onestop.FeedConfig{Path: simulate.FeedPath, PeriodReport: new(false)},
			},
		}, {
			Name:     catalog.SourcePortal,
			Type:     catalog.SourcePortal,
			Schedule: "@every 1m",
			Timeout:  30 * time.Second,
			HTTP:     httpc.Config{URL: url, RateLimit: 50, Burst: 10},
			Portal:   &portal.Config{Province: province},
		}, {
			Name:     catalog.SourceVNeID,
			Type:     catalog.SourceVNeID,
			Schedule: "@every 1m",
			Timeout:  30 * time.Second,
			HTTP:     httpc.Config{URL: url, RateLimit: 50, Burst: 10},
			VNeID:    &vneid.Config{Population14Plus: population, PopulationFile: filepath.Join(files, "population.csv"), ProvinceAgency: province},
		}, {
			Name:     catalog.SourceIndices,
			Type:     catalog.SourceIndices,
			Schedule: "@every 10m",
			Timeout:  time.Minute,
			Indices: &indices.Config{
				Files:   []string{filepath.Join(files, "indices.yml")},
				Targets: demoTargets,
			},
		}, {
			// Ratings derive from what the other sources collected: a short
			// schedule makes them appear soon after start.
			Name:     catalog.SourceRating,
			Type:     catalog.SourceRating,
			Schedule: "@every 15s",
			Timeout:  10 * time.Second,
			Rating:   &rating.Config{Scores: sim.CCHCScores(), Province: province},
		}},
	}
	if demoHasManualAgencies(cfg.Agencies) {
		// KPIs tracked by hand (deploy/manual/kpi.yml): the board's section
		// and the behind-target alert have data.
		cfg.Sources = append(cfg.Sources, config.Source{
			Name:     catalog.SourceManual,
			Type:     catalog.SourceManual,
			Schedule: "@every 1m",
			Timeout:  30 * time.Second,
			Manual:   &manual.Config{Dir: filepath.Join(files, "manual"), ProvinceAgency: province},
		})
	}
	if err := cfg.Check(); err != nil {
		return nil, fmt.Errorf("BUG: demo config: %w", err)
	}
	return cfg, nil
}

// demoPopulation returns the population aged 14+ of the demo's population
// file in files. The embedded file is the city's with the default seed; a
// simulator with another population file (another seed, or a clock before
// the merger, with the old communes) gets its own written there.
func demoPopulation(sim *simulate.Sim, files string) (int64, error) {
	var b bytes.Buffer
	if err := sim.WriteVNeIDPopulationCSV(&b); err != nil {
		return 0, fmt.Errorf("BUG: the demo's population: %w", err)
	}
	embedded, err := demoFS.ReadFile("deploy/vneid/population.csv")
	if err != nil {
		return 0, fmt.Errorf("BUG: embedded population file: %w", err)
	}
	if bytes.Equal(b.Bytes(), embedded) {
		return demoPopulation14Plus, nil
	}
	if err := os.WriteFile(filepath.Join(files, "population.csv"), b.Bytes(), 0o600); err != nil {
		return 0, fmt.Errorf("cannot write the demo's files: %w", err)
	}
	var total int64
	for _, n := range sim.VNeIDPopulation14Plus() {
		total += int64(n)
	}
	return total, nil
}

// demoProvinceCode is the demo city's own province code (Thành phố Đà Nẵng).
const demoProvinceCode = "48"

// setDemoProvince makes the demo another province, code: the same simulated
// city (its agencies keep their e-ID codes, as every province's codes
// look alike), with the province code and name of the config, and its
// province-level agencies named after the code, so that several demos in
// one store are told apart on the boards. The code reaches the series
// through the scrape's or the push's province label, never through the
// agency codes.
func setDemoProvince(cfg *config.Config, code string) error {
	if code == "" || code == demoProvinceCode {
		return nil
	}
	if !catalog.ProvinceCodePattern.MatchString(code) {
		return fmt.Errorf("%q is not a province code of two digits like 01", code)
	}
	suffix := " (mô phỏng, mã tỉnh " + code + ")"
	cfg.Province.Code, cfg.Province.Name = code, "Tỉnh mô phỏng "+code
	for i, a := range cfg.Agencies {
		if a.Level == catalog.LevelProvince {
			cfg.Agencies[i].Name = a.Name + suffix
		}
	}
	return nil
}

// loadConfig is the config a command runs on: the file's, or with demo the
// simulated province's, served in-process until stop is called.
func loadConfig(ctx context.Context, demo bool, file string, seed int64, clock func() time.Time, logger *slog.Logger) (cfg *config.Config, stop func(), err error) {
	if demo {
		return startDemo(ctx, seed, clock, logger)
	}
	cfg, err = config.Load(file)
	return cfg, func() {}, err
}
