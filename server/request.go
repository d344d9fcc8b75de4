package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
)

const maxBody = 1 << 20

// bindJSON decodes a JSON object body into v, naming the field of a type
// error or of a value its type refuses (an ID, an instant), and refusing
// unknown fields and a body that is not UTF-8.
func bindJSON(c *gin.Context, v any) error {
	ct := c.ContentType()
	if ct != "application/json" {
		return &lindungi.Error{Code: lindungi.EMALFORMED, Message: "Send a JSON body with Content-Type: application/json.",
			Fields: []lindungi.FieldError{{Field: "Content-Type", Reason: "must be application/json"}}}
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxBody))
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &maxErr):
		return lindungi.Errorf(lindungi.EMALFORMED, "The body is larger than %d bytes.", maxBody)
	case err != nil:
		return lindungi.Errorf(lindungi.EMALFORMED, "The body could not be read.")
	case !utf8.Valid(body):
		// The decoder would turn the bad bytes into U+FFFD silently.
		return lindungi.Errorf(lindungi.EMALFORMED, "The body is not valid UTF-8.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case err == nil:
		if dec.More() {
			return lindungi.Errorf(lindungi.EMALFORMED, "The body must hold one JSON object.")
		}
		return nil
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return lindungi.Errorf(lindungi.EMALFORMED, "The body must be a JSON object.")
		}
		return &lindungi.Error{Code: lindungi.EINVALID, Message: "The request has invalid fields.",
			Fields: []lindungi.FieldError{{Field: field, Reason: "must be a " + jsonKind(typeErr.Type.Kind().String())}}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &lindungi.Error{Code: lindungi.EINVALID, Message: "The request has an unknown field.",
			Fields: []lindungi.FieldError{{Field: field, Reason: "is not a field of this request"}}}
	case errors.Is(err, io.EOF):
		return lindungi.Errorf(lindungi.EMALFORMED, "The body is empty; send a JSON object.")
	case !errors.As(err, &syntaxErr) && !errors.Is(err, io.ErrUnexpectedEOF):
		if field, reason, ok := refusedField(body, v); ok {
			return &lindungi.Error{Code: lindungi.EINVALID, Message: "The request has invalid fields.",
				Fields: []lindungi.FieldError{{Field: field, Reason: reason}}}
		}
	}
	return lindungi.Errorf(lindungi.EMALFORMED, "The body is not valid JSON: %v.", err)
}

// refusedField finds the top-level field of body whose value the type of
// v's field refuses, when the decoder's error does not say: a malformed ID
// or instant. ok is false when no one field is to blame.
func refusedField(body []byte, v any) (field, reason string, ok bool) {
	var fields map[string]json.RawMessage
	t := reflect.TypeOf(v)
	if json.Unmarshal(body, &fields) != nil || t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return "", "", false
	}
	t = t.Elem()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		raw, given := fields[name]
		if !given || name == "" || name == "-" {
			continue
		}
		if err := json.Unmarshal(raw, reflect.New(f.Type).Interface()); err != nil {
			return name, "must be " + jsonForm(f.Type), true
		}
	}
	return "", "", false
}

// jsonForm says what form a value of type t takes in JSON, for a problem.
func jsonForm(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == reflect.TypeFor[uuid.UUID]():
		return "an ID in lowercase 8-4-4-4-12 form"
	case t == reflect.TypeFor[time.Time]():
		return "an instant in RFC 3339 form, such as 2026-12-23T08:00:00+07:00"
	case t.Kind() == reflect.Slice:
		return "an array, each item " + jsonForm(t.Elem())
	}
	return "a " + jsonKind(t.Kind().String())
}

// bindOn parses the :id path parameter and binds the JSON body into v
// (optional says it may be left out), answering the problem itself when
// either is wrong.
func (s *Server) bindOn(c *gin.Context, v any, optional bool) (uuid.UUID, bool) {
	id, ok := s.pathID(c)
	if !ok {
		return uuid.Nil, false
	}
	bind := bindJSON
	if optional {
		bind = bindOptionalJSON
	}
	if err := bind(c, v); err != nil {
		s.problem(c, err)
		return uuid.Nil, false
	}
	return id, true
}

// bindOptionalJSON is bindJSON for a body that may be left out.
func bindOptionalJSON(c *gin.Context, v any) error {
	if c.Request.ContentLength == 0 {
		return nil
	}
	return bindJSON(c, v)
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "struct", "map":
		return "object"
	case "slice", "array":
		return "array"
	case "bool":
		return "boolean"
	}
	return "number"
}

// jsonEncode writes v as JSON.
func jsonEncode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// pathID parses the :id path parameter; an ID that is malformed or not in
// its canonical form (lindungi.ParseID) names no record.
func (s *Server) pathID(c *gin.Context) (uuid.UUID, bool) {
	id, ok := lindungi.ParseID(c.Param("id"))
	if !ok {
		s.problem(c, lindungi.Errorf(lindungi.ENOTFOUND, "No record has this ID."))
		return uuid.Nil, false
	}
	return id, true
}
