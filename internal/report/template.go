package report

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"github.com/egdi/egdi/internal/output"
	htmltemplate "html/template"
	"io/fs"
	"mime"
	"os"
	"path"
	"path/filepath"
	"strings"
	texttemplate "text/template"

	"github.com/egdi/egdi/reports"
)

// The files of a template folder: the layouts of HTML and Markdown reports, and the
// stylesheet and script inlined into HTML ones.
const (
	htmlFile   = "report.html.tmpl"
	mdFile     = "report.md.tmpl"
	styleFile  = "style.css"
	scriptFile = "sortable.js"
)

// TemplateFiles are the files egdi report templates writes.
var TemplateFiles = []string{htmlFile, mdFile, styleFile, scriptFile}

// Templates are the layouts reports are written with: egdi's own (reports/templates,
// embedded) or those of a folder of one's own, where a file the folder lacks is
// egdi's.
type Templates struct {
	dir           string // "" for egdi's own
	html          *htmltemplate.Template
	md            *texttemplate.Template
	style, script string
}

// DefaultTemplates are egdi's own templates.
func DefaultTemplates() *Templates {
	t, err := LoadTemplates("")
	if err != nil {
		panic("egdi's own report templates: " + err.Error()) // tested; cannot happen in a build
	}
	return t
}

// LoadTemplates reads the templates of folder dir ("" for egdi's own). A template that
// does not parse is an error naming its file and line.
func LoadTemplates(dir string) (*Templates, error) {
	t := &Templates{dir: dir}
	if dir != "" {
		fi, err := os.Stat(dir)
		if err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("--template %s: not a folder (egdi report templates --out %s writes egdi's templates there to start from)", dir, dir)
		}
		n := 0
		for _, f := range TemplateFiles {
			if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
				n++
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("--template %s holds none of egdi's template files (%s); egdi report templates --out %s writes them", dir, strings.Join(TemplateFiles, ", "), dir)
		}
	}
	read := func(name string) (string, string, error) {
		if dir != "" {
			p := filepath.Join(dir, name)
			b, err := os.ReadFile(p)
			if err == nil {
				return string(b), p, nil
			}
			if !errors.Is(err, fs.ErrNotExist) {
				return "", "", fmt.Errorf("cannot read %s: %w", p, err)
			}
		}
		b, err := fs.ReadFile(reports.Templates, name)
		return string(b), path.Join("reports", "templates", name), err
	}
	src, name, err := read(htmlFile)
	if err != nil {
		return nil, err
	}
	if t.html, err = htmltemplate.New(name).Funcs(htmltemplate.FuncMap{"asset": t.asset}).Parse(src); err != nil {
		return nil, templateError(err)
	}
	if src, name, err = read(mdFile); err != nil {
		return nil, err
	}
	if t.md, err = texttemplate.New(name).Funcs(texttemplate.FuncMap{"md": mdEscape, "mdcell": mdCell}).Parse(src); err != nil {
		return nil, templateError(err)
	}
	if t.style, _, err = read(styleFile); err != nil {
		return nil, err
	}
	if t.script, _, err = read(scriptFile); err != nil {
		return nil, err
	}
	return t, nil
}

// templateError names the template's file and line first, as an editor's error list
// does ("template: /x/report.html.tmpl:12: ..." becomes "/x/report.html.tmpl:12: ...").
func templateError(err error) error {
	return fmt.Errorf("report template %s", strings.TrimPrefix(err.Error(), "template: "))
}

// asset is the template function that embeds a file of the template folder as a data
// URL, so a logo travels inside the self-contained page.
func (t *Templates) asset(name string) (htmltemplate.URL, error) {
	if !fs.ValidPath(name) || t.dir == "" {
		return "", fmt.Errorf("asset %q: name a file of the --template folder (no .. or absolute paths)", name)
	}
	p := filepath.Join(t.dir, filepath.FromSlash(name))
	b, err := os.ReadFile(p)
	if err != nil {
		return "", fmt.Errorf("asset %q: %w", name, err)
	}
	typ := mime.TypeByExtension(strings.ToLower(path.Ext(name)))
	if typ == "" {
		typ = "application/octet-stream"
	}
	return htmltemplate.URL("data:" + typ + ";base64," + base64.StdEncoding.EncodeToString(b)), nil
}

// WriteTemplates writes egdi's own templates into dir, to start a design from; files
// already there are kept unless force.
func WriteTemplates(dir string, force bool) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create %s: %w", dir, err)
	}
	if !force {
		for _, f := range TemplateFiles {
			if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
				return nil, fmt.Errorf("%s already exists; --force overwrites it", filepath.Join(dir, f))
			}
		}
	}
	var out []string
	for _, f := range TemplateFiles {
		b, err := fs.ReadFile(reports.Templates, f)
		if err != nil {
			return nil, err
		}
		p := filepath.Join(dir, f)
		if err := output.WriteFile(p, b); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// execute runs a parsed template into a buffer, so a failing one writes nothing.
func execute(run func(*bytes.Buffer) error) ([]byte, error) {
	var b bytes.Buffer
	if err := run(&b); err != nil {
		return nil, templateError(err)
	}
	return b.Bytes(), nil
}
