package report

import (
	htmlpkg "html"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/egdi/egdi/internal/panel/paneltest"
)

func handReport(t *testing.T) *Report {
	t.Helper()
	r, err := Build(paneltest.New(), "ranking", Options{Year: 2022})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// A folder of one's own restyles the page: its header, stylesheet and a logo embedded
// from the folder, the files it lacks taken from egdi's.
func TestTemplatesOfOnesOwn(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files, err := WriteTemplates(dir, false)
	if err != nil || len(files) != len(TemplateFiles) {
		t.Fatalf("WriteTemplates: %v %v", files, err)
	}
	if _, err := WriteTemplates(dir, false); err == nil || !strings.Contains(err.Error(), "already exists; --force") {
		t.Errorf("writing over a design: %v", err)
	}
	page, _ := os.ReadFile(filepath.Join(dir, htmlFile))
	edited := strings.Replace(string(page), "<header>\n<h1>", `<header>
<p class="inst"><img src="{{asset "logo.svg"}}" alt="">Institute of Digital Government</p>
<h1>`, 1)
	if edited == string(page) {
		t.Fatal("the default header moved; update this test")
	}
	os.WriteFile(filepath.Join(dir, htmlFile), []byte(edited), 0o644)
	os.WriteFile(filepath.Join(dir, "logo.svg"), []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>`), 0o644)
	os.WriteFile(filepath.Join(dir, styleFile), []byte(`h1 { color: #8a0b4f; }`), 0o644)
	os.Remove(filepath.Join(dir, scriptFile)) // egdi's is used
	tpl, err := LoadTemplates(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := HTML(handReport(t), tpl)
	if err != nil {
		t.Fatal(err)
	}
	html := htmlpkg.UnescapeString(string(b)) // as the browser reads it
	for _, s := range []string{"Institute of Digital Government", `src="data:image/svg+xml;base64,`, "h1 { color: #8a0b4f; }", `table.sortable`, "<td class=\"w\">Alpha</td>"} {
		if !strings.Contains(html, s) {
			t.Errorf("the page lacks %q", s)
		}
	}
	if strings.Contains(html, "max-width: 62rem") {
		t.Error("egdi's stylesheet is still in the page")
	}
	// egdi's own templates give egdi's page
	def, err := HTML(handReport(t), nil)
	if err != nil || !strings.Contains(string(def), "max-width: 62rem") || strings.Contains(string(def), "Institute") {
		t.Errorf("the default page: %v", err)
	}
}

// A broken template is refused with its file and line, and a report written with it
// leaves no file behind.
func TestBrokenTemplates(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file, text, want string
	}{
		{htmlFile, "<html>\n<p>{{.Title}</p>\n", htmlFile + ":2: "},
		{htmlFile, "<html>\n\n<p>{{.Nonsense}}</p>\n", htmlFile + ":3:"},
		{htmlFile, "<img src=\"{{asset \"../secret\"}}\">", "no .. or absolute paths"},
		{htmlFile, "<img src=\"{{asset \"missing.png\"}}\">", `asset "missing.png"`},
		{mdFile, "# {{md .Title}\n", mdFile + ":1: "},
		{mdFile, "# {{md .Title}}\n{{range .Blocks}}{{.Nope}}{{end}}", mdFile + ":2:"},
	}
	for _, c := range cases {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, c.file), []byte(c.text), 0o644)
		out := filepath.Join(dir, "out."+strings.Split(c.file, ".")[1])
		tpl, err := LoadTemplates(dir)
		if err == nil {
			err = Write(handReport(t), strings.Split(c.file, ".")[1], out, tpl)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %q: %v, want %q", c.file, c.text, err, c.want)
		} else if strings.Contains(c.want, ":") && !strings.Contains(err.Error(), filepath.Join(dir, c.file)) {
			t.Errorf("%s: the error does not name the file's path: %v", c.file, err)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s %q: a report was written", c.file, c.text)
		}
		if _, err := os.Stat(filepath.Join(dir, "out_files")); err == nil {
			t.Errorf("%s %q: charts were written", c.file, c.text)
		}
	}
	for _, dir := range []string{filepath.Join(t.TempDir(), "nowhere"), t.TempDir()} {
		if _, err := LoadTemplates(dir); err == nil || !strings.Contains(err.Error(), "egdi report templates --out") {
			t.Errorf("--template %s: %v", dir, err)
		}
	}
}
