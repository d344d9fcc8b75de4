package server

import (
	"crypto/ed25519"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
	"github.com/lindungi/lindungi/auditlog"
)

// DefaultPurpose is the purpose recorded when a role other than an auditor
// reads personal data without saying why: its daily case work.
const DefaultPurpose = "case-work"

// MaxExport is the most events one export holds.
const MaxExport = 50000

// purpose returns why the caller reads personal data: the purpose query
// parameter. Auditors must give one, as must everyone on the audit routes
// (required); others default to DefaultPurpose.
func (s *Server) purpose(c *gin.Context, required bool) (string, error) {
	p := strings.TrimSpace(c.Query("purpose"))
	bad := func(reason string) error {
		return &lindungi.Error{Code: lindungi.EINVALID, Message: "Say why you read this data.",
			Fields: []lindungi.FieldError{{Field: "purpose", Reason: reason}}}
	}
	switch {
	case p == "" && (required || principal(c).HasRole(lindungi.RoleAuditor)):
		return "", bad("is required: say why you read this data, e.g. the audit assignment number")
	case p == "":
		return DefaultPurpose, nil
	case len([]rune(p)) < 3 || len([]rune(p)) > 200:
		return "", bad("must be 3 to 200 characters")
	case strings.IndexFunc(p, unicode.IsControl) >= 0:
		return "", bad("must not contain control characters")
	}
	return p, nil
}

// logAccess writes the access event of a read, before the data is sent: a
// read that cannot be logged is not answered.
func (s *Server) logAccess(c *gin.Context, a app.Actor, action, subjectType, subjectID string, worker *uuid.UUID, purpose string, details map[string]any) error {
	ev := a.Event(c.Request.Context())
	ev.Action, ev.SubjectType, ev.SubjectID, ev.WorkerID, ev.Purpose = action, subjectType, subjectID, worker, purpose
	if len(details) > 0 {
		b, err := json.Marshal(details)
		if err != nil {
			return err
		}
		ev.After = b
	}
	if err := s.Audit.RecordAccess(c.Request.Context(), ev); err != nil {
		return fmt.Errorf("log %s: %w", action, err)
	}
	return nil
}

// traceQuery reads the filters shared by the trace and the access log.
func traceQuery(c *gin.Context, v *lindungi.Validation) (auditlog.Filter, map[string]any) {
	f := auditlog.Filter{Limit: 100}
	details := map[string]any{}
	f.From = timeParam(c, v, "from", details)
	f.To = timeParam(c, v, "to", details)
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		v.Add("to", "must be after from")
	}
	if a := c.Query("action"); a != "" {
		if len(a) > 100 {
			v.Add("action", "must be at most 100 characters")
		}
		f.ActionPrefix = a
		details["action"] = a
	}
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > maxPage {
			v.Add("limit", fmt.Sprintf("must be a number from 1 to %d", maxPage))
		}
		f.Limit = n
	}
	if cur := c.Query("cursor"); cur != "" {
		n, err := strconv.ParseInt(cur, 10, 64)
		if err != nil || n < 0 {
			v.Add("cursor", "must be the next_cursor of the previous page")
		}
		f.After = n
		details["cursor"] = n
	}
	return f, details
}

// timeParam reads an optional RFC 3339 query parameter.
func timeParam(c *gin.Context, v *lindungi.Validation, name string, details map[string]any) time.Time {
	s := c.Query(name)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		v.Add(name, "must be a time in RFC 3339 form, such as 2026-12-23T08:00:00+07:00")
		return time.Time{}
	}
	details[name] = t.UTC()
	return t
}

// page trims one record more than the limit off and returns the cursor of
// the next page, nil on the last.
func page(recs []auditlog.Record, limit int) ([]auditlog.Record, *int64) {
	if len(recs) <= limit {
		return recs, nil
	}
	recs = recs[:limit]
	next := recs[limit-1].Seq
	return recs, &next
}

// traceRecords does what the trace and the access log share: it loads the
// :id worker if the caller may see it, reads the purpose and the filters
// (view adds a view's own), logs the read as action and returns one page of
// the worker's events (its reads alone with accessesOnly) and the next
// page's cursor. ok is false when it answered a problem.
func (s *Server) traceRecords(c *gin.Context, action string, accessesOnly bool, view func(*lindungi.Validation, map[string]any)) (
	w lindungi.Worker, recs []auditlog.Record, next *int64, ok bool) {
	w, a, ok := s.visibleWorker(c)
	if !ok {
		return w, nil, nil, false
	}
	var v lindungi.Validation
	purpose, err := s.purpose(c, true)
	if err != nil {
		s.problem(c, err)
		return w, nil, nil, false
	}
	f, details := traceQuery(c, &v)
	if view != nil {
		view(&v, details)
	}
	if err := v.Err(); err != nil {
		s.problem(c, err)
		return w, nil, nil, false
	}
	if err := s.logAccess(c, a, action, "worker", w.ID.String(), &w.ID, purpose, details); err != nil {
		s.problem(c, err)
		return w, nil, nil, false
	}
	limit := f.Limit
	f.Limit++
	f.AccessesOnly = accessesOnly
	recs, err = s.Audit.AuditTrace(c.Request.Context(), w.ID, f)
	if err != nil {
		s.problem(c, err)
		return w, nil, nil, false
	}
	recs, next = page(recs, limit)
	return w, recs, next, true
}

