package leader

import (
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/dashboards"
)

// Render writes r as one self-contained HTML page in language l: inline
// CSS, the charts as PNG data: URIs, no script and nothing fetched at view
// time. Its print CSS lays it out on A4 (PDF).
func Render(w io.Writer, r Report, l dashboards.Lang) error {
	v, err := view(r, l)
	if err != nil {
		return err
	}
	if err := pageTemplate.Execute(w, v); err != nil {
		return fmt.Errorf("cannot write the report: %w", err)
	}
	return nil
}

// Title is the report's title (its h1) in language l.
func Title(l dashboards.Lang) string { return txtTitle.In(l) }

// Headings are the report's section headings in language l, in order.
func Headings(l dashboards.Lang) []string {
	return []string{txtH12.In(l), txtHTop.In(l), txtHVNeID.In(l), txtH766.In(l), txtHRanks.In(l), txtHRating.In(l)}
}

type section struct {
	Heading string
	Note    string
	Charts  []chart
	Head    []string
	Rows    [][]string
	// Lists are named lists of agencies below the table.
	Lists []namedList
}

type chart struct {
	Alt string
	Src template.URL
}

type namedList struct {
	Title string
	Items []string
}

type pageView struct {
	Lang, Title, Meta string
	Sections          []section
	Footer            string
}

func dataURI(png []byte) template.URL {
	// The PNG is ours, base64 has no character a URL attribute must escape.
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)) //nolint:gosec // our own PNG
}

func view(r Report, l dashboards.Lang) (pageView, error) {
	// Sections without data still list the catalog's groups and tiers.
	if len(r.QD766) == 0 {
		for _, g := range catalog.QD766Groups {
			r.QD766 = append(r.QD766, GroupScore{Group: g})
		}
	}
	if len(r.Rating) == 0 {
		for _, t := range catalog.RatingTiers {
			r.Rating = append(r.Rating, RatingCount{Tier: t})
		}
	}
	pct := func(v float64) string { return dashboards.Percent(v, l) }
	h := Headings(l)
	mk := func(alt string, draw func(Report, dashboards.Lang) ([]byte, error)) (chart, error) {
		b, err := draw(r, l)
		if err != nil {
			return chart{}, fmt.Errorf("chart %q: %w", alt, err)
		}
		return chart{Alt: alt, Src: dataURI(b)}, nil
	}
	var secs []section

	// 1. Twelve months.
	c, err := mk(h[0], lateChart)
	if err != nil {
		return pageView{}, err
	}
	s := section{Heading: h[0], Charts: []chart{c}, Head: []string{txtMonth.In(l), txtLateRate.In(l), txtResolved.In(l)},
		Note: txtThreshold(r.Threshold, l) + "."}
	for _, m := range r.Months {
		rate := txtNoData.In(l)
		if m.OK {
			rate = pct(m.Rate)
		}
		s.Rows = append(s.Rows, []string{monthLabel(m.Month, l), rate, count(m.Resolved, l)})
	}
	secs = append(secs, s)

	// 2. Top agencies of the last month.
	if c, err = mk(h[1], topChart); err != nil {
		return pageView{}, err
	}
	s = section{Heading: h[1], Charts: []chart{c}, Head: []string{txtNo.In(l), txtAgency.In(l), txtLateRate.In(l), txtResolved.In(l)}}
	if len(r.Months) > 0 {
		s.Note = txtTopMonth(r.Months[len(r.Months)-1].Month, l) + txtTopMonthEnd(r.MinVolume, l)
	}
	for i, a := range r.Top {
		s.Rows = append(s.Rows, []string{strconv.Itoa(i + 1), a.Name, pct(a.Rate), count(a.Resolved, l)})
	}
	secs = append(secs, s)

	// 3. VNeID.
	if c, err = mk(h[2], vneidChart); err != nil {
		return pageView{}, err
	}
	v := r.VNeID
	s = section{Heading: h[2], Charts: []chart{c}, Head: []string{"", ""}, Rows: [][]string{
		{txtIssued.In(l), count(v.Issued, l)},
		{txtActivated.In(l), count(v.Activated, l)},
		{txtPopulation.In(l), count(v.Population, l)},
		{txtActivation.In(l), pct(v.Rate())},
		{txtCoverage.In(l), pct(v.Coverage())},
		{txtTarget.In(l), pct(v.Target)},
	}}
	if !v.AsOf.IsZero() {
		s.Note = txtAsOf.In(l) + " " + date(v.AsOf, l) + "."
	}
	secs = append(secs, s)

	// 4. Decision 766.
	if c, err = mk(h[3], qd766Chart); err != nil {
		return pageView{}, err
	}
	s = section{Heading: h[3], Charts: []chart{c}, Head: []string{txtGroup.In(l), txtScore.In(l), txtMaxScore.In(l)}}
	var total, max float64
	for _, g := range r.QD766 {
		score := txtNoData.In(l)
		if g.OK {
			score = points(g.Score, l)
			total += g.Score
		}
		max += g.Group.Max
		s.Rows = append(s.Rows, []string{groupName(g.Group, l), score, points(g.Group.Max, l)})
	}
	s.Rows = append(s.Rows, []string{txtTotal.In(l), points(total, l), points(max, l)})
	secs = append(secs, s)

	// 5. Ranks.
	s = section{Heading: h[4], Head: []string{txtYear.In(l)}}
	years := map[int]bool{}
	for _, ir := range r.Ranks {
		b, err := rankChart(ir, l)
		if err != nil {
			return pageView{}, fmt.Errorf("chart %q: %w", indexName(ir.Index, l), err)
		}
		s.Charts = append(s.Charts, chart{Alt: indexName(ir.Index, l), Src: dataURI(b)})
		s.Head = append(s.Head, indexName(ir.Index, l))
		for _, y := range ir.Years {
			years[y.Year] = true
		}
	}
	for _, y := range slices.Sorted(maps.Keys(years)) {
		row := []string{strconv.Itoa(y)}
		for _, ir := range r.Ranks {
			cell := "–"
			for _, yr := range ir.Years {
				if yr.Year == y {
					cell = strconv.Itoa(yr.Rank)
					if yr.Ranked > 0 {
						cell += "/" + strconv.Itoa(yr.Ranked)
					}
				}
			}
			row = append(row, cell)
		}
		s.Rows = append(s.Rows, row)
	}
	target := []string{txtTarget.In(l)}
	for _, ir := range r.Ranks {
		cell := "–"
		if ir.Target > 0 {
			cell = txtTargetRank(ir, l)
		}
		target = append(target, cell)
	}
	s.Rows = append(s.Rows, target)
	secs = append(secs, s)

	// 6. Ratings.
	if c, err = mk(h[5], ratingChart); err != nil {
		return pageView{}, err
	}
	s = section{Heading: h[5], Charts: []chart{c}, Head: []string{txtRating.In(l), txtAgencies.In(l)}}
	for _, rc := range r.Rating {
		s.Rows = append(s.Rows, []string{ratingName(rc.Tier, l), strconv.Itoa(rc.Count)})
	}
	none := []string{txtNone.In(l)}
	orNone := func(xs []string) []string {
		if len(xs) == 0 {
			return none
		}
		return xs
	}
	s.Lists = []namedList{{txtNotDone.In(l), orNone(r.NotCompleted)}, {txtCapped.In(l), orNone(r.Capped)}}
	secs = append(secs, s)

	meta := []string{txtProvince.In(l) + ": " + r.ProvinceName, txtAsOf.In(l) + ": " + dateTime(r.AsOf, l)}
	return pageView{Lang: string(l), Title: txtTitle.In(l), Meta: strings.Join(meta, " · "), Sections: secs, Footer: txtSource.In(l)}, nil
}

