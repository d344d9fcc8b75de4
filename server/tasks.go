package server

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/activities"
	"github.com/lindungi/lindungi/workflows"
)

// taskList is the answer of the task inbox.
type taskList struct {
	Items      []lindungi.Task `json:"items"`
	NextCursor string          `json:"next_cursor,omitempty"`
}

// listTasks lists the tasks the caller may see: its unit and the units
// below it, and what was delegated to it; filtered, by deadline then ID,
// a page at a time.
func (s *Server) listTasks(c *gin.Context) {
	var v lindungi.Validation
	f := lindungi.TaskFilter{Status: lindungi.TaskStatus(c.Query("status")), Kind: lindungi.TaskKind(c.Query("kind")),
		Unit: c.Query("unit"), Assignee: c.Query("assignee"), Limit: 100, Now: s.Now()}
	switch f.Status {
	case "", lindungi.TaskOpen, lindungi.TaskCompleted, lindungi.TaskCancelled:
	default:
		v.Add("status", "must be open, completed or cancelled")
	}
	if f.Kind != "" && !slices.Contains(lindungi.TaskKinds, f.Kind) {
		v.Add("kind", "is not a task kind")
	}
	switch c.Query("overdue") {
	case "", "false":
	case "true":
		f.Overdue = true
	default:
		v.Add("overdue", "must be true or false")
	}
	if w := c.Query("worker"); w != "" {
		id, err := uuid.Parse(w)
		if err != nil {
			v.Add("worker", "must be a worker ID")
		}
		f.WorkerID = id
	}
	f.Limit, f.AfterDue, f.AfterID = pageParams(c, &v, f.Limit)
	if err := v.Err(); err != nil {
		s.problem(c, err)
		return
	}
	scope, err := s.scope(c)
	if err != nil {
		s.problem(c, err)
		return
	}
	tasks, err := s.Store.ListTasks(c.Request.Context(), scope, f)
	if err != nil {
		s.problem(c, err)
		return
	}
	out := taskList{Items: tasks}
	if len(tasks) == f.Limit {
		last := tasks[len(tasks)-1]
		out.NextCursor = makeCursor(last.DueAt, last.ID)
	}
	c.JSON(http.StatusOK, out)
}

// pageParams reads limit (1 to 500, default def) and cursor, a page's last
// instant and ID, naming either when it is wrong.
func pageParams(c *gin.Context, v *lindungi.Validation, def int) (limit int, after time.Time, afterID uuid.UUID) {
	limit = def
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 500 {
			v.Add("limit", "must be a number from 1 to 500")
		}
		limit = n
	}
	if cur := c.Query("cursor"); cur != "" {
		var ok bool
		if after, afterID, ok = parseCursor(cur); !ok {
			v.Add("cursor", "is not a cursor this API gave")
		}
	}
	return limit, after, afterID
}

// A cursor is the instant and ID of the last row of a page: a task's
// deadline, a case's receipt.
func makeCursor(due time.Time, id uuid.UUID) string {
	return base64.RawURLEncoding.EncodeToString([]byte(due.UTC().Format(time.RFC3339Nano) + "|" + id.String()))
}

func parseCursor(s string) (time.Time, uuid.UUID, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return time.Time{}, uuid.Nil, false
	}
	due, id, ok := strings.Cut(string(b), "|")
	if !ok {
		return time.Time{}, uuid.Nil, false
	}
	t, err1 := time.Parse(time.RFC3339Nano, due)
	u, err2 := uuid.Parse(id)
	return t, u, err1 == nil && err2 == nil
}

// getTask shows one task.
func (s *Server) getTask(c *gin.Context) {
	t, ok := s.visibleTask(c)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, t)
}

// visibleTask loads the :id task if the caller may use this route on it.
func (s *Server) visibleTask(c *gin.Context) (lindungi.Task, bool) {
	id, ok := s.pathID(c)
	if !ok {
		return lindungi.Task{}, false
	}
	t, err := s.Store.FindTask(c.Request.Context(), id)
	if err == nil {
		err = s.visible(c, t.Unit, t.WorkerID, "Task not found.")
	}
	if err != nil {
		s.problem(c, err)
		return lindungi.Task{}, false
	}
	return t, true
}

type completeRequest struct {
	Outcome lindungi.Outcome `json:"outcome"`
	Note    string           `json:"note"`
}