type traceResponse struct {
	Items      []auditlog.Record `json:"items"`
	NextCursor *int64            `json:"next_cursor"`
}

// workerTrace is the ordered timeline of every event about a worker.
func (s *Server) workerTrace(c *gin.Context) {
	var format string
	w, recs, next, ok := s.traceRecords(c, "access.trace", false, func(v *lindungi.Validation, details map[string]any) {
		format = c.DefaultQuery("format", "json")
		if format != "json" && format != "csv" {
			v.Add("format", "must be json or csv")
		}
		details["format"] = format
	})
	if !ok {
		return
	}
	if format == "csv" {
		if next != nil {
			c.Header("X-Next-Cursor", strconv.FormatInt(*next, 10))
		}
		c.Header("Content-Disposition", `attachment; filename="trace-`+w.ID.String()+`.csv"`)
		c.Status(http.StatusOK)
		c.Header("Content-Type", "text/csv; charset=utf-8")
		if err := writeTraceCSV(c.Writer, recs); err != nil {
			s.Logger.WarnContext(c.Request.Context(), "trace CSV", "err", err)
		}
		return
	}
	if recs == nil {
		recs = []auditlog.Record{}
	}
	c.JSON(http.StatusOK, traceResponse{Items: recs, NextCursor: next})
}

// writeTraceCSV writes the trace as CSV. A cell that a spreadsheet would
// run as a formula starts with a quote (OWASP's advice on CSV injection).
func writeTraceCSV(w http.ResponseWriter, recs []auditlog.Record) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"seq", "occurred_at", "actor", "actor_unit", "actor_role", "action", "subject_type", "subject_id",
		"worker_id", "before", "after", "rule", "policy_version", "workflow_id", "run_id", "request_id", "purpose", "prev_hash", "hash"})
	for _, r := range recs {
		worker := ""
		if r.WorkerID != nil {
			worker = r.WorkerID.String()
		}
		row := []string{strconv.FormatInt(r.Seq, 10), r.OccurredAt.UTC().Format(time.RFC3339Nano), r.Actor, r.ActorUnit, r.ActorRole,
			r.Action, r.SubjectType, r.SubjectID, worker, string(r.Before), string(r.After), r.Rule, r.Policy,
			r.WorkflowID, r.RunID, r.RequestID, r.Purpose, r.PrevHash.String(), r.Hash.String()}
		for i, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				row[i] = "'" + cell
			}
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// Access is one read of a worker's personal data.
type Access struct {
	Seq        int64     `json:"seq"`
	OccurredAt time.Time `json:"occurred_at"`
	Actor      string    `json:"actor"`
	ActorUnit  string    `json:"actor_unit"`
	ActorRole  string    `json:"actor_role"`
	Action     string    `json:"action"`
	Purpose    string    `json:"purpose"`
	RequestID  string    `json:"request_id"`
}

type accessResponse struct {
	Items      []Access `json:"items"`
	NextCursor *int64   `json:"next_cursor"`
}

// workerAccesses says who read a worker's personal data, when and why.
func (s *Server) workerAccesses(c *gin.Context) {
	_, recs, next, ok := s.traceRecords(c, "access.accesses", true, nil)
	if !ok {
		return
	}
	out := accessResponse{Items: make([]Access, len(recs)), NextCursor: next}
	for i, r := range recs {
		out.Items[i] = Access{Seq: r.Seq, OccurredAt: r.OccurredAt, Actor: r.Actor, ActorUnit: r.ActorUnit, ActorRole: r.ActorRole,
			Action: r.Action, Purpose: r.Purpose, RequestID: r.RequestID}
	}
	c.JSON(http.StatusOK, out)
}

type asOfResponse struct {
	At     time.Time       `json:"at"`
	Worker lindungi.Worker `json:"worker"`
	Tasks  []lindungi.Task `json:"tasks"`
}

// workerAsOf shows a worker's file (the worker, its journey step, its
// tasks and their status) as it stood at a past instant.
func (s *Server) workerAsOf(c *gin.Context) {
	w, a, ok := s.visibleWorker(c)
	if !ok {
		return
	}
	purpose, at, details, ok := s.asOfParams(c)
	if !ok {
		return
	}
	if err := s.logAccess(c, a, "access.as_of", "worker", w.ID.String(), &w.ID, purpose, details); err != nil {
		s.problem(c, err)
		return
	}
	then, tasks, err := s.Audit.WorkerAsOf(c.Request.Context(), w.ID, at)
	if err != nil {
		s.problem(c, err)
		return
	}
	if tasks == nil {
		tasks = []lindungi.Task{}
	}
	c.JSON(http.StatusOK, asOfResponse{At: at.UTC(), Worker: then, Tasks: tasks})
}

