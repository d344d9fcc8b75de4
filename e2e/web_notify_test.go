package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/lindungi/lindungi"
)

// The notifications in the header and the rest of the inbox (case
// numbers, bulk assignment, htmx), in a real Chromium against the real
// system.

// kebumenNamed registers a Kebumen worker called name through the API and
// waits for the verification task of its journey.
func kebumenNamed(t *testing.T, s *system, serial int, name string) (lindungi.Worker, lindungi.Task) {
	t.Helper()
	nw := kebumenWorker()
	nw.NIK, nw.Name, nw.Phone = fmt.Sprintf("330501550895%04d", serial), name, fmt.Sprintf("08123456%04d", serial)
	r := s.user("caseworker-3305", "3305", lindungi.RoleCaseworker).do(http.MethodPost, "/v1/workers", nw)
	if r.Status != http.StatusCreated {
		t.Fatalf("register %s: %d %s", name, r.Status, r.Body)
	}
	var w lindungi.Worker
	r.decode(t, &w)
	return w, taskFor(t, s, w.ID)
}

// headerCount is the number of unread notifications the header shows, ""
// for none.
func headerCount(t *testing.T, ctx context.Context) string {
	t.Helper()
	return run(t, ctx, "read the header's count", chromedp.Evaluate[string](
		`(document.querySelector("#nav-notices .count") || {childNodes: [{textContent: ""}]}).childNodes[0].textContent`))
}

