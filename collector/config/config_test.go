package config

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.err goldens")

// TestBadConfigs loads every testdata/bad-*.yml and compares the whole error
// (file, line, path and message of every problem) with its .err golden.
func TestBadConfigs(t *testing.T) {
	files, _ := filepath.Glob("testdata/bad-*.yml")
	if len(files) < 5 {
		t.Fatalf("found %d bad configs", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			cfg, err := Load(f)
			if err == nil {
				t.Fatalf("loaded %+v, want an error", cfg)
			}
			golden := strings.TrimSuffix(f, ".yml") + ".err"
			if *update {
				os.WriteFile(golden, []byte(err.Error()+"\n"), 0o644)
			}
			want, rerr := os.ReadFile(golden)
			if rerr != nil {
				t.Fatal(rerr)
			}
			if got := err.Error() + "\n"; got != string(want) {
				t.Fatalf("error:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestGoodConfig(t *testing.T) {
	t.Setenv("GOVPULSE_TEST_TOKEN", "s3cret-token")
	cfg, err := Load("testdata/good.yml")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Agencies) != 3 || len(cfg.Fields) != 2 || cfg.Agencies[2].Parent != "000.00.31.H47" {
		t.Fatalf("units: %+v %+v", cfg.Agencies, cfg.Fields)
	}
	if cfg.Thresholds != catalog.DefaultThresholds {
		t.Fatalf("thresholds %+v, want the catalog defaults", cfg.Thresholds)
	}
	s := cfg.Sources[0]
	if s.Timeout != time.Minute || s.Onestop == nil || s.Onestop.Format != "standard" || s.HTTP.Retries == nil || *s.HTTP.Retries != 3 {
		t.Fatalf("source defaults: %+v", s)
	}
}

func TestDefaults(t *testing.T) {
	cfg, err := Parse("min.yml", []byte("agencies: [{code: 000.00.00.H47, name: UBND tỉnh, level: tinh}]\nsources: [{name: rating, type: rating}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Province.Timezone != DefaultTimezone || cfg.StateDir != DefaultStateDir || cfg.Sources[0].Schedule != DefaultSchedule || cfg.Sources[0].Timeout != DefaultSourceTimeout {
		t.Fatalf("defaults: %+v", cfg)
	}
}

func TestLineOf(t *testing.T) {
	src := "a: 1\nsources:\n  - name: x\n    http:\n      url: y\n"
	cfgErr := func(path string) int {
		var n = mustNode(t, src)
		return lineOf(n, path)
	}
	for path, want := range map[string]int{"a": 1, "sources[0].name": 3, "sources[0].http.url": 5, "sources[0].http.timeout": 4, "sources[3].x": 2, "nothing": 1} {
		if got := cfgErr(path); got != want {
			t.Errorf("lineOf(%q) = %d, want %d", path, got, want)
		}
	}
}
