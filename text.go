package lindungi

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text is the rule of one text field: its length in characters once
// trimmed (Min 0 lets it be empty) and whether it is free text, where line
// breaks and tabs may appear. Text.Check is the one check every text field
// of every request goes through, in its body or its query: valid UTF-8, no
// control character (C0, DEL or C1) but a line break or a tab in free
// text, and the length in bounds. A field with a format of its own (a
// code, a date, a NIK, a phone number, an ID) is checked by that format,
// which admits no control character either.
//
// A value that passes can be stored in PostgreSQL and sent to a workflow:
// a NUL, which PostgreSQL refuses in text, never reaches either.
type Text struct {
	Min, Max int
	Free     bool
}

// Limits of free text, in characters.
const (
	minReason = 5
	maxReason = 500
	maxName   = 100
)

// The rules of the text fields requests share.
var (
	// ReasonText says why a person acts: 5 to 500 characters of free text.
	ReasonText = Text{Min: minReason, Max: maxReason, Free: true}
	// OptionalReasonText is a reason that may be left out.
	OptionalReasonText = Text{Max: maxReason, Free: true}
	// NameText is a person's name: one line of 1 to 100 characters.
	NameText = Text{Min: 1, Max: maxName}
	// QueryText is any query parameter: one line of at most 1000
	// characters. Each parameter has its own check besides.
	QueryText = Text{Max: 1000}
)

// Problem returns why s breaks t, or "" when it keeps it.
func (t Text) Problem(s string) string {
	if !utf8.ValidString(s) {
		return "must be valid UTF-8"
	}
	if strings.IndexFunc(s, t.control) >= 0 {
		if t.Free {
			return "must not contain control characters other than line breaks and tabs"
		}
		return "must not contain control characters"
	}
	n := utf8.RuneCountInString(strings.TrimSpace(s))
	switch {
	case n == 0 && t.Min > 0:
		return "is required"
	case n < t.Min || n > t.Max:
		if t.Min <= 1 {
			return fmt.Sprintf("must be at most %d characters", t.Max)
		}
		return fmt.Sprintf("must be %d to %d characters", t.Min, t.Max)
	}
	return ""
}

// control reports whether r is a control character t refuses.
func (t Text) control(r rune) bool {
	return unicode.IsControl(r) && !(t.Free && (r == '\n' || r == '\t'))
}

// Check adds to v why the field's value s breaks t, and reports whether s
// keeps it.
func (t Text) Check(v *Validation, field, s string) bool {
	if p := t.Problem(s); p != "" {
		v.Add(field, p)
		return false
	}
	return true
}

// CheckText returns EINVALID naming field when s breaks t, or nil.
func CheckText(field, s string, t Text) error {
	var v Validation
	t.Check(&v, field, s)
	return v.Err()
}

// TrimText trims free text and turns its CR LF line breaks into LF, as a
// browser's form sends them.
func TrimText(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}

// CheckReason returns EINVALID naming field unless reason (trimmed) says why
// in 5 to 500 characters (ReasonText).
func CheckReason(field, reason string) error {
	var v Validation
	checkReason(&v, field, reason)
	return v.Err()
}

// CheckOptionalReason returns EINVALID naming field when reason, which may
// be empty, breaks OptionalReasonText.
func CheckOptionalReason(field, reason string) error {
	return CheckText(field, reason, OptionalReasonText)
}

// checkReason adds to v why reason is not a reason (see CheckReason).
func checkReason(v *Validation, field, reason string) {
	if p := ReasonText.Problem(reason); p != "" {
		if strings.HasPrefix(p, "must be ") || p == "is required" {
			p = fmt.Sprintf("must say why, in %d to %d characters", minReason, maxReason)
		}
		v.Add(field, p)
	}
}

// checkName adds to v why name is not a person's name.
func checkName(v *Validation, field, name string) { NameText.Check(v, field, name) }

// checkLine adds to v why s is not a required line of at most maxLen
// characters.
func checkLine(v *Validation, field, s string, maxLen int) {
	Text{Min: 1, Max: maxLen}.Check(v, field, s)
}

// checkText adds to v why s is not a line of minLen to maxLen characters.
func checkText(v *Validation, field, s string, minLen, maxLen int) {
	Text{Min: minLen, Max: maxLen}.Check(v, field, s)
}
