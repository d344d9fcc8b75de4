package server

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/lindungi/lindungi"
)

// documentList is the answer of a worker's document list.
type documentList struct {
	Items []lindungi.Document `json:"items"`
}

// addDocument adds a document to the :id worker; a current document of the
// same type is superseded and kept.
func (s *Server) addDocument(c *gin.Context) {
	var nd lindungi.NewDocument
	if err := bindJSON(c, &nd); err != nil {
		s.problem(c, err)
		return
	}
	nd.Normalize()
	if err := nd.Validate(s.Now().In(lindungi.WIB)); err != nil {
		s.problem(c, err)
		return
	}
	w, ok := s.visibleWorker(c)
	if !ok {
		return
	}
	d, err := s.Store.AddDocument(c.Request.Context(), w.ID, nd, s.event(c))
	if err != nil {
		s.problem(c, err)
		return
	}
	s.storeResponse(c, http.StatusCreated, d)
	c.JSON(http.StatusCreated, d)
}

// listDocuments lists the :id worker's current documents, and the
// superseded ones with ?superseded=true.
func (s *Server) listDocuments(c *gin.Context) {
	var superseded bool
	switch q := c.Query("superseded"); q {
	case "", "false":
	case "true":
		superseded = true
	default:
		s.problem(c, &lindungi.Error{Code: lindungi.EINVALID, Message: "The request has invalid fields.",
			Fields: []lindungi.FieldError{{Field: "superseded", Reason: "must be true or false"}}})
		return
	}
	w, ok := s.visibleWorker(c)
	if !ok {
		return
	}
	// Document numbers are personal data: the read is logged with its
	// purpose before it is served.
	purpose, err := s.purpose(c, false)
	if err != nil {
		s.problem(c, err)
		return
	}
	docs, err := s.Store.ListDocuments(c.Request.Context(), w.ID, superseded)
	if err != nil {
		s.problem(c, err)
		return
	}
	if err := s.logAccess(c, "access.document", "worker", w.ID.String(), &w.ID, purpose, nil); err != nil {
		s.problem(c, err)
		return
	}
	if docs == nil {
		docs = []lindungi.Document{}
	}
	c.JSON(http.StatusOK, documentList{Items: docs})
}

// verifyDocument records that the caller verified the :id document. The
// person who added it may not (four-eyes rule: 403).
func (s *Server) verifyDocument(c *gin.Context) {
	d, ok := s.visibleDocument(c)
	if !ok {
		return
	}
	out, err := s.Store.VerifyDocument(c.Request.Context(), d.ID, s.event(c))
	if err != nil {
		s.problem(c, err)
		return
	}
	s.storeResponse(c, http.StatusOK, out)
	c.JSON(http.StatusOK, out)
}

type rejectRequest struct {
	Reason string `json:"reason"`
}

// rejectDocument records that the caller rejected the :id document; the
// worker's file then needs a new document of the type.
func (s *Server) rejectDocument(c *gin.Context) {
	var req rejectRequest
	if err := bindJSON(c, &req); err != nil {
		s.problem(c, err)
		return
	}
	req.Reason = strings.TrimSpace(req.Reason)
	if err := lindungi.CheckReason("reason", req.Reason); err != nil {
		s.problem(c, err)
		return
	}
	d, ok := s.visibleDocument(c)
	if !ok {
		return
	}
	out, err := s.Store.RejectDocument(c.Request.Context(), d.ID, req.Reason, s.event(c))
	if err != nil {
		s.problem(c, err)
		return
	}
	s.storeResponse(c, http.StatusOK, out)
	c.JSON(http.StatusOK, out)
}

// visibleWorker loads the :id worker if the caller may use this route on it.
func (s *Server) visibleWorker(c *gin.Context) (lindungi.Worker, bool) {
	id, ok := s.pathID(c)
	if !ok {
		return lindungi.Worker{}, false
	}
	w, err := s.Store.FindWorker(c.Request.Context(), id)
	if err == nil {
		err = s.visible(c, w.DomicileUnit, w.ID, "Worker not found.")
	}
	if err != nil {
		s.problem(c, err)
		return lindungi.Worker{}, false
	}
	return w, true
}

// visibleDocument loads the :id document if the caller may use this route
// on its worker's records (the worker's domicile unit).
func (s *Server) visibleDocument(c *gin.Context) (lindungi.Document, bool) {
	id, ok := s.pathID(c)
	if !ok {
		return lindungi.Document{}, false
	}
	ctx := c.Request.Context()
	d, err := s.Store.FindDocument(ctx, id)
	if err == nil {
		var w lindungi.Worker
		w, err = s.Store.FindWorker(ctx, d.WorkerID)
		if err == nil {
			err = s.visible(c, w.DomicileUnit, w.ID, "Document not found.")
		}
	}
	if err != nil {
		s.problem(c, err)
		return lindungi.Document{}, false
	}
	return d, true
}
