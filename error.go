package lindungi

import (
	"errors"
	"fmt"
)

// Error codes. The server maps each to one HTTP status.
const (
	EMALFORMED    = "malformed" // the request could not be read at all
	EINVALID      = "invalid"   // the request was read; some fields are wrong
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	ETOOLARGE     = "too_large"   // the request or a file in it is larger than allowed
	EUNAVAILABLE  = "unavailable" // a dependency (PostgreSQL, Temporal) cannot be reached now; retry later
	ETIMEOUT      = "timeout"     // a dependency did not answer in time; the outcome is unknown, retry with the same key
	EINTERNAL     = "internal"
)

// Error is a domain error whose Message is safe to show to a user.
type Error struct {
	Code    string
	Message string
	Fields  []FieldError // for EINVALID: each bad field
}

// FieldError names one invalid input field.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("lindungi: %s: %s %v", e.Code, e.Message, e.Fields)
	}
	return fmt.Sprintf("lindungi: %s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe message of err.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// Validation collects field errors; Err returns nil when there are none.
type Validation struct{ fields []FieldError }

// Add records that field is invalid for reason.
func (v *Validation) Add(field, reason string) {
	v.fields = append(v.fields, FieldError{field, reason})
}

// Err returns an EINVALID *Error naming every bad field, or nil.
func (v *Validation) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "The request has invalid fields.", Fields: v.fields}
}

// Merge adds the fields an EINVALID error from another check names (such
// as CheckReason's) to v; nil adds nothing.
func (v *Validation) Merge(err error) {
	var e *Error
	switch {
	case err == nil:
	case errors.As(err, &e) && len(e.Fields) > 0:
		v.fields = append(v.fields, e.Fields...)
	default:
		v.Add("", ErrorMessage(err))
	}
}