type completeResponse struct {
	Task        lindungi.Task `json:"task"`
	JourneyStep lindungi.Step `json:"journey_step"`
}

const maxNote = 2000

// completeTask completes a task through the journey's complete-task update.
// It answers after the update returns, so a 200 means the database and the
// workflow agree.
func (s *Server) completeTask(c *gin.Context) {
	var req completeRequest
	if err := bindJSON(c, &req); err != nil {
		s.problem(c, err)
		return
	}
	req.Note = strings.TrimSpace(req.Note)
	var v lindungi.Validation
	if !req.Outcome.Valid() {
		v.Add("outcome", "must be approved or rejected")
	}
	if len([]rune(req.Note)) > maxNote {
		v.Add("note", "must be at most 2000 characters")
	}
	if strings.IndexFunc(req.Note, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) >= 0 {
		v.Add("note", "must not contain control characters")
	}
	if err := v.Err(); err != nil {
		s.problem(c, err)
		return
	}
	t, ok := s.visibleTask(c)
	if !ok {
		return
	}
	if t.Status != lindungi.TaskOpen {
		s.problem(c, lindungi.Errorf(lindungi.ECONFLICT, "The task is already %s.", t.Status))
		return
	}
	p := principal(c)
	ctx := c.Request.Context()
	updateID := "complete/" + t.ID.String() + "/" + uuid.NewString()
	if key := idempotencyKeyOf(c); key != nil {
		updateID = "complete/" + t.ID.String() + "/" + p.Subject + "/" + key.Key
	}
	res, err := s.Journeys.CompleteTask(ctx, t, workflows.CompleteTaskRequest{
		TaskID: t.ID, Outcome: req.Outcome, Note: req.Note,
		Actor:     activities.Actor{Subject: p.Subject, Unit: p.Unit, Role: c.GetString(roleKey), ActingFor: c.GetString(actingKey)},
		Rule:      c.GetString(ruleKey),
		RequestID: lindungi.RequestIDFromContext(ctx),
	}, updateID)
	if err != nil {
		s.problem(c, err)
		return
	}
	body := completeResponse{Task: res.Task, JourneyStep: res.JourneyStep}
	s.storeResponse(c, http.StatusOK, body)
	c.JSON(http.StatusOK, body)
}

// scope is what the caller may list: its unit and the units below it, the
// units whose queues were delegated to its unit, and the workers delegated
// to it by name.
func (s *Server) scope(c *gin.Context) (lindungi.Scope, error) {
	p := principal(c)
	scope := lindungi.Scope{Units: []string{p.Unit}}
	delegations, err := s.Store.ActiveDelegations(c.Request.Context(), p.Subject, p.Unit, s.Now())
	if err != nil {
		return lindungi.Scope{}, err
	}
	for _, d := range delegations {
		switch {
		case d.Kind == lindungi.DelegateQueue:
			scope.Units = append(scope.Units, d.TargetUnit)
		case d.WorkerID != nil:
			scope.Workers = append(scope.Workers, *d.WorkerID)
		}
	}
	return scope, nil
}

// actor is the caller as a workflow records it.
func (s *Server) actor(c *gin.Context) activities.Actor {
	p := principal(c)
	return activities.Actor{Subject: p.Subject, Unit: p.Unit, Role: c.GetString(roleKey), ActingFor: c.GetString(actingKey)}
}

// updateID makes a retry with the same Idempotency-Key reach the workflow as
// the same update.
func (s *Server) updateID(c *gin.Context, what string) string {
	if key := idempotencyKeyOf(c); key != nil {
		return what + "/" + principal(c).Subject + "/" + key.Key
	}
	return what + "/" + uuid.NewString()
}

type taskActionRequest struct {
	Unit        string `json:"unit"`
	Role        string `json:"role"`
	WorkingDays int    `json:"working_days"`
	Reason      string `json:"reason"`
}

