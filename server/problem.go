package server

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/lindungi/lindungi"
)

// problem is an RFC 9457 problem document.
type problem struct {
	Type      string                `json:"type"`
	Title     string                `json:"title"`
	Status    int                   `json:"status"`
	Detail    string                `json:"detail,omitempty"`
	Instance  string                `json:"instance,omitempty"`
	RequestID string                `json:"request_id,omitempty"`
	Errors    []lindungi.FieldError `json:"errors,omitempty"`
}

// statuses maps each error code to its HTTP status and a title in Bahasa
// Indonesia first, English second. It is the only such mapping. A status of
// 503 or 504 comes with Retry-After: the request may succeed later as it
// is.
var statuses = map[string]struct {
	status int
	title  string
}{
	lindungi.EMALFORMED:    {http.StatusBadRequest, "Permintaan tidak dapat dibaca (Malformed request)"},
	lindungi.EINVALID:      {http.StatusUnprocessableEntity, "Data tidak valid (Invalid request)"},
	lindungi.ENOTFOUND:     {http.StatusNotFound, "Tidak ditemukan (Not found)"},
	lindungi.ECONFLICT:     {http.StatusConflict, "Konflik dengan data yang ada (Conflict)"},
	lindungi.EUNAUTHORIZED: {http.StatusUnauthorized, "Perlu masuk (Authentication required)"},
	lindungi.EFORBIDDEN:    {http.StatusForbidden, "Tidak diizinkan (Forbidden)"},
	lindungi.ETOOLARGE:     {http.StatusRequestEntityTooLarge, "Terlalu besar (Content too large)"},
	lindungi.EUNAVAILABLE:  {http.StatusServiceUnavailable, "Layanan belum siap (Service unavailable)"},
	lindungi.ETIMEOUT:      {http.StatusGatewayTimeout, "Layanan tidak menjawab tepat waktu (Timeout)"},
	lindungi.EINTERNAL:     {http.StatusInternalServerError, "Kesalahan internal (Internal error)"},
}

// RetryAfterSeconds is the Retry-After of an answer that a dependency was
// unavailable or slow: long enough for a restarted PostgreSQL or Temporal,
// short enough that a client's retry is not much later than the recovery.
const RetryAfterSeconds = 5

// statusOf is the HTTP status of err, for answers that hold several results.
func statusOf(err error) int {
	if st, ok := statuses[lindungi.ErrorCode(err)]; ok {
		return st.status
	}
	return http.StatusInternalServerError
}

// problem answers err as a problem document. Internal causes are logged,
// never sent.
func (s *Server) problem(c *gin.Context, err error) {
	if isPage(c) {
		s.pageProblem(c, err) // a person, not a program, reads it
		return
	}
	code := lindungi.ErrorCode(err)
	st, ok := statuses[code]
	if !ok {
		code, st = lindungi.EINTERNAL, statuses[lindungi.EINTERNAL]
	}
	detail := lindungi.ErrorMessage(err)
	var fields []lindungi.FieldError
	var e *lindungi.Error
	if errors.As(err, &e) {
		fields = e.Fields
	}
	if st.status >= 500 {
		s.Logger.ErrorContext(c.Request.Context(), "request failed", "err", err, "request_id", lindungi.RequestIDFromContext(c.Request.Context()))
		if code == lindungi.EINTERNAL {
			detail = "Internal error."
		}
	}
	switch {
	case code == lindungi.EUNAUTHORIZED:
		c.Header("WWW-Authenticate", `Bearer realm="lindungi"`)
	case st.status == http.StatusServiceUnavailable || st.status == http.StatusGatewayTimeout:
		c.Header("Retry-After", strconv.Itoa(RetryAfterSeconds))
	}
	writeProblem(c, st.status, code, st.title, detail, fields)
}

func writeProblem(c *gin.Context, status int, code, title, detail string, fields []lindungi.FieldError) {
	p := problem{
		Type: "urn:lindungi:problem:" + code, Title: title, Status: status, Detail: detail,
		Instance: c.Request.URL.Path, RequestID: lindungi.RequestIDFromContext(c.Request.Context()), Errors: fields,
	}
	c.Abort()
	c.Render(status, problemRender{p})
}

// problemRender writes JSON with the problem+json content type.
type problemRender struct{ p problem }

func (r problemRender) Render(w http.ResponseWriter) error {
	r.WriteContentType(w)
	return jsonEncode(w, r.p)
}

func (r problemRender) WriteContentType(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/problem+json")
}
