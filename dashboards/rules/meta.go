package rules

import (
	"fmt"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/dashboards"
)

// Annotations linking every alert to its runbook (docs/runbooks/<alert>.md,
// in Vietnamese) and to the Grafana board that shows what it is about.
// runbook_url is the name Grafana and the Prometheus community use.
const (
	AnnRunbookURL = "runbook_url"
	AnnDashboard  = "dashboard"
)

// boardLink is the board an alert's dashboard annotation opens.
type boardLink struct {
	uid string
	// agency opens the board on the alert's agency (its province and agency
	// labels), every level selected so that the agency is among the choices.
	agency bool
}

// alertBoards: an agency's alerts open the agency drill-down on that agency;
// the portal's sync rate the overview, whose portal row shows it; govpulse's
// own alerts the collector-health board. An alert missing here fails the
// generation.
var alertBoards = map[string]boardLink{
	catalog.AlertLateRateWarning.Name:     {uid: dashboards.BoardAgency, agency: true},
	catalog.AlertLateRateCritical.Name:    {uid: dashboards.BoardAgency, agency: true},
	catalog.AlertDossiersOverdue.Name:     {uid: dashboards.BoardAgency, agency: true},
	catalog.AlertOverdueDigest.Name:       {uid: dashboards.BoardOverview},
	catalog.AlertDueSoonSurge.Name:        {uid: dashboards.BoardAgency, agency: true},
	catalog.AlertSyncRateLow.Name:         {uid: dashboards.BoardOverview},
	catalog.AlertManualBehind.Name:        {uid: dashboards.BoardOverview},
	catalog.AlertSourceDown.Name:          {uid: dashboards.BoardHealth},
	catalog.AlertSourceStale.Name:         {uid: dashboards.BoardHealth},
	catalog.AlertSourceRejectedLimit.Name: {uid: dashboards.BoardHealth},
	catalog.AlertSourceRejectedHigh.Name:  {uid: dashboards.BoardHealth},
	catalog.AlertGovpulseDown.Name:        {uid: dashboards.BoardHealth},
	catalog.AlertGovpulseAbsent.Name:      {uid: dashboards.BoardHealth},
	catalog.AlertScrapeSlow.Name:          {uid: dashboards.BoardHealth},
	catalog.AlertConfigReloadFailed.Name:  {uid: dashboards.BoardHealth},
}

// AlertBoard returns the uid of the board alert links to, and the variables
// it sets (label names of the agency board's variables), for tests. An
// agency's link also sets the province variable when the alert has one.
func AlertBoard(alert string) (uid string, vars []string, ok bool) {
	b, ok := alertBoards[alert]
	if b.agency {
		vars = []string{catalog.LabelLevel, catalog.LabelAgency}
	}
	return b.uid, vars, ok
}

// link adds the runbook_url and dashboard annotations to every alert of rs.
func (g *gen) link(rs []Rule) error {
	if err := g.Links.Check(); err != nil {
		return err
	}
	for i := range rs {
		r := &rs[i]
		if r.Alert == "" {
			continue
		}
		b, ok := alertBoards[r.Alert]
		if !ok {
			return fmt.Errorf("alert %s links to no board: add it to alertBoards in dashboards/rules/meta.go, and write its runbook %s/%s.md", r.Alert, catalog.RunbookDir, r.Alert)
		}
		var vars []string
		province := ""
		if b.agency {
			vars = []string{catalog.LabelLevel, "$__all", catalog.LabelAgency, "{{ $labels." + catalog.LabelAgency + " }}"}
			// And the agency's province, when the alert has one: an agency's
			// code names an agency in each province. (Other boards open on
			// their first province: an optional "?" would change their URL
			// for alerts without the label.)
			province = "{{ with $labels." + catalog.LabelProvince + " }}&var-" + catalog.LabelProvince + "={{ . }}{{ end }}"
		}
		r.Annotations[AnnRunbookURL] = g.Links.Runbook(r.Alert)
		r.Annotations[AnnDashboard] = g.Links.Board(b.uid, vars...) + province
	}
	return nil
}

