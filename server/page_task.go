package server

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
	"github.com/lindungi/lindungi/policies"
	"github.com/lindungi/lindungi/web"
)

// The inbox's task actions: forms that post to /tugas/:id/<action>, each
// mirroring the API route of the same action and calling the same
// app.Tasks method, then going back to the inbox page they came from with
// a flash message. A refusal of the service (a task someone else holds,
// documents a step still lacks) shows on the inbox in words.

// The page routes of the task actions, and the API routes they mirror.
const (
	pageClaim    = "/tugas/:id/ambil"
	pageRelease  = "/tugas/:id/lepas"
	pageComplete = "/tugas/:id/selesai"
	pageEscalate = "/tugas/:id/eskalasi"
	pageReassign = "/tugas/:id/alihkan"
	pageExtend   = "/tugas/:id/perpanjang"
)

// taskMay is which task action routes a user's roles may use at all: the
// route decision every post of them takes first.
type taskMay struct {
	claim, release, complete, escalate, reassign, extend bool
}

// taskActionsAllowed asks the route decision of each task action once for
// the page.
func (s *Server) taskActionsAllowed(p lindungi.Principal) taskMay {
	ok := func(path string) bool {
		_, err := s.Access.Route(p, path, http.MethodPost)
		return err == nil
	}
	return taskMay{claim: ok(pageClaim), release: ok(pageRelease), complete: ok(pageComplete),
		escalate: ok(pageEscalate), reassign: ok(pageReassign), extend: ok(pageExtend)}
}

// taskActions are the buttons the inbox shows for t: those whose route
// the user may use, and that t's state allows (claim an unclaimed task;
// release one's own claim, or, as the service decides, another's where
// the policy's release-claimed action allows it at the task's unit).
func (s *Server) taskActions(p lindungi.Principal, may taskMay, t lindungi.Task, worker, back, csrf string) web.TaskActions {
	a := web.TaskActions{TaskID: t.ID, Worker: worker, Back: back, CSRF: csrf}
	if t.Status != lindungi.TaskOpen {
		return a
	}
	a.Claim = may.claim && t.ClaimedBy == ""
	if may.release && t.ClaimedBy != "" {
		a.Release = t.ClaimedBy == p.Subject
		if !a.Release {
			_, ok, err := s.Access.At(app.Actor{Principal: p, Obj: policies.ObjTask, Act: policies.ActReleaseClaimed}, t.Unit)
			a.Release = err == nil && ok
		}
	}
	a.Complete = may.complete && (t.ClaimedBy == "" || t.ClaimedBy == p.Subject)
	a.Escalate, a.Reassign, a.Extend = may.escalate && !t.AtTop, may.reassign, may.extend
	return a
}

// claimTaskPage claims a task for the user.
func (s *Server) claimTaskPage(c *gin.Context) {
	s.taskPage(c, "flash.task_claimed", func(ctx context.Context, a app.Actor, id uuid.UUID) error {
		_, err := s.Tasks.Claim(ctx, a, id)
		return err
	})
}

// releaseTaskPage gives a claimed task back to its queue.
func (s *Server) releaseTaskPage(c *gin.Context) {
	s.taskPage(c, "flash.task_released", func(ctx context.Context, a app.Actor, id uuid.UUID) error {
		_, err := s.Tasks.Release(ctx, a, id)
		return err
	})
}

// completeTaskPage completes a task with the outcome and note of the form.
func (s *Server) completeTaskPage(c *gin.Context) {
	s.taskPage(c, "flash.task_completed", func(ctx context.Context, a app.Actor, id uuid.UUID) error {
		_, err := s.Tasks.Complete(ctx, a, app.Completion{TaskID: id, Outcome: lindungi.Outcome(c.PostForm("outcome")), Note: c.PostForm("note")})
		return err
	})
}

// moveTaskPage escalates, reassigns or extends a task (move is one of
// app.Tasks.Escalate, Reassign or Extend) with the form's reason, unit
// and working days.
func (s *Server) moveTaskPage(flash string, move func(*app.Tasks, context.Context, app.Actor, app.TaskMove) (lindungi.Task, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		s.taskPage(c, flash, func(ctx context.Context, a app.Actor, id uuid.UUID) error {
			m := app.TaskMove{TaskID: id, Unit: c.PostForm("unit"), Reason: c.PostForm("reason")}
			if d := c.PostForm("working_days"); d != "" {
				n, err := strconv.Atoi(d)
				if err != nil {
					n = -1 // the service names the field
				}
				m.WorkingDays = n
			}
			_, err := move(s.Tasks, ctx, a, m)
			return err
		})
	}
}

// taskPage runs do on the :id task and goes back to the inbox page the
// form came from, saying what happened (taskDone). A refusal the user can act on
// (invalid, conflict, out of reach) shows on that inbox page in words,
// with the status of the error; anything else is the error page.
func (s *Server) taskPage(c *gin.Context, flash string, do func(context.Context, app.Actor, uuid.UUID) error) {
	id, ok := s.pathID(c)
	if !ok {
		return
	}
	back := web.LocalPath(c.PostForm("back"))
	err := do(c.Request.Context(), actor(c), id)
	if err == nil {
		s.taskDone(c, flash, back)
		return
	}
	switch lindungi.ErrorCode(err) {
	case lindungi.EINVALID, lindungi.EMALFORMED, lindungi.ECONFLICT, lindungi.ENOTFOUND, lindungi.EFORBIDDEN:
	default:
		s.pageProblem(c, err)
		return
	}
	p := web.NewPrinter(web.Lang(c.Request))
	s.showInbox(c, statusOf(err), back, web.Flash{Kind: "error", Text: p.TaskError(err)})
}

// taskDone goes back to the inbox page back after a task action, saying
// flash: a redirect, or for htmx asking for the inbox's results, those
// results as they are now, with the flash and the header's count swapped
// in out of band (no second request on a slow connection).
func (s *Server) taskDone(c *gin.Context, flash, back string) {
	if hxTarget(c) == "inbox-results" {
		p := web.NewPrinter(web.Lang(c.Request))
		s.showInbox(c, http.StatusOK, back, web.Flash{Kind: "info", Text: p.T(flash)})
		return
	}
	sess := session(c)
	sess.Flash = flash
	setSession(c, sess)
	s.redirect(c, back)
}
