package main

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/govpulse/govpulse/collector/catalog"
)

var updateReadme = flag.Bool("update", false, "rewrite generated sections and goldens")

const (
	metricsBegin = "<!-- BEGIN METRICS (generated from collector/catalog; go test . -update) -->\n"
	metricsEnd   = "<!-- END METRICS -->"
)

// TestReadmeMetricReference fails when the README's metric reference and the
// catalog disagree.
func TestReadmeMetricReference(t *testing.T) {
	readmeSection(t, metricsBegin, metricsEnd, catalog.Reference())
}

// readmeSection fails when the README's text between begin and end is not
// body; with -update it writes body there.
func readmeSection(t *testing.T, begin, end, body string) {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the %q ... %q markers", begin, end)
	}
	want := s[:i+len(begin)] + body + s[j:]
	if *updateReadme {
		if err := os.WriteFile("README.md", []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if s != want {
		t.Fatalf("README.md is out of date between %q and %q: run go test . -run TestReadme -update; want:\n%s", strings.TrimSpace(begin), end, body)
	}
}

// TestReadmeCommands keeps the newcomer's two commands in the README and CI.
func TestReadmeCommands(t *testing.T) {
	readme, _ := os.ReadFile("README.md")
	ci, _ := os.ReadFile(".ci/run")
	for _, cmd := range []string{"go run . serve --demo", "go test ./..."} {
		if !strings.Contains(string(readme), cmd) {
			t.Errorf("README.md does not show %q", cmd)
		}
	}
	if !strings.Contains(string(ci), "\ngo test ./...\n") {
		t.Error(".ci/run does not run the README's test command")
	}
}