// taskAction escalates, reassigns or extends a task by hand through its
// journey, which owns the task's deadline.
func (s *Server) taskAction(name string) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req taskActionRequest
		if err := bindJSON(c, &req); err != nil {
			s.problem(c, err)
			return
		}
		req.Reason = strings.TrimSpace(req.Reason)
		var v lindungi.Validation
		if err := lindungi.CheckReason("reason", req.Reason); err != nil {
			s.problem(c, err)
			return
		}
		switch name {
		case workflows.UpdateReassignTask:
			if req.Unit == "" {
				v.Add("unit", "is required")
			}
		case workflows.UpdateExtendDeadline:
			if req.WorkingDays < 1 || req.WorkingDays > 30 {
				v.Add("working_days", "must be 1 to 30")
			}
		}
		if err := v.Err(); err != nil {
			s.problem(c, err)
			return
		}
		t, ok := s.visibleTask(c)
		if !ok {
			return
		}
		if t.Status != lindungi.TaskOpen {
			s.problem(c, lindungi.Errorf(lindungi.ECONFLICT, "The task is %s.", t.Status))
			return
		}
		if name == workflows.UpdateReassignTask {
			// The new unit must be one the caller could act on too.
			d, err := s.Authorizer.Authorize(principal(c), req.Unit, c.FullPath(), c.Request.Method)
			if err != nil || !d.Allowed {
				s.problem(c, &lindungi.Error{Code: lindungi.EFORBIDDEN, Message: "You may not give tasks to that unit.",
					Fields: []lindungi.FieldError{{Field: "unit", Reason: "is outside your reach"}}})
				return
			}
		}
		ref, err := s.Journeys.TaskAction(c.Request.Context(), t, name, workflows.TaskActionRequest{TaskID: t.ID, Unit: req.Unit,
			Role: req.Role, WorkingDays: req.WorkingDays, Reason: req.Reason, Actor: s.actor(c),
			RequestID: lindungi.RequestIDFromContext(c.Request.Context())}, s.updateID(c, name+"/"+t.ID.String()))
		if err != nil {
			s.problem(c, err)
			return
		}
		_ = ref
		s.answerTask(c, t.ID)
	}
}

// answerTask answers with the task as stored now.
func (s *Server) answerTask(c *gin.Context, id uuid.UUID) {
	t, err := s.Store.FindTask(c.Request.Context(), id)
	if err != nil {
		s.problem(c, err)
		return
	}
	s.storeResponse(c, http.StatusOK, t)
	c.JSON(http.StatusOK, t)
}

