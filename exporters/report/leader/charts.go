package leader

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"

	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
	xfont "golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/govpulse/govpulse/dashboards"
)

// Chart sizes: drawn at the width of an A4 page's text (17 cm) and shown
// at that width, at 150 dpi so print stays sharp.
const (
	chartWidth = 17 * vg.Centimeter
	chartDPI   = 150
)

// Colours of the charts.
var (
	colBar    = color.RGBA{R: 0x1f, G: 0x5f, B: 0xa8, A: 0xff}
	colLate   = color.RGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff}
	colMax    = color.RGBA{R: 0xd5, G: 0xdb, B: 0xe3, A: 0xff}
	colTarget = color.RGBA{R: 0xe6, G: 0x7e, B: 0x00, A: 0xff}
	colGood   = color.RGBA{R: 0x2e, G: 0x7d, B: 0x32, A: 0xff}
)

// The charts' typeface: Liberation Sans, gonum's own font (a Go module,
// codeberg.org/go-fonts/liberation), which has every Vietnamese letter; the
// Go fonts lack the Latin Extended Additional block (ạ, ế, ơ's tones, …).
// No system font is needed. TestVietnameseGlyphs checks the coverage.
var (
	sansRegular = font.Font{Typeface: "Liberation", Variant: "Sans"}
	sansBold    = font.Font{Typeface: "Liberation", Variant: "Sans", Weight: xfont.WeightBold}
)

// fontFace is a parsed typeface.
type fontFace struct{ f *opentype.Font }

var regularFace, boldFace = parseFace(liberationsansregular.TTF), parseFace(liberationsansbold.TTF)

func parseFace(ttf []byte) fontFace {
	face, err := opentype.Parse(ttf)
	if err != nil {
		panic("BUG: the chart font: " + err.Error())
	}
	return fontFace{face}
}

// missing returns the letters of s the face has no glyph for.
func (f fontFace) missing(s string) string {
	var buf sfnt.Buffer
	var out []rune
	for _, r := range s {
		if i, err := f.f.GlyphIndex(&buf, r); err != nil || i == 0 && r != ' ' {
			out = append(out, r)
		}
	}
	return string(out)
}

// newPlot is a plot in the report's style.
func newPlot() *plot.Plot {
	p := plot.New()
	for _, t := range []*draw.TextStyle{&p.X.Label.TextStyle, &p.Y.Label.TextStyle, &p.X.Tick.Label, &p.Y.Tick.Label, &p.Legend.TextStyle} {
		t.Font = font.From(sansRegular, 9)
	}
	p.Title.TextStyle.Font = font.From(sansBold, 10)
	p.Legend.Top = true
	p.Legend.Left = false
	return p
}

// toPNG renders p at the report's width and height h.
func toPNG(p *plot.Plot, h vg.Length) ([]byte, error) {
	c := vgimg.NewWith(vgimg.UseWH(chartWidth, h), vgimg.UseDPI(chartDPI), vgimg.UseBackgroundColor(color.White))
	p.Draw(draw.New(c))
	var b bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&b); err != nil {
		return nil, fmt.Errorf("cannot encode a chart: %w", err)
	}
	return b.Bytes(), nil
}

// percentTicks label a percent axis in the report's language.
type percentTicks struct{ l dashboards.Lang }

func (t percentTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = dashboards.Percent(ts[i].Value/100, t.l)
		}
	}
	return ts
}

// integerTicks label whole numbers only.
type integerTicks struct{}

func (integerTicks) Ticks(lo, hi float64) []plot.Tick {
	var out []plot.Tick
	for _, t := range (plot.DefaultTicks{}).Ticks(lo, hi) {
		if t.Value != math.Trunc(t.Value) {
			continue
		}
		if t.Label != "" {
			t.Label = strconv.Itoa(int(t.Value))
		}
		out = append(out, t)
	}
	return out
}

// refLine is a dashed horizontal reference line at v from a to b (vertical:
// a vertical one).
func refLine(vertical bool, v, a, b float64, c color.Color) (*plotter.Line, error) {
	pts := plotter.XYs{{X: a, Y: v}, {X: b, Y: v}}
	if vertical {
		pts = plotter.XYs{{X: v, Y: a}, {X: v, Y: b}}
	}
	l, err := plotter.NewLine(pts)
	if err != nil {
		return nil, err
	}
	l.Color, l.Width, l.Dashes = c, vg.Points(1.5), []vg.Length{vg.Points(5), vg.Points(3)}
	return l, nil
}