// metaAlerts watch govpulse from the Prometheus that scrapes it
// (docs/design.md §9): its target down, no target at all, scrapes close to
// their timeout, and a refused config reload. The first three read
// Prometheus' own series of the scrape job; the last govpulse's reload gauge.
func metaAlerts(g *gen) ([]Rule, error) {
	job := eq(catalog.LabelJob, catalog.ScrapeJob)
	up := sel(catalog.PromUp, job)
	inst := "{{ $labels." + catalog.LabelInstance + " }}"
	timeout := g.duration(catalog.ScrapeTimeout)
	slow := g.duration(catalog.ScrapeSlowThreshold)
	share := dashboards.Percent(catalog.ScrapeSlowShare, g.Lang)
	return []Rule{
		g.alert(catalog.AlertGovpulseDown, func(probe bool) string {
			return cmp(probe, up, "==", "0")
		},
			g.text(
				fmt.Sprintf("Prometheus không thu thập được số liệu từ govpulse trên %s", inst),
				fmt.Sprintf("Prometheus cannot scrape govpulse on %s", inst)),
			g.text(
				fmt.Sprintf("Mọi lần Prometheus thu thập số liệu (scrape) từ govpulse trên %s (job {{ $labels.job }}) đều thất bại trong ít nhất %s: tiến trình govpulse đã dừng, máy chủ hoặc địa chỉ /metrics không truy cập được, hoặc mỗi lần thu thập vượt quá thời gian chờ %s. Trong thời gian này các bảng điều khiển không có số liệu mới, và các cảnh báo về hồ sơ và nguồn dữ liệu không được đánh giá.",
					inst, g.duration(g.forOf(catalog.AlertGovpulseDown)), timeout),
				fmt.Sprintf("Every scrape of govpulse on %s (job {{ $labels.job }}) has failed for at least %s: the govpulse process has stopped, its host or /metrics address cannot be reached, or each scrape runs past the %s timeout. Meanwhile the boards get no new figures, and no alert on dossiers or sources is evaluated.",
					inst, g.duration(g.forOf(catalog.AlertGovpulseDown)), timeout))),
		g.alert(catalog.AlertGovpulseAbsent, func(probe bool) string {
			// absent() returns a series only while nothing matches: its
			// probe is the selector it judges, which must match real data.
			if probe {
				return up
			}
			return "absent(" + up + ")"
		},
			g.text(
				fmt.Sprintf("Prometheus không còn theo dõi govpulse (job %s)", catalog.ScrapeJob),
				fmt.Sprintf("Prometheus has no govpulse target (job %s)", catalog.ScrapeJob)),
			g.text(
				fmt.Sprintf("Prometheus không có chuỗi %s trong ít nhất %s: cấu hình Prometheus không còn job %s trong scrape_configs, job đã bị đổi tên, hoặc cơ chế phát hiện dịch vụ không còn tìm thấy govpulse. Khi đó không có số liệu mới, và cảnh báo %s cũng không thể kích hoạt.",
					up, g.duration(g.forOf(catalog.AlertGovpulseAbsent)), catalog.ScrapeJob, catalog.AlertGovpulseDown.Name),
				fmt.Sprintf("Prometheus has had no %s series for at least %s: its configuration no longer has the %s job in scrape_configs, the job was renamed, or service discovery no longer finds govpulse. No new figures arrive, and %s cannot fire either.",
					up, g.duration(g.forOf(catalog.AlertGovpulseAbsent)), catalog.ScrapeJob, catalog.AlertGovpulseDown.Name))),
		g.alert(catalog.AlertScrapeSlow, func(probe bool) string {
			return cmp(probe, sel(catalog.PromScrapeDuration, job), ">", dashboards.Number(catalog.ScrapeSlowThreshold.Seconds()))
		},
			g.text(
				fmt.Sprintf("Prometheus thu thập số liệu từ govpulse trên %s chậm", inst),
				fmt.Sprintf("Scrapes of govpulse on %s are slow", inst)),
			g.text(
				fmt.Sprintf("Lần thu thập số liệu gần nhất từ govpulse trên %s mất {{ $value | humanizeDuration }}, và các lần thu thập đã lâu hơn %s (%s thời gian chờ %s của job %s) trong ít nhất %s. govpulse chỉ gửi số liệu đã chuẩn bị sẵn, nên nguyên nhân thường là máy chủ quá tải hoặc mạng chậm. Lần thu thập vượt quá thời gian chờ sẽ bị hủy và govpulse được xem là ngừng hoạt động (%s).",
					inst, slow, share, timeout, catalog.ScrapeJob, g.duration(g.forOf(catalog.AlertScrapeSlow)), catalog.AlertGovpulseDown.Name),
				fmt.Sprintf("The last scrape of govpulse on %s took {{ $value | humanizeDuration }}, and scrapes have taken longer than %s (%s of the %s job's %s timeout) for at least %s. govpulse only sends figures it prepared beforehand, so the cause is usually an overloaded host or a slow network. A scrape past the timeout is cut off and govpulse counts as down (%s).",
					inst, slow, share, catalog.ScrapeJob, timeout, g.duration(g.forOf(catalog.AlertScrapeSlow)), catalog.AlertGovpulseDown.Name))),
		g.alert(catalog.AlertConfigReloadFailed, func(probe bool) string {
			return cmp(probe, catalog.ConfigReloadSuccess.Name, "==", "0")
		},
			g.text(
				fmt.Sprintf("govpulse trên %s từ chối nạp lại cấu hình", inst),
				fmt.Sprintf("govpulse on %s refused to reload its config", inst)),
			g.text(
				fmt.Sprintf("Lần nạp lại cấu hình gần nhất của govpulse trên %s (SIGHUP, systemctl reload hoặc POST /-/reload) đã bị từ chối vì cấu hình mới không hợp lệ hoặc không tạo được nguồn dữ liệu, và trong ít nhất %s chưa có lần nạp lại nào thành công. govpulse vẫn chạy với cấu hình trước đó, nên thay đổi chưa có hiệu lực. Lỗi (tệp, dòng, khóa cấu hình) có trong nhật ký của govpulse, dòng \"config not reloaded\"; kiểm tra tệp bằng lệnh govpulse check --config.file.",
					inst, g.duration(g.forOf(catalog.AlertConfigReloadFailed))),
				fmt.Sprintf("The last config reload of govpulse on %s (SIGHUP, systemctl reload or POST /-/reload) was refused, because the new config is invalid or its sources could not be built, and no reload has succeeded for at least %s. govpulse runs on with the previous config, so the change has not taken effect. The error (file, line, key) is in govpulse's log, line \"config not reloaded\"; check the file with govpulse check --config.file.",
					inst, g.duration(g.forOf(catalog.AlertConfigReloadFailed))))),
	}, nil
}
