package chart

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"strings"

	xfont "golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/egdi/egdi/internal/output"
)

// Figure is a chart ready to render: the plot body, its title, legend entries, source
// line, and the data it draws.
type Figure struct {
	Kind   string
	Title  string
	Source []string // source lines under the plot
	Legend []LegendEntry
	Plot   *plot.Plot
	// Data is the table of values the chart draws, in the units of its axes.
	Data *output.Table
	// Width and Height are the default size; DefaultHeight grows with the number of bars.
	Width, Height vg.Length

	font *Font
}

// LegendEntry is one item of the legend row; Thumb may be nil for a text-only entry
// (such as a correlation).
type LegendEntry struct {
	Label string
	Thumb plot.Thumbnailer
}

// Labels are the texts a reader sees in the chart (title, legend, source), for tests.
func (f *Figure) Labels() []string {
	out := []string{f.Title}
	for _, e := range f.Legend {
		out = append(out, e.Label)
	}
	return append(out, f.Source...)
}

// Formats are the file types charts render to.
var Formats = []string{"png", "svg", "pdf"}

// FormatOf returns the output format a file name asks for.
func FormatOf(path string) (string, error) {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	for _, f := range Formats {
		if ext == f {
			return f, nil
		}
	}
	if ext == "" {
		return "", fmt.Errorf("%s: no file extension; name the output .png, .svg or .pdf", path)
	}
	return "", fmt.Errorf("%s: cannot draw .%s files; name the output .png, .svg or .pdf", path, ext)
}

// RenderOptions size the output.
type RenderOptions struct {
	Width, Height vg.Length // 0: the figure's default
	DPI           int       // PNG only; 0: 200
}

// Render draws the figure in format (png, svg or pdf).
// maxPixels bounds a PNG: 150 megapixels (a 60×40 cm poster at 1200 dpi is 520; at
// 600 dpi, 130), 600 MB of image in memory.
const maxPixels = 150_000_000

func (f *Figure) Render(format string, o RenderOptions) ([]byte, error) {
	w, h := o.Width, o.Height
	if w == 0 {
		w = f.Width
	}
	if h == 0 {
		h = f.Height
	}
	if w < vg.Centimeter*4 || h < vg.Centimeter*3 {
		return nil, fmt.Errorf("chart size %.1f×%.1f cm is too small; use at least 4×3 cm", w/vg.Centimeter, h/vg.Centimeter)
	}
	if w > vg.Centimeter*200 || h > vg.Centimeter*200 {
		return nil, fmt.Errorf("chart size %.0f×%.0f cm is too large; use at most 200 cm a side", w/vg.Centimeter, h/vg.Centimeter)
	}
	dpi := o.DPI
	if dpi == 0 {
		dpi = 200
	}
	var canvas vg.CanvasWriterTo
	var drawOn vg.CanvasSizer
	switch format {
	case "png":
		if dpi < 50 || dpi > 1200 {
			return nil, fmt.Errorf("--dpi %d is out of range; use 50 to 1200", dpi)
		}
		// the image is held in memory, 4 bytes a pixel: bound it
		px := (float64(w) / 72 * float64(dpi)) * (float64(h) / 72 * float64(dpi))
		if px > maxPixels {
			return nil, fmt.Errorf("a %.0f×%.0f cm PNG at %d dpi is %.0f megapixels, more than egdi draws (%d; about %d MB of memory): lower --dpi or the size, or write .svg or .pdf, which have no pixels",
				w/vg.Centimeter, h/vg.Centimeter, dpi, px/1e6, maxPixels/1_000_000, maxPixels*4/1_000_000)
		}
		c := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))
		canvas, drawOn = vgimg.PngCanvas{Canvas: c}, c
	case "svg":
		c := vgsvg.NewWith(vgsvg.UseWH(w, h), vgsvg.EmbedFonts(f.font.cjk))
		canvas, drawOn = c, c
	case "pdf":
		c := vgpdf.New(w, h)
		c.EmbedFonts(true)
		canvas, drawOn = c, outlined{CanvasSizer: c, all: f.font.cjk}
	default:
		return nil, fmt.Errorf("unknown chart format %q; use png, svg or pdf", format)
	}
	if err := f.draw(draw.New(drawOn)); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := canvas.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Save renders the figure to path, in the format its extension names. The file appears
