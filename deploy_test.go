package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