// valueLabels writes texts at the end of horizontal bars.
func valueLabels(values []float64, texts []string) (*plotter.Labels, error) {
	xys := make([]plotter.XY, len(values))
	for i, v := range values {
		xys[i] = plotter.XY{X: v, Y: float64(i)}
	}
	l, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: texts})
	if err != nil {
		return nil, err
	}
	for i := range l.TextStyle {
		l.TextStyle[i].Font = font.From(sansRegular, 8)
		l.TextStyle[i].YAlign = draw.YCenter
	}
	l.Offset = vg.Point{X: vg.Points(3)}
	return l, nil
}

// hbars is a horizontal bar chart of values by names, listed top down.
func hbars(names []string, values []float64, c color.Color) (*plot.Plot, error) {
	n := len(names)
	vs := make(plotter.Values, n)
	rev := make([]string, n)
	for i := range names {
		vs[n-1-i] = values[i]
		rev[n-1-i] = names[i]
	}
	p := newPlot()
	bars, err := plotter.NewBarChart(vs, vg.Points(11))
	if err != nil {
		return nil, err
	}
	bars.Horizontal, bars.Color, bars.LineStyle.Width = true, c, 0
	p.Add(bars)
	p.NominalY(rev...)
	p.Y.Tick.Label.Font = font.From(sansRegular, 8.5)
	return p, nil
}

