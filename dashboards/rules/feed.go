package rules

import (
	"fmt"
	"strings"

	"github.com/prometheus/common/model"

	"github.com/govpulse/govpulse/collector/catalog"
)

// feedRecording sums the dossiers due within a working day per province and
// agency.
func feedRecording(*gen) ([]Rule, error) {
	return []Rule{{
		Record: catalog.DueSoonSum.Name,
		Expr:   sumBy(catalog.DueSoonSum.Labels, Once(catalog.DossiersDueSoon.Name)),
	}}, nil
}

// feedAlerts: a surge of dossiers due within one working day — at least
// due_soon_min_count, and more than due_soon_surge_factor times the agency's
// average over the past week — so the agency can act before they are late.
func feedAlerts(g *gen) ([]Rule, error) {
	t := g.Thresholds
	due := catalog.DueSoonSum.Name
	window := model.Duration(catalog.SurgeWindow).String()
	who := "{{ $labels.name }}"
	return []Rule{
		g.alert(catalog.AlertDueSoonSurge, func(probe bool) string {
			// An hourly subquery: a week of the raw series is 10k samples
			// per agency at a 1m evaluation interval. Before its first full
			// hour an agency has no average: it is compared with itself,
			// which is no surge.
			return withInfo(cmp(probe, due, ">", fmt.Sprintf("%v * (avg_over_time(%s[%s:1h]) or %s)", t.DueSoonSurgeFactor, due, window, due))+
				"\n  and "+onAgency()+"\n  "+
				cmp(probe, due, ">=", fmt.Sprint(t.DueSoonMinCount)),
				catalog.LabelName, catalog.LabelLevel)
		},
			g.text(
				fmt.Sprintf("%s có %s hồ sơ sắp đến hạn trong một ngày làm việc, tăng đột biến", who, g.countValue()),
				fmt.Sprintf("%s has a surge of {{ $value }} dossiers due within one working day", who)),
			g.text(
				fmt.Sprintf("%s (mã định danh {{ $labels.agency }}) có {{ $value }} hồ sơ đang giải quyết sẽ đến hạn trong vòng một ngày làm việc, nhiều hơn %s lần mức trung bình 7 ngày qua (và từ %d hồ sơ trở lên). Cần ưu tiên xử lý để không bị %s.", who, strings.ReplaceAll(fmt.Sprint(t.DueSoonSurgeFactor), ".", ","), t.DueSoonMinCount, catalog.Late.Vi),
				fmt.Sprintf("%s (e-ID code {{ $labels.agency }}) has {{ $value }} dossiers in progress due within one working day, more than %v times its average of the past 7 days (and at least %d). Handle them first, before they are late.", who, t.DueSoonSurgeFactor, t.DueSoonMinCount))).
			annotate(
				AnnTitle, g.text("Hồ sơ sắp đến hạn tăng đột biến", "Surge of dossiers due within one working day"),
				AnnValue, g.countValue()+g.text(" hồ sơ", " dossiers"),
				AnnThreshold, g.text(fmt.Sprintf("trên %s lần trung bình 7 ngày, từ %d hồ sơ", strings.ReplaceAll(fmt.Sprint(t.DueSoonSurgeFactor), ".", ","), t.DueSoonMinCount),
					fmt.Sprintf("over %v times the 7-day average, at least %d", t.DueSoonSurgeFactor, t.DueSoonMinCount)),
				AnnPeriod, g.text("trong một ngày làm việc tới", "within the next working day"),
				AnnAction, g.text("Đề nghị bố trí cán bộ ưu tiên giải quyết các hồ sơ sắp đến hạn trong ngày làm việc tới.",
					"Assign staff to the dossiers falling due in the next working day first.")),
	}, nil
}
