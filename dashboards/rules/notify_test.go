package rules

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/config"
	"github.com/govpulse/govpulse/collector/source"
	"github.com/govpulse/govpulse/collector/workday"
	"github.com/govpulse/govpulse/dashboards"
)

// testBoards stand for the boards the root package finds in dashboards/boards
// (TestNotifyBoards there checks the real ones).
var testBoards = Boards{Overview: "govpulse-tong-quan", Agency: "govpulse-don-vi", AgencyVar: "agency", Health: "govpulse-he-thong", AgencyOthers: []string{"level"}}

// contactInput is a config with two agencies that have a contact and one
// that has none.
func contactInput(t *testing.T, lang dashboards.Lang) dashboards.Input {
	t.Helper()
	cfg := &config.Config{Agencies: []source.Agency{
		{Code: "000.00.00.H47", Name: "UBND tỉnh Quảng Nam", Level: catalog.LevelProvince},
		{Code: "000.00.03.H47", Name: "Sở Tư pháp", Level: catalog.LevelDept, Parent: "000.00.00.H47", Email: "vanphong@stp.example.org"},
		{Code: "000.00.05.H47", Name: "Sở Kế hoạch và Đầu tư", Level: catalog.LevelDept, Parent: "000.00.00.H47", Email: "a@skhdt.example.org, b@skhdt.example.org"},
	}}
	cfg.SetDefaults()
	cfg.Notifications.GrafanaURL = "https://grafana.quangnam.example.org"
	return dashboards.Input{Config: cfg, Lang: lang}
}

func alertmanagerFiles(t *testing.T, in dashboards.Input, edit func(*AlertmanagerOptions)) map[string]string {
	t.Helper()
	o, err := DefaultAlertmanagerOptions(in, testBoards)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(&o)
	}
	files, err := AlertmanagerFiles(o)
	if err != nil {
		t.Fatal(err)
	}
	return writeFiles(t, t.TempDir(), files)
}

// TestEveryAlertHasAnAudience: every generated alert carries a known
// audience, and an alert without one (an alert added without thinking of
// who reads it) fails the generation.
func TestEveryAlertHasAnAudience(t *testing.T) {
	rs, err := Rules(Options{Thresholds: testThresholds, Lang: dashboards.Vi})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Alert != "" && !slices.Contains(catalog.Audiences, r.Labels[catalog.AlertLabelAudience]) {
			t.Errorf("%s: audience %q", r.Alert, r.Labels[catalog.AlertLabelAudience])
		}
	}
	g := &gen{Options: Options{Thresholds: testThresholds, Lang: dashboards.Vi}}
	g.alert(catalog.AlertRule{Name: "GovpulseSomethingNew", Severity: catalog.SeverityWarning}, func(bool) string { return "vector(1)" }, "s", "d")
	if len(g.errs) != 1 || !strings.Contains(g.errs[0].Error(), `alert GovpulseSomethingNew has audience "": set catalog.AlertRule.Audience to one of leaders, agency, it`) {
		t.Errorf("an alert without an audience: %v", g.errs)
	}
}

// TestOneTermForLate: quá hạn, never the colloquial trễ hạn, in every text
// generated for people (alert annotations, notification templates), and no
// English default heading.
func TestOneTermForLate(t *testing.T) {
	rs, err := Rules(Options{Thresholds: testThresholds, Lang: dashboards.Vi})
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, r := range rs {
		for _, v := range r.Annotations {
			texts = append(texts, v)
		}
	}
	for _, p := range alertmanagerFiles(t, contactInput(t, dashboards.Vi), nil) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, string(b))
	}
	for _, s := range texts {
		if strings.Contains(strings.ToLower(s), "trễ") {
			t.Errorf("trễ hạn in generated text: %s", s)
		}
		for _, en := range []string{"[FIRING", "humanizeDuration }}", "humanizePercentage"} {
			if strings.Contains(s, en) {
				t.Errorf("%q in generated text: %s", en, s)
			}
		}
	}
}

// amAlert and amData are Alertmanager's template data as JSON
// (amtool template render --template.data).
type amAlert struct {
	Status      string            `json:"status"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	StartsAt    time.Time         `json:"startsAt"`
	EndsAt      time.Time         `json:"endsAt"`
}

type amTemplateData struct {
	Receiver          string            `json:"receiver"`
	Status            string            `json:"status"`
	Alerts            []amAlert         `json:"alerts"`
	GroupLabels       map[string]string `json:"groupLabels"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	ExternalURL       string            `json:"externalURL"`
}

