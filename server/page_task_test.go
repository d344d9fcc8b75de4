package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// signedInBrowser signs in as the demo user sub and returns the browser
// and the inbox page it lands on.
func signedInBrowser(t *testing.T, sub string) (*browser, *fakeStore, string) {
	t.Helper()
	srv, store := pageServer(t)
	b := newBrowser(t, srv)
	_, body := b.get("/masuk")
	if res, _ := b.post("/masuk/dev", url.Values{"sub": {sub}, "csrf_token": {csrf(t, body)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in as %s = %d", sub, res.StatusCode)
	}
	_, body = b.get("/")
	return b, store, body
}

func TestInboxFilters(t *testing.T) {
	b, store, body := signedInBrowser(t, "caseworker-3305")
	for _, want := range []string{`<form class="filters" method="get" action="/"`, `name="kind"`, `<option value="VERIFY_REGISTRATION">Verifikasi pendaftaran</option>`,
		`<option value="3305">Kabupaten Kebumen</option>`, `name="overdue" value="true"`, `name="mine" value="true"`, "Hanya tugas saya"} {
		if !strings.Contains(body, want) {
			t.Errorf("the inbox lacks %q", want)
		}
	}
	if strings.Contains(body, `value="3301"`) {
		t.Error("a Kebumen case worker may filter by Cilacap, which is not below Kebumen")
	}
	res, body := b.get("/?kind=VERIFY_REGISTRATION&unit=3305&overdue=true&mine=true")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("filtered inbox: %d\n%s", res.StatusCode, body)
	}
	for _, want := range []string{`<option value="VERIFY_REGISTRATION" selected>`, `<option value="3305" selected>`,
		`id="f-overdue" type="checkbox" name="overdue" value="true" checked`, `id="f-mine" type="checkbox" name="mine" value="true" checked`, "Hapus saringan",
		`name="back" value="/?kind=VERIFY_REGISTRATION&amp;unit=3305&amp;overdue=true&amp;mine=true"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the filtered inbox lacks %q", want)
		}
	}
	// The dashboard's links: escalated tasks, and one officer's; a filter
	// set again keeps the officer.
	_, body = b.get("/?unit=3305&escalated=true&assignee=caseworker-3301")
	if f := store.listedWith; !f.Escalated || f.Assignee != "caseworker-3301" || f.Unit != "3305" {
		t.Errorf("the inbox asked for %+v", f)
	}
	for _, want := range []string{`id="f-escalated" type="checkbox" name="escalated" value="true" checked`, "Hanya yang dieskalasi",
		`<input type="hidden" name="assignee" value="caseworker-3301">`,
		`name="back" value="/?unit=3305&amp;escalated=true&amp;assignee=caseworker-3301"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the inbox of escalated tasks of one officer lacks %q", want)
		}
	}
	for _, bad := range []string{"/?kind=NOPE", "/?overdue=ya", "/?unit=9999", "/?escalated=ya"} {
		if res, body := b.get(bad); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Terjadi masalah") {
			t.Errorf("GET %s = %d, want 422 as a page", bad, res.StatusCode)
		}
	}
}

func TestInboxButtonsFollowTheAccessDecision(t *testing.T) {
	tests := []struct {
		sub        string
		want, lack []string
	}{
		{"caseworker-3305", []string{">Ambil<", ">Selesaikan<", "Setujui", "Perlu perbaikan", "Tolak"}, []string{">Eskalasi<", ">Alihkan<", ">Perpanjang<", ">Lepaskan<"}},
		{"supervisor-3305", []string{">Ambil<", ">Selesaikan<", ">Eskalasi<", ">Alihkan<", ">Perpanjang<"}, []string{">Lepaskan<"}},
		{"auditor-33", []string{"Tidak ada tindakan"}, []string{">Ambil<", ">Selesaikan<", ">Eskalasi<", "/tugas/"}},
	}
	for _, tt := range tests {
		t.Run(tt.sub, func(t *testing.T) {
			_, _, body := signedInBrowser(t, tt.sub)
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("the inbox lacks %q", w)
				}
			}
			for _, l := range tt.lack {
				if strings.Contains(body, l) {
					t.Errorf("the inbox shows %q", l)
				}
			}
		})
	}
}

func TestInboxTaskActions(t *testing.T) {
	b, store, body := signedInBrowser(t, "caseworker-3305")
	task := "/tugas/" + store.task.ID.String()
	back := "/?kind=VERIFY_REGISTRATION"

	// Without the CSRF token: refused.
	if res, _ := b.post(task+"/ambil", url.Values{"back": {back}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("claim without CSRF = %d, want 403", res.StatusCode)
	}
	res, _ := b.post(task+"/ambil", url.Values{"csrf_token": {csrf(t, body)}, "back": {back}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != back {
		t.Fatalf("claim = %d to %q, want 303 back to %s", res.StatusCode, res.Header.Get("Location"), back)
	}
	if _, body = b.get(back); !strings.Contains(body, "Tugas sudah Anda ambil.") {
		t.Error("the inbox does not say the task was claimed")
	}

	// A refusal of the service shows on the inbox, in words.
	res, body = b.post(task+"/selesai", url.Values{"csrf_token": {csrf(t, body)}, "back": {back}, "outcome": {"maybe"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "pilih hasil: Setujui, Perlu perbaikan atau Tolak") ||
		!strings.Contains(body, `class="flash flash-error" role="alert"`) || !strings.Contains(body, "Kotak tugas") {
		t.Errorf("complete with a bad outcome = %d, want 422 with the inbox and the reason\n%s", res.StatusCode, body)
	}
	// Off-site back addresses go to the inbox.
	res, _ = b.post(task+"/selesai", url.Values{"csrf_token": {csrf(t, body)}, "back": {"https://evil.test/"}, "outcome": {"approved"}, "note": {"lengkap"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("complete = %d to %q, want 303 to /", res.StatusCode, res.Header.Get("Location"))
	}
	if _, body = b.get("/"); !strings.Contains(body, "Tugas sudah diselesaikan.") {
		t.Error("the inbox does not say the task was completed")
	}

	// Supervisors' moves need their reason.
	sb, sstore, sbody := signedInBrowser(t, "supervisor-3305")
	task = "/tugas/" + sstore.task.ID.String()
	res, body = sb.post(task+"/eskalasi", url.Values{"csrf_token": {csrf(t, sbody)}, "reason": {""}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "alasan wajib diisi") {
		t.Errorf("escalate without a reason = %d\n%s", res.StatusCode, body)
	}
	res, _ = sb.post(task+"/perpanjang", url.Values{"csrf_token": {csrf(t, body)}, "reason": {"menunggu dokumen"}, "working_days": {"5"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("extend = %d, want 303", res.StatusCode)
	}
}
