// Package report assembles finished documents from the engine's panel — a ranking
// report, a country (or province) profile, a side-by-side comparison and a table of
// group transitions — and writes them as self-contained HTML, Markdown with chart files,
// Excel, CSV or JSON, in English or Chinese.
//
// A Report is format-free: a title, metadata (sources, methodology, engine version,
// generation time), and blocks of headed text, tables and charts. Every number in the
// generated narrative is read from the same rows as the tables. Renderers live in
// html.go, markdown.go and xlsx.go.
package report
