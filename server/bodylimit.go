package server

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/lindungi/lindungi"
)

// maxMemory is how much of a multipart form is held in memory (gin's
// default); the rest goes to temporary files, removed after the request.
const maxMemory = 32 << 20

// maxBodyKey holds the route's own body limit, when it has one.
const maxBodyKey = "max_body"

// limitBody gives a route a body limit of its own (route.maxBody), which
// the page session and the idempotency check read instead of their
// defaults: uploads are larger than forms and JSON bodies.
func limitBody(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Set(maxBodyKey, n)
		c.Next()
	}
}

// bodyLimit is the request's body limit: the route's own, else def.
func bodyLimit(c *gin.Context, def int64) int64 {
	if n := c.GetInt64(maxBodyKey); n > 0 {
		return n
	}
	return def
}

// errTooLarge refuses a body larger than its route reads.
func errTooLarge(c *gin.Context) error {
	return lindungi.Errorf(lindungi.ETOOLARGE, "The request is larger than this form accepts (%d bytes).", bodyLimit(c, maxForm))
}

// readForm reads a page post's form (urlencoded or multipart) within the
// route's limit, so that a form too large is told apart from one without
// its CSRF token: ETOOLARGE for a body over the limit.
func readForm(c *gin.Context) error {
	r := c.Request
	if r.ContentLength > bodyLimit(c, maxForm) {
		return errTooLarge(c)
	}
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(maxMemory)
	} else {
		err = r.ParseForm()
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return errTooLarge(c)
	}
	return nil // a malformed form has no token: the CSRF check refuses it
}

// fileLimit is the largest file the request's route takes, as its users
// are told: a document's scan (lindungi.MaxScanSize, its form a little
// more), or the route's whole body limit for larger uploads.
func fileLimit(c *gin.Context) int64 {
	if n := bodyLimit(c, maxForm); n > maxUploadForm {
		return n
	}
	return lindungi.MaxScanSize
}
