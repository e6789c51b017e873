package boards

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/config"
	"github.com/govpulse/govpulse/collector/source"
	"github.com/govpulse/govpulse/dashboards"
)

func input(th catalog.Thresholds, l dashboards.Lang) dashboards.Input {
	return dashboards.Input{Lang: l, Config: &config.Config{
		Thresholds: th,
		Agencies: []source.Agency{
			{Code: "000.00.00.H47", Name: "UBND tỉnh", Level: catalog.LevelProvince},
			{Code: "000.00.31.H47", Name: "UBND thành phố Tam Kỳ", Level: catalog.LevelDistrict, Parent: "000.00.00.H47"},
		},
	}}
}

// TestThresholdMovesPanelAndAlert: one edit of a threshold in config moves
// the panels' colour steps and the alerts together; the defaults vanish.
func TestThresholdMovesPanelAndAlert(t *testing.T) {
	th := catalog.DefaultThresholds
	th.LateRateWarning, th.LateRateCritical = 0.037, 0.091
	files, err := Generate(input(th, dashboards.Vi))
	if err != nil {
		t.Fatal(err)
	}
	var overview, alerting string
	for _, f := range files {
		switch f.Path {
		case DashboardDir + "/tong-quan.json":
			overview = string(f.Data)
		case AlertingFile:
			alerting = string(f.Data)
		}
	}
	for _, want := range []string{`"value": 0.037`, `"value": 0.091`} {
		if !strings.Contains(overview, want) {
			t.Errorf("overview lacks the step %s", want)
		}
	}
	if strings.Contains(overview, `"value": 0.05`) || strings.Contains(overview, `"value": 0.1,`) {
		t.Error("overview still colours with the default thresholds")
	}
	for _, want := range []string{">= 0.037", ">= 0.091", "dưới 3,7%"} {
		if !strings.Contains(alerting, want) {
			t.Errorf("Grafana alerting lacks %q", want)
		}
	}
}

// TestBoardsNeedTheProvince: without an agency of level tinh there is no
// province code to show the 766 figures of.
func TestBoardsNeedTheProvince(t *testing.T) {
	in := input(catalog.DefaultThresholds, dashboards.Vi)
	in.Config.Agencies = in.Config.Agencies[1:]
	if _, err := Generate(in); err == nil || !strings.Contains(err.Error(), "the boards need the province's code") {
		t.Fatalf("err = %v", err)
	}
}

// TestQueriesUseCatalogNames: every query names only catalog metrics or
// recorded series (no hand-typed name), and each board has queries.
func TestQueriesUseCatalogNames(t *testing.T) {
	bs, err := Boards(input(catalog.DefaultThresholds, dashboards.En))
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, m := range catalog.All() {
		known[m.Name] = true
	}
	for _, r := range catalog.RecordedSeries() {
		known[r.Name] = true
	}
	ident := func(r rune) bool {
		return r != '_' && r != ':' && (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9')
	}
	for _, b := range bs {
		n := 0
		for _, r := range b.Rows {
			for _, p := range r.Panels {
				for _, q := range p.Queries {
					n++
					for _, tok := range strings.FieldsFunc(q.Expr, ident) {
						if strings.HasPrefix(tok, "tthc_") || strings.HasPrefix(tok, "dvcqg_") || strings.HasPrefix(tok, "vneid_") || strings.HasPrefix(tok, "index_") || strings.HasPrefix(tok, "qd766_") || strings.HasPrefix(tok, "govpulse_") || strings.Contains(tok, ":") {
							if !known[tok] && !strings.HasSuffix(tok, ":") {
								t.Errorf("%s: %q names %s, which the catalog lacks", b.UID, q.Expr, tok)
							}
						}
					}
				}
			}
		}
		if n == 0 {
			t.Errorf("%s has no queries", b.UID)
		}
	}
}

// board is the part of a generated dashboard the tests read.
type board struct {
	UID         string `json:"uid"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Timezone    string `json:"timezone"`
	Time        struct{ From, To string }
	Links       []struct {
		Title string   `json:"title"`
		Type  string   `json:"type"`
		Tags  []string `json:"tags"`
	} `json:"links"`
	Templating struct {
		List []struct {
			Type, Name, Label, Query, Regex string
			Options                         []struct {
				Text, Value string
			} `json:"options"`
		} `json:"list"`
	} `json:"templating"`
	Panels []boardPanel `json:"panels"`
}

type boardPanel struct {
	ID          *int   `json:"id"`
	Type        string `json:"type"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Targets     []struct {
		Expr, LegendFormat, RefID string
	} `json:"targets"`
	Transformations []struct {
		ID      string         `json:"id"`
		Options map[string]any `json:"options"`
	} `json:"transformations"`
	FieldConfig struct {
		Defaults struct {
			Unit       string `json:"unit"`
			Thresholds struct {
				Steps []struct {
					Value *float64 `json:"value"`
					Color string   `json:"color"`
				} `json:"steps"`
			} `json:"thresholds"`
			Mappings []mapping `json:"mappings"`
			Links    []struct {
				Title, URL string
			} `json:"links"`
		} `json:"defaults"`
		Overrides []struct {
			Matcher struct {
				ID      string `json:"id"`
				Options string `json:"options"`
			} `json:"matcher"`
			Properties []struct {
				ID    string          `json:"id"`
				Value json.RawMessage `json:"value"`
			} `json:"properties"`
		} `json:"overrides"`
	} `json:"fieldConfig"`
}

type mapping struct {
	Options map[string]struct {
		Text  string `json:"text"`
		Color string `json:"color"`
	} `json:"options"`
}

// generated renders the boards in language l from the default thresholds.
func generated(t *testing.T, l dashboards.Lang) map[string]board {
	t.Helper()
	files, err := Generate(input(catalog.DefaultThresholds, l))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]board{}
	for _, f := range files {
		if !strings.HasPrefix(f.Path, DashboardDir+"/") {
			continue
		}
		var b board
		if err := json.Unmarshal(f.Data, &b); err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		out[b.UID] = b
	}
	if len(out) < 5 {
		t.Fatalf("%d boards", len(out))
	}
	return out
}

