package chart

import (
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// newPlot makes a plot body in the house style: no title (the figure draws it), light
// grid lines behind the data, the figure's font at fixed sizes.
func (f *Figure) newPlot(xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.X.Label.Text, p.Y.Label.Text = xLabel, yLabel
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font = f.font.font(labelSize, false)
		ax.Label.TextStyle.Color = inkColor
		ax.Tick.Label.Font = f.font.font(tickSize, false)
		ax.Tick.Label.Color = inkColor
		ax.Color, ax.Tick.Color = mutedColor, mutedColor
		ax.Padding = vg.Points(2)
		ax.Tick.Marker = readableTicks{}
	}
	p.Legend.TextStyle.Font = f.font.font(legendSize, false)
	p.Title.TextStyle.Font = f.font.font(titleSize, true)
	f.Plot = p
	return p
}

// grid adds light reference lines along the value axis.
func grid(p *plot.Plot, vertical bool) {
	g := plotter.NewGrid()
	g.Horizontal.Color, g.Vertical.Color = gridColor, gridColor
	g.Horizontal.Width, g.Vertical.Width = vg.Points(0.5), vg.Points(0.5)
	if vertical {
		g.Horizontal.Color = nil
	} else {
		g.Vertical.Color = nil
	}
	p.Add(g)
}

// bar is one bar: its position on the category axis (in data units, offsets for side
// by side series included), value, fill and optional end label.
type bar struct {
	Cat   float64
	Value float64
	Color color.Color
	Label string
}

// bars draws bars with their own colours, vertical or horizontal, Width wide in
// category units (so they scale with the chart), with optional value labels.
type bars struct {
	Items      []bar
	Width      float64
	Horizontal bool
	Outline    draw.LineStyle
	Text       text.Style
	Fill       color.Color // legend thumbnail colour
}

func newBars(f *Figure, width float64, horizontal bool, fill color.Color) *bars {
	return &bars{Width: width, Horizontal: horizontal, Text: f.textStyle(valueSize, false, inkColor), Fill: fill,
		Outline: draw.LineStyle{Color: outlineColor, Width: vg.Points(0.4)}}
}

func (b *bars) add(cat, value float64, c color.Color, label string) {
	if c == nil {
		c = b.Fill
	}
	b.Items = append(b.Items, bar{Cat: cat, Value: value, Color: c, Label: label})
}

func (b *bars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, it := range b.Items {
		if math.IsNaN(it.Value) {
			continue
		}
		lo, hi := it.Cat-b.Width/2, it.Cat+b.Width/2
		var pts []vg.Point
		var end vg.Point
		if b.Horizontal {
			x0, x1 := trX(0), trX(it.Value)
			pts = []vg.Point{{X: x0, Y: trY(lo)}, {X: x1, Y: trY(lo)}, {X: x1, Y: trY(hi)}, {X: x0, Y: trY(hi)}}
			end = vg.Point{X: x1, Y: trY(it.Cat)}
		} else {
			y0, y1 := trY(0), trY(it.Value)
			pts = []vg.Point{{X: trX(lo), Y: y0}, {X: trX(lo), Y: y1}, {X: trX(hi), Y: y1}, {X: trX(hi), Y: y0}}
			end = vg.Point{X: trX(it.Cat), Y: y1}
		}
		if it.Value != 0 {
			c.FillPolygon(it.Color, pts)
			c.StrokeLines(b.Outline, append(pts, pts[0]))
		}
		if it.Label == "" {
			continue
		}
		st := b.Text
		if b.Horizontal {
			st.YAlign = draw.YCenter
			if it.Value < 0 {
				st.XAlign, end.X = draw.XRight, end.X-vg.Points(2)
			} else {
				end.X += vg.Points(2)
			}
		} else {
			st.XAlign = draw.XCenter
			if it.Value < 0 {
				st.YAlign, end.Y = draw.YTop, end.Y-vg.Points(1.5)
			} else {
				end.Y += vg.Points(1.5)
			}
		}
		c.FillText(st, end, it.Label)
	}
}

func (b *bars) DataRange() (xmin, xmax, ymin, ymax float64) {
	cmin, cmax, vmin, vmax := math.Inf(1), math.Inf(-1), 0.0, 0.0
	for _, it := range b.Items {
		cmin, cmax = math.Min(cmin, it.Cat-b.Width/2), math.Max(cmax, it.Cat+b.Width/2)
		if !math.IsNaN(it.Value) {
			vmin, vmax = math.Min(vmin, it.Value), math.Max(vmax, it.Value)
		}
	}
	if b.Horizontal {
		return vmin, vmax, cmin, cmax
	}
	return cmin, cmax, vmin, vmax
}

