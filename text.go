package lindungi

import (
	"fmt"
	"strings"
	"unicode"
)

// Limits of free text, in characters.
const (
	minReason = 5
	maxReason = 500
	maxName   = 100
)

// CheckReason returns EINVALID naming field unless reason (trimmed) says why
// in 5 to 500 characters.
func CheckReason(field, reason string) error {
	var v Validation
	checkReason(&v, field, reason)
	return v.Err()
}

// CheckOptionalReason returns EINVALID naming field when reason, which may
// be empty, is longer than 500 characters.
func CheckOptionalReason(field, reason string) error {
	var v Validation
	if len([]rune(reason)) > maxReason {
		v.Add(field, fmt.Sprintf("must be at most %d characters", maxReason))
	}
	return v.Err()
}

// checkReason adds to v why reason is not a reason (see CheckReason).
func checkReason(v *Validation, field, reason string) {
	n := len([]rune(strings.TrimSpace(reason)))
	switch {
	case n < minReason || n > maxReason:
		v.Add(field, fmt.Sprintf("must say why, in %d to %d characters", minReason, maxReason))
	case strings.IndexFunc(reason, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) >= 0:
		v.Add(field, "must not contain control characters")
	}
}

// checkName adds to v why name is not a person's name: empty, too long, or
// with control characters.
func checkName(v *Validation, field, name string) { checkLine(v, field, name, maxName) }

// checkLine adds to v why s is not a required line of at most maxLen
// characters without control characters.
func checkLine(v *Validation, field, s string, maxLen int) {
	switch {
	case s == "":
		v.Add(field, "is required")
	case len([]rune(s)) > maxLen:
		v.Add(field, fmt.Sprintf("must be at most %d characters", maxLen))
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		v.Add(field, "must not contain control characters")
	}
}

// checkText adds to v why s is not a line of minLen to maxLen characters
// without control characters.
func checkText(v *Validation, field, s string, minLen, maxLen int) {
	switch n := len([]rune(s)); {
	case n < minLen || n > maxLen:
		v.Add(field, fmt.Sprintf("must be at most %d characters", maxLen))
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		v.Add(field, "must not contain control characters")
	}
}