// group builds a notification's data as Alertmanager does: common labels
// and annotations are those every alert shares.
func group(receiver string, by []string, alerts ...amAlert) amTemplateData {
	d := amTemplateData{Receiver: receiver, Status: "resolved", Alerts: alerts, GroupLabels: map[string]string{},
		CommonLabels: map[string]string{}, CommonAnnotations: map[string]string{}, ExternalURL: "http://alertmanager:9093"}
	common := func(get func(amAlert) map[string]string, into map[string]string) {
		for k, v := range get(alerts[0]) {
			same := true
			for _, a := range alerts[1:] {
				if get(a)[k] != v {
					same = false
				}
			}
			if same {
				into[k] = v
			}
		}
	}
	common(func(a amAlert) map[string]string { return a.Labels }, d.CommonLabels)
	common(func(a amAlert) map[string]string { return a.Annotations }, d.CommonAnnotations)
	for _, a := range alerts {
		if a.Status == "firing" {
			d.Status = "firing"
		}
	}
	for _, l := range by {
		d.GroupLabels[l] = alerts[0].Labels[l]
	}
	return d
}

// lateAlert is a late-rate warning as Prometheus sends it, its annotations
// rendered.
func lateAlert(code, name, value string) amAlert {
	return amAlert{Status: "firing", StartsAt: time.Date(2026, 3, 18, 2, 15, 0, 0, time.UTC),
		Labels: map[string]string{"alertname": catalog.AlertLateRateWarning.Name, catalog.LabelAgency: code, catalog.LabelName: name,
			catalog.AlertLabelSeverity: catalog.SeverityWarning, catalog.AlertLabelAudience: catalog.AudienceLeaders, catalog.LabelPeriod: catalog.PeriodMonth},
		Annotations: map[string]string{
			AnnSummary:     name + ": tỷ lệ hồ sơ quá hạn từ đầu tháng đến nay là " + value + ", không đạt yêu cầu dưới 5%",
			AnnDescription: name + " (mã định danh " + code + ") có tỷ lệ hồ sơ quá hạn từ đầu tháng đến nay là " + value + ".",
			AnnTitle:       "Tỷ lệ hồ sơ quá hạn không đạt yêu cầu dưới 5%", AnnValue: value, AnnThreshold: "dưới 5%",
			AnnPeriod: "từ đầu tháng đến nay", AnnAction: "Đề nghị Thủ trưởng cơ quan, đơn vị chỉ đạo rà soát các hồ sơ quá hạn.",
		}}
}

