package rules

import (
	"fmt"

	"github.com/govpulse/govpulse/collector/catalog"
)

// healthAlerts watch govpulse's own sources: a source whose runs fail, and a
// source whose last good data is older than two schedule intervals (failing,
// or not running at all).
func healthAlerts(g *gen) ([]Rule, error) {
	src := "{{ $labels.source }}"
	down := g.duration(g.forOf(catalog.AlertSourceDown))
	return []Rule{
		g.alert(catalog.AlertSourceDown, func(probe bool) string {
			return cmp(probe, catalog.SourceUp.Name, "==", "0")
		}, nil,
			g.text(
				fmt.Sprintf("Nguồn dữ liệu %s không thu thập được", src),
				fmt.Sprintf("Source %s fails to collect", src)),
			g.text(
				fmt.Sprintf("Lần thu thập gần nhất từ nguồn %s trên {{ $labels.instance }} bị lỗi, và tình trạng lỗi đã kéo dài ít nhất %s. govpulse vẫn cung cấp số liệu tốt gần nhất; nguyên nhân xem ở %s{source=\"%s\"}.", src, down, catalog.SourceErrors.Name, src),
				fmt.Sprintf("The last run of source %s on {{ $labels.instance }} failed, and it has been failing for at least %s. govpulse still serves the last good data; see %s{source=\"%s\"} for the reason.", src, down, catalog.SourceErrors.Name, src))),
		g.alert(catalog.AlertSourceStale, func(probe bool) string {
			return cmp(probe, "time() - "+catalog.SourceLastSuccess.Name, ">", fmt.Sprint(catalog.StaleIntervals)+" * "+catalog.SourceSchedule.Name)
		}, nil,
			g.text(
				fmt.Sprintf("Số liệu từ nguồn %s đã cũ", src),
				fmt.Sprintf("Data of source %s is stale", src)),
			g.text(
				fmt.Sprintf("Lần thu thập thành công gần nhất từ nguồn %s trên {{ $labels.instance }} đã cách đây {{ $value | humanizeDuration }}, quá %d lần chu kỳ thu thập. Số liệu đang hiển thị có thể không còn đúng.", src, catalog.StaleIntervals),
				fmt.Sprintf("The last successful run of source %s on {{ $labels.instance }} was {{ $value | humanizeDuration }} ago, more than %d schedule intervals. The figures shown may be out of date.", src, catalog.StaleIntervals))),
	}, nil
}
