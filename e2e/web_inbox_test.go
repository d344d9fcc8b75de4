package e2e_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/lindungi/lindungi"
)

// TestWebCompleteVerificationTask: with the four verification documents
// added and verified, a Kebumen case worker signs in by click, claims the
// worker's verification task in the inbox, completes it with "Setujui"
// and a note (each action swapping the inbox's results through htmx), and
// the task leaves the open inbox while the journey moves on to training;
// the inbox, with a task form open, fits a 360-pixel screen.
func TestWebCompleteVerificationTask(t *testing.T) {
	s := startSystem(t)
	w := registerForInbox(t, s, "Sri Rahayu")
	cw := s.user("caseworker-3305", "3305", lindungi.RoleCaseworker)
	var open struct{ Items []lindungi.Task }
	cw.do(http.MethodGet, "/v1/tasks?status=open&worker="+w.ID.String(), nil).decode(t, &open)
	if len(open.Items) != 1 || open.Items[0].Kind != lindungi.TaskVerifyRegistration {
		t.Fatalf("open tasks of the worker: %+v, want the verification task", open.Items)
	}
	task := "/tugas/" + open.Items[0].ID.String()
	row := `tr:has(form[action^="` + task + `/"])`

	ctx := browserTab(t, "web-complete-verification-360")
	signInAs(t, ctx, s, "caseworker-3305")
	if text := run(t, ctx, "read the task's row", chromedp.Text(chromedp.CSS(row))); !strings.Contains(text, "Sri Rahayu") ||
		!strings.Contains(text, "Verifikasi pendaftaran") || !strings.Contains(text, "Belum diambil") {
		t.Fatalf("the task's row does not show the worker, the task in words and that nobody holds it:\n%s", text)
	}

	// Claim: htmx swaps the results and says so, without a new page.
	markPage(t, ctx)
	do(t, ctx, "claim", chromedp.Click(chromedp.CSS(`form[action="`+task+`/ambil"] button`)))
	seeFlash(t, ctx, "Tugas sudah Anda ambil.")
	if text := run(t, ctx, "read the task's row", chromedp.Text(chromedp.CSS(row))); !strings.Contains(text, "Anda") || strings.Contains(text, "Ambil") {
		t.Errorf("after claiming, the row does not say the user holds it:\n%s", text)
	}

	// Approving before the documents are in is refused, in words, on the
	// inbox.
	form := `form[action="` + task + `/selesai"]`
	do(t, ctx, "approve too early",
		chromedp.Click(chromedp.CSS(row+` details.task-form summary`)),
		chromedp.Click(chromedp.CSS(form+` input[value="approved"]`)),
	)
	do(t, ctx, "approve too early", chromedp.Click(chromedp.CSS(form+` button[type="submit"]`)))
	seeFlash(t, ctx, "Dokumen belum lengkap")
	if msg := run(t, ctx, "read the refusal", chromedp.Text(chromedp.CSS(`main .flash-error`))); !strings.Contains(msg, "Dokumen belum lengkap") ||
		!strings.Contains(msg, "Kartu Tanda Penduduk (KTP) belum ada") {
		t.Errorf("approving without the documents says %q, want the documents missing named in words", msg)
	}
	screenshot(t, ctx, "web-complete-verification-refused")

	// With the four documents added and verified, complete with "Setujui"
	// and a note.
	provide(t, cw, s.user("verifier-3305", "3305", lindungi.RoleVerifier), w, verificationDocuments...)
	do(t, ctx, "back to the inbox", chromedp.Navigate(s.baseURL+"/"))
	markPage(t, ctx)
	do(t, ctx, "fill in the outcome",
		chromedp.Click(chromedp.CSS(row+` details.task-form summary`)),
		chromedp.Click(chromedp.CSS(form+` input[value="approved"]`)),
		chromedp.SendKeys(chromedp.CSS(form+` textarea[name="note"]`), "Empat dokumen lengkap dan sah."),
	)
	do(t, ctx, "complete", chromedp.Click(chromedp.CSS(form+` button[type="submit"]`)))
	seeFlash(t, ctx, "Tugas sudah diselesaikan.")
	if !samePage(t, ctx) {
		t.Error("completing loaded a new page instead of swapping the inbox's results")
	}
	left := run(t, ctx, "look for the task", chromedp.Evaluate[bool](`document.querySelector('form[action^="`+task+`/"]') === null`))
	if !left {
		t.Error("the completed task is still in the open inbox")
	}
	eventually(t, "the journey at training", func() bool {
		var got lindungi.Worker
		r := cw.do(http.MethodGet, "/v1/workers/"+w.ID.String(), nil)
		r.decode(t, &got)
		return got.JourneyStep == lindungi.StepTraining
	})
	var done lindungi.Task
	cw.do(http.MethodGet, "/v1/tasks/"+open.Items[0].ID.String(), nil).decode(t, &done)
	if done.Status != lindungi.TaskCompleted || done.Outcome != lindungi.OutcomeApproved || done.Note != "Empat dokumen lengkap dan sah." ||
		done.CompletedBy != "caseworker-3305" {
		t.Errorf("the task as the API shows it: %+v", done)
	}
	screenshot(t, ctx, "web-complete-verification-desktop")

	// A phone, with the next task's completion form open: no sideways scroll.
	do(t, ctx, "a 360-pixel screen", chromedp.EmulateViewport(360, 780, chromedp.EmulateMobile), chromedp.Reload(),
		chromedp.Click(chromedp.CSS(`details.task-form summary`)))
	if width := run(t, ctx, "measure the page", chromedp.Evaluate[int]("document.documentElement.scrollWidth")); width > 360 {
		t.Errorf("at 360 px the inbox is %d px wide: it scrolls sideways", width)
	}
}
