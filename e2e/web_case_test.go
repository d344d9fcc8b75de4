package e2e_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/lindungi/lindungi"
)

// signOut clicks the header's sign-out button.
func signOut(t *testing.T, ctx context.Context) {
	t.Helper()
	if res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form.signout button`))); err != nil || !strings.HasSuffix(res.URL, "/masuk") {
		t.Fatalf("sign out: %v %+v", err, res)
	}
}

// click clicks a button that posts or follows a link and waits for the
// page it leads to, which must answer status.
func click(t *testing.T, ctx context.Context, what, sel string, status int) {
	t.Helper()
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if res.Status != int64(status) {
		main, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
		t.Fatalf("%s: status %d, want %d\n%s", what, res.Status, status, main)
	}
}

// mainHas fails for each of want the page's main part lacks.
func mainHas(t *testing.T, ctx context.Context, what string, want ...string) string {
	t.Helper()
	main := run(t, ctx, "read "+what, chromedp.Text(chromedp.CSS("main")))
	for _, w := range want {
		if !strings.Contains(main, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, main)
		}
	}
	return main
}

// lookUp opens the complaints from the menu and looks the case up by its
// number in the lookup box.
func lookUp(t *testing.T, ctx context.Context, number string) {
	t.Helper()
	do(t, ctx, "open the complaints", chromedp.Click(chromedp.CSS(`header nav a[href="/kasus"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form.lookup #f-q`)))
	do(t, ctx, "type the number", chromedp.SendKeys(chromedp.CSS(`form.lookup #f-q`), strings.ToLower(number)))
	click(t, ctx, "look the case up", `form.lookup button[type="submit"]`, http.StatusOK)
	if h1 := run(t, ctx, "read the title", chromedp.Text(chromedp.CSS("h1"))); h1 != "Kasus "+number {
		t.Fatalf("the lookup of %s opened %q", number, h1)
	}
}

// TestWebWalkInComplaintToClosure: a Brebes walk-in complaint about a
// worker never seen is taken in through the form (searched first; a
// missing category is refused next to its field), referred to the
// province with the worker's consent; BP3MI's head finds it by its number
// and accepts the referral, a BP3MI officer resolves it with Rp 42.000.000
// recovered, and a provincial supervisor approves its closure; all by
// clicks, each step checked in words on the page. The case page has no
// sideways scroll at 360 px.
func TestWebWalkInComplaintToClosure(t *testing.T) {
	s := startSystem(t)
	ctx := browserTab(t, "web-case-360")

	// Brebes takes the complaint in: search first, nobody found.
	signInAs(t, ctx, s, "caseworker-3329")
	do(t, ctx, "open the complaints", chromedp.Click(chromedp.CSS(`header nav a[href="/kasus"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form.lookup #f-q`)))
	do(t, ctx, "open the intake form", chromedp.Click(chromedp.CSS(`main a[href="/pengaduan/baru"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form.search #f-q`)))
	do(t, ctx, "search the worker", chromedp.SendKeys(chromedp.CSS(`form.search #f-q`), "Warsini"))
	click(t, ctx, "search", `form.search button[type="submit"]`, http.StatusOK)
	mainHas(t, ctx, "the search", "Tidak ada pekerja yang cocok", "Orang yang belum terdata")
	do(t, ctx, "describe the complaint",
		chromedp.Click(chromedp.CSS(`#f-worker-new`)),
		chromedp.SendKeys(chromedp.CSS(`#f-subject_name`), "Warsini"),
		chromedp.SendKeys(chromedp.CSS(`#f-complainant_name`), "Tarsih"),
		chromedp.SetValue(chromedp.CSS(`#f-complainant_relation`), "FAMILY"),
		chromedp.SendKeys(chromedp.CSS(`#f-complainant_phone`), "081322224444"),
		chromedp.SetValue(chromedp.CSS(`#f-channel`), "WALK_IN"),
		chromedp.SetValue(chromedp.CSS(`#f-country`), "MY"),
		chromedp.SendKeys(chromedp.CSS(`#f-employer`), "Syarikat Jaya Sdn Bhd"),
		chromedp.SendKeys(chromedp.CSS(`#f-description`), "Gaji tidak dibayar selama delapan bulan di perkebunan sawit."),
	)
	if v := run(t, ctx, "the district", chromedp.Value(chromedp.CSS(`#f-subject_domicile_unit`))); v != "3329" {
		t.Errorf("the subject's district is %q, want Brebes (the user's) by default", v)
	}
	submit := `form.intake button[type="submit"]`
	click(t, ctx, "take in without a category", submit, http.StatusUnprocessableEntity)
	if e := run(t, ctx, "read the categories' error", chromedp.Text(chromedp.CSS(`#f-categories-error`))); !strings.Contains(e, "Pilih 1 sampai 5 kategori") {
		t.Errorf("the categories' error says %q", e)
	}
	if v := run(t, ctx, "the complainant kept", chromedp.Value(chromedp.CSS(`#f-complainant_name`))); v != "Tarsih" {
		t.Errorf("the complainant's name is %q after the refusal, want it kept", v)
	}
	screenshot(t, ctx, "web-case-intake-refused")
	do(t, ctx, "choose the category", chromedp.Click(chromedp.CSS(`#f-cat-UNPAID_WAGES`)))
	click(t, ctx, "take the complaint in", submit, http.StatusOK)
	caseURL := run(t, ctx, "location", chromedp.Location())
	if !strings.HasPrefix(caseURL, s.baseURL+"/kasus/") {
		t.Fatalf("after intake the browser is at %s, want the case's page", caseURL)
	}
	h1 := run(t, ctx, "read the title", chromedp.Text(chromedp.CSS("h1")))
	number, ok := strings.CutPrefix(h1, "Kasus ")
	if _, valid := lindungi.NormalizeCaseNumber(number); !ok || !valid || !strings.HasPrefix(number, "PGD-33-") {
		t.Fatalf("the case page's title is %q, want the case number", h1)
	}
	mainHas(t, ctx, "the new case", "Pengaduan diterima dengan nomor kasus "+number+". Berikan nomor ini kepada pengadu.", "Status: Diterima", "Warsini", "Data sementara",
		"Gaji tidak dibayar", "Tarsih", "Keluarga", "Datang langsung", "Malaysia", "Kabupaten Brebes", "Rp 0",
		"Demo caseworker 3329")

	// Referred to the province, the consent question answered yes; a note.
	do(t, ctx, "open the referral", chromedp.Click(chromedp.CSS(`details:has(form[action$="/rujuk"]) summary`)),
		chromedp.SetValue(chromedp.CSS(`#a-refer-to_unit`), "33"),
		chromedp.Click(chromedp.CSS(`#a-refer-consent-yes`)))
	click(t, ctx, "refer", `form[action$="/rujuk"] button[type="submit"]`, http.StatusOK)
	mainHas(t, ctx, "the referred case", "Kasus dirujuk.", "Menunggu keputusan rujukan", "ke Provinsi Jawa Tengah",
		"dengan persetujuan pekerja", "Keputusan rujukan", "hari kerja lagi")
	do(t, ctx, "write a note", chromedp.SendKeys(chromedp.CSS(`#f-text`), "Keluarga membawa slip gaji terakhir dan kontrak kerja."))
	click(t, ctx, "save the note", `form.note-form button[type="submit"]`, http.StatusOK)
	mainHas(t, ctx, "the case with its note", "Catatan disimpan.", "Keluarga membawa slip gaji terakhir dan kontrak kerja.",
		"Catatan ditambahkan")
	screenshot(t, ctx, "web-case-referred")
	signOut(t, ctx)

	// BP3MI's head looks the case up by its number and accepts.
	signInAs(t, ctx, s, "bp3mi_head-33")
	lookUp(t, ctx, number)
	mainHas(t, ctx, "the case waiting for BP3MI", "Menunggu keputusan Anda", "Kasus dirujuk ke unit Anda")
	click(t, ctx, "accept the referral", `form[action$="/rujukan/terima"] button`, http.StatusOK)
	main := mainHas(t, ctx, "the accepted case", "Rujukan diterima; kasus kini di unit Anda.", "Status: Dirujuk", "Provinsi Jawa Tengah",
		"Rujukan diterima")
	if strings.Contains(main, "Menunggu keputusan Anda") {
		t.Error("the referral still waits after it was accepted")
	}
	signOut(t, ctx)

	// A BP3MI officer resolves it with the money recovered.
	signInAs(t, ctx, s, "bp3mi_officer-33")
	lookUp(t, ctx, number)
	do(t, ctx, "open the resolution", chromedp.Click(chromedp.CSS(`details:has(form[action$="/selesaikan"]) summary`)),
		chromedp.SetValue(chromedp.CSS(`#a-resolve-resolution`), "WAGES_PAID"),
		chromedp.SendKeys(chromedp.CSS(`#a-resolve-money`), "42.000.000"))
	click(t, ctx, "resolve", `form[action$="/selesaikan"] button[type="submit"]`, http.StatusOK)
	mainHas(t, ctx, "the resolved case", "Kasus diselesaikan; penutupan menunggu persetujuan.", "Status: Terselesaikan",
		"Rp 42.000.000", "Gaji dibayarkan", "Menunggu persetujuan penutupan", "Rp 42.000.000 dipulihkan")
	if n := run(t, ctx, "count the officer's decisions", chromedp.Evaluate[int](`document.querySelectorAll('form[action*="/penutupan/"]').length`)); n != 0 {
		t.Errorf("a BP3MI officer is offered %d closure decisions, want none (a supervisor decides)", n)
	}
	signOut(t, ctx)

	// A provincial supervisor approves the closure.
	signInAs(t, ctx, s, "province_supervisor-33")
	lookUp(t, ctx, number)
	mainHas(t, ctx, "the closure waiting", "Menunggu keputusan Anda", "Penutupan kasus diusulkan")
	click(t, ctx, "approve the closure", `form[action$="/penutupan/setujui"] button`, http.StatusOK)
	main = mainHas(t, ctx, "the closed case", "Penutupan disetujui; kasus ditutup.", "Status: Ditutup", "Rp 42.000.000", "Terselesaikan",
		"Kasus ditutup", "Demo province_supervisor Jawa Tengah", "Tidak ada tugas terbuka untuk kasus ini.")
	if strings.Contains(main, "Menunggu") {
		t.Errorf("the closed case still waits for something:\n%s", main)
	}
	forms := run(t, ctx, "the forms left", chromedp.Evaluate[[]string](`[...document.querySelectorAll('main form[method="post"]')].map(f => f.getAttribute("action").split("/").slice(3).join("/"))`))
	if strings.Join(forms, " ") != "buka-kembali catatan" {
		t.Errorf("on the closed case a supervisor may post %q, want reopen and a note", forms)
	}
	screenshot(t, ctx, "web-case-closed-desktop")

	// The API agrees; each page read was logged.
	province := s.user("province_supervisor-33", "33", lindungi.RoleProvinceSupervisor)
	var found struct{ Items []lindungi.CaseSummary }
	province.do(http.MethodGet, "/v1/cases?number="+number, nil).decode(t, &found)
	if len(found.Items) != 1 || found.Items[0].Step != lindungi.CaseClosed || found.Items[0].MoneyRecovered != 42000000 {
		t.Fatalf("the case by number, through the API: %+v", found.Items)
	}
	final := caseOf(t, province, found.Items[0].ID.String())
	if final.ClosedReason != "resolved" || final.OwnerUnit != "33" || final.IntakeUnit != "3329" || final.Channel != lindungi.ChannelWalkIn {
		t.Errorf("the case as the API reads it: %+v", final)
	}
	var notes struct{ Items []lindungi.CaseNote }
	province.do(http.MethodGet, "/v1/cases/"+final.ID.String()+"/notes", nil).decode(t, &notes)
	if len(notes.Items) != 1 || notes.Items[0].Text != "Keluarga membawa slip gaji terakhir dan kontrak kerja." || notes.Items[0].Author != "caseworker-3329" {
		t.Errorf("the notes through the API: %+v", notes.Items)
	}
	var readers []string
	if err := s.db.SQL().Select(&readers, `SELECT DISTINCT actor FROM audit_events
		WHERE action = 'access.case' AND subject_id = $1 AND purpose = 'case-work' ORDER BY actor`, final.ID.String()); err != nil {
		t.Fatal(err)
	}
	if strings.Join(readers, " ") != "bp3mi_head-33 bp3mi_officer-33 caseworker-3329 province_supervisor-33" {
		t.Errorf("the case page's reads were logged for %q, want each of the four users", readers)
	}
	var noted int
	s.db.SQL().Get(&noted, `SELECT count(*) FROM audit_events WHERE action = 'case.note' AND subject_id = $1 AND actor = 'caseworker-3329'`, final.ID.String())
	if noted != 1 {
		t.Errorf("%d case.note events, want the one note", noted)
	}

	// A phone: the case page, its reopen form open, without sideways
	// scrolling; the last page, for the screenshot.
	do(t, ctx, "a 360-pixel screen", chromedp.EmulateViewport(360, 780, chromedp.EmulateMobile), chromedp.Reload(),
		chromedp.Click(chromedp.CSS(`details:has(form[action$="/buka-kembali"]) summary`)))
	if w := run(t, ctx, "measure the page", chromedp.Evaluate[int]("document.documentElement.scrollWidth")); w > 360 {
		t.Errorf("at 360 px the case page is %d px wide: it scrolls sideways", w)
	}
	mainHas(t, ctx, "the case at 360 px", number, "Rp 42.000.000", "Ditutup")
}