// TestTemplatesRender renders every template through Alertmanager's own
// template engine (amtool template render, Alertmanager 0.25) for the
// notifications each receiver gets, and checks the text a reader sees.
func TestTemplatesRender(t *testing.T) {
	amtool := needBinary(t, "amtool")
	paths := alertmanagerFiles(t, contactInput(t, dashboards.Vi), nil)
	enPaths := alertmanagerFiles(t, contactInput(t, dashboards.En), nil)
	render := func(t *testing.T, tmplFile string, d amTemplateData, name string, html bool) string {
		t.Helper()
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		data := filepath.Join(t.TempDir(), "data.json")
		if err := os.WriteFile(data, b, 0o600); err != nil {
			t.Fatal(err)
		}
		args := []string{"template", "render", "--template.glob=" + tmplFile, "--template.text={{ template \"" + name + "\" . }}", "--template.data=" + data}
		if html {
			args = append(args, "--template.type=html")
		}
		out, err := runTool(t, ".", amtool, args...)
		if err != nil {
			t.Fatalf("amtool template render %s: %v\n%s", name, err, out)
		}
		return out
	}
	all := func(t *testing.T, tmplFile string, d amTemplateData) map[string]string {
		return map[string]string{
			TmplSubject: render(t, tmplFile, d, TmplSubject, false), TmplText: render(t, tmplFile, d, TmplText, false),
			TmplChat: render(t, tmplFile, d, TmplChat, false), TmplHTML: render(t, tmplFile, d, TmplHTML, true),
			TmplGroupLink: render(t, tmplFile, d, TmplGroupLink, false),
		}
	}
	contains := func(t *testing.T, what, got string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s does not contain %q:\n%s", what, w, got)
			}
		}
		for _, bad := range []string{"alertmanager:9093", "FIRING", "TthcLate", "<no value>", "trễ"} {
			if strings.Contains(got, bad) {
				t.Errorf("%s contains %q:\n%s", what, bad, got)
			}
		}
	}
	tmpl := paths[TemplatesFile]
	grafana := "https://grafana.quangnam.example.org"

	t.Run("leaders", func(t *testing.T) {
		d := group(ReceiverLeaders, []string{"alertname"}, lateAlert("000.00.03.H47", "Sở Tư pháp", "7,26%"), lateAlert("000.00.31.H47", "UBND thành phố Tam Kỳ", "5,10%"))
		r := all(t, tmpl, d)
		if want := "[Cảnh báo] Tỷ lệ hồ sơ quá hạn không đạt yêu cầu dưới 5% — 2 cơ quan, đơn vị"; r[TmplSubject] != want {
			t.Errorf("subject %q, want %q", r[TmplSubject], want)
		}
		link := grafana + "/d/govpulse-don-vi?var-level=$__all&var-agency=000.00.03.H47"
		contains(t, "text", r[TmplText], "Sở Tư pháp: tỷ lệ hồ sơ quá hạn từ đầu tháng đến nay là 7,26%", "UBND thành phố Tam Kỳ", "Ngưỡng: dưới 5%",
			"Kỳ số liệu: từ đầu tháng đến nay", "Từ 09:15 ngày 18/03/2026", link, "Đề nghị Thủ trưởng cơ quan, đơn vị chỉ đạo rà soát", "Thông báo tự động")
		contains(t, "chat", r[TmplChat], "• Sở Tư pháp: tỷ lệ hồ sơ quá hạn từ đầu tháng đến nay là 7,26%", link)
		contains(t, "html", r[TmplHTML], `<html lang="vi">`, "<b>7,26%</b>", `<a href="`+link+`">Xem bảng số liệu</a>`, "09:15 ngày 18/03/2026")
		if r[TmplGroupLink] != grafana+"/d/govpulse-tong-quan" {
			t.Errorf("group link %q", r[TmplGroupLink])
		}
	})

	t.Run("critical and escaping", func(t *testing.T) {
		a := lateAlert("000.00.05.H47", "Sở Kế hoạch & Đầu tư <thử>", "10,50%")
		a.Labels["alertname"], a.Labels[catalog.AlertLabelSeverity] = catalog.AlertLateRateCritical.Name, catalog.SeverityCritical
		r := all(t, tmpl, group(ReceiverLeaders, []string{"alertname"}, a))
		contains(t, "subject", r[TmplSubject], "[Cảnh báo nghiêm trọng]")
		contains(t, "html", r[TmplHTML], "Sở Kế hoạch &amp; Đầu tư &lt;thử&gt;")
	})

	t.Run("agency", func(t *testing.T) {
		// One agency's own notification: its late rate and its overdue dossiers.
		over := amAlert{Status: "firing", StartsAt: time.Date(2026, 3, 18, 1, 0, 0, 0, time.UTC),
			Labels: map[string]string{"alertname": catalog.AlertDossiersOverdue.Name, catalog.LabelAgency: "000.00.03.H47", catalog.LabelName: "Sở Tư pháp",
				catalog.AlertLabelSeverity: catalog.SeverityWarning, catalog.AlertLabelAudience: catalog.AudienceAgency, catalog.LabelPeriod: catalog.PeriodMonth},
			Annotations: map[string]string{AnnSummary: "Sở Tư pháp có 1.234 hồ sơ đang giải quyết quá hạn", AnnTitle: "Hồ sơ đang giải quyết quá hạn",
				AnnValue: "1.234 hồ sơ", AnnPeriod: "hiện tại", AnnAction: "Mỗi hồ sơ quá hạn cần có Phiếu xin lỗi."}}
		r := all(t, tmpl, group(AgencyReceiverPrefix+"000.00.03.H47", []string{catalog.LabelAgency}, lateAlert("000.00.03.H47", "Sở Tư pháp", "7,26%"), over))
		if want := "[Cảnh báo] Sở Tư pháp: 2 cảnh báo"; r[TmplSubject] != want {
			t.Errorf("subject %q, want %q", r[TmplSubject], want)
		}
		contains(t, "text", r[TmplText], "1.234 hồ sơ", "→ Mỗi hồ sơ quá hạn cần có Phiếu xin lỗi.", "→ Đề nghị Thủ trưởng")
		if r[TmplGroupLink] != grafana+"/d/govpulse-don-vi?var-level=$__all&var-agency=000.00.03.H47" {
			t.Errorf("group link %q", r[TmplGroupLink])
		}
	})

	t.Run("it", func(t *testing.T) {
		down := amAlert{Status: "firing", StartsAt: time.Date(2026, 3, 17, 20, 5, 0, 0, time.UTC),
			Labels: map[string]string{"alertname": catalog.AlertSourceDown.Name, catalog.LabelSource: "portal", "instance": "govpulse:9470",
				catalog.AlertLabelSeverity: catalog.SeverityCritical, catalog.AlertLabelAudience: catalog.AudienceIT},
			Annotations: map[string]string{AnnSummary: "Nguồn dữ liệu portal không thu thập được", AnnDescription: "Lần thu thập gần nhất từ nguồn portal bị lỗi.",
				AnnLastSuccess: "chưa có lần nào"}}
		r := all(t, tmpl, group(ReceiverIT, []string{"alertname"}, down))
		if want := "[Cảnh báo nghiêm trọng] Nguồn dữ liệu portal không thu thập được"; r[TmplSubject] != want {
			t.Errorf("subject %q, want %q", r[TmplSubject], want)
		}
		contains(t, "text", r[TmplText], "Lần thu thập thành công gần nhất: chưa có lần nào", "Từ 03:05 ngày 18/03/2026", grafana+"/d/govpulse-he-thong")
		resolved := down
		resolved.Status = "resolved"
		r = all(t, tmpl, group(ReceiverIT, []string{"alertname"}, resolved))
		contains(t, "resolved subject", r[TmplSubject], "[Hết cảnh báo] Nguồn dữ liệu portal không thu thập được")
		contains(t, "resolved text", r[TmplText], "Đã trở lại bình thường:\n• Nguồn dữ liệu portal không thu thập được")
	})

	t.Run("digest", func(t *testing.T) {
		dg := amAlert{Status: "firing", StartsAt: time.Date(2026, 3, 18, 0, 0, 0, 0, time.UTC),
			Labels: map[string]string{"alertname": catalog.AlertOverdueDigest.Name, catalog.AlertLabelSeverity: catalog.SeverityWarning,
				catalog.AlertLabelAudience: catalog.AudienceLeaders, catalog.LabelPeriod: catalog.PeriodMonth},
			Annotations: map[string]string{AnnSummary: "Toàn tỉnh có 1.244 hồ sơ đang giải quyết quá hạn tại 3 cơ quan, đơn vị",
				AnnDescription: "Các cơ quan, đơn vị có nhiều hồ sơ quá hạn nhất (tối đa 10):\n- Sở Tư pháp: 1.234 hồ sơ\n- Sở Nội vụ: 3 hồ sơ",
				AnnTitle:       "Tổng hợp hồ sơ đang giải quyết quá hạn (hằng ngày)", AnnValue: "1.244 hồ sơ", AnnPeriod: "hiện tại"}}
		r := all(t, tmpl, group(ReceiverLeaders, []string{"alertname"}, dg))
		if want := "[Cảnh báo] Tổng hợp hồ sơ đang giải quyết quá hạn (hằng ngày)"; r[TmplSubject] != want {
			t.Errorf("subject %q, want %q", r[TmplSubject], want)
		}
		contains(t, "text", r[TmplText], "Toàn tỉnh có 1.244 hồ sơ", "\n- Sở Tư pháp: 1.234 hồ sơ\n- Sở Nội vụ: 3 hồ sơ", grafana+"/d/govpulse-tong-quan")
		contains(t, "html", r[TmplHTML], `white-space: pre-line;">Các cơ quan, đơn vị có nhiều hồ sơ quá hạn nhất (tối đa 10):`+"\n- Sở Tư pháp")
	})

	t.Run("english", func(t *testing.T) {
		a := lateAlert("000.00.03.H47", "Sở Tư pháp", "7.26%")
		a.Annotations[AnnTitle] = "Late rate not below 5%"
		r := all(t, enPaths[TemplatesFile], group(ReceiverLeaders, []string{"alertname"}, a))
		contains(t, "subject", r[TmplSubject], "[Alert] Sở Tư pháp: Late rate not below 5%")
		contains(t, "text", r[TmplText], "Since 09:15 on 18/03/2026", "Automatic notice from govpulse")
		contains(t, "html", r[TmplHTML], `<html lang="en">`, "Open the board")
	})
}

