package chart

import (
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"sync"

	xfont "golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/egdi/egdi/data"
)

// Colours. Groups run dark to light so they stay ordered in greyscale; series and
// regions use the Okabe–Ito palette, which colour-blind readers can tell apart, and
// also differ by marker and dash so a greyscale print keeps them apart.
var (
	groupColors = map[string]color.Color{
		"very_high": rgb(0x08, 0x30, 0x6b),
		"high":      rgb(0x21, 0x71, 0xb5),
		"middle":    rgb(0x6b, 0xae, 0xd6),
		"low":       rgb(0xc6, 0xdb, 0xef),
	}
	seriesColors = []color.Color{
		rgb(0x00, 0x72, 0xb2), // blue
		rgb(0xd5, 0x5e, 0x00), // vermillion
		rgb(0x00, 0x9e, 0x73), // bluish green
		rgb(0xcc, 0x79, 0xa7), // reddish purple
		rgb(0xe6, 0x9f, 0x00), // orange
		rgb(0x56, 0xb4, 0xe9), // sky blue
		rgb(0x00, 0x00, 0x00), // black
		rgb(0xf0, 0xe4, 0x42), // yellow
	}
	indexColors = map[string]color.Color{
		"egdi": rgb(0x33, 0x33, 0x33), "osi": seriesColors[0], "tii": seriesColors[4],
		"hci": seriesColors[2], "epi": seriesColors[3],
	}
	highlightColor = rgb(0xd5, 0x5e, 0x00)
	gainColor      = rgb(0x00, 0x72, 0xb2)
	lossColor      = rgb(0xd5, 0x5e, 0x00)
	inkColor       = rgb(0x22, 0x22, 0x22)
	mutedColor     = rgb(0x66, 0x66, 0x66)
	gridColor      = rgb(0xdd, 0xdd, 0xdd)
	outlineColor   = rgb(0x44, 0x44, 0x44)
)

// GroupPalette is the survey's group colours as CSS hex, darkest (very high) first, for
// pages that colour by group as the charts do (the dashboard's map).
func GroupPalette() []string {
	var out []string
	for _, id := range []string{"very_high", "high", "middle", "low"} {
		r, g, b, _ := groupColors[id].RGBA()
		out = append(out, fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8))
	}
	return out
}

func rgb(r, g, b uint8) color.Color { return color.RGBA{R: r, G: g, B: b, A: 0xff} }

func seriesColor(i int) color.Color { return seriesColors[i%len(seriesColors)] }

// seriesDash gives the i-th line series a dash pattern, so lines differ without colour.
func seriesDash(i int) []vg.Length {
	switch (i / 2) % 3 {
	case 1:
		return []vg.Length{vg.Points(5), vg.Points(2.5)}
	case 2:
		return []vg.Length{vg.Points(1.5), vg.Points(2)}
	}
	if i%2 == 1 {
		return []vg.Length{vg.Points(6), vg.Points(2), vg.Points(1.5), vg.Points(2)}
	}
	return nil
}

var glyphShapes = []draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.RingGlyph{},
	draw.BoxGlyph{}, draw.PyramidGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{},
}

func seriesGlyph(i int) draw.GlyphDrawer { return glyphShapes[i%len(glyphShapes)] }

// Type sizes in points: absolute, so a chart printed 8 cm wide stays readable.
const (
	titleSize  = 11
	labelSize  = 9
	tickSize   = 8
	legendSize = 8
	sourceSize = 7
	valueSize  = 7
)

// Font is a typeface charts draw text with.
type Font struct {
	typeface font.Typeface
	cjk      bool // not gonum's built-in Liberation: embed in SVG, outline in PDF
	face     *opentype.Font
}

var (
	latin = &Font{typeface: "Liberation"}

	registerMu sync.Mutex
	builtin    *Font
)

// CJKFont is the embedded subset of WenQuanYi Micro Hei (Chinese and Latin).
func CJKFont() (*Font, error) {
	registerMu.Lock()
	defer registerMu.Unlock()
	if builtin != nil {
		return builtin, nil
	}
	raw, err := data.FS.ReadFile("fonts/egdi-cjk.ttf")
	if err != nil {
		return nil, err
	}
	f, err := opentype.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("embedded CJK font: %w", err)
	}
	builtin = register("egdi-cjk", f)
	return builtin, nil
}

// LoadFont reads a TrueType or OpenType font (.ttf, .otf, or the first font of a .ttc
// collection) for charts, e.g. to draw characters the embedded subset lacks.
func LoadFont(path string) (*Font, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("font: %w", err)
	}
	var f *opentype.Font
	if strings.EqualFold(filepath.Ext(path), ".ttc") || strings.HasPrefix(string(raw[:min(4, len(raw))]), "ttcf") {
		coll, err := opentype.ParseCollection(raw)
		if err == nil {
			f, err = coll.Font(0)
		}
		if err != nil {
			return nil, fmt.Errorf("font %s: cannot read this collection (%v); extract one font as .ttf, e.g. with fontTools, and pass that", path, err)
		}
	} else if f, err = opentype.Parse(raw); err != nil {
		return nil, fmt.Errorf("font %s: not a TrueType/OpenType font: %v", path, err)
	}
	registerMu.Lock()
	defer registerMu.Unlock()
	return register(font.Typeface("file:"+path), f), nil
}

// register adds f to gonum's font cache as regular and bold (CJK fonts ship one weight).
func register(name font.Typeface, f *opentype.Font) *Font {
	var coll font.Collection
	for _, w := range []xfont.Weight{xfont.WeightNormal, xfont.WeightBold} {
		coll = append(coll, font.Face{Font: font.Font{Typeface: name, Weight: w}, Face: f})
	}
	font.DefaultCache.Add(coll)
	return &Font{typeface: name, cjk: true, face: f}
}

// missing lists the characters of s that f cannot draw.
func (f *Font) missing(s string) []rune {
	if f.face == nil {
		var out []rune
		for _, r := range s {
			if r > 0xff && !strings.ContainsRune("–—‘’“”•…€™", r) {
				out = append(out, r)
			}
		}
		return out
	}
	var buf sfnt.Buffer
	var out []rune
	for _, r := range s {
		if r < ' ' {
			continue
		}
		if gi, err := f.face.GlyphIndex(&buf, r); err != nil || gi == 0 {
			out = append(out, r)
		}
	}
	return out
}

func (f *Font) font(size float64, bold bool) font.Font {
	fnt := font.Font{Typeface: f.typeface, Size: vg.Points(size)}
	if f.face == nil {
		fnt.Variant = "Sans"
	}
	if bold && f.face == nil { // embedded CJK fonts have one weight; do not embed it twice in SVG
		fnt.Weight = xfont.WeightBold
	}
	return fnt
}