var langs = []dashboards.Lang{dashboards.Vi, dashboards.En}

// override returns the value of property id on the field named name.
func (p boardPanel) override(name, id string) (json.RawMessage, bool) {
	for _, o := range p.FieldConfig.Overrides {
		if o.Matcher.ID != "byName" || o.Matcher.Options != name {
			continue
		}
		for _, pr := range o.Properties {
			if pr.ID == id {
				return pr.Value, true
			}
		}
	}
	return nil, false
}

// displayName is the name the panel shows for a series Grafana names from.
func (p boardPanel) displayName(from string) string {
	if v, ok := p.override(from, "displayName"); ok {
		var s string
		_ = json.Unmarshal(v, &s)
		return s
	}
	return from
}

// columns are a table's (field, shown title) pairs after its organize.
func (p boardPanel) columns() map[string]string {
	out := map[string]string{}
	for _, tr := range p.Transformations {
		if tr.ID != "organize" {
			continue
		}
		rename, _ := tr.Options["renameByName"].(map[string]any)
		for k, v := range rename {
			out[k], _ = v.(string)
		}
	}
	return out
}

// colourAt is the colour the thresholds give value v.
func (p boardPanel) colourAt(v float64) string {
	c := ""
	for _, s := range p.FieldConfig.Defaults.Thresholds.Steps {
		if s.Value == nil || v >= *s.Value {
			c = s.Color
		}
	}
	return c
}

// TestPanelIDsUnique: every panel, rows included, has an id of its own in
// its board.
func TestPanelIDsUnique(t *testing.T) {
	for _, l := range langs {
		for uid, b := range generated(t, l) {
			seen := map[int]string{}
			for _, p := range b.Panels {
				switch {
				case p.ID == nil || *p.ID == 0:
					t.Errorf("%s %s: %s %q has no id", l, uid, p.Type, p.Title)
				case seen[*p.ID] != "":
					t.Errorf("%s %s: %q and %q share id %d", l, uid, seen[*p.ID], p.Title, *p.ID)
				default:
					seen[*p.ID] = p.Title
				}
			}
		}
	}
}