// TestRoutesByAudience asks Alertmanager's own router (amtool config routes
// test) who receives what: routing follows the audience label, agencies
// with a contact hear of their own alerts, nobody of an agency alert with
// no contact, and IT of anything unlabelled.
func TestRoutesByAudience(t *testing.T) {
	amtool := needBinary(t, "amtool")
	cfgFile := alertmanagerFiles(t, contactInput(t, dashboards.Vi), nil)[AlertmanagerFile]
	if out, err := runTool(t, ".", amtool, "check-config", cfgFile); err != nil || !strings.Contains(out, "1 templates") || !strings.Contains(out, "5 receivers") {
		t.Fatalf("amtool check-config: %v\n%s", err, out)
	}
	aud := catalog.AlertLabelAudience
	for _, c := range []struct {
		labels []string
		want   string
	}{
		{[]string{aud + "=leaders", "alertname=" + catalog.AlertLateRateWarning.Name, "agency=000.00.03.H47"}, "agency-000.00.03.H47,leaders"},
		{[]string{aud + "=leaders", "alertname=" + catalog.AlertLateRateCritical.Name, "agency=000.00.31.H47"}, "leaders"},
		{[]string{aud + "=leaders", "alertname=" + catalog.AlertOverdueDigest.Name}, "leaders"},
		{[]string{aud + "=agency", "alertname=" + catalog.AlertDossiersOverdue.Name, "agency=000.00.05.H47"}, "agency-000.00.05.H47,none"},
		{[]string{aud + "=agency", "alertname=" + catalog.AlertDossiersOverdue.Name, "agency=000.00.31.H47"}, "none"},
		{[]string{aud + "=it", "alertname=" + catalog.AlertSourceDown.Name, "source=portal"}, "it"},
		{[]string{aud + "=it", "alertname=GovpulseRecordsRejected", "source=onestop", "agency=000.00.03.H47"}, "it"},
		{[]string{"alertname=SomethingWithoutAudience"}, "it"},
	} {
		out, err := runTool(t, ".", amtool, append([]string{"config", "routes", "test", "--config.file=" + cfgFile, "--verify.receivers=" + c.want}, c.labels...)...)
		if err != nil {
			t.Errorf("%v: want %s: %v\n%s", c.labels, c.want, err, out)
		}
	}
}

