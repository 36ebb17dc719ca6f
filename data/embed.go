// Package data holds egdi's methodology and reference files and embeds them in the
// binary: methodology frameworks (methods/), the Member States reference table
// (refdata/), the indicator registry (indicators.yaml), the synthetic demo sample
// (sample/), the groupings egdi ships (groups/) and the subset CJK font charts draw
// Chinese with (fonts/). Changing a
// methodology means editing these files, not the engine.
package data

import "embed"

// FS is the embedded tree rooted at this folder.
//
//go:embed methods/*.yaml refdata/countries.csv indicators.yaml sample/*.csv groups/*.csv published/*.csv fonts/egdi-cjk.ttf
var FS embed.FS
