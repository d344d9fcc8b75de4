package server

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

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
const MaxExport = app.MaxExport

// purpose returns why the caller reads personal data: the purpose query
// parameter, or on a page the purpose the session carries (the audit
// pages ask for it once). Auditors must give one, as must everyone on the
// audit routes (required); others default to DefaultPurpose.
func (s *Server) purpose(c *gin.Context, required bool) (string, error) {
	p := c.Query("purpose")
	if strings.TrimSpace(p) == "" && isPage(c) {
		p = session(c).Purpose
	}
	if strings.TrimSpace(p) == "" && !required && !principal(c).HasRole(lindungi.RoleAuditor) {
		return DefaultPurpose, nil
	}
	checked, err := lindungi.CheckPurpose(p)
	if err != nil {
		reason := "must be 3 to 200 characters, on one line"
		if strings.TrimSpace(p) == "" {
			reason = "is required: say why you read this data, e.g. the audit assignment number"
		}
		return "", &lindungi.Error{Code: lindungi.EINVALID, Message: "Say why you read this data.",
			Fields: []lindungi.FieldError{{Field: "purpose", Reason: reason}}}
	}
	return checked, nil
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

// traceQuery reads the filters shared by the trace and the access log,
// and adds them to details.
func traceQuery(c *gin.Context, v *lindungi.Validation, details map[string]any) auditlog.Filter {
	var f auditlog.Filter
	f.From = timeParam(c, v, "from", details)
	f.To = timeParam(c, v, "to", details)
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		v.Add("to", "must be after from")
	}
	f.ActionPrefix = textParam(c, v, "action", details)
	f.Actor = textParam(c, v, "actor", details)
	f.Limit, f.After = pageLimit(c, v, details)
	return f
}

// textParam reads an optional query parameter of at most 200 characters.
func textParam(c *gin.Context, v *lindungi.Validation, name string, details map[string]any) string {
	s := c.Query(name)
	if s == "" {
		return ""
	}
	if len([]rune(s)) > 200 {
		v.Add(name, "must be at most 200 characters")
	}
	details[name] = s
	return s
}

// pageLimit reads limit (1 to maxPage, 100 by default) and the cursor of
// an event list: the seq of the last event of the page before.
func pageLimit(c *gin.Context, v *lindungi.Validation, details map[string]any) (limit int, after int64) {
	limit = 100
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > maxPage {
			v.Add("limit", fmt.Sprintf("must be a number from 1 to %d", maxPage))
		}
		limit = n
	}
	if cur := c.Query("cursor"); cur != "" {
		n, err := strconv.ParseInt(cur, 10, 64)
		if err != nil || n < 0 {
			v.Add("cursor", "must be the next_cursor of the previous page")
		}
		after = n
		details["cursor"] = n
	}
	return limit, after
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

// formatParam reads format: json (the default) or csv.
func formatParam(c *gin.Context, v *lindungi.Validation, details map[string]any) string {
	format := c.DefaultQuery("format", "json")
	if format != "json" && format != "csv" {
		v.Add("format", "must be json or csv")
	}
	details["format"] = format
	return format
}

// auditRead reads the purpose (required) and the filters of an audit view
// (read adds the view's own to v and details); ok is false when it
// answered a problem.
func (s *Server) auditRead(c *gin.Context, read func(v *lindungi.Validation, details map[string]any)) (app.Read, bool) {
	purpose, err := s.purpose(c, true)
	if err != nil {
		s.problem(c, err)
		return app.Read{}, false
	}
	var v lindungi.Validation
	details := map[string]any{}
	read(&v, details)
	if err := v.Err(); err != nil {
		s.problem(c, err)
		return app.Read{}, false
	}
	return app.Read{Purpose: purpose, Details: details}, true
}

// workerTrace is the ordered timeline of every event about a worker.
func (s *Server) workerTrace(c *gin.Context) {
	// The worker's reach is decided before the query is read.
	w, _, ok := s.visibleWorker(c)
	if !ok {
		return
	}
	id := w.ID
	var f auditlog.Filter
	var format string
	read, ok := s.auditRead(c, func(v *lindungi.Validation, details map[string]any) {
		f = traceQuery(c, v, details)
		format = formatParam(c, v, details)
	})
	if !ok {
		return
	}
	tr, err := s.Auditing.Trace(c.Request.Context(), actor(c), id, app.TraceRequest{Read: read, Events: &f})
	if err != nil {
		s.problem(c, err)
		return
	}
	if format == "csv" {
		if tr.Events.Next != nil {
			c.Header("X-Next-Cursor", strconv.FormatInt(*tr.Events.Next, 10))
		}
		w := s.startCSV(c, "trace-"+tr.Worker.ID.String()+".csv")
		if err := writeEventsCSV(w, tr.Events.Items); err != nil {
			s.Logger.WarnContext(c.Request.Context(), "trace CSV", "err", err)
		}
		return
	}
	c.JSON(http.StatusOK, tr.Events)
}

