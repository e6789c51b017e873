package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
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
	{"rules", generateRules},
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
	in, err := generateInput(*file, *lang)
	if err != nil {
		return err
	}
	// The boards' address is the notifications' (notifications.grafana_url).
	links.Grafana = in.Config.Notifications.GrafanaURL
	if err := links.Check(); err != nil {
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
	// The units in force since the 2025 reorganisation, whatever today is:
	// generated files do not move with the clock.
	at := func() time.Time { return simulate.MergerDate }
	return demoConfig(simulate.New(simulate.Options{Now: at}), demoSimulatorURL, dir)
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

// generateRules runs the rules generator with the boards its notifications
// link to.
func generateRules(in dashboards.Input) ([]dashboards.File, error) {
	b, err := notifyBoards(in)
	if err != nil {
		return nil, err
	}
	return rules.Generate(in, b)
}

// notifyBoards finds, among the boards the Grafana generator writes, those
// the notifications link to, by what they show rather than by uids typed
// twice: the board with the agency variable (an agency's alerts), the one
// showing the sources' health (IT's), and the one whose only variable is the
// province that shows the province's late rate (the leaders' overview).
func notifyBoards(in dashboards.Input) (rules.Boards, error) {
	bs, err := boards.Boards(in)
	if err != nil {
		return rules.Boards{}, err
	}
	shows := func(b boards.Board, series string) bool {
		for _, r := range b.Rows {
			for _, p := range r.Panels {
				for _, q := range p.Queries {
					if strings.Contains(q.Expr, series) {
						return true
					}
				}
			}
		}
		return false
	}
	var agency, health, overview []string
	var out rules.Boards
	for _, b := range bs {
		for _, v := range b.Variables {
			// The history board picks agencies too, but a notification is
			// about this month: it links to the drill-down.
			if v.Name == catalog.LabelAgency && b.UID != boards.HistoryBoardUID {
				agency = append(agency, b.UID)
				out.Agency, out.AgencyVar = b.UID, v.Name
				// The board's other pickers open on all, as its own links do.
				out.AgencyOthers = nil
				for _, o := range b.Variables {
					if o.Name != v.Name && o.All {
						out.AgencyOthers = append(out.AgencyOthers, o.Name)
					}
				}
			}
		}
		if shows(b, catalog.SourceUp.Name) {
			health = append(health, b.UID)
			out.Health = b.UID
		}
		// The overview's one picker is the province (the national board,
		// which shows the province late rate too, has none).
		onlyProvince := len(b.Variables) == 1 && b.Variables[0].Name == boards.ProvinceVar
		if onlyProvince && shows(b, catalog.LateRate.Ratio(catalog.ScopeProvince).Name) {
			overview = append(overview, b.UID)
			out.Overview = b.UID
		}
	}
	if len(agency) != 1 || len(health) != 1 || len(overview) != 1 {
		return rules.Boards{}, fmt.Errorf("BUG: notifications link to one agency, one health and one overview board; the boards offer %v, %v and %v", agency, health, overview)
	}
	return out, nil
}
