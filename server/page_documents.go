package server

import (
	"encoding/json"
	"errors"
	"io"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
	"github.com/lindungi/lindungi/web"
)

// The documents of the worker's page: adding one with its scan (a
// multipart form), downloading a scan, and the second person's decision,
// through the services of POST /v1/workers/{id}/documents (with
// PUT /v1/documents/{id}/file), GET /v1/documents/{id}/file and
// POST /v1/documents/{id}/verify and /reject.

// The page routes of the documents.
const (
	pageCorrectWorker  = "/pekerja/:id/koreksi"
	pageUploadDocument = "/pekerja/:id/dokumen"
	pageDownloadScan   = "/dokumen/:id/berkas"
	pageVerifyDocument = "/dokumen/:id/verifikasi"
	pageRejectDocument = "/dokumen/:id/tolak"
)

// uploadForm is the upload form of the worker id with the values given
// and, for each input the service refused, the error next to it.
func (s *Server) uploadForm(c *gin.Context, id string, nd lindungi.NewDocument, err error) *web.UploadForm {
	p := web.NewPrinter(web.Lang(c.Request))
	errs := map[string]string{}
	var e *lindungi.Error
	if errors.As(err, &e) {
		for _, f := range e.Fields {
			switch f.Field {
			case "file":
				key := "doc.error.file"
				if e.Code == lindungi.ETOOLARGE {
					key = "doc.error.file_too_large"
				}
				errs["file"] = p.T(key, "MiB", lindungi.MaxScanSize>>20)
			case "file_ref":
			default:
				errs[f.Field] = p.T("doc.error." + f.Field)
			}
		}
	}
	field := func(name, label, value string) web.Field {
		return web.Field{Name: name, Label: p.T(label), Value: value, Error: errs[name]}
	}
	f := &web.UploadForm{Action: "/pekerja/" + id + "/dokumen", Invalid: err != nil, Open: err != nil,
		Type:      web.Select{Name: "type", Label: p.T("doc.type"), Error: errs["type"]},
		Number:    field("number", "doc.number", nd.Number),
		IssuedOn:  field("issued_on", "doc.issued_on", nd.IssuedOn),
		ExpiresOn: field("expires_on", "doc.expires_on", nd.ExpiresOn),
		File:      field("file", "doc.file", ""),
	}
	f.Number.Required, f.File.Required = true, true
	f.Number.Autocomplete = "off"
	f.IssuedOn.Type, f.ExpiresOn.Type, f.File.Type = "date", "date", "file"
	f.ExpiresOn.Hint = p.T("doc.expires_hint")
	f.File.Hint = p.T("doc.file_hint", "MiB", lindungi.MaxScanSize>>20)
	f.Type.Options = []web.Option{{Value: "", Label: p.T("doc.choose")}}
	for _, t := range lindungi.DocTypes {
		f.Type.Options = append(f.Type.Options, web.Option{Value: string(t), Label: p.DocType(t), Selected: nd.Type == t})
	}
	return f
}

// uploadDocumentPage adds a document with its scan to the :id worker
// (app.Documents.AddWithScan: the type sniffed from the bytes, at most
// lindungi.MaxScanSize), then shows the worker's page with a flash.
// Refused input shows the page again with the form open, each problem
// next to its input; nothing is written.
func (s *Server) uploadDocumentPage(c *gin.Context) {
	id, ok := s.pathID(c)
	if !ok {
		return
	}
	nd := lindungi.NewDocument{Type: lindungi.DocType(c.PostForm("type")), Number: c.PostForm("number"),
		IssuedOn: c.PostForm("issued_on"), ExpiresOn: c.PostForm("expires_on")}
	var content []byte
	if fh, err := c.FormFile("file"); err == nil {
		f, err := fh.Open()
		if err != nil {
			s.pageProblem(c, err)
			return
		}
		defer f.Close()
		// One byte more than allowed is enough for the service to refuse
		// it as too large, after it checked the user's reach.
		if content, err = io.ReadAll(io.LimitReader(f, lindungi.MaxScanSize+1)); err != nil {
			s.pageProblem(c, err)
			return
		}
	}
	_, _, err := s.Documents.AddWithScan(c.Request.Context(), actor(c), id, nd, content)
	switch code := lindungi.ErrorCode(err); {
	case err == nil:
		sess := session(c)
		sess.Flash = "flash.document_added"
		setSession(c, sess)
		s.redirect(c, "/pekerja/"+id.String()+"#dokumen")
	case code == lindungi.EINVALID || code == lindungi.ETOOLARGE:
		s.showWorker(c, statusOf(err), s.uploadForm(c, id.String(), nd, err), nil)
	default:
		s.pageProblem(c, err)
	}
}