// whole or not at all.
func (f *Figure) Save(path string, o RenderOptions) error {
	format, err := FormatOf(path)
	if err != nil {
		return err
	}
	b, err := f.Render(format, o)
	if err != nil {
		return err
	}
	return output.WriteFile(path, b)
}

func (f *Figure) textStyle(size float64, bold bool, c color.Color) text.Style {
	return text.Style{Color: c, Font: f.font.font(size, bold), Handler: plot.DefaultTextHandler}
}

const pad = vg.Length(6)

// draw lays the figure out: title, legend row(s), plot body, source line(s).
func (f *Figure) draw(dc draw.Canvas) error {
	var missing []rune
	for _, s := range append(f.Labels(), f.plotTexts()...) {
		missing = append(missing, f.font.missing(s)...)
	}
	if len(missing) > 0 {
		return fmt.Errorf("the chart font cannot draw %q; pass a font that has them with --font FILE (e.g. /usr/share/fonts/truetype/wqy/wqy-microhei.ttc)", uniq(missing))
	}
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())

	left, right := dc.Min.X+pad, dc.Max.X-pad
	y := dc.Max.Y - pad
	if f.Title != "" {
		st := f.textStyle(titleSize, true, inkColor)
		st.YAlign = draw.YTop
		for _, line := range wrap(st, f.Title, right-left) {
			dc.FillText(st, vg.Point{X: left, Y: y}, line)
			y -= st.Height(line) * 1.15
		}
		y -= pad / 2
	}
	if len(f.Legend) > 0 {
		st := f.textStyle(legendSize, false, inkColor)
		st.YAlign = draw.YCenter
		thumbW, gap := vg.Points(14), vg.Points(4)
		rowH := st.Height("Xg中") * 1.5
		x := left
		y -= rowH / 2
		for _, e := range f.Legend {
			w := st.Width(e.Label)
			if e.Thumb != nil {
				w += thumbW + gap
			}
			if x > left && x+w > right {
				x, y = left, y-rowH
			}
			if e.Thumb != nil {
				r := vg.Rectangle{Min: vg.Point{X: x, Y: y - rowH/3}, Max: vg.Point{X: x + thumbW, Y: y + rowH/3}}
				tc := draw.Canvas{Canvas: dc.Canvas, Rectangle: r}
				e.Thumb.Thumbnail(&tc)
				x += thumbW + gap
			}
			dc.FillText(st, vg.Point{X: x, Y: y}, e.Label)
			x += st.Width(e.Label) + vg.Points(12)
		}
		y -= rowH/2 + pad/2
	}
	bottom := dc.Min.Y + pad/2
	if len(f.Source) > 0 {
		st := f.textStyle(sourceSize, false, mutedColor)
		st.YAlign = draw.YBottom
		for i := len(f.Source) - 1; i >= 0; i-- {
			for _, line := range reverse(wrap(st, f.Source[i], right-left)) {
				dc.FillText(st, vg.Point{X: left, Y: bottom}, line)
				bottom += st.Height(line) * 1.2
			}
		}
		bottom += pad / 2
	}
	if y-bottom < vg.Centimeter {
		return fmt.Errorf("the chart is too small for its title, legend and source; make it taller (--height)")
	}
	body := draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{Min: vg.Point{X: left, Y: bottom}, Max: vg.Point{X: right, Y: y}}}
	f.Plot.Draw(body)
	return nil
}

