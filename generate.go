package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/govpulse/govpulse/collector/config"
	"github.com/govpulse/govpulse/collector/simulate"
	"github.com/govpulse/govpulse/dashboards"
	"github.com/govpulse/govpulse/dashboards/boards"
	"github.com/govpulse/govpulse/dashboards/rules"
)

// generators write the deployment files; each owns its paths under --out.
// A new generator (Grafana boards, …) is one line here.
var generators = []struct {
	name string
	gen  func(dashboards.Input) ([]dashboards.File, error)
}{
	{"rules", rules.Generate},
	{"grafana", boards.Generate},
}

// demoSimulatorURL is where `govpulse simulate` listens by default; the demo
// config generate falls back to needs a URL, though no file depends on it.
const demoSimulatorURL = "http://127.0.0.1:9471"

func runGenerate(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("generate", stderr)
	file := fs.String("config.file", "", "configuration file whose thresholds and units the files use (default: the demo province's)")
	out := fs.String("out", "deploy", "directory to write into")
	lang := fs.String("lang", string(dashboards.Vi), "language of alert texts and dashboards: vi or en")
	var links dashboards.Links
	fs.StringVar(&links.Runbooks, "runbook.url", dashboards.DefaultRunbooks, "URL of the runbook folder (docs/runbooks, or its copy on your wiki): every alert's runbook_url is <url>/<alert>.md")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := links.Check(); err != nil {
		return err
	}
	in, err := generateInput(*file, *lang)
	if err != nil {
		return err
	}
	in.Links = links
	files, err := generateFiles(in)
	if err != nil {
		return err
	}
	if err := dashboards.Write(*out, files); err != nil {
		return err
	}
	for _, f := range files {
		fmt.Fprintf(stdout, "%s/%s\n", *out, f.Path)
	}
	return nil
}

// generateInput loads the config (or builds the demo province's) and parses
// the language.
func generateInput(file, lang string) (dashboards.Input, error) {
	l, err := dashboards.ParseLang(lang)
	if err != nil {
		return dashboards.Input{}, err
	}
	var cfg *config.Config
	if file == "" {
		cfg, err = generatedDemoConfig()
	} else {
		cfg, err = config.Load(file)
	}
	if err != nil {
		return dashboards.Input{}, err
	}
	return dashboards.Input{Config: cfg, Lang: l}, nil
}

// generatedDemoConfig is the demo config with its file inputs in a
// throw-away directory: generate reads only thresholds and units.
func generatedDemoConfig() (*config.Config, error) {
	dir, err := os.MkdirTemp("", "govpulse-generate-")
	if err != nil {
		return nil, fmt.Errorf("cannot create a temporary directory: %w", err)
	}
	defer func() { _ = os.RemoveAll(dir) }() // a temporary directory: nothing to report
	if err := writeDemoFiles(dir); err != nil {
		return nil, err
	}
	return demoConfig(simulate.New(simulate.Options{}), demoSimulatorURL, dir)
}

// generateFiles runs every generator and returns their files sorted by path;
// two generators writing one path is a bug.
func generateFiles(in dashboards.Input) ([]dashboards.File, error) {
	var all []dashboards.File
	owner := map[string]string{}
	for _, g := range generators {
		files, err := g.gen(in)
		if err != nil {
			return nil, fmt.Errorf("cannot generate %s: %w", g.name, err)
		}
		for _, f := range files {
			if o, dup := owner[f.Path]; dup {
				return nil, fmt.Errorf("BUG: %s and %s both generate %s", o, g.name, f.Path)
			}
			owner[f.Path] = g.name
		}
		all = append(all, files...)
	}
	dashboards.Sort(all)
	return all, nil
}
