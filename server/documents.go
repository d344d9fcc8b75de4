package server

import (
	"net/http"

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
	id, ok := s.bindOn(c, &nd, false)
	if !ok {
		return
	}
	d, err := s.Documents.Add(withAnswer(c, http.StatusCreated), actor(c), id, nd)
	if err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusCreated, d) // stored with the document, in its transaction
}

// listDocuments lists the :id worker's current documents, and the
// superseded ones with ?superseded=true.
func (s *Server) listDocuments(c *gin.Context) {
	id, ok := s.pathID(c)
	if !ok {
		return
	}
	// The caller must reach the worker before the query is validated.
	var v lindungi.Validation
	superseded, _ := boolParam(c, &v, "superseded")
	docs, a, err := s.Documents.List(c.Request.Context(), actor(c), id, superseded)
	if err == nil {
		err = v.Err()
	}
	if err != nil {
		s.problem(c, err)
		return
	}
	// Document numbers are personal data: the read is logged with its
	// purpose before it is served.
	purpose, err := s.purpose(c, false)
	if err == nil {
		err = s.logAccess(c, a, "access.document", "worker", id.String(), &id, purpose, nil)
	}
	if err != nil {
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
	id, ok := s.pathID(c)
	if !ok {
		return
	}
	d, err := s.Documents.Verify(withAnswer(c, http.StatusOK), actor(c), id)
	if err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, d) // stored with the decision, in its transaction
}

type rejectRequest struct {
	Reason string `json:"reason"`
}

// rejectDocument records that the caller rejected the :id document; the
// worker's file then needs a new document of the type.
func (s *Server) rejectDocument(c *gin.Context) {
	var req rejectRequest
	id, ok := s.bindOn(c, &req, false)
	if !ok {
		return
	}
	d, err := s.Documents.Reject(withAnswer(c, http.StatusOK), actor(c), id, req.Reason)
	if err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, d) // stored with the decision, in its transaction
}