// downloadScanPage serves the scan of the :id document to a user who
// reaches its worker, after logging the read with its purpose.
func (s *Server) downloadScanPage(c *gin.Context) {
	id, ok := s.pathID(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	scan, d, a, err := s.Documents.Scan(ctx, actor(c), id)
	if err != nil {
		s.pageProblem(c, err)
		return
	}
	purpose, err := s.purpose(c, false)
	if err != nil {
		s.pageProblem(c, err)
		return
	}
	ev := a.Event(ctx)
	ev.Action, ev.SubjectType, ev.SubjectID, ev.WorkerID, ev.Purpose = "access.scan", "document", d.ID.String(), &d.WorkerID, purpose
	ev.After, _ = json.Marshal(map[string]any{"type": d.Type})
	if err := s.Pages.Store.RecordAccesses(ctx, []lindungi.Event{ev}); err != nil {
		s.pageProblem(c, err)
		return
	}
	s.flushSession(c)
	serveScan(c, scan, d)
}

// verifyDocumentPage verifies the :id document as the second person
// (app.Documents.Verify, the four-eyes rule), then shows its worker's page.
func (s *Server) verifyDocumentPage(c *gin.Context) {
	s.decideDocumentPage(c, "flash.document_verified", func(a app.Actor, id uuid.UUID) (lindungi.Document, error) {
		return s.Documents.Verify(c.Request.Context(), a, id)
	})
}

// rejectDocumentPage rejects the :id document with the form's reason
// (app.Documents.Reject), then shows its worker's page.
func (s *Server) rejectDocumentPage(c *gin.Context) {
	s.decideDocumentPage(c, "flash.document_rejected", func(a app.Actor, id uuid.UUID) (lindungi.Document, error) {
		return s.Documents.Reject(c.Request.Context(), a, id, c.PostForm("reason"))
	})
}

// decideDocumentPage runs decide on the :id document and goes to its
// worker's page with a flash. A refusal the user can act on (the four-eyes
// rule, a decision taken already, a missing reason) shows on the page of
// the worker the form came from (its worker field), in words, with the
// status of the error; anything else, or a form without its worker, is the
// error page.
func (s *Server) decideDocumentPage(c *gin.Context, flash string, decide func(app.Actor, uuid.UUID) (lindungi.Document, error)) {
	id, ok := s.pathID(c)
	if !ok {
		return
	}
	d, err := decide(actor(c), id)
	if err == nil {
		sess := session(c)
		sess.Flash = flash
		setSession(c, sess)
		s.redirect(c, "/pekerja/"+d.WorkerID.String()+"#dokumen")
		return
	}
	worker, known := lindungi.ParseID(c.PostForm("worker"))
	switch lindungi.ErrorCode(err) {
	case lindungi.EINVALID, lindungi.ECONFLICT, lindungi.EFORBIDDEN:
		if known {
			p := web.NewPrinter(web.Lang(c.Request))
			c.Params = append(c.Params[:0], gin.Param{Key: "id", Value: worker.String()})
			s.showWorker(c, statusOf(err), nil, &web.Flash{Kind: "error", Text: p.DocumentError(err)})
			return
		}
	}
	s.pageProblem(c, err)
}
