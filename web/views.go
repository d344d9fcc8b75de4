package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
)

//go:embed views/*.html
var viewFiles embed.FS

// shared are the files every page is parsed with: the layout and the
// components.
var shared = []string{"views/layout.html", "views/components.html"}

// views are the pages by name ("inbox" is views/inbox.html), each parsed
// with the shared files.
var views = mustLoadViews(viewFiles)

var funcs = template.FuncMap{"asset": Asset}

func mustLoadViews(fsys fs.FS) map[string]*template.Template {
	v, err := loadViews(fsys)
	if err != nil {
		panic(err) // the views are embedded: a broken one cannot ship
	}
	return v
}

func loadViews(fsys fs.FS) (map[string]*template.Template, error) {
	base, err := template.New("").Funcs(funcs).ParseFS(fsys, shared...)
	if err != nil {
		return nil, err
	}
	pages, err := fs.Glob(fsys, "views/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, p := range pages {
		if isShared(p) {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(fsys, p)
		if err != nil {
			return nil, err
		}
		out[strings.TrimSuffix(path.Base(p), ".html")] = t
	}
	return out, nil
}

func isShared(p string) bool {
	for _, s := range shared {
		if s == p {
			return true
		}
	}
	return false
}

// Render writes page name with data (a struct that embeds Page) and
// status. It renders into a buffer first, so that a template error writes
// nothing and the caller can still answer with an error page.
func Render(w http.ResponseWriter, status int, name string, data any) error {
	return renderView(w, status, name, "layout", data)
}

// RenderPart writes the template part of page name with data and status:
// a part of the page that htmx swaps in (the page's "partial" template,
// which ends with the "oob" one), not the whole page.
func RenderPart(w http.ResponseWriter, status int, name, part string, data any) error {
	return renderView(w, status, name, part, data)
}

func renderView(w http.ResponseWriter, status int, name, tmpl string, data any) error {
	t, ok := views[name]
	if !ok {
		return fmt.Errorf("web: no page %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, tmpl, data); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	h := w.Header()
	SecureHeaders(h)
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")     // pages show personal data
	h.Add("Vary", "HX-Request, HX-Target") // a page, or a part of it for htmx
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// Page is what every page shows around its content: who is signed in,
// the language, the CSRF token its forms carry, and the flash messages.
// Each page's data embeds it, so that the page's templates reach the
// printer's T, Date, TaskKind and the rest.
type Page struct {
	*Printer
	User  *User   // nil when nobody is signed in
	CSRF  string  // the session's CSRF token for this page's forms
	Flash []Flash // what the last action left to say
	Path  string  // the path and query of this page, for the language switch to return to
	Nav   string  // the menu item of this page: "inbox"
	// Partial says the answer is a part of the page, for htmx to swap in:
	// the header's parts that change go with it out of band (template "oob").
	Partial bool
	// Audit shows the menu item of the audit pages: the user's role may
	// open them.
	Audit bool
	// Reports shows the menu item of the report page (/laporan).
	Reports bool
}

// User is the person signed in, as the header shows them.
type User struct {
	Name     string
	Unit     string
	UnitName string
	Roles    []string
	// Unread counts the user's unread notifications, up to
	// lindungi.MaxUnread, for the header.
	Unread int
}

// Flash is a one-line message: Kind is "info" or "error".
type Flash struct {
	Kind string
	Text string
}

// HXHeaders is the hx-headers attribute of the page's body: every htmx
// request of the page sends the CSRF token in the X-CSRF-Token header.
func (p Page) HXHeaders() string {
	if p.CSRF == "" {
		return ""
	}
	b, _ := json.Marshal(map[string]string{CSRFHeader: p.CSRF})
	return string(b)
}

// OtherLang is the language the header offers to switch to.
func (p Page) OtherLang() string {
	if p.Printer != nil && p.Lang() == English {
		return Indonesian
	}
	return English
}

// LangSwitchURL switches to OtherLang and comes back to this page.
func (p Page) LangSwitchURL() string {
	u := "/bahasa/" + p.OtherLang()
	if p.Path != "" && p.Path != "/" {
		u += "?next=" + url.QueryEscape(p.Path)
	}
	return u
}

// LocalPath returns next when it is a path on this site ("/", "/?cursor=x"),
// else "/": the language switch and sign-in return only to pages here.
func LocalPath(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n\t") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}

// Badge is a short status word: Kind is its colour and meaning
// ("overdue", "escalated", "delegated").
type Badge struct {
	Kind string
	Text string
}

// Field is an input of a form with its label, its hint and the error that
// belongs next to it.
type Field struct {
	Name         string
	Label        string
	Type         string // "text" by default
	Value        string
	Hint         string
	Error        string
	Required     bool
	Autocomplete string
	InputMode    string // "numeric" for a NIK, "tel" for a phone
}

// Table is rows of cells under column headers. Empty is what shows when
// there are no rows.
type Table struct {
	Caption string
	Headers []string
	Rows    []Row
	Empty   string
}

// Row is one row of a Table, one cell per header.
type Row struct {
	ID    string // the row's anchor ("task-<id>"), for links to it
	Class string
	Cells []Cell
}

// Cell is what a table cell shows: a text (a link with Href; in bold
// when Strong), a second line, badges, and a button that posts a form.
type Cell struct {
	Text     string
	Href     string
	Strong   bool
	Sub      string
	SubClass string // "late" for a deadline gone by
	Badges   []Badge
	Action   *Action
}

// Action is a button that posts a form of one field (Name=Value) with the
// CSRF token. Describe, when set, is what a screen reader says instead of
// the button's Label ("Masuk sebagai Demo caseworker 3305").
type Action struct {
	URL      string
	Name     string
	Value    string
	Label    string
	Describe string
	CSRF     string
}

// Pager links to the first page of a list and to the next one; lists are
// paged forward by cursor.
type Pager struct {
	Label     string
	FirstURL  string
	FirstText string
	NextURL   string
	NextText  string
}
