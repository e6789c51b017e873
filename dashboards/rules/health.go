package rules

import (
	"fmt"

	"github.com/govpulse/govpulse/collector/catalog"
)

// healthAlerts watch govpulse's own sources: a source whose runs fail, and a
// source whose due run has not succeeded within the stale grace (failing, or
// not running at all). Due follows the schedule (govpulse_source_next_run_timestamp_seconds),
// so an office-hours source is not stale over a weekend or a holiday.
func healthAlerts(g *gen) ([]Rule, error) {
	src := "{{ $labels.source }}"
	down := g.duration(g.forOf(catalog.AlertSourceDown))
	grace := g.duration(catalog.StaleGrace)
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
	}, nil
}
