// Package report assembles finished documents from the engine's panel — a ranking
// report, a country (or province) profile, a side-by-side comparison and a table of
// group transitions — and writes them as self-contained HTML, Markdown with chart files,
// Excel, CSV or JSON, in English or Chinese.
//
// A Report is format-free: a title, metadata (sources, methodology, engine version,
// generation time), and blocks of headed text, tables and charts. Every number in the
// generated narrative is read from the same rows as the tables. HTML and Markdown are
// laid out by templates (template.go: egdi's own in reports/templates, embedded, or a
// folder of one's own); Excel, CSV and JSON are written by xlsx.go and render.go.
package report
