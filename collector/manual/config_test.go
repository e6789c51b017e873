package manual_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/govpulse/govpulse/collector"
	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/config"
)

const agencies = `agencies:
  - {code: 000.00.00.H15, name: UBND thành phố Đà Nẵng, level: tinh}
  - {code: 000.00.02.H15, name: Sở Nội vụ, level: so, parent: 000.00.00.H15}
`

// TestConfigLoad: a manual source is declared in config like any other; its
// problems carry file, line and path, and the registry builds it.
func TestConfigLoad(t *testing.T) {
	dir := t.TempDir()
	bad := agencies + "sources:\n  - name: manual\n    type: manual\n    manual:\n      dir: nope\n      max_file_bytes: -1\n"
	_, err := config.Parse(filepath.Join(dir, "govpulse.yml"), []byte(bad))
	for _, want := range []string{"govpulse.yml:8: sources[0].manual.dir: cannot use", "govpulse.yml:9: sources[0].manual.max_file_bytes: must not be negative"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %s", err, want)
		}
	}
	_, err = config.Parse(filepath.Join(dir, "govpulse.yml"), []byte(agencies+"sources:\n  - name: manual\n    type: manual\n    manual: {dirr: x}\n"))
	if err == nil || !strings.Contains(err.Error(), `unknown key "dirr"`) {
		t.Errorf("err = %v", err)
	}

	if err := os.Mkdir(filepath.Join(dir, "manual"), 0o700); err != nil {
		t.Fatal(err)
	}
	kpi := "kpis:\n  - {code: k, name: T, name_en: N, unit: tổ, direction: higher_is_better, values: [{date: 2020-01-31, agency: 000.00.02.H15, value: 3}]}\n"
	if err := os.WriteFile(filepath.Join(dir, "manual", "k.yml"), []byte(kpi), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(filepath.Join(dir, "govpulse.yml"), []byte(agencies+"sources:\n  - name: manual\n    type: manual\n    manual: {dir: manual}\n"))
	if err != nil {
		t.Fatal(err)
	}
	env, err := collector.Env(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srcs, err := collector.Build(cfg, env)
	if err != nil {
		t.Fatal(err)
	}
	res, err := srcs["manual"].Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range res.Samples {
		if s.Metric == catalog.ManualKPI && s.Value == 3 && s.Labels[1] == "000.00.02.H15" {
			found = true
		}
	}
	if !found {
		t.Errorf("no value in %+v", res.Samples)
	}
}