// startCSV answers 200 with a CSV attachment named name and returns its
// writer.
func (s *Server) startCSV(c *gin.Context, name string) *csv.Writer {
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Status(http.StatusOK)
	return csv.NewWriter(c.Writer)
}

// eventCSVHeader are the columns of an event in CSV.
var eventCSVHeader = []string{"seq", "occurred_at", "actor", "actor_unit", "actor_role", "action", "subject_type", "subject_id",
	"worker_id", "before", "after", "rule", "policy_version", "workflow_id", "run_id", "request_id", "purpose", "prev_hash", "hash"}

// eventCSV is an event as a CSV row.
func eventCSV(r auditlog.Record) []string {
	worker := ""
	if r.WorkerID != nil {
		worker = r.WorkerID.String()
	}
	return safeCSV([]string{strconv.FormatInt(r.Seq, 10), r.OccurredAt.UTC().Format(time.RFC3339Nano), r.Actor, r.ActorUnit, r.ActorRole,
		r.Action, r.SubjectType, r.SubjectID, worker, string(r.Before), string(r.After), r.Rule, r.Policy,
		r.WorkflowID, r.RunID, r.RequestID, r.Purpose, r.PrevHash.String(), r.Hash.String()})
}

// safeCSV starts with a quote each cell that a spreadsheet would run as a
// formula (OWASP's advice on CSV injection).
func safeCSV(row []string) []string {
	for i, cell := range row {
		if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
			row[i] = "'" + cell
		}
	}
	return row
}

// writeEventsCSV writes events as CSV, under their header.
func writeEventsCSV(cw *csv.Writer, recs []auditlog.Record) error {
	cw.Write(eventCSVHeader)
	for _, r := range recs {
		cw.Write(eventCSV(r))
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
	// The worker's reach is decided before the query is read.
	w, _, ok := s.visibleWorker(c)
	if !ok {
		return
	}
	id := w.ID
	var f auditlog.Filter
	read, ok := s.auditRead(c, func(v *lindungi.Validation, details map[string]any) {
		f = traceQuery(c, v, details)
	})
	if !ok {
		return
	}
	tr, err := s.Auditing.Trace(c.Request.Context(), actor(c), id, app.TraceRequest{Read: read, Reads: &f})
	if err != nil {
		s.problem(c, err)
		return
	}
	out := accessResponse{Items: make([]Access, len(tr.Reads.Items)), NextCursor: tr.Reads.Next}
	for i, r := range tr.Reads.Items {
		out.Items[i] = Access{Seq: r.Seq, OccurredAt: r.OccurredAt, Actor: r.Actor, ActorUnit: r.ActorUnit, ActorRole: r.ActorRole,
			Action: r.Action, Purpose: r.Purpose, RequestID: r.RequestID}
	}
	c.JSON(http.StatusOK, out)
}

// workerAsOf shows a worker's file (the worker, its journey step, its
// tasks, documents and cases) as it stood at a past instant.
func (s *Server) workerAsOf(c *gin.Context) {
	// The worker's reach is decided before the query is read.
	w, _, ok := s.visibleWorker(c)
	if !ok {
		return
	}
	id := w.ID
	var at time.Time
	read, ok := s.auditRead(c, func(v *lindungi.Validation, details map[string]any) {
		at = timeParam(c, v, "at", details)
		if c.Query("at") == "" {
			v.Add("at", "is required: the instant, in RFC 3339 form")
		}
	})
	if !ok {
		return
	}
	file, err := s.Auditing.AsOf(c.Request.Context(), actor(c), id, at, read)
	if err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, file)
}

// verifyAudit re-checks the whole trail and every checkpoint signature.
func (s *Server) verifyAudit(c *gin.Context) {
	read, ok := s.auditRead(c, func(*lindungi.Validation, map[string]any) {})
	if !ok {
		return
	}
	rep, err := s.Auditing.Verify(c.Request.Context(), actor(c), read)
	if err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}

// getAuditKey shows the public key that signs checkpoints and exports.
func (s *Server) getAuditKey(c *gin.Context) {
	read, ok := s.auditRead(c, func(*lindungi.Validation, map[string]any) {})
	if !ok {
		return
	}
	info, err := s.Auditing.KeyInfo(c.Request.Context(), actor(c), read)
	if err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, info)
}

