package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/template/parse"

	"github.com/lindungi/lindungi"
)

// TestCatalogueComplete fails when a message is in one language and not in
// the other.
func TestCatalogueComplete(t *testing.T) {
	for _, lang := range Languages {
		if len(messages.ids[lang]) == 0 {
			t.Fatalf("catalogue %s is empty", lang)
		}
		for _, other := range Languages {
			for _, id := range messages.ids[lang] {
				if !messages.has(other, id) {
					t.Errorf("message %q is in %s.toml but missing from %s.toml", id, lang, other)
				}
			}
		}
	}
}

// TestTemplatesUseKnownMessages fails when a template calls T with an ID
// the catalogue does not have, in either language.
func TestTemplatesUseKnownMessages(t *testing.T) {
	used := 0
	for page, tmpl := range views {
		for _, tt := range tmpl.Templates() {
			if tt.Tree == nil {
				continue
			}
			for _, id := range messageIDs(tt.Tree.Root) {
				used++
				for _, lang := range Languages {
					if !messages.has(lang, id) {
						t.Errorf("%s (template %q) uses message %q, missing from %s.toml", page, tt.Name(), id, lang)
					}
				}
			}
		}
	}
	if used == 0 {
		t.Fatal("found no T calls in the templates: the walker is broken")
	}
}

// messageIDs returns the constant IDs passed to T (.T, $.T) under n.
func messageIDs(n parse.Node) []string {
	var ids []string
	var walk func(parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(c)
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.TemplateNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			if n == nil {
				return
			}
			for _, c := range n.Cmds {
				walk(c)
			}
		case *parse.CommandNode:
			if len(n.Args) >= 2 && callsT(n.Args[0]) {
				if s, ok := n.Args[1].(*parse.StringNode); ok {
					ids = append(ids, s.Text)
				}
			}
			for _, a := range n.Args {
				walk(a)
			}
		}
	}
	walk(n)
	return ids
}

func callsT(n parse.Node) bool {
	var idents []string
	switch n := n.(type) {
	case *parse.FieldNode:
		idents = n.Ident
	case *parse.VariableNode:
		idents = n.Ident
	case *parse.ChainNode:
		idents = n.Field
	}
	return len(idents) > 0 && idents[len(idents)-1] == "T"
}

// TestCodeUsesKnownMessages fails when Go code of this package calls T
// with a constant ID the catalogue does not have.
func TestCodeUsesKnownMessages(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	used := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "T" {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			id, _ := strconv.Unquote(lit.Value)
			used++
			for _, lang := range Languages {
				if !messages.has(lang, id) {
					t.Errorf("%s: T(%q) is missing from %s.toml", fset.Position(lit.Pos()), id, lang)
				}
			}
			return true
		})
	}
	if used == 0 {
		t.Fatal("found no T calls in the code: the walker is broken")
	}
}

// TestDomainLabels fails when a code of the domain has no words in either
// language, and when the Indonesian words differ from those the root
// package already gives (document types, complaint categories).
func TestDomainLabels(t *testing.T) {
	var want []string
	for _, k := range lindungi.TaskKinds {
		want = append(want, "task."+string(k))
	}
	for _, s := range lindungi.CaseSteps {
		want = append(want, "casestep."+string(s))
	}
	for c := range lindungi.CategoryLabels {
		want = append(want, "category."+string(c))
	}
	for _, d := range lindungi.DocTypes {
		want = append(want, "doc."+string(d))
	}
	for _, sp := range lindungi.StepSpecs {
		want = append(want, "step."+string(sp.Step))
	}
	for _, s := range []lindungi.Step{lindungi.StepVerified, lindungi.StepAbroad, lindungi.StepClosed} {
		want = append(want, "step."+string(s))
	}
	for _, r := range []string{lindungi.RoleCaseworker, lindungi.RoleVerifier, lindungi.RoleSupervisor, lindungi.RoleProvinceSupervisor,
		lindungi.RoleBP3MIOfficer, lindungi.RoleBP3MIHead, lindungi.RoleNationalOfficer, lindungi.RoleAuditor, lindungi.RoleAdmin} {
		want = append(want, "role."+r)
	}
	for _, id := range want {
		for _, lang := range Languages {
			if !messages.has(lang, id) {
				t.Errorf("%s.toml has no %q", lang, id)
			}
		}
	}

	p := NewPrinter(Indonesian)
	for _, d := range lindungi.DocTypes {
		if got, root := p.DocType(d), d.Label(); got != root {
			t.Errorf("doc.%s = %q, but the root package calls it %q", d, got, root)
		}
	}
	for c, root := range lindungi.CategoryLabels {
		if got := p.Category(c); got != root {
			t.Errorf("category.%s = %q, but the root package calls it %q", c, got, root)
		}
	}
}

func TestPlural(t *testing.T) {
	en := NewPrinter(English)
	if got, want := en.T("inbox.caption", "Count", 1), "1 task on this page"; got != want {
		t.Errorf("one: %q, want %q", got, want)
	}
	if got, want := en.T("inbox.caption", "Count", 3), "3 tasks on this page"; got != want {
		t.Errorf("other: %q, want %q", got, want)
	}
	if got, want := NewPrinter(Indonesian).T("inbox.caption", "Count", 3), "3 tugas di halaman ini"; got != want {
		t.Errorf("Indonesian: %q, want %q", got, want)
	}
	if got, want := en.T("no.such.message"), "no.such.message"; got != want {
		t.Errorf("a missing message: %q, want its ID %q", got, want)
	}
}

func TestLang(t *testing.T) {
	tests := []struct {
		cookie string
		want   string
	}{
		{"", Indonesian},
		{"en", English},
		{"id", Indonesian},
		{"fr", Indonesian},
		{"EN", Indonesian},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if tt.cookie != "" {
			r.AddCookie(&http.Cookie{Name: LangCookie, Value: tt.cookie})
		}
		if got := Lang(r); got != tt.want {
			t.Errorf("cookie %q: Lang = %q, want %q", tt.cookie, got, tt.want)
		}
	}
}

func TestSetLang(t *testing.T) {
	w := httptest.NewRecorder()
	if !SetLang(w, English, true) {
		t.Fatal("SetLang(en) = false")
	}
	c := w.Result().Cookies()
	if len(c) != 1 || c[0].Name != LangCookie || c[0].Value != "en" || !c[0].Secure || c[0].MaxAge < 30*24*3600 {
		t.Errorf("cookie = %+v, want a lasting, secure lang=en", c)
	}
	w = httptest.NewRecorder()
	if SetLang(w, "xx", false) || len(w.Result().Cookies()) != 0 {
		t.Error("SetLang(xx) set a cookie")
	}
	if !slices.Equal(Languages, []string{"id", "en"}) {
		t.Errorf("Languages = %v: Indonesian must come first, it is the default", Languages)
	}
}
