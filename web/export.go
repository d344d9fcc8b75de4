package web

// ExportPage is the data of views/export.html: what a list export will
// hold before the click (the list, its filter in words, how many rows),
// the purpose it needs when it holds personal data, and the two buttons
// (CSV, XLSX) that download it. The form is a GET to the export's own
// address with the list's filters as hidden fields.
type ExportPage struct {
	Page
	Title   string
	Action  string
	Hidden  []Param
	Filter  []Fact
	Rows    int
	Purpose *Field // nil for a list without personal data
	BackURL string
	BackTo  string
}

// Param is a hidden field of a form.
type Param struct {
	Name  string
	Value string
}

// ExportLink is the list pages' link to their export: the export's form,
// with the list's filters.
type ExportLink struct {
	URL   string
	Label string
	Hint  string
}
