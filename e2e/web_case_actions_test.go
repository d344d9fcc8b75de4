package e2e_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/devenv"
)

// TestWebSupervisorCaseActions: Kebumen's supervisor finds a complaint by
// its number and, by clicks, re-categorises it, gives it to a Kebumen case
// worker (an empty choice is refused next to its field first), and the
// case worker finds it under "only my tasks" in the inbox (another case's
// task is not there). The supervisor then raises it to high risk: by the
// routing policy its handling task goes to the province's BP3MI officers
// and the case with it, which the page says in words; Kebumen still reads
// the case but no longer acts on it. A provincial supervisor sees the
// form that lowers it, on a 360-pixel screen without sideways scrolling.
func TestWebSupervisorCaseActions(t *testing.T) {
	s := startSystem(t)
	pc := kebumenComplaint(t, s, "Sumirah", lindungi.CatUnpaidWages)
	other := kebumenComplaint(t, s, "Tarminah", lindungi.CatOverchargedFees)
	// The directory knows the people by name, as `lindungi dev` (or the
	// identity provider) fills it; the API calls above knew only subjects.
	if err := s.db.UpsertUsers(t.Context(), devenv.DemoUsers()); err != nil {
		t.Fatal(err)
	}
	ctx := browserTab(t, "web-case-actions-360")

	signInAs(t, ctx, s, "supervisor-3305")
	lookUp(t, ctx, pc.Number)
	mainHas(t, ctx, "the case for its supervisor", "Tindakan pimpinan", "Ubah kategori", "Naikkan ke risiko tinggi", "Tugaskan ke petugas")

	// Re-categorised: documents withheld besides unpaid wages.
	do(t, ctx, "tick a category", chromedp.Click(chromedp.CSS(`details:has(form[action$="/kategori"]) summary`)),
		chromedp.Click(chromedp.CSS(`#a-recategorise-DOCUMENTS_WITHHELD`)),
		chromedp.SendKeys(chromedp.CSS(`#a-recategorise-reason`), "Keluarga melapor paspor ditahan majikan"))
	click(t, ctx, "re-categorise", `form[action$="/kategori"] button[type="submit"]`, http.StatusOK)
	mainHas(t, ctx, "the re-categorised case", "Kategori kasus diubah.", "Gaji tidak dibayar, Penahanan dokumen", "Kategori diubah",
		"Keluarga melapor paspor ditahan majikan")

	// Assigned: without a choice it is refused next to the field; then to
	// Kebumen's case worker.
	do(t, ctx, "give a reason only", chromedp.Click(chromedp.CSS(`details:has(form[action$="/tugaskan"]) summary`)),
		chromedp.SendKeys(chromedp.CSS(`#a-assign-reason`), "Menangani kasus serupa di Johor"))
	click(t, ctx, "assign to no one", `form[action$="/tugaskan"] button[type="submit"]`, http.StatusUnprocessableEntity)
	if e := run(t, ctx, "read the assignee's error", chromedp.Text(chromedp.CSS(`#a-assign-assignee-error`))); !strings.Contains(e, "Pilih petugas") {
		t.Errorf("the assignee's error says %q", e)
	}
	if v := run(t, ctx, "the reason kept", chromedp.Value(chromedp.CSS(`#a-assign-reason`))); v != "Menangani kasus serupa di Johor" {
		t.Errorf("the reason is %q after the refusal, want it kept", v)
	}
	screenshot(t, ctx, "web-case-actions-refused")
	do(t, ctx, "choose the case worker", chromedp.SetValue(chromedp.CSS(`#a-assign-assignee`), "caseworker-3305"))
	click(t, ctx, "assign", `form[action$="/tugaskan"] button[type="submit"]`, http.StatusOK)
	mainHas(t, ctx, "the assigned case", "Kasus ditugaskan; petugas diberi tahu.", "Kasus ditugaskan", "kepada Demo caseworker 3305",
		"caseworker-3305")
	signOut(t, ctx)

	// The case worker finds it under "only my tasks"; the other case is
	// not theirs.
	signInAs(t, ctx, s, "caseworker-3305")
	do(t, ctx, "only my tasks", chromedp.Click(chromedp.CSS(`#f-mine`)), chromedp.Click(chromedp.CSS(`#f-apply`)))
	eventually(t, "the case under my tasks", func() bool {
		text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#inbox-results`)))
		return err == nil && strings.Contains(text, pc.Number) && !strings.Contains(text, other.Number)
	})
	if loc := run(t, ctx, "location", chromedp.Location()); !strings.Contains(loc, "mine=true") {
		t.Errorf("the filtered inbox is at %s, want mine=true in its address", loc)
	}
	mine := run(t, ctx, "read my tasks", chromedp.Text(chromedp.CSS(`#inbox-results`)))
	for _, want := range []string{"Sumirah", "Penanganan pengaduan", "Anda"} {
		if !strings.Contains(mine, want) {
			t.Errorf("my tasks lack %q:\n%s", want, mine)
		}
	}
	screenshot(t, ctx, "web-case-actions-mine")
	signOut(t, ctx)

	// Raised to high risk: the case goes to the province's BP3MI.
	signInAs(t, ctx, s, "supervisor-3305")
	lookUp(t, ctx, pc.Number)
	do(t, ctx, "say why", chromedp.Click(chromedp.CSS(`details:has(form[action$="/risiko"]) summary`)),
		chromedp.SendKeys(chromedp.CSS(`#a-risk-reason`), "Indikasi TPPO: dijanjikan kerja, dipindah ke Kamboja"))
	click(t, ctx, "raise the risk", `form[action$="/risiko"] button[type="submit"]`, http.StatusOK)
	main := mainHas(t, ctx, "the raised case", "Tingkat risiko kasus diubah.", "Risiko tinggi", "Provinsi Jawa Tengah",
		"Tingkat risiko diubah", "risiko tinggi · Indikasi TPPO: dijanjikan kerja, dipindah ke Kamboja", "Tugas dialihkan",
		"Penanganan pengaduan · ke Provinsi Jawa Tengah", "Belum diambil")
	if strings.Contains(main, "Tindakan pimpinan") {
		t.Error("after the case went to the province, Kebumen's supervisor is still offered its actions")
	}
	screenshot(t, ctx, "web-case-actions-raised")
	var task struct {
		Unit      string `db:"unit"`
		Role      string `db:"holder_role"`
		ClaimedBy string `db:"claimed_by"`
	}
	if err := s.db.SQL().Get(&task, `SELECT unit, holder_role, claimed_by FROM tasks WHERE workflow_id = $1 AND kind = 'CASE_HANDLING'
		AND status = 'open'`, pc.WorkflowID); err != nil {
		t.Fatal(err)
	}
	if task.Unit != "33" || task.Role != lindungi.RoleBP3MIOfficer || task.ClaimedBy != "" {
		t.Errorf("the handling task after raising: %+v, want BP3MI's, unclaimed", task)
	}
	signOut(t, ctx)

	// The province may lower it; on a phone the form fits.
	signInAs(t, ctx, s, "province_supervisor-33")
	do(t, ctx, "a 360-pixel screen", chromedp.EmulateViewport(360, 780, chromedp.EmulateMobile))
	lookUp(t, ctx, pc.Number)
	do(t, ctx, "open the supervisor's forms", chromedp.Click(chromedp.CSS(`details:has(form[action$="/risiko"]) summary`)),
		chromedp.Click(chromedp.CSS(`details:has(form[action$="/kategori"]) summary`)),
		chromedp.Click(chromedp.CSS(`details:has(form[action$="/tugaskan"]) summary`)))
	mainHas(t, ctx, "the case for the province", "Turunkan ke risiko biasa", "Tugas yang terbuka tidak dipindahkan kembali",
		"Demo bp3mi_officer Jawa Tengah (Petugas BP3MI)")
	if width := run(t, ctx, "measure the page", chromedp.Evaluate[int]("document.documentElement.scrollWidth")); width > 360 {
		t.Errorf("at 360 px the case page with the supervisor's forms open is %d px wide: it scrolls sideways", width)
	}
	do(t, ctx, "the forms in view", chromedp.ScrollIntoView(chromedp.CSS(`#supervise-title`)))
}