// amInterval is one generated time interval, read back.
type amInterval struct {
	Times []struct {
		Start string `yaml:"start_time"`
		End   string `yaml:"end_time"`
	} `yaml:"times"`
	Weekdays    []string `yaml:"weekdays"`
	DaysOfMonth []string `yaml:"days_of_month"`
	Months      []string `yaml:"months"`
	Years       []string `yaml:"years"`
	Location    string   `yaml:"location"`
}

// contains evaluates an interval as Alertmanager 0.25 does, for the forms
// the generator writes (ranges a:b, lower-case month and day names).
func (in amInterval) contains(t time.Time) bool {
	if in.Location != "" {
		loc, err := time.LoadLocation(in.Location)
		if err != nil {
			return false
		}
		t = t.In(loc)
	}
	inRange := func(specs []string, v int, parse func(string) int) bool {
		if len(specs) == 0 {
			return true
		}
		for _, s := range specs {
			a, b, ok := strings.Cut(s, ":")
			if !ok {
				b = a
			}
			if parse(a) <= v && v <= parse(b) {
				return true
			}
		}
		return false
	}
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	day := func(s string) int {
		for d := time.Sunday; d <= time.Saturday; d++ {
			if strings.EqualFold(d.String(), s) {
				return int(d)
			}
		}
		return -1
	}
	month := func(s string) int {
		for m := time.January; m <= time.December; m++ {
			if strings.EqualFold(m.String(), s) {
				return int(m)
			}
		}
		return -1
	}
	minutes := func(s string) int { h, m, _ := strings.Cut(s, ":"); return atoi(h)*60 + atoi(m) }
	if len(in.Times) > 0 {
		ok := false
		for _, tr := range in.Times {
			if now := t.Hour()*60 + t.Minute(); minutes(tr.Start) <= now && now < minutes(tr.End) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return inRange(in.Weekdays, int(t.Weekday()), day) && inRange(in.DaysOfMonth, t.Day(), atoi) &&
		inRange(in.Months, int(t.Month()), month) && inRange(in.Years, t.Year(), atoi)
}

// TestTimeIntervalsFollowTheCalendar reads the generated time intervals back
// and checks them, every half hour of the years the holiday files cover,
// against the working-day calendar itself: leaders and agencies are told in
// working hours of working days only (so never on Tết, and on the Saturday
// worked in compensation), the digest in the first hour of a working day.
func TestTimeIntervalsFollowTheCalendar(t *testing.T) {
	read := func(alwaysOpen bool) map[string][]amInterval {
		p := alertmanagerFiles(t, contactInput(t, dashboards.Vi), func(o *AlertmanagerOptions) { o.AlwaysOpen = alwaysOpen })[AlertmanagerFile]
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			TimeIntervals []struct {
				Name      string       `yaml:"name"`
				Intervals []amInterval `yaml:"time_intervals"`
			} `yaml:"time_intervals"`
		}
		if err := yaml.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		out := map[string][]amInterval{}
		for _, ti := range doc.TimeIntervals {
			out[ti.Name] = ti.Intervals
		}
		return out
	}
	in := func(ivs []amInterval, at time.Time) bool {
		return slices.ContainsFunc(ivs, func(i amInterval) bool { return i.contains(at) })
	}
	cal, err := workday.Default()
	if err != nil {
		t.Fatal(err)
	}
	ivs := read(false)
	loc := cal.Location()
	working := func(at time.Time) bool {
		c := time.Duration(at.Hour())*time.Hour + time.Duration(at.Minute())*time.Minute
		return cal.IsWorkingDay(at) && slices.ContainsFunc(workday.DefaultHours, func(w workday.Window) bool { return w.Start <= c && c < w.End })
	}
	years := cal.Years()
	if len(years) < 2 {
		t.Fatalf("calendar years %v", years)
	}
	var told, checked int
	for at := time.Date(years[0], 1, 1, 0, 0, 0, 0, loc); at.Year() <= years[len(years)-1]; at = at.Add(30 * time.Minute) {
		office := in(ivs[IntervalOfficeHours], at) && !in(ivs[IntervalHolidays], at)
		if office != working(at) {
			t.Errorf("%s: leaders told %v, working time %v", at.Format("Mon 2006-01-02 15:04"), office, working(at))
		}
		digest := in(ivs[IntervalDigest], at) && !in(ivs[IntervalHolidays], at)
		if want := cal.IsWorkingDay(at) && at.Hour() == 7; digest != want {
			t.Errorf("%s: digest window %v, want %v", at.Format("Mon 2006-01-02 15:04"), digest, want)
		}
		if office {
			told++
		}
		checked++
	}
	t.Logf("%d of %d half hours are office hours", told, checked)
	for name, at := range map[string]time.Time{
		"Tết (mùng 1) 2026, 09:00":               time.Date(2026, 2, 17, 9, 0, 0, 0, loc),
		"a Monday night":                         time.Date(2026, 3, 16, 22, 0, 0, 0, loc),
		"Saturday 10/01/2026 worked, 09:00 (on)": time.Date(2026, 1, 10, 9, 0, 0, 0, loc),
	} {
		on := in(ivs[IntervalOfficeHours], at) && !in(ivs[IntervalHolidays], at)
		if on != strings.HasSuffix(name, "(on)") {
			t.Errorf("%s: leaders told %v", name, on)
		}
	}
	// The test variant opens every window and mutes no day.
	open := read(true)
	for _, at := range []time.Time{time.Date(2026, 2, 17, 3, 0, 0, 0, loc), time.Date(2026, 3, 15, 23, 0, 0, 0, loc)} {
		if !in(open[IntervalOfficeHours], at) || !in(open[IntervalDigest], at) || in(open[IntervalHolidays], at) {
			t.Errorf("always-open variant closed at %s", at)
		}
	}
}

// TestAlertmanagerOptionsChecked: what cannot work is refused.
func TestAlertmanagerOptionsChecked(t *testing.T) {
	for name, edit := range map[string]func(*AlertmanagerOptions){
		"no Grafana":   func(o *AlertmanagerOptions) { o.GrafanaURL = "grafana" },
		"no boards":    func(o *AlertmanagerOptions) { o.Boards = Boards{} },
		"zero timing":  func(o *AlertmanagerOptions) { o.Digest.RepeatInterval = 0 },
		"no mailbox":   func(o *AlertmanagerOptions) { o.LeadersEmail = "" },
		"unknown zone": func(o *AlertmanagerOptions) { o.Location = "Mars/Base" },
	} {
		o, err := DefaultAlertmanagerOptions(contactInput(t, dashboards.Vi), testBoards)
		if err != nil {
			t.Fatal(err)
		}
		edit(&o)
		if _, err := AlertmanagerFiles(o); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