// pageTemplate is the report's template. Its CSS lays the page out at A4 width on
// screen and on A4 paper in print; nothing is loaded from elsewhere.
var pageTemplate = template.Must(template.New("leader").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
@page { size: A4; margin: 12mm 14mm; }
* { box-sizing: border-box; }
html { background: #fff; }
body { margin: 0 auto; max-width: 210mm; padding: 10mm 14mm; color: #1a1a1a;
  font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10.5pt; line-height: 1.35; }
h1 { font-size: 16pt; margin: 0 0 2mm; color: #123e6f; overflow-wrap: anywhere; }
.meta { margin: 0 0 5mm; color: #444; overflow-wrap: anywhere; }
h2 { font-size: 12.5pt; margin: 6mm 0 2mm; color: #123e6f; border-bottom: 1px solid #c9d3df; padding-bottom: 1mm;
  break-after: avoid; overflow-wrap: anywhere; }
section { break-inside: avoid-page; }
.note { margin: 1mm 0 2mm; color: #444; font-size: 9.5pt; overflow-wrap: anywhere; }
img { display: block; width: 100%; height: auto; margin: 1mm 0 2mm; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; font-size: 9.5pt; margin: 1mm 0 2mm; }
th, td { border: 1px solid #d5dbe3; padding: 1mm 2mm; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #eef2f7; }
thead th:empty { display: none; }
ul { margin: 1mm 0 2mm 5mm; padding: 0 0 0 4mm; overflow-wrap: anywhere; }
h3 { font-size: 10.5pt; margin: 2mm 0 1mm; overflow-wrap: anywhere; }
footer { margin-top: 6mm; color: #666; font-size: 8.5pt; }
@media print { body { max-width: none; padding: 0; } }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p class="meta">{{.Meta}}</p>
{{range .Sections}}<section>
<h2>{{.Heading}}</h2>
{{with .Note}}<p class="note">{{.}}</p>
{{end}}{{range .Charts}}<img alt="{{.Alt}}" src="{{.Src}}">
{{end}}<table>
<thead><tr>{{range .Head}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
{{range .Lists}}<h3>{{.Title}}</h3>
<ul>{{range .Items}}<li>{{.}}</li>{{end}}</ul>
{{end}}</section>
{{end}}<footer>{{.Footer}}</footer>
</body>
</html>
`))