// TestThresholdColours: a stat or bar gauge either has one neutral colour
// (a count, a rank without a target) or steps whose colours differ from the
// one before, in increasing order; and the panels that judge read right.
func TestThresholdColours(t *testing.T) {
	th := catalog.DefaultThresholds
	for _, l := range langs {
		bs := generated(t, l)
		for uid, b := range bs {
			for _, p := range b.Panels {
				if p.Type != kindStat && p.Type != kindBarGauge {
					continue
				}
				steps := p.FieldConfig.Defaults.Thresholds.Steps
				if len(steps) == 0 || steps[0].Value != nil {
					t.Errorf("%s %s %q: steps %v have no base", l, uid, p.Title, steps)
					continue
				}
				if len(steps) == 1 && steps[0].Color != Neutral {
					t.Errorf("%s %s %q: one colour %s passes a judgement: want %s", l, uid, p.Title, steps[0].Color, Neutral)
				}
				for i := 1; i < len(steps); i++ {
					if steps[i].Color == steps[i-1].Color || (i > 1 && *steps[i].Value <= *steps[i-1].Value) {
						t.Errorf("%s %s %q: step %d (%v %s) does not change the colour upwards", l, uid, p.Title, i, *steps[i].Value, steps[i].Color)
					}
				}
			}
		}
		judged := []struct {
			board, title string
			at           map[float64]string
		}{
			{"govpulse-he-thong", titleIn(l, "Tình trạng các nguồn dữ liệu", "Source status"), map[float64]string{0: "red", 1: "green"}},
			{"govpulse-tong-quan", titleIn(l, "Tỷ lệ hồ sơ quá hạn toàn tỉnh", "Province late rate"),
				map[float64]string{0: "green", th.LateRateWarning - 1e-9: "green", th.LateRateWarning: "orange", th.LateRateCritical: "red"}},
			{"govpulse-tong-quan", titleIn(l, "Hồ sơ đang giải quyết quá hạn", "Overdue dossiers in progress"), map[float64]string{0: "green", 1: "red"}},
			{"govpulse-tong-quan", titleIn(l, "Tỷ lệ đồng bộ hồ sơ lên Cổng DVC quốc gia", "Dossier sync rate to the national portal"),
				map[float64]string{catalog.DefaultTargets.Sync - 1e-9: "red", catalog.DefaultTargets.Sync: "green"}},
		}
		for _, j := range judged {
			p, ok := findPanel(bs[j.board], j.title)
			if !ok {
				t.Errorf("%s: no panel %q", j.board, j.title)
				continue
			}
			for v, want := range j.at {
				if got := p.colourAt(v); got != want {
					t.Errorf("%s %q: %v is %s, want %s", l, j.title, v, got, want)
				}
			}
		}
		// A failed source reads as failed, in words too.
		p, _ := findPanel(bs["govpulse-he-thong"], titleIn(l, "Tình trạng các nguồn dữ liệu", "Source status"))
		if len(p.FieldConfig.Defaults.Mappings) != 1 || p.FieldConfig.Defaults.Mappings[0].Options["0"].Color != "red" ||
			p.FieldConfig.Defaults.Mappings[0].Options["0"].Text != titleIn(l, "Lỗi", "Failing") {
			t.Errorf("%s: source status maps 0 to %+v", l, p.FieldConfig.Defaults.Mappings)
		}
	}
}

func titleIn(l dashboards.Lang, vi, en string) string { return dashboards.Text{Vi: vi, En: en}.In(l) }

func findPanel(b board, title string) (boardPanel, bool) {
	for _, p := range b.Panels {
		if p.Title == title {
			return p, true
		}
	}
	return boardPanel{}, false
}

// shownTexts is every text a board shows people, each with where it is:
// titles, descriptions, links, variable labels and options, series names
// after the display-name overrides, column titles and mapped values.
func shownTexts(b board) map[string]string {
	out := map[string]string{"title": b.Title, "description": b.Description}
	for i, k := range b.Links {
		out["link "+strconv.Itoa(i)] = k.Title
	}
	for _, v := range b.Templating.List {
		out["$"+v.Name] = v.Label
		for _, o := range v.Options {
			out["$"+v.Name+" option "+o.Value] = o.Text
		}
	}
	for _, p := range b.Panels {
		at := p.Type + " " + strconv.Itoa(*p.ID)
		out[at+" title"] = p.Title
		out[at+" description"] = p.Description
		for _, tg := range p.Targets {
			if tg.LegendFormat != "" {
				out[at+" legend "+tg.RefID] = tg.LegendFormat
			}
		}
		for _, o := range p.FieldConfig.Overrides {
			for _, pr := range o.Properties {
				switch pr.ID {
				case "displayName":
					var s string
					_ = json.Unmarshal(pr.Value, &s)
					out[at+" series "+o.Matcher.Options] = s
				case "mappings":
					var ms []mapping
					_ = json.Unmarshal(pr.Value, &ms)
					for _, m := range ms {
						for code, r := range m.Options {
							out[at+" "+o.Matcher.Options+" cell "+code] = r.Text
						}
					}
				}
			}
		}
		for _, m := range p.FieldConfig.Defaults.Mappings {
			for code, r := range m.Options {
				out[at+" value "+code] = r.Text
			}
		}
		for f, title := range p.columns() {
			out[at+" column "+f] = title
		}
	}
	return out
}