// plotTexts are the axis labels and tick labels of the plot body.
func (f *Figure) plotTexts() []string {
	out := []string{f.Plot.X.Label.Text, f.Plot.Y.Label.Text}
	for _, ax := range []*plot.Axis{&f.Plot.X, &f.Plot.Y} {
		if !(ax.Min < ax.Max) || math.IsInf(ax.Min, 0) || math.IsInf(ax.Max, 0) {
			continue
		}
		for _, t := range ax.Tick.Marker.Ticks(ax.Min, ax.Max) {
			out = append(out, t.Label)
		}
	}
	return out
}

func uniq(rs []rune) string {
	seen := map[rune]bool{}
	var b strings.Builder
	for _, r := range rs {
		if !seen[r] {
			seen[r] = true
			b.WriteRune(r)
		}
	}
	return b.String()
}

func reverse(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[len(s)-1-i] = x
	}
	return out
}

// wrap breaks s into lines no wider than w, at spaces (or anywhere in CJK text).
func wrap(st text.Style, s string, w vg.Length) []string {
	if st.Width(s) <= w {
		return []string{s}
	}
	var lines []string
	var cur []rune
	lastBreak := -1
	for _, r := range s {
		cur = append(cur, r)
		if r == ' ' || r >= 0x2E80 {
			lastBreak = len(cur)
		}
		if st.Width(string(cur)) > w && lastBreak > 0 && lastBreak < len(cur) {
			lines = append(lines, strings.TrimRight(string(cur[:lastBreak]), " "))
			cur = append([]rune(nil), cur[lastBreak:]...)
			lastBreak = -1
		}
	}
	return append(lines, string(cur))
}

// outlined draws text as glyph outlines (filled paths) for the PDF backend, which can
// only write WinAnsi text (and passes UTF-8 through unconverted) and cannot select bold
// faces. Regular ASCII text stays real
// (selectable) text unless all is set; everything else passes through.
type outlined struct {
	vg.CanvasSizer
	all bool
}

func (c outlined) FillString(f font.Face, pt vg.Point, s string) {
	if !c.all && f.Font.Weight == xfont.WeightNormal && isASCII(s) {
		c.CanvasSizer.FillString(f, pt, s)
		return
	}
	sf := f.Face
	var buf sfnt.Buffer
	upem := float64(sf.UnitsPerEm())
	ppem := fixed.Int26_6(sf.UnitsPerEm()) << 6
	scale := f.Font.Size.Points() / upem / 64 // font units*64 → points
	x := float64(pt.X)
	var prev sfnt.GlyphIndex
	var p vg.Path
	at := func(q fixed.Point26_6) vg.Point {
		return vg.Point{X: vg.Length(x + float64(q.X)*scale), Y: pt.Y - vg.Length(float64(q.Y)*scale)}
	}
	for i, r := range s {
		gi, err := sf.GlyphIndex(&buf, r)
		if err != nil {
			continue
		}
		if i > 0 {
			if k, err := sf.Kern(&buf, prev, gi, ppem, xfont.HintingNone); err == nil {
				x += float64(k) * scale
			}
		}
		segs, err := sf.LoadGlyph(&buf, gi, ppem, nil)
		if err == nil {
			open := false
			for _, sg := range segs {
				switch sg.Op {
				case sfnt.SegmentOpMoveTo:
					if open {
						p.Close()
					}
					p.Move(at(sg.Args[0]))
					open = true
				case sfnt.SegmentOpLineTo:
					p.Line(at(sg.Args[0]))
				case sfnt.SegmentOpQuadTo:
					p.QuadTo(at(sg.Args[0]), at(sg.Args[1]))
				case sfnt.SegmentOpCubeTo:
					p.CubeTo(at(sg.Args[0]), at(sg.Args[1]), at(sg.Args[2]))
				}
			}
			if open {
				p.Close()
			}
		}
		if adv, err := sf.GlyphAdvance(&buf, gi, ppem, xfont.HintingNone); err == nil {
			x += float64(adv) * scale
		}
		prev = gi
	}
	if len(p) > 0 {
		c.Fill(p)
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