// seeFlash waits until the page's messages say want: an htmx action swaps
// them in without a new page.
func seeFlash(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	eventually(t, "the message "+want, func() bool {
		text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("flash").innerText`))
		return err == nil && strings.Contains(text, want)
	})
}

// markPage marks the page in the tab, so that a later check can tell that
// htmx swapped a part of it rather than the browser loading a new page.
func markPage(t *testing.T, ctx context.Context) {
	t.Helper()
	run(t, ctx, "mark the page", chromedp.Evaluate[bool](`window.lindungiSamePage = true`))
}

func samePage(t *testing.T, ctx context.Context) bool {
	t.Helper()
	return run(t, ctx, "is it the same page", chromedp.Evaluate[bool](`window.lindungiSamePage === true`))
}

// TestWebNotifications: a supervisor of Kebumen sees in the header that
// two things happened to the unit's work (a task escalated to them by the
// province, a task assigned by the national level), opens the
// notifications, follows the escalation to the task's row in the inbox
// (which reads it: the count drops), and marks the other read through
// htmx (the count goes, without a new page).
func TestWebNotifications(t *testing.T) {
	s := startSystem(t)
	_, t1 := kebumenNamed(t, s, 21, "Budi Santoso")
	_, t2 := kebumenNamed(t, s, 22, "Citra Dewi")
	if r := s.user("province_supervisor-33", "33", lindungi.RoleProvinceSupervisor).do(http.MethodPost,
		"/v1/tasks/"+t1.ID.String()+"/escalate", map[string]string{"reason": "Petugas verifikasi cuti"}); r.Status != http.StatusOK {
		t.Fatalf("escalate: %d %s", r.Status, r.Body)
	}
	if r := s.user("admin-ID", "ID", lindungi.RoleAdmin).do(http.MethodPost, "/v1/tasks/assign",
		map[string]any{"task_ids": []string{t2.ID.String()}, "assignee": "caseworker-3305"}); r.Status != http.StatusOK ||
		!strings.Contains(string(r.Body), `"status":200`) {
		t.Fatalf("assign: %d %s", r.Status, r.Body)
	}

	ctx := browserTab(t, "web-notifications")
	signInAs(t, ctx, s, "supervisor-3305")
	if got := headerCount(t, ctx); got != "2" {
		t.Fatalf("the header counts %q unread, want 2", got)
	}
	do(t, ctx, "open the notifications", chromedp.Click(chromedp.CSS(`#nav-notices`)), chromedp.WaitVisible(chromedp.CSS(`ol.notices`)))
	items := run(t, ctx, "read the notifications", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("ol.notices li .notice-text")].map(e => e.innerText)`))
	want := []string{"Baru Verifikasi pendaftaran ditetapkan kepada caseworker-3305.", "Baru Verifikasi pendaftaran dieskalasi ke Kepala seksi."}
	if strings.Join(items, "|") != strings.Join(want, "|") {
		t.Errorf("the notifications, newest first:\n got %q\nwant %q", items, want)
	}
	if main := run(t, ctx, "read the page", chromedp.Text(chromedp.CSS("main"))); !strings.Contains(main, "Alasan: Petugas verifikasi cuti") {
		t.Errorf("the escalation does not give its reason:\n%s", main)
	}
	screenshot(t, ctx, "web-notifications-list")

	// Follow the escalation: the inbox with the task's row; read on the way.
	escalation := `ol.notices li:nth-child(2)`
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(escalation+` form:not([hx-post]) button`))); err != nil {
		t.Fatalf("follow the escalation: %v", err)
	}
	loc := run(t, ctx, "location", chromedp.Location())
	if !strings.Contains(loc, "worker="+t1.WorkerID.String()) || !strings.HasSuffix(loc, "#task-"+t1.ID.String()) {
		t.Errorf("the notification led to %s, want the inbox at the task's row", loc)
	}
	if row := run(t, ctx, "read the task's row", chromedp.Text(chromedp.CSS(`#task-`+t1.ID.String()))); !strings.Contains(row, "Budi Santoso") {
		t.Errorf("the task's row does not show its worker:\n%s", row)
	}
	if got := headerCount(t, ctx); got != "1" {
		t.Errorf("after opening one the header counts %q unread, want 1", got)
	}

	// Mark the other read where it is listed: htmx, no new page.
	do(t, ctx, "back to the notifications", chromedp.Click(chromedp.CSS(`#nav-notices`)), chromedp.WaitVisible(chromedp.CSS(`ol.notices`)))
	markPage(t, ctx)
	do(t, ctx, "mark it read", chromedp.Click(chromedp.CSS(`ol.notices li.unread form[hx-post] button`)))
	eventually(t, "the count to go", func() bool { return headerCount(t, ctx) == "" })
	if !samePage(t, ctx) {
		t.Error("marking read loaded a new page instead of swapping the list")
	}
	if n := run(t, ctx, "count the unread", chromedp.Evaluate[int](`document.querySelectorAll("ol.notices li.unread").length`)); n != 0 {
		t.Errorf("%d notifications still unread on the page", n)
	}

	// Others of the unit read on their own: the case worker has both
	// unread, and marks them through the API.
	cw := s.user("caseworker-3305", "3305", lindungi.RoleCaseworker)
	var list struct {
		Items  []lindungi.Notification `json:"items"`
		Unread int                     `json:"unread"`
	}
	cw.do(http.MethodGet, "/v1/notifications?unread=true", nil).decode(t, &list)
	if list.Unread != 2 || len(list.Items) != 2 || list.Items[0].Kind != lindungi.NoticeAssigned || list.Items[0].Read {
		t.Fatalf("the case worker's unread notifications: %d %+v, want the assignment and the escalation: reading is per person", list.Unread, list.Items)
	}
	var left struct {
		Unread int `json:"unread"`
	}
	cw.do(http.MethodPost, "/v1/notifications/read", map[string]any{"ids": []int64{list.Items[0].ID}}).decode(t, &left)
	if left.Unread != 1 {
		t.Errorf("after marking one read through the API, %d unread, want 1", left.Unread)
	}
	if r := cw.do(http.MethodPost, "/v1/notifications/read", map[string]any{"ids": []int64{list.Items[0].ID}, "all": true}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("ids and all at once = %d, want 422", r.Status)
	}
	if r := s.user("auditor-33", "33", lindungi.RoleAuditor).do(http.MethodPost, "/v1/notifications/read", map[string]any{"all": true}); r.Status != http.StatusOK {
		t.Errorf("an auditor marking their own notifications read = %d, want 200", r.Status)
	}
	// The last page, for the screenshot: the list, all read, on a phone.
	do(t, ctx, "a 360-pixel screen", chromedp.EmulateViewport(360, 780, chromedp.EmulateMobile), chromedp.Reload())
	if w := run(t, ctx, "measure the page", chromedp.Evaluate[int]("document.documentElement.scrollWidth")); w > 360 {
		t.Errorf("at 360 px the notifications are %d px wide: they scroll sideways", w)
	}
}

// TestWebInboxBulkAssignAndFilters: a Kebumen supervisor's inbox shows the
// case number of a complaint's task (linked to the case); the supervisor
// ticks two tasks and gives them to a case worker (the task.assign events
// written, as the API's), who then finds them under "mine", with
// JavaScript off; the filter form swaps only the results through htmx and
// the address follows; at 360 px nothing scrolls sideways.
func TestWebInboxBulkAssignAndFilters(t *testing.T) {
	s := startSystem(t)
	_, t3 := kebumenNamed(t, s, 31, "Dewi Lestari")
	_, t4 := kebumenNamed(t, s, 32, "Eka Putri")
	cw := s.user("caseworker-3305", "3305", lindungi.RoleCaseworker)
	r := cw.do(http.MethodPost, "/v1/cases", lindungi.NewComplaint{Channel: lindungi.ChannelWalkIn,
		Complainant: lindungi.Complainant{Name: "Parmi", Relation: lindungi.ComplainantFamily},
		Subject:     &lindungi.CaseSubject{Name: "Fitri Handayani", DomicileUnit: "3305"},
		Categories:  []lindungi.CaseCategory{lindungi.CatUnpaidWages}, Description: "Gaji tidak dibayar selama tujuh bulan.", Unit: "3305"})
	if r.Status != http.StatusCreated {
		t.Fatalf("intake: %d %s", r.Status, r.Body)
	}
	var pc lindungi.Case
	r.decode(t, &pc)
	eventually(t, "the case's handling task", func() bool {
		var n int
		s.db.SQL().Get(&n, `SELECT count(*) FROM tasks WHERE workflow_id = $1 AND status = 'open'`, pc.WorkflowID)
		return n > 0
	})

	ctx := browserTab(t, "web-inbox-bulk-360")
	signInAs(t, ctx, s, "supervisor-3305")
	caseRow := `tr:has(a[href="/kasus/` + pc.ID.String() + `"])`
	if row := run(t, ctx, "read the case's row", chromedp.Text(chromedp.CSS(caseRow))); !strings.Contains(row, pc.Number) ||
		!strings.Contains(row, "Fitri Handayani") || !strings.Contains(row, "Penanganan pengaduan") {
		t.Errorf("the case task's row does not show the case number %s, the worker and the task:\n%s", pc.Number, row)
	}
	if href := run(t, ctx, "the worker's link", chromedp.Evaluate[string](
		`document.querySelector("#task-`+t3.ID.String()+` a.strong").getAttribute("href")`)); href != "/pekerja/"+t3.WorkerID.String() {
		t.Errorf("the worker's name links to %q, want the worker's page", href)
	}

	// Tick two, choose the case worker, assign: htmx swaps the results.
	markPage(t, ctx)
	do(t, ctx, "tick two tasks and choose the case worker",
		chromedp.Click(chromedp.CSS(`#pick-`+t3.ID.String())), chromedp.Click(chromedp.CSS(`#pick-`+t4.ID.String())),
		chromedp.SetValue(chromedp.CSS(`#bulk-assignee`), "caseworker-3305"))
	screenshot(t, ctx, "web-inbox-bulk-ticked")
	do(t, ctx, "assign", chromedp.Click(chromedp.CSS(`#bulk-assign button[type="submit"]`)))
	seeFlash(t, ctx, "Tugas terpilih sudah ditetapkan.")
	if !samePage(t, ctx) {
		t.Error("bulk assignment loaded a new page instead of swapping the results")
	}
	for _, task := range []lindungi.Task{t3, t4} {
		if row := run(t, ctx, "read the row", chromedp.Text(chromedp.CSS(`#task-`+task.ID.String()))); !strings.Contains(row, "caseworker-3305") {
			t.Errorf("after assigning, the row does not show who holds it:\n%s", row)
		}
		var n int
		s.db.SQL().Get(&n, `SELECT count(*) FROM audit_events WHERE action = 'task.assign' AND subject_id = $1 AND actor = 'supervisor-3305'`, task.ID.String())
		if n != 1 {
			t.Errorf("%d task.assign events for %s, want 1", n, task.ID)
		}
	}

	// The filters through htmx: the results change, the address follows.
	do(t, ctx, "filter by complaint handling", chromedp.SetValue(chromedp.CSS(`#f-kind`), string(lindungi.TaskCaseHandling)),
		chromedp.Click(chromedp.CSS(`#f-apply`)))
	eventually(t, "the address to follow the filter", func() bool {
		loc, err := chromedp.Run(ctx, chromedp.Location())
		return err == nil && strings.Contains(loc, "kind=CASE_HANDLING")
	})
	eventually(t, "the results to be filtered", func() bool {
		main, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#inbox-results")))
		return err == nil && strings.Contains(main, pc.Number) && !strings.Contains(main, "Dewi Lestari")
	})
	if !samePage(t, ctx) {
		t.Error("the filter loaded a new page instead of swapping the results")
	}
	if href := run(t, ctx, "the language switch", chromedp.Evaluate[string](`document.getElementById("lang-switch").getAttribute("href")`)); !strings.Contains(href, "kind%3DCASE_HANDLING") {
		t.Errorf("after filtering, the language switch goes back to %q, not the filtered inbox", href)
	}

	// A tablet, where the table begins, and a phone: the case column and
	// the checkboxes fit.
	for _, width := range []int64{768, 360} {
		do(t, ctx, "a narrow screen", chromedp.EmulateViewport(width, 900, chromedp.EmulateMobile), chromedp.Navigate(s.baseURL+"/"))
		if w := run(t, ctx, "measure the page", chromedp.Evaluate[int64]("document.documentElement.scrollWidth")); w > width {
			t.Errorf("at %d px the supervisor's inbox is %d px wide: it scrolls sideways", width, w)
		}
		if width == 768 {
			screenshot(t, ctx, "web-inbox-bulk-768")
		}
	}

	// The case worker, with JavaScript off: the plain form filters "mine".
	nojs := browserTab(t, "web-inbox-mine-nojs")
	do(t, nojs, "turn JavaScript off", chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
		_, err := cdp.Call(ctx, tgt, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	signInAs(t, nojs, s, "caseworker-3305")
	do(t, nojs, "tick mine", chromedp.Click(chromedp.CSS(`#f-mine`)))
	if res, err := chromedp.RunResponse(nojs, chromedp.Click(chromedp.CSS(`#f-apply`))); err != nil || res.Status != http.StatusOK ||
		!strings.Contains(res.URL, "mine=true") {
		t.Fatalf("filter mine without JavaScript: %v %+v", err, res)
	}
	results := run(t, nojs, "read the results", chromedp.OuterHTML(chromedp.CSS("#inbox-results")))
	for _, want := range []string{"Dewi Lestari", "Eka Putri"} {
		if !strings.Contains(results, want) {
			t.Errorf("the case worker's own tasks lack %s", want)
		}
	}
	if strings.Contains(results, "Fitri Handayani") {
		t.Error("the case worker's own tasks show a task nobody gave them")
	}
}