// TestNoCodesNoTreHan: no text a board shows says trễ hạn (the one term is
// quá hạn) or shows a code where a name belongs: every legend of a coded
// label has a name for each value, every coded column its value mappings,
// and no shown text is a code.
func TestNoCodesNoTreHan(t *testing.T) {
	codes := map[string]bool{}
	for _, label := range catalog.NamedLabels() {
		for _, v := range catalog.LabelValues[label].List {
			codes[v] = true
		}
	}
	for _, l := range langs {
		for uid, b := range generated(t, l) {
			for where, s := range shownTexts(b) {
				low := strings.ToLower(s)
				if strings.Contains(low, "trễ hạn") || strings.Contains(low, "tre_han") {
					t.Errorf("%s %s %s: %q says trễ hạn", l, uid, where, s)
				}
				if codes[s] {
					t.Errorf("%s %s %s: shows the code %q", l, uid, where, s)
				}
				for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && r != '_' }) {
					if strings.Contains(w, "_") && codes[w] {
						t.Errorf("%s %s %s: %q shows the code %s", l, uid, where, s, w)
					}
				}
			}
			for _, p := range b.Panels {
				for _, tg := range p.Targets {
					for _, label := range catalog.NamedLabels() {
						if !strings.Contains(tg.LegendFormat, "{{"+label+"}}") {
							continue
						}
						for _, v := range catalog.LabelValues[label].List {
							from := strings.ReplaceAll(tg.LegendFormat, "{{"+label+"}}", v)
							if strings.Contains(from, "{{") {
								continue // another coded label: checked with its values
							}
							n, _ := catalog.ValueName(label, v)
							if got := p.displayName(from); !strings.Contains(got, n.In(string(l))) {
								t.Errorf("%s %s %q: series %q is shown as %q, want %q", l, uid, p.Title, from, got, n.In(string(l)))
							}
						}
					}
				}
				cols := p.columns()
				for _, tr := range p.Transformations {
					if tr.ID != "filterFieldsByName" {
						continue
					}
					inc, _ := tr.Options["include"].(map[string]any)
					names, _ := inc["names"].([]any)
					for _, n := range names {
						f, _ := n.(string)
						if f == "instance" || f == "job" || f == "Time" || f == "__name__" {
							t.Errorf("%s %s %q: shows column %s", l, uid, p.Title, f)
						}
						if len(catalog.LabelValues[f].List) > 0 {
							if _, ok := p.override(cols[f], "mappings"); !ok {
								t.Errorf("%s %s %q: column %s (%q) shows codes", l, uid, p.Title, f, cols[f])
							}
						}
						if cols[f] == "" {
							if _, hidden := p.override(f, "custom.hidden"); !hidden {
								t.Errorf("%s %s %q: column %s has no title and is not hidden", l, uid, p.Title, f)
							}
						}
					}
				}
				if p.Type == kindTable && len(cols) == 0 {
					t.Errorf("%s %s %q: a table without named columns", l, uid, p.Title)
				}
			}
			for _, v := range b.Templating.List {
				if v.Type == "query" && (v.Regex == "" || !strings.Contains(v.Regex, "(?<text>")) && v.Name != DatasourceVar {
					t.Errorf("%s %s: $%s shows what %s returns (codes): want a regex naming text and value", l, uid, v.Name, v.Query)
				}
			}
		}
	}
}

// TestRateTitles: a percentage (panel or column) is titled as a rate: Tỷ lệ
// …, or Diễn biến tỷ lệ … for a trend; "rate" in English.
func TestRateTitles(t *testing.T) {
	for _, l := range langs {
		ok := func(title string) bool {
			if l == dashboards.En {
				return strings.Contains(strings.ToLower(title), "rate")
			}
			return strings.HasPrefix(title, "Tỷ lệ ") || strings.HasPrefix(title, "Diễn biến tỷ lệ ")
		}
		for uid, b := range generated(t, l) {
			for _, p := range b.Panels {
				if p.FieldConfig.Defaults.Unit == "percentunit" && !ok(p.Title) {
					t.Errorf("%s %s: percentage panel %q is not titled as a rate", l, uid, p.Title)
				}
				for f, title := range p.columns() {
					u, _ := p.override(title, "unit")
					percent := string(u) == `"percentunit"` || (u == nil && p.FieldConfig.Defaults.Unit == "percentunit" && strings.HasPrefix(f, "Value"))
					if percent && !ok(title) {
						t.Errorf("%s %s %q: percentage column %q is not titled as a rate", l, uid, p.Title, title)
					}
				}
			}
		}
	}
}

