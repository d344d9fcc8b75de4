package server

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
)

const maxBody = 1 << 20

// bindJSON decodes a JSON object body into v, naming the field of a type
// error and refusing unknown fields.
func bindJSON(c *gin.Context, v any) error {
	ct := c.ContentType()
	if ct != "application/json" {
		return &lindungi.Error{Code: lindungi.EMALFORMED, Message: "Send a JSON body with Content-Type: application/json.",
			Fields: []lindungi.FieldError{{Field: "Content-Type", Reason: "must be application/json"}}}
	}
	dec := json.NewDecoder(http.MaxBytesReader(c.Writer, c.Request.Body, maxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var typeErr *json.UnmarshalTypeError
	var maxErr *http.MaxBytesError
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
	case errors.As(err, &maxErr):
		return lindungi.Errorf(lindungi.EMALFORMED, "The body is larger than %d bytes.", maxBody)
	case errors.Is(err, io.EOF):
		return lindungi.Errorf(lindungi.EMALFORMED, "The body is empty; send a JSON object.")
	}
	return lindungi.Errorf(lindungi.EMALFORMED, "The body is not valid JSON: %v.", err)
}

// bindOn binds the JSON body into v (optional says it may be left out) and
// parses the :id path parameter, answering the problem itself when either
// is wrong.
func (s *Server) bindOn(c *gin.Context, v any, optional bool) (uuid.UUID, bool) {
	bind := bindJSON
	if optional {
		bind = bindOptionalJSON
	}
	if err := bind(c, v); err != nil {
		s.problem(c, err)
		return uuid.Nil, false
	}
	return s.pathID(c)
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

// pathID parses the :id path parameter; a malformed ID is not found.
func (s *Server) pathID(c *gin.Context) (uuid.UUID, bool) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		s.problem(c, lindungi.Errorf(lindungi.ENOTFOUND, "No record has this ID."))
		return uuid.Nil, false
	}
	return id, true
}
