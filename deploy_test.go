package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/govpulse/govpulse/collector/config"
	"github.com/govpulse/govpulse/collector/simulate"
)

// TestDeployUnitLists keeps deploy/agencies.csv and deploy/fields.csv equal to
// the simulated province's units (go test . -update rewrites them).
func TestDeployUnitLists(t *testing.T) {
	sim := simulate.New(simulate.Options{Seed: 47})
	var a, f bytes.Buffer
	if err := simulate.WriteAgenciesCSV(&a, sim.Agencies()); err != nil {
		t.Fatal(err)
	}
	if err := simulate.WriteFieldsCSV(&f, sim.Fields()); err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string][]byte{"deploy/agencies.csv": a.Bytes(), "deploy/fields.csv": f.Bytes()} {
		if *updateReadme {
			if err := os.WriteFile(file, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the simulated province: run go test . -run TestDeploy -update", file)
		}
	}
}

// TestDeployConfigsAreValid runs `govpulse check` on every shipped config.
func TestDeployConfigsAreValid(t *testing.T) {
	t.Setenv("GOVPULSE_ONESTOP_CLIENT_SECRET", "example")
	t.Setenv("GOVPULSE_PORTAL_TOKEN", "example")
	files, _ := filepath.Glob("deploy/*.yml")
	if len(files) < 2 {
		t.Fatalf("found %d configs in deploy/", len(files))
	}
	for _, f := range files {
		if strings.HasPrefix(filepath.Base(f), "docker-compose") {
			continue
		}
		var out, errb bytes.Buffer
		if err := run(t.Context(), []string{"check", "--config.file", f}, &out, &errb); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		if !strings.Contains(out.String(), "OK") {
			t.Errorf("%s: check printed %q", f, out.String())
		}
	}
}

// TestCheckFailsWithFileLineField is the newcomer's experience of a typo.
func TestCheckFailsWithFileLineField(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "govpulse.yml")
	os.WriteFile(file, []byte("agencies:\n  - {code: 000.00.00.H47, name: UBND tỉnh, level: tinh}\nsources:\n  - name: onestop\n    type: onestop\n    schedule: \"*/5 * *\"\n    http: {url: \"http://127.0.0.1:1\"}\n"), 0o644)
	err := run(t.Context(), []string{"check", "--config.file", file}, &bytes.Buffer{}, &bytes.Buffer{})
	want := file + `:6: sources[0].schedule: cannot parse "*/5 * *": expected exactly 5 fields, found 3: [*/5 * *]`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant  %s", err, want)
	}
	if _, err := config.Load(file); err == nil {
		t.Fatal("config.Load accepted it")
	}
}

// TestVictoriaMetricsScrapeConfig checks the compose stack's VictoriaMetrics
// scrape file with the real binary.
func TestVictoriaMetricsScrapeConfig(t *testing.T) {
	vm := needBinary(t, "victoria-metrics")
	out, err := exec.Command(vm, "-promscrape.config=deploy/victoriametrics/scrape.yml", "-dryRun").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "is ok") {
		t.Fatalf("victoria-metrics -dryRun: %v\n%s", err, out)
	}
}

// TestComposeMountsExist: every file the compose stack bind-mounts is in deploy/.
func TestComposeMountsExist(t *testing.T) {
	b, err := os.ReadFile("deploy/docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Volumes []string `yaml:"volumes"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &compose); err != nil {
		t.Fatal(err)
	}
	n := 0
	for name, svc := range compose.Services {
		for _, v := range svc.Volumes {
			host, _, _ := strings.Cut(v, ":")
			if !strings.HasPrefix(host, ".") {
				continue // a named volume
			}
			n++
			if _, err := os.Stat(filepath.Join("deploy", host)); err != nil {
				t.Errorf("service %s mounts %s: %v", name, host, err)
			}
		}
	}
	if n < 8 {
		t.Fatalf("only %d bind mounts found", n)
	}
}

// TestDeployScoresFile keeps deploy/cchc-scores.csv equal to the simulated
// province's illustrative CCHC scores (go test . -update rewrites it).
func TestDeployScoresFile(t *testing.T) {
	scores := simulate.New(simulate.Options{Seed: 47}).CCHCScores()
	codes := make([]string, 0, len(scores))
	for c := range scores {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	var b bytes.Buffer
	b.WriteString("agency,score\n")
	for _, c := range codes {
		fmt.Fprintf(&b, "%s,%.3f\n", c, scores[c])
	}
	const file = "deploy/cchc-scores.csv"
	if *updateReadme {
		if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(file)
	if err != nil || !bytes.Equal(got, b.Bytes()) {
		t.Fatalf("%s differs from the simulated province (%v): run go test . -run TestDeployScores -update", file, err)
	}
}

// TestStopTimeoutsCoverShutdown: compose's stop_grace_period for govpulse and
// the systemd unit's TimeoutStopSec exceed serve's shutdown bound, so neither
// kills govpulse in the middle of a clean shutdown, and the README states
// the bound.
func TestStopTimeoutsCoverShutdown(t *testing.T) {
	b, err := os.ReadFile("deploy/docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			StopGracePeriod string `yaml:"stop_grace_period"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &compose); err != nil {
		t.Fatal(err)
	}
	grace, err := time.ParseDuration(compose.Services["govpulse"].StopGracePeriod)
	if err != nil {
		t.Fatalf("compose: govpulse's stop_grace_period: %v (compose's default, 10 s, is below the bound %s)", err, shutdownBound)
	}
	if grace <= shutdownBound {
		t.Errorf("compose: stop_grace_period %s does not exceed the shutdown bound %s", grace, shutdownBound)
	}

	unit, err := os.ReadFile("deploy/systemd/govpulse.service")
	if err != nil {
		t.Fatal(err)
	}
	var stop time.Duration
	for line := range strings.Lines(string(unit)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "TimeoutStopSec="); ok {
			if stop, err = systemdSpan(v); err != nil {
				t.Fatalf("systemd: TimeoutStopSec=%s: %v", v, err)
			}
		}
	}
	if stop <= shutdownBound {
		t.Errorf("systemd: TimeoutStopSec %s does not exceed the shutdown bound %s (unset is 90 s, but say it)", stop, shutdownBound)
	}

	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("within %d s", int(shutdownBound.Seconds())); !strings.Contains(string(readme), want) {
		t.Errorf("README does not state the shutdown bound (%q)", want)
	}
}

// systemdSpan reads the time spans a unit file writes: bare seconds, or
// numbers with s, min, h, ms units (e.g. 30, 30s, 1min 30s).
func systemdSpan(v string) (time.Duration, error) {
	var total time.Duration
	for _, f := range strings.Fields(v) {
		f = strings.Replace(f, "min", "m", 1)
		if _, err := strconv.Atoi(f); err == nil {
			f += "s"
		}
		d, err := time.ParseDuration(f)
		if err != nil {
			return 0, err
		}
		total += d
	}
	if total == 0 {
		return 0, fmt.Errorf("no time span")
	}
	return total, nil
}
