// Package reports embeds the report templates egdi ships (templates/): the HTML and
// Markdown layouts of every report and the HTML stylesheet and script. egdi report
// uses them unless --template names a folder of one's own; egdi report templates
// writes them out to start from. See README.md beside this file.
package reports

import (
	"embed"
	"io/fs"
)

//go:embed templates/*
var embedded embed.FS

// Templates is the folder of default templates, its files at the root.
var Templates, _ = fs.Sub(embedded, "templates")