// auditKey answers 503 when no audit signing key is configured.
func (s *Server) auditKey(c *gin.Context) (*auditlog.Key, bool) {
	if s.AuditKey == nil {
		s.problem(c, lindungi.Errorf(lindungi.EUNAVAILABLE, "No audit signing key is configured."))
		return nil, false
	}
	return s.AuditKey, true
}

// verifyAudit re-checks the whole trail and every checkpoint signature.
func (s *Server) verifyAudit(c *gin.Context) {
	purpose, err := s.purpose(c, true)
	if err != nil {
		s.problem(c, err)
		return
	}
	if err := s.logAccess(c, actor(c), "access.verify", "audit", "chain", nil, purpose, nil); err != nil {
		s.problem(c, err)
		return
	}
	keys := s.AuditKeys
	if keys == nil && s.AuditKey != nil {
		keys = map[string]ed25519.PublicKey{s.AuditKey.ID: s.AuditKey.Public()}
	}
	rep, err := s.Audit.VerifyAudit(c.Request.Context(), keys)
	if err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}

// getAuditKey shows the public key that signs checkpoints and exports.
func (s *Server) getAuditKey(c *gin.Context) {
	purpose, err := s.purpose(c, true)
	if err != nil {
		s.problem(c, err)
		return
	}
	key, ok := s.auditKey(c)
	if !ok {
		return
	}
	if err := s.logAccess(c, actor(c), "access.key", "audit", key.ID, nil, purpose, nil); err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, key.Info())
}

// exportAudit answers the events of a time range with the chain
// information to check them, signed. It spans every unit, so only a role
// held at the top unit may export: a national route, decided before the
// query is read.
func (s *Server) exportAudit(c *gin.Context) {
	var v lindungi.Validation
	purpose, perr := s.purpose(c, true)
	if perr != nil {
		s.problem(c, perr)
		return
	}
	details := map[string]any{}
	from := timeParam(c, &v, "from", details)
	to := timeParam(c, &v, "to", details)
	if !from.IsZero() && !to.IsZero() && !to.After(from) {
		v.Add("to", "must be after from")
	}
	if err := v.Err(); err != nil {
		s.problem(c, err)
		return
	}
	a := actor(c)
	key, ok := s.auditKey(c)
	if !ok {
		return
	}
	if err := s.logAccess(c, a, "access.export", "audit", "export", nil, purpose, details); err != nil {
		s.problem(c, err)
		return
	}
	p, err := s.Audit.AuditExport(c.Request.Context(), from, to, MaxExport)
	if err != nil {
		s.problem(c, err)
		return
	}
	p.ExportedAt, p.ExportedBy = s.Now().UTC(), principal(c).Subject
	ex, err := key.SignExport(p)
	if err != nil {
		s.problem(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="lindungi-audit-%d-%d.json"`, p.FirstSeq, p.LastSeq))
	c.JSON(http.StatusOK, ex)
}

// asOfParams reads the purpose and the instant of an as-of view, answering
// the problem itself when they are wrong.
func (s *Server) asOfParams(c *gin.Context) (purpose string, at time.Time, details map[string]any, ok bool) {
	var v lindungi.Validation
	purpose, err := s.purpose(c, true)
	if err != nil {
		s.problem(c, err)
		return "", time.Time{}, nil, false
	}
	details = map[string]any{}
	at = timeParam(c, &v, "at", details)
	switch {
	case c.Query("at") == "":
		v.Add("at", "is required: the instant, in RFC 3339 form")
	case !at.IsZero() && at.After(s.Now().Add(time.Minute)):
		v.Add("at", "must not be in the future")
	}
	if err := v.Err(); err != nil {
		s.problem(c, err)
		return "", time.Time{}, nil, false
	}
	return purpose, at, details, true
}

type caseAsOfResponse struct {
	At   time.Time     `json:"at"`
	Case lindungi.Case `json:"case"`
}

// caseAsOf shows a case as it stood at a past instant, for auditors; the
// call itself is logged with its purpose.
func (s *Server) caseAsOf(c *gin.Context) {
	pc, a, ok := s.readableCase(c)
	if !ok {
		return
	}
	purpose, at, details, ok := s.asOfParams(c)
	if !ok {
		return
	}
	if err := s.logAccess(c, a, "access.case_as_of", "case", pc.ID.String(), &pc.WorkerID, purpose, details); err != nil {
		s.problem(c, err)
		return
	}
	then, err := s.Cases.AsOf(c.Request.Context(), pc.ID, at)
	if err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, caseAsOfResponse{At: at.UTC(), Case: then})
}