// TestDescriptions: every panel says what it counts, in the board's
// language; a late-rate panel names the definition and the threshold from
// config.
func TestDescriptions(t *testing.T) {
	th := catalog.DefaultThresholds
	th.LateRateWarning = 0.045
	files, err := Generate(input(th, dashboards.Vi))
	if err != nil {
		t.Fatal(err)
	}
	var def catalog.LateRateDefinition
	for _, d := range catalog.LateRateDefinitions {
		if d.Name == th.LateRateDefinition {
			def = d
		}
	}
	lateSeries := catalog.LateRate.Ratio(catalog.ScopeAgency).Name[len("agency"):]
	for _, f := range files {
		if !strings.HasPrefix(f.Path, DashboardDir+"/") {
			continue
		}
		var b board
		if err := json.Unmarshal(f.Data, &b); err != nil {
			t.Fatal(err)
		}
		if b.Description == "" {
			t.Errorf("%s has no description", b.UID)
		}
		for _, p := range b.Panels {
			if p.Type == "row" {
				continue
			}
			if len(p.Description) < 40 || p.Description == p.Title {
				t.Errorf("%s %q: description %q", b.UID, p.Title, p.Description)
			}
			for _, tg := range p.Targets {
				if strings.Contains(tg.Expr, lateSeries) && (!strings.Contains(p.Description, def.Vi) || !strings.Contains(p.Description, "4,5%")) {
					t.Errorf("%s %q: a late rate whose description lacks the definition %q or the threshold 4,5%%: %q", b.UID, p.Title, def.Vi, p.Description)
				}
			}
		}
	}
	for uid, b := range generated(t, dashboards.En) {
		for _, p := range b.Panels {
			if p.Type != "row" && strings.ContainsAny(p.Description, "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữự") {
				t.Errorf("%s %q: English description %q", uid, p.Title, p.Description)
			}
		}
	}
}

// TestLinks: each board links to the others (by the govpulse tag), and the
// panels that list agencies link each one to the drill-down, with its code.
func TestLinks(t *testing.T) {
	for _, l := range langs {
		bs := generated(t, l)
		drill := bs[AgencyBoardUID]
		vars := map[string]bool{}
		for _, v := range drill.Templating.List {
			vars[v.Name] = true
		}
		linked := 0
		for uid, b := range bs {
			if len(b.Links) != 1 || b.Links[0].Type != "dashboards" || len(b.Links[0].Tags) != 1 || b.Links[0].Tags[0] != Tag {
				t.Errorf("%s %s: links %+v", l, uid, b.Links)
			}
			for _, p := range b.Panels {
				var urls []string
				for _, k := range p.FieldConfig.Defaults.Links {
					urls = append(urls, k.URL)
				}
				for _, o := range p.FieldConfig.Overrides {
					for _, pr := range o.Properties {
						if pr.ID == "links" {
							var ks []struct{ URL string }
							_ = json.Unmarshal(pr.Value, &ks)
							for _, k := range ks {
								urls = append(urls, k.URL)
							}
						}
					}
				}
				for _, u := range urls {
					linked++
					path, query, _ := strings.Cut(u, "?")
					if path != "/d/"+AgencyBoardUID {
						t.Errorf("%s %s %q: link to %s", l, uid, p.Title, path)
					}
					var agency bool
					for _, kv := range strings.Split(query, "&") {
						k, v, _ := strings.Cut(kv, "=")
						if name, isVar := strings.CutPrefix(k, "var-"); isVar && !vars[name] {
							t.Errorf("%s %s %q: link sets $%s, which the drill-down lacks", l, uid, p.Title, name)
						}
						agency = agency || (k == "var-"+AgencyVar && (v == "${__field.labels.agency}" || v == "${__data.fields.agency}"))
					}
					if !agency {
						t.Errorf("%s %s %q: link %s does not pass the agency's code", l, uid, p.Title, u)
					}
				}
			}
		}
		if linked < 5 {
			t.Errorf("%s: only %d links to the drill-down", l, linked)
		}
	}
}

// TestTimeRanges: month-to-date boards open on this month in the
// province's time zone.
func TestTimeRanges(t *testing.T) {
	bs := generated(t, dashboards.Vi)
	for _, uid := range []string{"govpulse-tong-quan", AgencyBoardUID} {
		if b := bs[uid]; b.Time.From != "now/M" || b.Time.To != "now" {
			t.Errorf("%s opens on %s to %s, want the month to date", uid, b.Time.From, b.Time.To)
		}
	}
	for uid, b := range bs {
		if b.Timezone != config.DefaultTimezone {
			t.Errorf("%s: time zone %q", uid, b.Timezone)
		}
	}
}