// exportAudit answers the events of a time range with the chain
// information to check them, signed: every unit's for a caller held at
// the national level, else the events within the caller's reach (or the
// unit's it names, below its own).
func (s *Server) exportAudit(c *gin.Context) {
	var from, to time.Time
	var unit string
	read, ok := s.auditRead(c, func(v *lindungi.Validation, details map[string]any) {
		from = timeParam(c, v, "from", details)
		to = timeParam(c, v, "to", details)
		if !from.IsZero() && !to.IsZero() && !to.After(from) {
			v.Add("to", "must be after from")
		}
		unit = textParam(c, v, "unit", details)
	})
	if !ok {
		return
	}
	ex, p, err := s.Auditing.Export(c.Request.Context(), actor(c), from, to, unit, read)
	if err != nil {
		s.problem(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, exportName(p)))
	c.JSON(http.StatusOK, ex)
}

// exportName is the file name of an export: its scope and its stretch.
func exportName(p auditlog.ExportPayload) string {
	scope := "all"
	if p.Scope != "" {
		scope = p.Scope
	}
	return fmt.Sprintf("lindungi-audit-%s-%d-%d.json", scope, p.FirstSeq, p.LastSeq)
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
	var v lindungi.Validation
	purpose, err := s.purpose(c, true)
	if err != nil {
		s.problem(c, err)
		return
	}
	details := map[string]any{}
	at := timeParam(c, &v, "at", details)
	switch {
	case c.Query("at") == "":
		v.Add("at", "is required: the instant, in RFC 3339 form")
	case !at.IsZero() && at.After(s.Now().Add(time.Minute)):
		v.Add("at", "must not be in the future")
	}
	if err := v.Err(); err != nil {
		s.problem(c, err)
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

// The inspector's questions of the whole trail (app.Audit.Events): the
// same filters for each, the answer a page of events as JSON or every
// event as CSV, streamed, under rows that say who exported it, when, why
// and what was asked.

// eventsRequest reads the filters of an inspector's question; user says
// whether it names a user.
func (s *Server) eventsRequest(c *gin.Context, query string, user bool) (app.EventsRequest, string, bool) {
	req := app.EventsRequest{Query: query}
	var format string
	read, ok := s.auditRead(c, func(v *lindungi.Validation, details map[string]any) {
		f := &req.Filter
		f.From = timeParam(c, v, "from", details)
		f.To = timeParam(c, v, "to", details)
		if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
			v.Add("to", "must be after from")
		}
		if user {
			f.Actor = textParam(c, v, "user", details)
			if f.Actor == "" {
				v.Add("user", "is required: the user whose events to list")
			}
		}
		if query != app.QueryPolicyChanges {
			f.Unit = textParam(c, v, "unit", details)
		}
		f.Limit, f.After = pageLimit(c, v, details)
		format = formatParam(c, v, details)
	})
	req.Read = read
	return req, format, ok
}

// auditEvents answers one inspector's question: a page of events, or
// with format=csv every event, streamed.
func (s *Server) auditEvents(query string, user bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		req, format, ok := s.eventsRequest(c, query, user)
		if !ok {
			return
		}
		ctx := c.Request.Context()
		if format != "csv" {
			page, err := s.Auditing.EventsPage(ctx, actor(c), req)
			if err != nil {
				s.problem(c, err)
				return
			}
			c.JSON(http.StatusOK, page)
			return
		}
		s.streamEvents(c, req)
	}
}

// streamEvents answers an inspector's question with every event it
// selects as CSV, streamed as the store reads them.
func (s *Server) streamEvents(c *gin.Context, req app.EventsRequest) {
	req.Filter.Limit, req.Filter.After = 0, 0
	var cw *csv.Writer
	err := s.Auditing.Events(c.Request.Context(), actor(c), req, func(r auditlog.Record) error {
		if cw == nil {
			cw = s.startExport(c, req)
			cw.Write(eventCSVHeader)
		}
		return cw.Write(eventCSV(r))
	})
	s.endExport(c, req, cw, err, eventCSVHeader)
}

// streamEscalations answers the question of the escalations that reached
// the top with every one as CSV, streamed.
func (s *Server) streamEscalations(c *gin.Context, req app.EventsRequest) {
	req.Filter.Limit, req.Filter.After = 0, 0
	var cw *csv.Writer
	err := s.Auditing.Escalations(c.Request.Context(), actor(c), req, func(e app.Escalation) error {
		if cw == nil {
			cw = s.startExport(c, req)
			cw.Write(escalationCSVHeader)
		}
		return cw.Write(escalationCSV(e))
	})
	s.endExport(c, req, cw, err, escalationCSVHeader)
}

// escalationsResponse is a page of escalations that reached the top.
type escalationsResponse struct {
	Items      []app.Escalation `json:"items"`
	NextCursor *int64           `json:"next_cursor"`
}