// GlyphBoxes keep value labels inside the plot area.
func (b *bars) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	var out []plot.GlyphBox
	for _, it := range b.Items {
		if math.IsNaN(it.Value) || it.Label == "" {
			continue
		}
		lw := b.Text.Width(it.Label) + vg.Points(3)
		lh := b.Text.Height(it.Label) + vg.Points(2)
		var box plot.GlyphBox
		if b.Horizontal {
			box.X, box.Y = p.X.Norm(it.Value), p.Y.Norm(it.Cat)
			box.Rectangle = vg.Rectangle{Min: vg.Point{Y: -lh / 2}, Max: vg.Point{X: lw, Y: lh / 2}}
			if it.Value < 0 {
				box.Rectangle.Min.X, box.Rectangle.Max.X = -lw, 0
			}
		} else {
			box.X, box.Y = p.X.Norm(it.Cat), p.Y.Norm(it.Value)
			box.Rectangle = vg.Rectangle{Min: vg.Point{X: -lw / 2}, Max: vg.Point{X: lw / 2, Y: lh}}
			if it.Value < 0 {
				box.Rectangle.Min.Y, box.Rectangle.Max.Y = -lh, 0
			}
		}
		out = append(out, box)
	}
	return out
}

// Thumbnail draws the legend swatch.
func (b *bars) Thumbnail(c *draw.Canvas) { swatchThumb{b.Fill}.Thumbnail(c) }

// swatchThumb is a legend thumbnail: a filled, outlined box.
type swatchThumb struct{ c color.Color }

func (s swatchThumb) Thumbnail(c *draw.Canvas) {
	r := c.Rectangle
	pts := []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}}
	c.FillPolygon(s.c, pts)
	c.StrokeLines(draw.LineStyle{Color: outlineColor, Width: vg.Points(0.4)}, append(pts, pts[0]))
}

func swatchOf(c color.Color) plot.Thumbnailer { return swatchThumb{c} }

// invertedTicks labels an axis that plots -rank, so rank 1 sits at the top.
type invertedTicks struct{}

func (invertedTicks) Ticks(min, max float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(-max, -min)
	out := make([]plot.Tick, 0, len(ts)+1)
	for _, t := range ts {
		if t.Value < 1 && t.Label != "" {
			continue
		}
		lbl := ""
		if t.Label != "" {
			lbl = strconv.FormatFloat(t.Value, 'f', -1, 64)
		}
		out = append(out, plot.Tick{Value: -t.Value, Label: lbl})
	}
	for _, t := range out {
		if t.Value == -1 && t.Label != "" {
			return out
		}
	}
	return append(out, plot.Tick{Value: -1, Label: "1"})
}

// intTicks labels whole numbers only (years, counts).
type intTicks struct{ values []float64 }

func (t intTicks) Ticks(min, max float64) []plot.Tick {
	if len(t.values) > 0 {
		var out []plot.Tick
		for _, v := range t.values {
			out = append(out, plot.Tick{Value: v, Label: strconv.Itoa(int(v))})
		}
		return out
	}
	var out []plot.Tick
	for _, tk := range (plot.DefaultTicks{}).Ticks(min, max) {
		if tk.Label != "" && tk.Value != math.Trunc(tk.Value) {
			continue
		}
		if tk.Label != "" {
			tk.Label = strconv.Itoa(int(tk.Value))
		}
		out = append(out, tk)
	}
	return out
}

// readableTicks labels 4 to 8 round values (a finer scale than gonum's default, which
// labels about three), with an unlabelled minor tick between labels.
type readableTicks struct{}

func (readableTicks) Ticks(min, max float64) []plot.Tick {
	span := max - min
	if !(span > 0) || math.IsInf(span, 0) {
		return plot.DefaultTicks{}.Ticks(min, max)
	}
	mag := math.Pow(10, math.Floor(math.Log10(span)))
	step := mag
	for _, m := range []float64{0.1, 0.2, 0.5, 1, 2, 5, 10} {
		step = m * mag
		if span/step <= 8 {
			break
		}
	}
	decimals := 0
	if step < 1 {
		decimals = int(math.Ceil(-math.Log10(step) - 1e-9))
		if math.Abs(step*math.Pow(10, float64(decimals))-math.Round(step*math.Pow(10, float64(decimals)))) > 1e-9 {
			decimals++
		}
	}
	var out []plot.Tick
	start := math.Ceil(min/step-1e-9) * step
	for v := start; v <= max+step*1e-9; v += step {
		out = append(out, plot.Tick{Value: v, Label: strconv.FormatFloat(v+0, 'f', decimals, 64)})
		if half := v + step/2; half <= max {
			out = append(out, plot.Tick{Value: half})
		}
	}
	if half := start - step/2; half >= min {
		out = append(out, plot.Tick{Value: half})
	}
	return out
}
