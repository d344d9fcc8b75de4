package web

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
)

func TestNoticesInWords(t *testing.T) {
	task, worker, pcase := uuid.New(), uuid.New(), uuid.New()
	at := time.Date(2026, 11, 27, 7, 30, 0, 0, time.UTC)
	ns := []lindungi.Notification{
		{ID: 6, RecipientUnit: "3305", Kind: lindungi.NoticeEscalated, OtherUnit: "33", TaskID: &task, WorkerID: &worker,
			TaskKind: lindungi.TaskMedicalCheck, Reason: "Petugas cuti", CreatedAt: at},
		{ID: 5, RecipientUnit: "3305", RecipientRole: "supervisor", Kind: lindungi.NoticeReassignedIn, OtherUnit: "3301",
			TaskID: &task, WorkerID: &worker, TaskKind: lindungi.TaskMedicalCheck, CreatedAt: at, Read: true},
		{ID: 4, RecipientUnit: "3305", RecipientUser: "caseworker-3305", Kind: lindungi.NoticeAssigned, TaskID: &task, WorkerID: &worker,
			TaskKind: lindungi.TaskCaseHandling, CaseID: &pcase, CaseNumber: "PGD-33-2026-000042", CreatedAt: at},
		{ID: 3, RecipientUnit: "3305", Kind: lindungi.NoticeEscalatedIn, CreatedAt: at}, // written before other_unit was kept
		{ID: 2, RecipientUnit: "ID", RecipientRole: "admin", Kind: "attention", Message: "Workflow journey/x needs attention.", CreatedAt: at},
		{ID: 1, RecipientUnit: "3305", Kind: "something.new", Message: "Sesuatu terjadi / Something happened", CreatedAt: at},
	}
	tests := []struct {
		lang string
		want []string
	}{
		{Indonesian, []string{
			"Pemeriksaan kesehatan dieskalasi dari unit Anda ke Jawa Tengah.",
			"Pemeriksaan kesehatan dialihkan ke unit Anda (Kepala seksi) dari Kabupaten Cilacap.",
			"Penanganan pengaduan ditetapkan kepada Anda.",
			"Sebuah tugas dieskalasi ke unit Anda",
			"Sebuah alur kerja terhenti dan menunggu administrator.",
			"Sesuatu terjadi / Something happened",
		}},
		{English, []string{
			"Medical check was escalated from your unit to Jawa Tengah.",
			"Medical check was reassigned to your unit (Head of section) from Kabupaten Cilacap.",
			"Handle complaint was assigned to you.",
			"A task was escalated to your unit",
			"A workflow has stopped and waits for an administrator.",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			p := NewPrinter(tt.lang)
			got := p.Notices(NoticeInput{Notices: ns, Units: testUnits, Me: "caseworker-3305"})
			for i, want := range tt.want {
				if !strings.HasPrefix(got[i].Text, want) {
					t.Errorf("notification %d says %q, want %q", ns[i].ID, got[i].Text, want)
				}
			}
			if got[0].Link != "/?worker="+worker.String()+"#task-"+task.String() || got[2].Link != "/kasus/"+pcase.String() ||
				!strings.Contains(got[2].LinkText, "PGD-33-2026-000042") || got[4].Link != "" {
				t.Errorf("links: task %q, case %q (%q), attention %q", got[0].Link, got[2].Link, got[2].LinkText, got[4].Link)
			}
			if got[4].Detail != ns[4].Message || got[0].Reason != "Petugas cuti" || !got[1].Read || got[0].Read {
				t.Errorf("details: %+v", got)
			}
		})
	}
}

func TestNoticesPageView(t *testing.T) {
	p := testPage(Indonesian)
	p.Nav, p.Path = "notices", "/pemberitahuan"
	p.User.Unread = 1
	task, worker := uuid.New(), uuid.New()
	notices := p.Notices(NoticeInput{Units: testUnits, Notices: []lindungi.Notification{
		{ID: 2, RecipientUnit: "3305", Kind: lindungi.NoticeEscalated, OtherUnit: "33", TaskID: &task, WorkerID: &worker,
			TaskKind: lindungi.TaskMedicalCheck, CreatedAt: time.Now()},
		{ID: 1, RecipientUnit: "3305", Kind: lindungi.NoticeOverdueAtTop, TaskID: &task, WorkerID: &worker,
			TaskKind: lindungi.TaskMedicalCheck, CreatedAt: time.Now(), Read: true},
	}})
	res, body := render(t, "notices", NoticesPage{Page: p, Notices: notices, AnyUnread: true,
		Pager: Pager{Label: p.T("pager.label"), NextURL: "/pemberitahuan?cursor=1", NextText: p.T("pager.next")}})
	for _, want := range []string{"<h1>Pemberitahuan</h1>", `<a id="nav-notices" href="/pemberitahuan" aria-current="page">Pemberitahuan <span class="count">1<span class="sr-only"> belum dibaca</span></span></a>`,
		"Tandai semua dibaca", ">Lihat tugas<", `rel="next"`, `id="notice-list" hx-target="this"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(body, "hx-swap-oob") {
		t.Error("a whole page swaps parts out of band")
	}
	checkHeaders(t, res)
	checkMarkup(t, body)
	// No count when all is read.
	p.User.Unread = 0
	if _, body := render(t, "notices", NoticesPage{Page: p}); strings.Contains(body, `class="count"`) || !strings.Contains(body, "Belum ada pemberitahuan.") {
		t.Error("with nothing unread the header shows a count, or the empty page does not say so")
	}
}

func TestInboxWithBulkAssignAndCases(t *testing.T) {
	page := inboxFixture(Indonesian)
	page.Bulk = &BulkAssign{Back: "/", CSRF: page.CSRF, Assignees: []Option{{Value: "", Label: "Pilih petugas"}, {Value: "caseworker-3305", Label: "Demo"}}}
	for _, a := range page.Tasks.Rows {
		page.Actions = append(page.Actions, TaskActions{TaskID: uuid.MustParse(strings.TrimPrefix(a.ID, "task-")), Worker: a.Cells[0].Text, CSRF: page.CSRF, Back: "/"})
	}
	_, body := render(t, "inbox", page)
	if n := strings.Count(body, `form="bulk-assign"`); n != 3 {
		t.Errorf("%d checkboxes, want one per task (3)", n)
	}
	for _, want := range []string{`<form id="bulk-assign"`, `<label for="bulk-assignee">Kepada</label>`, "Tetapkan tugas terpilih", `<th scope="col">Pilih</th>`} {
		if !strings.Contains(body, want) {
			t.Errorf("the inbox lacks %q", want)
		}
	}
	checkMarkup(t, body)
}

func TestUnreadText(t *testing.T) {
	for n, want := range map[int]string{1: "1", 42: "42", 99: "99", 100: "99+", 250: "99+"} {
		if got := (&User{Unread: n}).UnreadText(); got != want {
			t.Errorf("UnreadText(%d) = %q, want %q", n, got, want)
		}
	}
}