// claimTask makes the caller the task's assignee.
func (s *Server) claimTask(c *gin.Context) {
	t, ok := s.visibleTask(c)
	if !ok {
		return
	}
	out, err := s.Store.ClaimTask(c.Request.Context(), t.ID, principal(c).Subject, s.event(c))
	if err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// releaseTask gives a claimed task back to the queue: by its assignee, or
// by someone who may assign tasks there.
func (s *Server) releaseTask(c *gin.Context) {
	t, ok := s.visibleTask(c)
	if !ok {
		return
	}
	if t.ClaimedBy != "" && t.ClaimedBy != principal(c).Subject {
		d, err := s.Authorizer.Authorize(principal(c), t.Unit, "/v1/tasks/assign", http.MethodPost)
		if err != nil || !d.Allowed {
			s.problem(c, lindungi.Errorf(lindungi.EFORBIDDEN, "Only %s or a supervisor may release this task.", t.ClaimedBy))
			return
		}
	}
	out, err := s.Store.ReleaseTask(c.Request.Context(), t.ID, s.event(c))
	if err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// MaxBulk is the most tasks one bulk call may touch.
const MaxBulk = 100

type assignRequest struct {
	TaskIDs  []uuid.UUID `json:"task_ids"`
	Assignee string      `json:"assignee"`
}

type assignResult struct {
	TaskID uuid.UUID      `json:"task_id"`
	Status int            `json:"status"`
	Task   *lindungi.Task `json:"task,omitempty"`
	Error  string         `json:"error,omitempty"`
}

// assignTasks gives up to 100 tasks to a user, checking each: the caller
// may assign it, it is open, and the assignee's unit reaches it.
func (s *Server) assignTasks(c *gin.Context) {
	var req assignRequest
	if err := bindJSON(c, &req); err != nil {
		s.problem(c, err)
		return
	}
	var v lindungi.Validation
	if len(req.TaskIDs) == 0 || len(req.TaskIDs) > MaxBulk {
		v.Add("task_ids", "must hold 1 to 100 task IDs")
	}
	req.Assignee = strings.TrimSpace(req.Assignee)
	if req.Assignee == "" {
		v.Add("assignee", "is required")
	}
	if err := v.Err(); err != nil {
		s.problem(c, err)
		return
	}
	ctx := c.Request.Context()
	assignee, err := s.Store.FindUser(ctx, req.Assignee)
	if err != nil {
		if lindungi.ErrorCode(err) == lindungi.ENOTFOUND {
			err = &lindungi.Error{Code: lindungi.EINVALID, Message: "Unknown assignee.",
				Fields: []lindungi.FieldError{{Field: "assignee", Reason: "is not a known user"}}}
		}
		s.problem(c, err)
		return
	}
	results := make([]assignResult, 0, len(req.TaskIDs))
	for _, id := range req.TaskIDs {
		r := assignResult{TaskID: id}
		t, err := s.Store.FindTask(ctx, id)
		if err == nil {
			err = s.visible(c, t.Unit, t.WorkerID, "Task not found.")
		}
		if err == nil && !slices.Contains(s.ancestors(t.Unit), assignee.Unit) {
			err = lindungi.Errorf(lindungi.EINVALID, "%s works at %s, which does not reach %s.", assignee.Subject, assignee.Unit, t.Unit)
		}
		var out lindungi.Task
		if err == nil {
			ev := s.event(c)
			ev.Action = "task.assign"
			out, err = s.Store.ClaimTask(ctx, id, assignee.Subject, ev)
		}
		if err != nil {
			r.Status, r.Error = statusOf(err), lindungi.ErrorMessage(err)
		} else {
			r.Status, r.Task = http.StatusOK, &out
		}
		results = append(results, r)
	}
	c.JSON(http.StatusOK, gin.H{"items": results})
}

// ancestors returns a unit's code and the codes above it.
func (s *Server) ancestors(code string) []string {
	for _, u := range s.Units {
		if u.Code == code {
			return u.Path
		}
	}
	return nil
}

type journeyActionRequest struct {
	Reason        string    `json:"reason"`
	ArrivedAt     time.Time `json:"arrived_at"`
	ContractEnd   string    `json:"contract_end"`
	FamilyConsent bool      `json:"family_consent"`
}

// journeyAction closes a journey, records a return, extends the contract or
// records a rehabilitation request, through the worker's journey.
func (s *Server) journeyAction(name string) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req journeyActionRequest
		if err := bindJSON(c, &req); err != nil {
			s.problem(c, err)
			return
		}
		req.Reason = strings.TrimSpace(req.Reason)
		jr := workflows.JourneyRequest{Reason: req.Reason, FamilyConsent: req.FamilyConsent}
		var v lindungi.Validation
		switch name {
		case workflows.UpdateCloseJourney:
			if err := lindungi.CheckReason("reason", req.Reason); err != nil {
				s.problem(c, err)
				return
			}
		case workflows.UpdateRecordReturn:
			jr.At = req.ArrivedAt
			if !req.ArrivedAt.IsZero() && req.ArrivedAt.After(s.Now()) {
				v.Add("arrived_at", "is in the future")
			}
		case workflows.UpdateExtendContract:
			end, err := time.ParseInLocation(time.DateOnly, req.ContractEnd, lindungi.WIB)
			if err != nil {
				v.Add("contract_end", "must be a date in the form YYYY-MM-DD")
			}
			jr.At = end
		}
		if err := v.Err(); err != nil {
			s.problem(c, err)
			return
		}
		w, ok := s.visibleWorker(c)
		if !ok {
			return
		}
		ctx := c.Request.Context()
		jr.Actor, jr.RequestID = s.actor(c), lindungi.RequestIDFromContext(ctx)
		var result any
		if err := s.Journeys.JourneyAction(ctx, w.ID, name, jr, s.updateID(c, name+"/"+w.ID.String()), &result); err != nil {
			s.problem(c, err)
			return
		}
		w, err := s.Store.FindWorker(ctx, w.ID)
		if err != nil {
			s.problem(c, err)
			return
		}
		s.storeResponse(c, http.StatusOK, w)
		c.JSON(http.StatusOK, w)
	}
}

// listNotifications shows what happened to the work of the caller's unit.
func (s *Server) listNotifications(c *gin.Context) {
	ns, err := s.Store.Notifications(c.Request.Context(), principal(c).Unit, 100)
	if err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": ns})
}
