package server

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/lindungi/lindungi"
)

// The scans of documents: uploaded as the raw bytes of the file (the API)
// or a multipart form (the worker's page), typed by their bytes, served
// only to those who reach the worker, each download logged as a read.

// maxScanBody is the largest body of an upload through the API: the file
// itself.
const maxScanBody = lindungi.MaxScanSize

// maxUploadForm is the largest form of an upload on a page: the file and
// the document's fields with their multipart framing.
const maxUploadForm = lindungi.MaxScanSize + 1<<20

// readScan reads an uploaded file from r, at most limit bytes: ETOOLARGE
// naming field beyond that.
func readScan(r io.Reader, field string, limit int64) ([]byte, error) {
	content, err := io.ReadAll(io.LimitReader(r, limit+1))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge) || int64(len(content)) > limit:
		return nil, &lindungi.Error{Code: lindungi.ETOOLARGE, Message: "The file is larger than 10 MiB.",
			Fields: []lindungi.FieldError{{Field: field, Reason: "must be at most 10 MiB"}}}
	case err != nil:
		return nil, lindungi.Errorf(lindungi.EMALFORMED, "The file could not be read.")
	}
	return content, nil
}

// attachScan stores the body, the scan of the :id document, whatever the
// Content-Type says: its type is sniffed from its bytes.
func (s *Server) attachScan(c *gin.Context) {
	id, ok := s.pathID(c)
	if !ok {
		return
	}
	content, err := readScan(http.MaxBytesReader(c.Writer, c.Request.Body, maxScanBody+1), "file", maxScanBody)
	if err != nil {
		s.problem(c, err)
		return
	}
	info, err := s.Documents.Attach(withAnswer(c, http.StatusOK), actor(c), id, content)
	if err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, info) // stored with the scan, in its transaction
}

// downloadScan serves the scan of the :id document to a caller who reaches
// its worker, after logging the read with its purpose.
func (s *Server) downloadScan(c *gin.Context) {
	id, ok := s.pathID(c)
	if !ok {
		return
	}
	scan, d, a, err := s.Documents.Scan(c.Request.Context(), actor(c), id)
	if err != nil {
		s.problem(c, err)
		return
	}
	purpose, err := s.purpose(c, false)
	if err == nil {
		err = s.logAccess(c, a, "access.scan", "document", d.ID.String(), &d.WorkerID, purpose, map[string]any{"type": d.Type})
	}
	if err != nil {
		s.problem(c, err)
		return
	}
	serveScan(c, scan, d)
}

// serveScan writes a scan as a download: the type sniffed when it was
// stored, an attachment (never shown inline, where a browser could run
// it), no sniffing by the browser, and no caching of personal data.
func serveScan(c *gin.Context, scan lindungi.Scan, d lindungi.Document) {
	name := strings.ToLower(string(d.Type)) + "-" + d.ID.String() + scan.Extension()
	h := c.Writer.Header()
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Content-Length", strconv.Itoa(len(scan.Content)))
	c.Data(http.StatusOK, scan.ContentType, scan.Content)
}