// escalationCSVHeader are the columns of an escalation in CSV.
var escalationCSVHeader = []string{"seq", "reached_top_at", "task_id", "task_kind", "unit_now", "worker_id", "workflow_id", "level", "path", "moves"}

// escalationCSV is an escalation as a CSV row: the units it went through
// ("3305 > 33 > ID") and the seqs of its moves.
func escalationCSV(e app.Escalation) []string {
	worker := ""
	if e.Top.WorkerID != nil {
		worker = e.Top.WorkerID.String()
	}
	var seqs []string
	for _, m := range e.Moves {
		seqs = append(seqs, strconv.FormatInt(m.Seq, 10))
	}
	return safeCSV([]string{strconv.FormatInt(e.Top.Seq, 10), e.Top.OccurredAt.UTC().Format(time.RFC3339Nano), e.Top.SubjectID,
		string(e.Task.Kind), e.Task.Unit, worker, e.Top.WorkflowID, strconv.Itoa(e.Task.Level),
		strings.Join(EscalationPath(e), " > "), strings.Join(seqs, " ")})
}

// EscalationPath lists the units an escalation went through, from where
// its first move took it from.
func EscalationPath(e app.Escalation) []string {
	var path []string
	unitOf := func(raw json.RawMessage) string {
		var v struct {
			Unit string `json:"unit"`
		}
		json.Unmarshal(raw, &v)
		return v.Unit
	}
	for i, m := range e.Moves {
		if i == 0 {
			if u := unitOf(m.Before); u != "" {
				path = append(path, u)
			}
		}
		if u := unitOf(m.After); u != "" {
			path = append(path, u)
		}
	}
	if len(path) == 0 && e.Task.Unit != "" {
		path = append(path, e.Task.Unit)
	}
	return path
}

// topEscalations lists the escalations that reached the top of their
// chain, each with its moves, as a page or, with format=csv, every one.
func (s *Server) topEscalations(c *gin.Context) {
	req, format, ok := s.eventsRequest(c, app.QueryTopEscalation, false)
	if !ok {
		return
	}
	if format != "csv" {
		page, err := s.escalationsPage(c, req)
		if err != nil {
			s.problem(c, err)
			return
		}
		c.JSON(http.StatusOK, page)
		return
	}
	s.streamEscalations(c, req)
}

// escalationsPage is one page of the escalations that reached the top.
func (s *Server) escalationsPage(c *gin.Context, req app.EventsRequest) (escalationsResponse, error) {
	limit := req.Filter.Limit
	req.Filter.Limit++
	out := escalationsResponse{Items: []app.Escalation{}}
	err := s.Auditing.Escalations(c.Request.Context(), actor(c), req, func(e app.Escalation) error {
		out.Items = append(out.Items, e)
		return nil
	})
	if len(out.Items) > limit {
		out.Items = out.Items[:limit]
		next := out.Items[limit-1].Top.Seq
		out.NextCursor = &next
	}
	return out, err
}

// startExport answers 200 with a CSV attachment whose first rows say who
// exported it, when, why, and what was asked; the table follows.
func (s *Server) startExport(c *gin.Context, req app.EventsRequest) *csv.Writer {
	now := s.Now().UTC()
	cw := s.startCSV(c, fmt.Sprintf("lindungi-%s-%s.csv", strings.ReplaceAll(req.Query, "_", "-"), now.Format("20060102T150405Z")))
	asked, _ := json.Marshal(req.Details)
	for _, row := range [][]string{
		{"lindungi audit export", req.Query},
		{"exported_by", principal(c).Subject},
		{"exported_at", now.Format(time.RFC3339)},
		{"purpose", req.Purpose},
		{"asked", string(asked)},
		{},
	} {
		cw.Write(safeCSV(row))
	}
	return cw
}

// endExport ends a CSV export: an export with no rows still says who made
// it and has its header; an error before any row is answered as a
// problem, one in the middle ends the file early (logged: its 200 is
// sent).
func (s *Server) endExport(c *gin.Context, req app.EventsRequest, cw *csv.Writer, err error, header []string) {
	switch {
	case err != nil && cw == nil:
		s.problem(c, err)
		return
	case err != nil:
		s.Logger.ErrorContext(c.Request.Context(), "audit export cut short", "query", req.Query, "err", err,
			"request_id", lindungi.RequestIDFromContext(c.Request.Context()))
	case cw == nil:
		cw = s.startExport(c, req)
		cw.Write(header)
	}
	cw.Flush()
	if err := cw.Error(); err != nil && err != io.ErrClosedPipe {
		s.Logger.WarnContext(c.Request.Context(), "audit export", "err", err)
	}
}