func reversed(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

// lateChart: the province's late rate month by month against the warning line.
func lateChart(r Report, l dashboards.Lang) ([]byte, error) {
	p := newPlot()
	var pts plotter.XYs
	ticks := make([]plot.Tick, len(r.Months))
	top := r.Threshold * 100
	for i, m := range r.Months {
		ticks[i] = plot.Tick{Value: float64(i), Label: monthLabel(m.Month, l)}
		if m.OK {
			pts = append(pts, plotter.XY{X: float64(i), Y: m.Rate * 100})
			top = math.Max(top, m.Rate*100)
		}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Tick.Marker = percentTicks{l}
	p.Y.Min, p.Y.Max = 0, top*1.4
	p.X.Min, p.X.Max = -0.5, float64(len(r.Months))-0.5
	p.Y.Label.Text = txtLateRate.In(l)
	p.Add(plotter.NewGrid())
	th, err := refLine(false, r.Threshold*100, p.X.Min, p.X.Max, colLate)
	if err != nil {
		return nil, err
	}
	p.Add(th)
	p.Legend.Add(txtThreshold(r.Threshold, l), th)
	// One line per run of months with data: a month without any is a gap.
	var run plotter.XYs
	legend := false
	flush := func() error {
		if len(run) == 0 {
			return nil
		}
		line, points, err := plotter.NewLinePoints(run)
		if err != nil {
			return err
		}
		line.Color, line.Width = colBar, vg.Points(2)
		points.Color, points.Shape, points.Radius = colBar, draw.CircleGlyph{}, vg.Points(3)
		p.Add(line, points)
		if !legend {
			p.Legend.Add(txtLateRate.In(l), line, points)
			legend = true
		}
		run = nil
		return nil
	}
	for i, m := range r.Months {
		if !m.OK {
			if err := flush(); err != nil {
				return nil, err
			}
			continue
		}
		run = append(run, plotter.XY{X: float64(i), Y: m.Rate * 100})
	}
	if err := flush(); err != nil {
		return nil, err
	}
	if len(pts) > 0 {
		texts := make([]string, len(pts))
		for i, pt := range pts {
			texts[i] = dashboards.Percent(pt.Y/100, l)
		}
		lb, err := plotter.NewLabels(plotter.XYLabels{XYs: pts, Labels: texts})
		if err != nil {
			return nil, err
		}
		for i := range lb.TextStyle {
			lb.TextStyle[i].Font = font.From(sansRegular, 7.5)
			lb.TextStyle[i].XAlign = draw.XCenter
		}
		lb.Offset = vg.Point{Y: vg.Points(5)}
		p.Add(lb)
	}
	return toPNG(p, 7*vg.Centimeter)
}

// topChart: the agencies with the highest late rate, highest first.
func topChart(r Report, l dashboards.Lang) ([]byte, error) {
	names := make([]string, len(r.Top))
	values := make([]float64, len(r.Top))
	texts := make([]string, len(r.Top))
	top := r.Threshold * 100
	for i, a := range r.Top {
		names[i], values[i], texts[i] = a.Name, a.Rate*100, dashboards.Percent(a.Rate, l)
		top = math.Max(top, values[i])
	}
	if len(names) == 0 {
		names, values, texts = []string{txtNoData.In(l)}, []float64{0}, []string{""}
	}
	p, err := hbars(names, values, colLate)
	if err != nil {
		return nil, err
	}
	p.X.Min, p.X.Max = 0, top*1.2
	p.X.Tick.Marker = percentTicks{l}
	p.X.Label.Text = txtLateRate.In(l)
	p.Legend.Top = false // the shortest bar is last
	th, err := refLine(true, r.Threshold*100, -0.5, float64(len(names))-0.5, colTarget)
	if err != nil {
		return nil, err
	}
	p.Add(th)
	p.Legend.Add(txtThreshold(r.Threshold, l), th)
	lb, err := valueLabels(reverseF(values), reversed(texts))
	if err != nil {
		return nil, err
	}
	p.Add(lb)
	return toPNG(p, vg.Length(2.2+0.75*float64(len(names)))*vg.Centimeter)
}

func reverseF(v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[len(v)-1-i] = x
	}
	return out
}

// vneidChart: the activation rate and the coverage against the target.
func vneidChart(r Report, l dashboards.Lang) ([]byte, error) {
	v := r.VNeID
	names := []string{txtActivation.In(l), txtCoverage.In(l)}
	values := []float64{v.Rate() * 100, v.Coverage() * 100}
	p, err := hbars(names, values, colBar)
	if err != nil {
		return nil, err
	}
	p.X.Min, p.X.Max = 0, 110
	p.X.Tick.Marker = percentTicks{l}
	if v.Target > 0 {
		t, err := refLine(true, v.Target*100, -0.5, 1.5, colTarget)
		if err != nil {
			return nil, err
		}
		p.Add(t)
		p.Legend.Add(txtTargetOf(v.Target, l), t)
	}
	lb, err := valueLabels(reverseF(values), reversed([]string{dashboards.Percent(v.Rate(), l), dashboards.Percent(v.Coverage(), l)}))
	if err != nil {
		return nil, err
	}
	p.Add(lb)
	return toPNG(p, 4*vg.Centimeter)
}

// qd766Chart: each group's score against its maximum.
func qd766Chart(r Report, l dashboards.Lang) ([]byte, error) {
	n := len(r.QD766)
	names := make([]string, n)
	maxes := make(plotter.Values, n)
	scores := make(plotter.Values, n)
	texts := make([]string, n)
	for i, g := range r.QD766 {
		j := n - 1 - i // top down
		names[j] = groupName(g.Group, l)
		maxes[j], scores[j] = g.Group.Max, g.Score
		texts[j] = points(g.Score, l) + " / " + points(g.Group.Max, l)
		if !g.OK {
			texts[j] = txtNoData.In(l) + " / " + points(g.Group.Max, l)
		}
	}
	p := newPlot()
	w := vg.Points(9)
	mb, err := plotter.NewBarChart(maxes, w)
	if err != nil {
		return nil, err
	}
	sb, err := plotter.NewBarChart(scores, w)
	if err != nil {
		return nil, err
	}
	mb.Horizontal, sb.Horizontal = true, true
	mb.Color, sb.Color = colMax, colGood
	mb.LineStyle.Width, sb.LineStyle.Width = 0, 0
	mb.Offset, sb.Offset = w/2, -w/2
	p.Add(mb, sb)
	p.Legend.Add(txtMaxScore.In(l), mb)
	p.Legend.Add(txtScore.In(l), sb)
	p.NominalY(names...)
	p.Y.Tick.Label.Font = font.From(sansRegular, 8.5)
	p.X.Min, p.X.Max = 0, 30
	p.X.Label.Text = txtPoints.In(l)
	lb, err := valueLabels(maxes, texts)
	if err != nil {
		return nil, err
	}
	p.Add(lb)
	return toPNG(p, 7.5*vg.Centimeter)
}

// rankChart: an index's rank by year (1 at the top) against its target.
func rankChart(ir IndexRanks, l dashboards.Lang) ([]byte, error) {
	p := newPlot()
	p.Title.Text = ir.Index.Name
	if l == dashboards.En {
		p.Title.Text = ir.Index.En
	}
	p.Y.Scale = plot.InvertedScale{Normalizer: plot.LinearScale{}}
	p.Y.Tick.Marker = integerTicks{}
	p.X.Tick.Marker = integerTicks{}
	p.Y.Label.Text = txtRank.In(l)
	p.Add(plotter.NewGrid())
	lo, hi := 1.0, 10.0
	x0, x1 := 0.0, 0.0
	var pts plotter.XYs
	for _, y := range ir.Years {
		pts = append(pts, plotter.XY{X: float64(y.Year), Y: float64(y.Rank)})
		hi = math.Max(hi, float64(y.Rank))
	}
	if len(pts) > 0 {
		x0, x1 = pts[0].X, pts[len(pts)-1].X
	}
	if ir.TargetYear > 0 && float64(ir.TargetYear) > x1 {
		x1 = float64(ir.TargetYear)
	}
	if x0 == 0 {
		x0 = x1
	}
	p.X.Min, p.X.Max = x0-0.5, x1+0.5
	if ir.Target > 0 {
		hi = math.Max(hi, float64(ir.Target))
		t, err := refLine(false, float64(ir.Target), p.X.Min, p.X.Max, colTarget)
		if err != nil {
			return nil, err
		}
		p.Add(t)
		p.Legend.Add(txtTargetRank(ir, l), t)
	}
	p.Y.Min, p.Y.Max = lo, hi*1.15
	if len(pts) > 0 {
		line, dots, err := plotter.NewLinePoints(pts)
		if err != nil {
			return nil, err
		}
		line.Color, line.Width = colBar, vg.Points(2)
		dots.Color, dots.Shape, dots.Radius = colBar, draw.CircleGlyph{}, vg.Points(3)
		p.Add(line, dots)
		p.Legend.Add(txtRank.In(l), line, dots)
		texts := make([]string, len(pts))
		for i, y := range ir.Years {
			texts[i] = strconv.Itoa(y.Rank)
			if y.Ranked > 0 {
				texts[i] += "/" + strconv.Itoa(y.Ranked)
			}
		}
		lb, err := plotter.NewLabels(plotter.XYLabels{XYs: pts, Labels: texts})
		if err != nil {
			return nil, err
		}
		for i := range lb.TextStyle {
			lb.TextStyle[i].Font = font.From(sansRegular, 8)
			lb.TextStyle[i].XAlign = draw.XCenter
		}
		lb.Offset = vg.Point{Y: vg.Points(5)}
		p.Add(lb)
	}
	p.Legend.Top, p.Legend.Left = false, false
	return toPNG(p, 6*vg.Centimeter)
}

// ratingChart: how many heads of agency have each rating.
func ratingChart(r Report, l dashboards.Lang) ([]byte, error) {
	names := make([]string, len(r.Rating))
	values := make([]float64, len(r.Rating))
	texts := make([]string, len(r.Rating))
	top := 1.0
	for i, c := range r.Rating {
		names[i] = ratingName(c.Tier, l)
		values[i] = float64(c.Count)
		texts[i] = strconv.Itoa(c.Count)
		top = math.Max(top, values[i])
	}
	p, err := hbars(names, values, colBar)
	if err != nil {
		return nil, err
	}
	p.X.Min, p.X.Max = 0, top*1.15
	p.X.Tick.Marker = integerTicks{}
	p.X.Label.Text = txtAgencies.In(l)
	lb, err := valueLabels(reverseF(values), reversed(texts))
	if err != nil {
		return nil, err
	}
	p.Add(lb)
	return toPNG(p, 5*vg.Centimeter)
}
