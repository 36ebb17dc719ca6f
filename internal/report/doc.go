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
//
// A ranking of more units than a page shows (PageRows; BuildFrom, stream.go) is never
// held in memory: its rows are read from the database one at a time (panel.Stream), in
// one pass that gathers its facts, summaries and source counts and keeps the first page
// of rows for HTML and Markdown; XLSX (through excelize's StreamWriter), CSV and JSON
// read the rows again as they write them, straight into the file. The report is the
// one built from the panel, row for row (a test holds the two to the same bytes).
package report
