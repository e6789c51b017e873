package rules

import (
	"fmt"
	"time"

	"github.com/prometheus/common/model"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/dashboards"
)

// healthAlerts watch govpulse's own sources: a source whose runs fail, a
// source whose due run has not succeeded within the stale grace (failing, or
// not running at all), a source whose last run was refused for rejecting more
// than its limit, and a source that rejects many records over an hour. Due follows the schedule (govpulse_source_next_run_timestamp_seconds),
// so an office-hours source is not stale over a weekend or a holiday.
func healthAlerts(g *gen) ([]Rule, error) {
	src := "{{ $labels.source }}"
	down := g.duration(g.forOf(catalog.AlertSourceDown))
	grace := g.duration(catalog.StaleGrace)
	window := g.duration(catalog.RejectedShareWindow)
	return []Rule{
		g.alert(catalog.AlertSourceDown, func(probe bool) string {
			return cmp(probe, catalog.SourceUp.Name, "==", "0")
		},
			g.text(
				fmt.Sprintf("Nguồn dữ liệu %s không thu thập được", src),
				fmt.Sprintf("Source %s fails to collect", src)),
			g.text(
				fmt.Sprintf("Lần thu thập gần nhất từ nguồn %s trên {{ $labels.instance }} bị lỗi, và tình trạng lỗi đã kéo dài ít nhất %s. govpulse vẫn cung cấp số liệu tốt gần nhất; nguyên nhân xem ở %s{source=\"%s\"}.", src, down, catalog.SourceErrors.Name, src),
				fmt.Sprintf("The last run of source %s on {{ $labels.instance }} failed, and it has been failing for at least %s. govpulse still serves the last good data; see %s{source=\"%s\"} for the reason.", src, down, catalog.SourceErrors.Name, src))),
		g.alert(catalog.AlertSourceStale, func(probe bool) string {
			return cmp(probe, "time() - "+catalog.SourceNextRun.Name, ">", fmt.Sprint(catalog.StaleGrace.Seconds()))
		},
			g.text(
				fmt.Sprintf("Số liệu từ nguồn %s đã cũ", src),
				fmt.Sprintf("Data of source %s is stale", src)),
			g.text(
				fmt.Sprintf("Nguồn %s trên {{ $labels.instance }} đã đến hạn thu thập từ {{ $value | humanizeDuration }} trước mà chưa có lần thu thập thành công (quá thời gian chờ %s). Số liệu đang hiển thị có thể không còn đúng.", src, grace),
				fmt.Sprintf("Source %s on {{ $labels.instance }} was due {{ $value | humanizeDuration }} ago and no run has succeeded since (grace %s). The figures shown may be out of date.", src, grace))),
		g.alert(catalog.AlertSourceRejectedLimit, func(probe bool) string {
			// Only sources that enforce a limit export it, so only they can fire.
			return cmp(probe, catalog.SourceRejectedShare.Name, ">", catalog.SourceRejectedLimit.Name)
		},
			g.text(
				fmt.Sprintf("Nguồn dữ liệu %s có tỷ lệ bản ghi bị loại vượt ngưỡng cho phép", src),
				fmt.Sprintf("Source %s rejects more records than its limit allows", src)),
			g.text(
				fmt.Sprintf("Lần thu thập gần nhất của nguồn %s trên {{ $labels.instance }} đã loại %s số bản ghi đọc được, vượt ngưỡng cho phép của nguồn (max_rejected_share, xem %s), do đó lần thu thập được xác định là không thành công (lý do %s). govpulse vẫn cung cấp số liệu tốt gần nhất; con trỏ đồng bộ (chế độ feed) không vượt qua các bản ghi bị loại, các bản ghi này sẽ được đọc lại khi hệ thống nguồn hoặc cấu hình được khắc phục. Lý do loại từng bản ghi xem ở %s.",
					src, g.percentValue(), sourceSel(catalog.SourceRejectedLimit), catalog.ReasonRejected, sourceSel(catalog.SourceRejected)),
				fmt.Sprintf("The last run of source %s on {{ $labels.instance }} rejected %s of the records it read, above the source's limit (max_rejected_share, see %s), so the run failed (reason %s). govpulse still serves the last good data, and the cursor (feed mode) did not move past the rejected records: they are read again once the upstream or the configuration is fixed. See %s for why records were rejected.",
					src, g.percentValue(), sourceSel(catalog.SourceRejectedLimit), catalog.ReasonRejected, sourceSel(catalog.SourceRejected)))),
		g.alert(catalog.AlertSourceRejectedHigh, func(probe bool) string {
			return cmp(probe, rejectedShareOver(catalog.RejectedShareWindow), ">", dashboards.Number(catalog.RejectedShareWarning))
		},
			g.text(
				fmt.Sprintf("Nguồn dữ liệu %s loại nhiều bản ghi", src),
				fmt.Sprintf("Source %s keeps rejecting records", src)),
			g.text(
				fmt.Sprintf("Trong %s qua, nguồn %s trên {{ $labels.instance }} đã loại %s số bản ghi đọc được (ngưỡng cảnh báo %s). Các lần thu thập có tỷ lệ dưới ngưỡng của nguồn vẫn thành công, nhưng số liệu đang hiển thị không bao gồm các bản ghi bị loại. Lý do loại từng bản ghi xem ở %s.",
					window, src, g.percentValue(), dashboards.Percent(catalog.RejectedShareWarning, g.Lang), sourceSel(catalog.SourceRejected)),
				fmt.Sprintf("Over the past %s, source %s on {{ $labels.instance }} rejected %s of the records it read (warning threshold %s). Runs below the source's own limit still succeed, but the figures shown leave the rejected records out. See %s for why records were rejected.",
					window, src, g.percentValue(), dashboards.Percent(catalog.RejectedShareWarning, g.Lang), sourceSel(catalog.SourceRejected)))),
	}, nil
}

// sourceSel names the alerting source's series of m in alert text.
func sourceSel(m *catalog.Metric) string {
	return m.Name + "{" + catalog.LabelSource + "=\"{{ $labels.source }}\"}"
}

// rejectedShareOver is each source's rejected share over window: rejected
// records (without the reasons that keep a record or count samples) over
// records read. Summing away only reason keeps every target label.
func rejectedShareOver(window time.Duration) string {
	w := "[" + model.Duration(window).String() + "]"
	return "sum without (" + catalog.LabelReason + ") (increase(" + sel(catalog.SourceRejected.Name, noneOf(catalog.LabelReason, catalog.NotRejectedShare)) + w + "))\n/ increase(" + catalog.SourceRead.Name + w + ")"
}
