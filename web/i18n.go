package web

import (
	"embed"
	"fmt"
	"io/fs"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/pelletier/go-toml/v2"
	"golang.org/x/text/language"
)

// Languages of the interface. Indonesian is the default; English is one
// click away.
const (
	Indonesian = "id"
	English    = "en"
)

// Languages lists the languages of the catalogue, the default first.
var Languages = []string{Indonesian, English}

// LangCookie remembers the language a user chose.
const LangCookie = "lang"

//go:embed messages/*.toml
var messageFiles embed.FS

// catalogue holds the messages of every language, keyed by English
// identifiers ("inbox.title", "task.VERIFY_REGISTRATION").
type catalogue struct {
	bundle *i18n.Bundle
	ids    map[string][]string // language -> message IDs, sorted
}

var messages = mustLoadCatalogue(messageFiles)

func mustLoadCatalogue(fsys fs.FS) *catalogue {
	c, err := loadCatalogue(fsys)
	if err != nil {
		panic(err) // the catalogue is embedded: a broken one cannot ship
	}
	return c
}

func loadCatalogue(fsys fs.FS) (*catalogue, error) {
	b := i18n.NewBundle(language.Indonesian)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	c := &catalogue{bundle: b, ids: map[string][]string{}}
	for _, lang := range Languages {
		name := "messages/" + lang + ".toml"
		raw, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("message catalogue: %w", err)
		}
		f, err := b.ParseMessageFileBytes(raw, name)
		if err != nil {
			return nil, fmt.Errorf("message catalogue %s: %w", name, err)
		}
		for _, m := range f.Messages {
			c.ids[lang] = append(c.ids[lang], m.ID)
		}
		sort.Strings(c.ids[lang])
	}
	return c, nil
}

// has reports whether the catalogue has message id in lang.
func (c *catalogue) has(lang, id string) bool {
	_, ok := slices.BinarySearch(c.ids[lang], id)
	return ok
}

// Lang returns the language a request asks for: the lang cookie when it
// names a language of the catalogue, else Indonesian.
func Lang(r *http.Request) string {
	if ck, err := r.Cookie(LangCookie); err == nil && slices.Contains(Languages, ck.Value) {
		return ck.Value
	}
	return Indonesian
}

// SetLang remembers lang for a year. It reports false, and sets nothing,
// for a language the catalogue does not have.
func SetLang(w http.ResponseWriter, lang string, secure bool) bool {
	if !slices.Contains(Languages, lang) {
		return false
	}
	http.SetCookie(w, &http.Cookie{Name: LangCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
	return true
}

// Printer speaks one language: it looks messages up in the catalogue and
// writes dates, times, money, deadlines and domain codes the way its
// readers expect.
type Printer struct {
	lang string
	loc  *i18n.Localizer
}

// NewPrinter returns a printer for lang; an unknown language gets
// Indonesian.
func NewPrinter(lang string) *Printer {
	if !slices.Contains(Languages, lang) {
		lang = Indonesian
	}
	return &Printer{lang: lang, loc: i18n.NewLocalizer(messages.bundle, lang)}
}

// Lang is the printer's language code.
func (p *Printer) Lang() string { return p.lang }

// T returns message id with its arguments, given as name, value pairs
// ("Name", "Siti"). An argument named Count also chooses the plural form.
// A message missing from the catalogue comes back as its id, so a page
// still renders; the catalogue tests keep that from shipping.
func (p *Printer) T(id string, args ...any) string {
	lc := &i18n.LocalizeConfig{MessageID: id}
	if len(args) > 0 {
		data := make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			name, _ := args[i].(string)
			data[name] = args[i+1]
			if name == "Count" {
				lc.PluralCount = args[i+1]
			}
		}
		lc.TemplateData = data
	}
	s, err := p.loc.Localize(lc)
	if err != nil && s == "" {
		return id
	}
	return strings.TrimSpace(s)
}
