// Package chart draws the figures of the UN E-Government Survey and of provincial
// assessments — trends, group counts, rankings, regional means, components, scatter
// plots, distributions and rank movers — from the engine's panel, with gonum/plot, as
// PNG, SVG or PDF, in English or Chinese.
//
// Every figure shares one visual language (see style.go): a title, a legend row, the
// plot, and a source line that says where the numbers come from and flags synthetic
// data. Each Figure also carries the table of values it draws (Data), so the numbers
// behind a picture can be checked and exported.
//
// Chinese text is drawn with an embedded subset of WenQuanYi Micro Hei (data/fonts), so
// it renders on machines without CJK fonts: PNG rasterises the glyphs, SVG embeds the
// font, and PDF draws the glyphs as outlines because gonum's PDF backend only writes
// WinAnsi text.
package chart
