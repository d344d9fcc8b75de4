package e2e_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"github.com/google/uuid"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/auditlog"
	"github.com/lindungi/lindungi/server"
)

// auditFixture holds the users and the state the mutation scenarios share.
type auditFixture struct {
	t          *testing.T
	s          *system
	caseworker user // caseworker-3305
	verifier   user // verifier-3305, the second pair of eyes on documents
	supervisor user // supervisor-3305
	admin      user // admin-ID, national
	serial     int
}

// pick returns as when a test calls a scenario as someone else (an
// auditor), else the scenario's own user.
func (f *auditFixture) pick(as *user, own user) user {
	if as != nil {
		return *as
	}
	return own
}

// worker registers a new Kebumen worker (not through the call under test).
func (f *auditFixture) worker() lindungi.Worker {
	f.serial++
	return register(f.t, f.caseworker, f.serial)
}

// mutation makes one valid call of a mutating route as as (nil: the
// scenario's own user), sending headers, and returns the answer. Any
// setup it needs goes through other calls.
type mutation func(f *auditFixture, as *user, headers ...string) response

// mutations has a scenario for every mutating route of the API. A route
// without one fails TestEveryMutationIsAudited: add it here. A scenario
// calls the route as as (an auditor, in the second half of the test) or,
// when as is nil, as the user who may; it sends the headers it is given
// (the request ID the test finds the events by) with that one call only.
var mutations = map[string]mutation{
	"POST /v1/workers": func(f *auditFixture, as *user, h ...string) response {
		f.serial++
		w := kebumenWorker()
		w.NIK = fmt.Sprintf("330501550895%04d", f.serial)
		return f.pick(as, f.caseworker).do("POST", "/v1/workers", w, h...)
	},
	// The registration form (a page): the service of POST /v1/workers.
	"POST /pekerja/baru": func(f *auditFixture, as *user, h ...string) response {
		f.serial++
		w := kebumenWorker()
		return f.pick(as, f.caseworker).page("POST", "/pekerja/baru", url.Values{
			"nik": {fmt.Sprintf("330501550895%04d", f.serial)}, "name": {w.Name}, "birth_date": {w.BirthDate},
			"domicile_unit": {w.DomicileUnit}, "phone": {w.Phone}, "scheme": {string(w.Scheme)},
			"placement_company": {w.PlacementCompany}, "job_order_ref": {w.JobOrderRef}}, h...)
	},
	// The inbox's task actions: the same services as /v1/tasks/:id/...
	"POST /tugas/:id/ambil": func(f *auditFixture, as *user, h ...string) response {
		task := taskFor(f.t, f.s, f.worker().ID)
		return f.pick(as, f.caseworker).page("POST", "/tugas/"+task.ID.String()+"/ambil", url.Values{}, h...)
	},
	"POST /tugas/:id/lepas": func(f *auditFixture, as *user, h ...string) response {
		task := taskFor(f.t, f.s, f.worker().ID)
		if r := f.caseworker.do("POST", "/v1/tasks/"+task.ID.String()+"/claim", nil); r.Status != http.StatusOK {
			f.t.Fatalf("claim = %d %s", r.Status, r.Body)
		}
		return f.pick(as, f.caseworker).page("POST", "/tugas/"+task.ID.String()+"/lepas", url.Values{}, h...)
	},
	"POST /tugas/:id/selesai": func(f *auditFixture, as *user, h ...string) response {
		w := f.worker()
		task := taskFor(f.t, f.s, w.ID)
		provide(f.t, f.caseworker, f.verifier, w, verificationDocuments...)
		return f.pick(as, f.caseworker).page("POST", "/tugas/"+task.ID.String()+"/selesai",
			url.Values{"outcome": {"approved"}, "note": {"Dokumen lengkap"}}, h...)
	},
	"POST /tugas/:id/eskalasi": func(f *auditFixture, as *user, h ...string) response {
		task := taskFor(f.t, f.s, f.worker().ID)
		return f.pick(as, f.supervisor).page("POST", "/tugas/"+task.ID.String()+"/eskalasi", url.Values{"reason": {"Petugas cuti"}}, h...)
	},
	"POST /tugas/:id/alihkan": func(f *auditFixture, as *user, h ...string) response {
		task := taskFor(f.t, f.s, f.worker().ID)
		return f.pick(as, f.admin).page("POST", "/tugas/"+task.ID.String()+"/alihkan", url.Values{"unit": {"3301"}, "reason": {"LTSA Cilacap"}}, h...)
	},
	"POST /tugas/:id/perpanjang": func(f *auditFixture, as *user, h ...string) response {
		task := taskFor(f.t, f.s, f.worker().ID)
		return f.pick(as, f.supervisor).page("POST", "/tugas/"+task.ID.String()+"/perpanjang", url.Values{"working_days": {"3"}, "reason": {"Menunggu KK"}}, h...)
	},
	// The rest of the worker file: corrections, scans and the second
	// person's decision, on the API and on the worker's page.
	"POST /v1/workers/:id/corrections": func(f *auditFixture, as *user, h ...string) response {
		w := f.worker()
		return f.pick(as, f.caseworker).do("POST", "/v1/workers/"+w.ID.String()+"/corrections",
			map[string]string{"phone": "081299990000", "reason": "Nomor lama tidak aktif"}, h...)
	},
	"PUT /v1/documents/:id/file": func(f *auditFixture, as *user, h ...string) response {
		doc := f.document()
		return f.pick(as, f.caseworker).upload("PUT", "/v1/documents/"+doc.ID.String()+"/file", scanPDF, h...)
	},
	"POST /pekerja/:id/koreksi": func(f *auditFixture, as *user, h ...string) response {
		w := f.worker()
		return f.pick(as, f.caseworker).page("POST", "/pekerja/"+w.ID.String()+"/koreksi",
			url.Values{"phone": {"081299990001"}, "reason": {"Nomor lama tidak aktif"}}, h...)
	},
	"POST /pekerja/:id/dokumen": func(f *auditFixture, as *user, h ...string) response {
		w := f.worker()
		return f.pick(as, f.caseworker).pageUpload("/pekerja/"+w.ID.String()+"/dokumen",
			url.Values{"type": {"KTP"}, "number": {w.NIK}}, "ktp.pdf", scanPDF, h...)
	},
	"POST /dokumen/:id/verifikasi": func(f *auditFixture, as *user, h ...string) response {
		doc := f.document()
		return f.pick(as, f.verifier).page("POST", "/dokumen/"+doc.ID.String()+"/verifikasi", url.Values{}, h...)
	},
	"POST /dokumen/:id/tolak": func(f *auditFixture, as *user, h ...string) response {
		doc := f.document()
		return f.pick(as, f.verifier).page("POST", "/dokumen/"+doc.ID.String()+"/tolak", url.Values{"reason": {"Foto KTP buram"}}, h...)
	},
	// Complaint intake and the case page's forms: the services of
	// POST /v1/cases and /v1/cases/:id/...
	"POST /pengaduan/baru": func(f *auditFixture, as *user, h ...string) response {
		f.serial++
		return f.pick(as, f.caseworker).page("POST", "/pengaduan/baru", url.Values{"channel": {"WALK_IN"}, "unit": {"3305"},
			"complainant_name": {"Parmi"}, "complainant_relation": {"FAMILY"}, "subject_name": {fmt.Sprintf("Sri %d", f.serial)},
			"subject_domicile_unit": {"3305"}, "categories": {"UNPAID_WAGES"}, "description": {"Gaji tidak dibayar selama tujuh bulan."}}, h...)
	},
	"POST /kasus/:id/catatan": func(f *auditFixture, as *user, h ...string) response {
		return f.pick(as, f.caseworker).page("POST", "/kasus/"+f.newCase().ID.String()+"/catatan", url.Values{"text": {"Keluarga datang."}}, h...)
	},
	"POST /kasus/:id/verifikasi":          casePageScenario("", "verifikasi", nil),
	"POST /kasus/:id/minta-info":          casePageScenario("", "minta-info", nil),
	"POST /kasus/:id/kontak":              casePageScenario("", "kontak", nil),
	"POST /kasus/:id/klarifikasi":         casePageScenario("", "klarifikasi", nil),
	"POST /kasus/:id/mediasi":             casePageScenario("", "mediasi", nil),
	"POST /kasus/:id/tidak-terselesaikan": casePageScenario("", "tidak-terselesaikan", nil),
	"POST /kasus/:id/rujuk":               casePageScenario("", "rujuk", url.Values{"to_unit": {"33"}, "consent": {"yes"}}),
	"POST /kasus/:id/alihkan":             casePageScenario("", "alihkan", url.Values{"to_unit": {"33"}, "reason": {"BP3MI menangani"}}),
	"POST /kasus/:id/selesaikan":          casePageScenario("", "selesaikan", url.Values{"resolution": {"WAGES_PAID"}, "money_recovered_idr": {"5.000.000"}}),
	"POST /kasus/:id/usul-tutup":          casePageScenario("", "usul-tutup", url.Values{"reason": {"Pengadu tidak dapat dihubungi"}}),
	"POST /kasus/:id/eskalasi":            casePageScenario("", "eskalasi", url.Values{"reason": {"Risiko tinggi"}}),
	"POST /kasus/:id/buka-kembali":        casePageScenario("closed", "buka-kembali", url.Values{"reason": {"Bukti baru dari keluarga"}}),
	"POST /kasus/:id/penutupan/setujui":   casePageScenario("proposed", "penutupan/setujui", nil),
	"POST /kasus/:id/penutupan/tolak":     casePageScenario("proposed", "penutupan/tolak", url.Values{"reason": {"Klaim asuransi belum dibayar"}}),
	"POST /kasus/:id/rujukan/terima":      casePageScenario("referred", "rujukan/terima", nil),
	"POST /kasus/:id/rujukan/tolak":       casePageScenario("referred", "rujukan/tolak", url.Values{"reason": {"Bukan kewenangan"}}),
	"POST /kasus/:id/pengalihan/terima":   casePageScenario("transferred", "pengalihan/terima", nil),
	"POST /kasus/:id/pengalihan/tolak":    casePageScenario("transferred", "pengalihan/tolak", url.Values{"reason": {"Bukan kewenangan"}}),
	"POST /v1/cases/:id/notes": func(f *auditFixture, as *user, h ...string) response {
		return f.pick(as, f.caseworker).do("POST", "/v1/cases/"+f.newCase().ID.String()+"/notes", map[string]string{"text": "Keluarga datang."}, h...)
	},
	// Bulk assignment from the inbox: the service of POST /v1/tasks/assign,
	// writing its task.assign events.
	"POST /tugas/tetapkan": func(f *auditFixture, as *user, h ...string) response {
		one, two := taskFor(f.t, f.s, f.worker().ID), taskFor(f.t, f.s, f.worker().ID)
		return f.pick(as, f.supervisor).page("POST", "/tugas/tetapkan", url.Values{"task": {one.ID.String(), two.ID.String()},
			"assignee": {"caseworker-3305"}}, h...)
	},
	"POST /v1/tasks/:id/complete": func(f *auditFixture, as *user, h ...string) response {
		w := f.worker()
		task := taskFor(f.t, f.s, w.ID)
		provide(f.t, f.caseworker, f.verifier, w, verificationDocuments...)
		return f.pick(as, f.caseworker).do("POST", "/v1/tasks/"+task.ID.String()+"/complete",
			map[string]string{"outcome": "approved", "note": "Dokumen lengkap"}, h...)
	},
	"POST /v1/tasks/:id/claim": func(f *auditFixture, as *user, h ...string) response {
		task := taskFor(f.t, f.s, f.worker().ID)
		return f.pick(as, f.caseworker).do("POST", "/v1/tasks/"+task.ID.String()+"/claim", nil, h...)
	},
	"POST /v1/tasks/:id/release": func(f *auditFixture, as *user, h ...string) response {
		task := taskFor(f.t, f.s, f.worker().ID)
		if r := f.caseworker.do("POST", "/v1/tasks/"+task.ID.String()+"/claim", nil); r.Status != http.StatusOK {
			f.t.Fatalf("claim = %d %s", r.Status, r.Body)
		}
		return f.pick(as, f.caseworker).do("POST", "/v1/tasks/"+task.ID.String()+"/release", nil, h...)
	},
	"POST /v1/workers/:id/documents": func(f *auditFixture, as *user, h ...string) response {
		w := f.worker()
		return f.pick(as, f.caseworker).do("POST", "/v1/workers/"+w.ID.String()+"/documents", ktp(w), h...)
	},
	"POST /v1/documents/:id/verify": func(f *auditFixture, as *user, h ...string) response {
		doc := f.document()
		return f.pick(as, f.verifier).do("POST", "/v1/documents/"+doc.ID.String()+"/verify", nil, h...)
	},
	"POST /v1/documents/:id/reject": func(f *auditFixture, as *user, h ...string) response {
		doc := f.document()
		return f.pick(as, f.verifier).do("POST", "/v1/documents/"+doc.ID.String()+"/reject", map[string]string{"reason": "Foto KTP buram"}, h...)
	},
	"POST /v1/holidays": func(f *auditFixture, as *user, h ...string) response {
		return f.pick(as, f.admin).do("POST", "/v1/holidays", f.holiday(), h...)
	},
	"DELETE /v1/holidays/:date": func(f *auditFixture, as *user, h ...string) response {
		day := f.holiday()
		if r := f.admin.do("POST", "/v1/holidays", day); r.Status != http.StatusCreated {
			f.t.Fatalf("add holiday = %d %s", r.Status, r.Body)
		}
		return f.pick(as, f.admin).do("DELETE", "/v1/holidays/"+day["date"]+"?reason=Salah+tanggal", nil, h...)
	},
	"POST /v1/delegations": func(f *auditFixture, as *user, h ...string) response {
		return f.pick(as, f.supervisor).do("POST", "/v1/delegations", recordDelegation(f.worker()), h...)
	},
	"POST /v1/delegations/:id/revoke": func(f *auditFixture, as *user, h ...string) response {
		r := f.supervisor.do("POST", "/v1/delegations", recordDelegation(f.worker()))
		var d lindungi.Delegation
		r.decode(f.t, &d)
		return f.pick(as, f.supervisor).do("POST", "/v1/delegations/"+d.ID.String()+"/revoke", nil, h...)
	},
	"POST /v1/tasks/:id/escalate": func(f *auditFixture, as *user, h ...string) response {
		task := taskFor(f.t, f.s, f.worker().ID)
		return f.pick(as, f.supervisor).do("POST", "/v1/tasks/"+task.ID.String()+"/escalate", map[string]string{"reason": "Petugas cuti"}, h...)
	},
	"POST /v1/tasks/:id/reassign": func(f *auditFixture, as *user, h ...string) response {
		task := taskFor(f.t, f.s, f.worker().ID)
		return f.pick(as, f.admin).do("POST", "/v1/tasks/"+task.ID.String()+"/reassign", map[string]string{"unit": "3301", "reason": "LTSA Cilacap"}, h...)
	},
	"POST /v1/tasks/:id/extend": func(f *auditFixture, as *user, h ...string) response {
		task := taskFor(f.t, f.s, f.worker().ID)
		return f.pick(as, f.supervisor).do("POST", "/v1/tasks/"+task.ID.String()+"/extend", map[string]any{"working_days": 3, "reason": "Menunggu KK"}, h...)
	},
	"POST /v1/tasks/assign": func(f *auditFixture, as *user, h ...string) response {
		task := taskFor(f.t, f.s, f.worker().ID)
		return f.pick(as, f.supervisor).do("POST", "/v1/tasks/assign", map[string]any{"task_ids": []uuid.UUID{task.ID}, "assignee": "caseworker-3305"}, h...)
	},
	"POST /v1/workers/:id/journey/close": func(f *auditFixture, as *user, h ...string) response {
		w := f.worker()
		taskFor(f.t, f.s, w.ID)
		return f.pick(as, f.supervisor).do("POST", "/v1/workers/"+w.ID.String()+"/journey/close", map[string]string{"reason": "Mengundurkan diri"}, h...)
	},
	"POST /v1/workers/:id/journey/contract": func(f *auditFixture, as *user, h ...string) response {
		return f.pick(as, f.caseworker).do("POST", "/v1/workers/"+f.abroad().ID.String()+"/journey/contract", map[string]string{"contract_end": "2029-06-30"}, h...)
	},
	"POST /v1/workers/:id/journey/return": func(f *auditFixture, as *user, h ...string) response {
		return f.pick(as, f.caseworker).do("POST", "/v1/workers/"+f.abroad().ID.String()+"/journey/return", map[string]any{}, h...)
	},
	"POST /v1/workers/:id/journey/rehabilitation": func(f *auditFixture, as *user, h ...string) response {
		w := f.abroad()
		if r := f.caseworker.do("POST", "/v1/workers/"+w.ID.String()+"/journey/return", map[string]any{}); r.Status != http.StatusOK {
			f.t.Fatalf("return = %d %s", r.Status, r.Body)
		}
		return f.pick(as, f.caseworker).do("POST", "/v1/workers/"+w.ID.String()+"/journey/rehabilitation", map[string]bool{"family_consent": true}, h...)
	},
	"POST /v1/cases": func(f *auditFixture, as *user, h ...string) response {
		return f.pick(as, f.caseworker).do("POST", "/v1/cases", f.complaint(), h...)
	},
	"POST /v1/workers/:id/merge": func(f *auditFixture, as *user, h ...string) response {
		pc := f.newCase()
		return f.pick(as, f.supervisor).do("POST", "/v1/workers/"+pc.WorkerID.String()+"/merge", map[string]any{"into": f.worker().ID}, h...)
	},
	"POST /v1/cases/:id/verify": func(f *auditFixture, as *user, h ...string) response {
		pc := f.caseIn("")
		return f.pick(as, f.caseworker).do("POST", "/v1/cases/"+pc.ID.String()+"/verify", nil, h...)
	},
	"POST /v1/cases/:id/request-info": func(f *auditFixture, as *user, h ...string) response {
		pc := f.caseIn("")
		return f.pick(as, f.caseworker).do("POST", "/v1/cases/"+pc.ID.String()+"/request-info", nil, h...)
	},
	"POST /v1/cases/:id/contact": func(f *auditFixture, as *user, h ...string) response {
		pc := f.caseIn("")
		return f.pick(as, f.caseworker).do("POST", "/v1/cases/"+pc.ID.String()+"/contact", nil, h...)
	},
	"POST /v1/cases/:id/clarify": func(f *auditFixture, as *user, h ...string) response {
		pc := f.caseIn("")
		return f.pick(as, f.caseworker).do("POST", "/v1/cases/"+pc.ID.String()+"/clarify", nil, h...)
	},
	"POST /v1/cases/:id/mediate": func(f *auditFixture, as *user, h ...string) response {
		pc := f.caseIn("")
		return f.pick(as, f.caseworker).do("POST", "/v1/cases/"+pc.ID.String()+"/mediate", nil, h...)
	},
	"POST /v1/cases/:id/refer": func(f *auditFixture, as *user, h ...string) response {
		pc := f.caseIn("")
		return f.pick(as, f.caseworker).do("POST", "/v1/cases/"+pc.ID.String()+"/refer", map[string]any{"to_unit": "33", "consent": true}, h...)
	},
	"POST /v1/cases/:id/transfer": func(f *auditFixture, as *user, h ...string) response {
		pc := f.caseIn("")
		return f.pick(as, f.caseworker).do("POST", "/v1/cases/"+pc.ID.String()+"/transfer", map[string]any{"to_unit": "33", "reason": "BP3MI menangani"}, h...)
	},
	"POST /v1/cases/:id/told-unresolvable": func(f *auditFixture, as *user, h ...string) response {
		pc := f.caseIn("")
		return f.pick(as, f.caseworker).do("POST", "/v1/cases/"+pc.ID.String()+"/told-unresolvable", nil, h...)
	},
	"POST /v1/cases/:id/resolve": func(f *auditFixture, as *user, h ...string) response {
		pc := f.caseIn("")
		return f.pick(as, f.caseworker).do("POST", "/v1/cases/"+pc.ID.String()+"/resolve", map[string]any{"resolution": "WAGES_PAID", "money_recovered_idr": 5000000}, h...)
	},
	"POST /v1/cases/:id/propose-closure": func(f *auditFixture, as *user, h ...string) response {
		pc := f.caseIn("")
		return f.pick(as, f.caseworker).do("POST", "/v1/cases/"+pc.ID.String()+"/propose-closure", map[string]any{"reason": "Pengadu tidak dapat dihubungi"}, h...)
	},
	"POST /v1/cases/:id/escalate": func(f *auditFixture, as *user, h ...string) response {
		pc := f.caseIn("")
		return f.pick(as, f.supervisor).do("POST", "/v1/cases/"+pc.ID.String()+"/escalate", map[string]any{"reason": "Risiko tinggi"}, h...)
	},
	"POST /v1/cases/:id/reopen": func(f *auditFixture, as *user, h ...string) response {
		pc := f.caseIn("closed")
		return f.pick(as, f.admin).do("POST", "/v1/cases/"+pc.ID.String()+"/reopen", map[string]any{"reason": "Bukti baru dari keluarga"}, h...)
	},
	"POST /v1/cases/:id/closure/approve": func(f *auditFixture, as *user, h ...string) response {
		pc := f.caseIn("proposed")
		return f.pick(as, f.admin).do("POST", "/v1/cases/"+pc.ID.String()+"/closure/approve", nil, h...)
	},
	"POST /v1/cases/:id/closure/reject": func(f *auditFixture, as *user, h ...string) response {
		pc := f.caseIn("proposed")
		return f.pick(as, f.admin).do("POST", "/v1/cases/"+pc.ID.String()+"/closure/reject", map[string]any{"reason": "Klaim asuransi belum dibayar"}, h...)
	},
	"POST /v1/cases/:id/referral/accept": func(f *auditFixture, as *user, h ...string) response {
		pc := f.caseIn("referred")
		return f.pick(as, f.admin).do("POST", "/v1/cases/"+pc.ID.String()+"/referral/accept", nil, h...)
	},
	"POST /v1/cases/:id/referral/reject": func(f *auditFixture, as *user, h ...string) response {
		pc := f.caseIn("referred")
		return f.pick(as, f.admin).do("POST", "/v1/cases/"+pc.ID.String()+"/referral/reject", map[string]any{"reason": "Bukan kewenangan"}, h...)
	},
	"POST /v1/cases/:id/transfer/accept": func(f *auditFixture, as *user, h ...string) response {
		pc := f.caseIn("transferred")
		return f.pick(as, f.admin).do("POST", "/v1/cases/"+pc.ID.String()+"/transfer/accept", nil, h...)
	},
	"POST /v1/cases/:id/transfer/reject": func(f *auditFixture, as *user, h ...string) response {
		pc := f.caseIn("transferred")
		return f.pick(as, f.admin).do("POST", "/v1/cases/"+pc.ID.String()+"/transfer/reject", map[string]any{"reason": "Bukan kewenangan"}, h...)
	},
	// The supervisors' case actions, on the API and the case page: a new
	// case (its handling task at Kebumen) re-categorised, raised to high
	// risk (its task routed to the province), given to a case worker.
	"POST /v1/cases/:id/recategorise": func(f *auditFixture, as *user, h ...string) response {
		pc := f.caseIn("")
		return f.pick(as, f.supervisor).do("POST", "/v1/cases/"+pc.ID.String()+"/recategorise",
			map[string]any{"categories": []string{"UNPAID_WAGES", "JOB_FRAUD"}, "reason": "Hasil verifikasi"}, h...)
	},
	"POST /v1/cases/:id/risk": func(f *auditFixture, as *user, h ...string) response {
		pc := f.caseIn("")
		return f.pick(as, f.supervisor).do("POST", "/v1/cases/"+pc.ID.String()+"/risk", map[string]any{"level": "high", "reason": "Indikasi TPPO"}, h...)
	},
	"POST /v1/cases/:id/assign": func(f *auditFixture, as *user, h ...string) response {
		pc := f.caseIn("")
		return f.pick(as, f.supervisor).do("POST", "/v1/cases/"+pc.ID.String()+"/assign",
			map[string]any{"assignee": "caseworker-3305", "reason": "Menangani kasus serupa"}, h...)
	},
	"POST /kasus/:id/kategori": supervisePageScenario("kategori", url.Values{"categories": {"UNPAID_WAGES", "JOB_FRAUD"}, "reason": {"Hasil verifikasi"}}),
	"POST /kasus/:id/risiko":   supervisePageScenario("risiko", url.Values{"level": {"high"}, "reason": {"Indikasi TPPO"}}),
	"POST /kasus/:id/tugaskan": supervisePageScenario("tugaskan", url.Values{"assignee": {"caseworker-3305"}, "reason": {"Menangani kasus serupa"}}),
	"POST /v1/policies": func(f *auditFixture, as *user, h ...string) response {
		f.serial++
		change := lindungi.PolicyChange{Reason: "Peran Keycloak petugas",
			Add: []lindungi.PolicyRule{{Model: "access", PType: "g", Values: []string{fmt.Sprintf("kc-petugas-%d", f.serial), "caseworker"}}}}
		return f.pick(as, f.admin).do("POST", "/v1/policies", change, h...)
	},
}

// casePageScenario is the scenario of a form of the case page: a case brought
// to state (auditFixture.caseIn), then the form posted to its word with
// form, by a case worker, or by the national administrator for the forms
// only supervisors may post (escalation, reopening, decisions).
func casePageScenario(state, word string, form url.Values) mutation {
	return func(f *auditFixture, as *user, h ...string) response {
		pc := f.caseIn(state)
		own := f.caseworker
		switch {
		case word == "eskalasi":
			own = f.supervisor
		case state != "" || word == "buka-kembali":
			own = f.admin
		}
		values := url.Values{}
		for k, v := range form {
			values[k] = v
		}
		return f.pick(as, own).page("POST", "/kasus/"+pc.ID.String()+"/"+word, values, h...)
	}
}

// supervisePageScenario is the scenario of a supervisor's form of the case
// page: a new case, its handling task created, then the form posted to its
// word by Kebumen's supervisor.
func supervisePageScenario(word string, form url.Values) mutation {
	return func(f *auditFixture, as *user, h ...string) response {
		pc := f.caseIn("")
		values := url.Values{}
		for k, v := range form {
			values[k] = v
		}
		return f.pick(as, f.supervisor).page("POST", "/kasus/"+pc.ID.String()+"/"+word, values, h...)
	}
}

// complaint is a new complaint about an unknown Kebumen worker.
func (f *auditFixture) complaint() lindungi.NewComplaint {
	f.serial++
	return lindungi.NewComplaint{Channel: lindungi.ChannelWalkIn,
		Complainant: lindungi.Complainant{Name: "Parmi", Relation: lindungi.ComplainantFamily},
		Subject:     &lindungi.CaseSubject{Name: fmt.Sprintf("Sri %d", f.serial), DomicileUnit: "3305"},
		Categories:  []lindungi.CaseCategory{lindungi.CatUnpaidWages},
		Description: "Gaji tidak dibayar selama tujuh bulan.", Unit: "3305"}
}

// newCase takes a complaint in (not through the call under test).
func (f *auditFixture) newCase() lindungi.Case {
	r := f.caseworker.do("POST", "/v1/cases", f.complaint())
	if r.Status != http.StatusCreated {
		f.t.Fatalf("intake = %d %s", r.Status, r.Body)
	}
	var pc lindungi.Case
	r.decode(f.t, &pc)
	return pc
}

// caseIn is a new case brought to a state: "" (received), "proposed"
// (closure waiting), "closed", "referred" or "transferred" (to 33, waiting
// for its decision).
func (f *auditFixture) caseIn(state string) lindungi.Case {
	pc := f.newCase()
	id := pc.ID.String()
	call := func(u user, path string, body any) {
		if r := u.do("POST", "/v1/cases/"+id+path, body); r.Status != http.StatusOK {
			f.t.Fatalf("%s = %d %s", path, r.Status, r.Body)
		}
	}
	// The case's workflow starts right after intake; wait for it.
	eventually(f.t, "the case's handling task", func() bool {
		var n int
		f.s.db.SQL().Get(&n, `SELECT count(*) FROM tasks WHERE workflow_id = $1`, pc.WorkflowID)
		return n > 0
	})
	switch state {
	case "proposed", "closed":
		call(f.caseworker, "/propose-closure", map[string]any{"reason": "Pengadu mencabut pengaduan"})
		if state == "closed" {
			call(f.admin, "/closure/approve", nil)
		}
	case "referred":
		call(f.caseworker, "/refer", map[string]any{"to_unit": "33", "consent": true})
	case "transferred":
		call(f.caseworker, "/transfer", map[string]any{"to_unit": "33", "reason": "BP3MI menangani"})
	}
	return pc
}

// abroad is a new worker taken through every step to ABROAD.
func (f *auditFixture) abroad() lindungi.Worker {
	w := f.worker()
	toAbroad(f.t, f.s, f.caseworker, f.verifier, w)
	return w
}

// document adds a KTP to a new worker's file (not through the call under
// test).
func (f *auditFixture) document() lindungi.Document {
	w := f.worker()
	r := f.caseworker.do("POST", "/v1/workers/"+w.ID.String()+"/documents", ktp(w))
	if r.Status != http.StatusCreated {
		f.t.Fatalf("add document = %d %s", r.Status, r.Body)
	}
	var d lindungi.Document
	r.decode(f.t, &d)
	return d
}

func ktp(w lindungi.Worker) lindungi.NewDocument {
	return lindungi.NewDocument{Type: lindungi.DocKTP, Number: w.NIK, FileRef: "scan/" + w.ID.String() + "/KTP"}
}

// holiday is a new day of 2027's calendar.
func (f *auditFixture) holiday() map[string]string {
	f.serial++
	day := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, f.serial)
	return map[string]string{"date": day.Format(time.DateOnly), "kind": "cuti_bersama", "name": "Cuti bersama", "reason": "SKB 3 Menteri 2027"}
}

func recordDelegation(w lindungi.Worker) map[string]any {
	return map[string]any{"kind": "record", "grantee_user": "caseworker-3301", "grantee_unit": "3301",
		"worker_id": w.ID, "reason": "Domisili di Cilacap", "expires_at": time.Now().Add(time.Hour)}
}

// mutatingRoutes lists every POST, PUT, PATCH and DELETE route of the API,
// from the route table itself.
func mutatingRoutes() []string {
	var out []string
	for _, r := range server.New(server.Deps{}).Routes() {
		if r.Page && (r.Path == "/masuk/dev" || r.Path == "/keluar") {
			// Signing in and out changes no record: the session is a
			// cookie, and the server logs both. Pages that change records
			// call the same services as the API and need a scenario.
			continue
		}
		if r.Reads {
			// A post that changes no record: marking one's notifications
			// read (POST /v1/notifications/read, /pemberitahuan/baca: the
			// caller's own read state; postgres/notification_test.go shows
			// it touches no one else's), the audit pages' purpose and the
			// check of an uploaded export (their reads are logged, as
			// TestWebAuditorTrace shows).
			continue
		}
		switch r.Method {
		case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
			out = append(out, r.Method+" "+r.Path)
		}
	}
	slices.Sort(out)
	return out
}

// TestEveryMutationIsAudited calls every mutating route and finds its
// audit events by request ID; then has auditors call every one of them and
// sees each refused with nothing written.
func TestEveryMutationIsAudited(t *testing.T) {
	s := startSystem(t)
	f := &auditFixture{t: t, s: s, caseworker: s.user("caseworker-3305", "3305", "caseworker"), verifier: s.user("verifier-3305", "3305", "verifier"),
		supervisor: s.user("supervisor-3305", "3305", "supervisor"), admin: s.user("admin-ID", "ID", "admin")}
	eventsOf := func(requestID string) int {
		var n int
		if err := s.db.SQL().Get(&n, `SELECT count(*) FROM audit_events WHERE request_id = $1`, requestID); err != nil {
			t.Fatal(err)
		}
		return n
	}
	routes := mutatingRoutes()
	for name := range mutations {
		if !slices.Contains(routes, name) {
			t.Errorf("mutations has a scenario for %s, which is not a mutating route", name)
		}
	}
	for _, route := range routes {
		scenario, ok := mutations[route]
		if !ok {
			t.Errorf("%s has no scenario in mutations (e2e/audit_test.go): every mutating route must be shown to write an audit event", route)
			continue
		}
		id := "mutation-" + strings.NewReplacer(" ", "-", "/", "-", ":", "").Replace(route)
		r := scenario(f, nil, "X-Request-ID", id)
		if r.Status < 200 || r.Status > 299 {
			t.Errorf("%s: the scenario's call answered %d %s, want success", route, r.Status, r.Body)
			continue
		}
		if n := eventsOf(id); n == 0 {
			t.Errorf("%s succeeded and wrote no audit event", route)
		}
	}

	// Auditors, national or provincial, can change nothing.
	for _, a := range []user{s.user("auditor-ID", "ID", "auditor"), s.user("auditor-33", "33", "auditor"), s.user("auditor-3305", "3305", "auditor")} {
		for _, route := range routes {
			scenario, ok := mutations[route]
			if !ok {
				continue
			}
			id := "auditor-" + a.p.Unit + "-" + strings.NewReplacer(" ", "-", "/", "-", ":", "").Replace(route)
			r := scenario(f, &a, "X-Request-ID", id)
			switch {
			case r.Status != http.StatusForbidden && r.Status != http.StatusNotFound:
				t.Errorf("%s as %s = %d %s, want 403 or 404", route, a.p.Subject, r.Status, r.Body)
			case !strings.Contains(route, " /v1/"): // a page: an error page
				if ct := r.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
					t.Errorf("%s as %s answered %s, want an error page", route, a.p.Subject, ct)
				}
			default:
				r.problem(t)
			}
			if n := eventsOf(id); n != 0 {
				t.Errorf("%s as %s wrote %d audit events, want none", route, a.p.Subject, n)
			}
		}
	}
	// Every change is audited (above), so a change by an auditor would
	// show as an event without a purpose.
	var changes int
	s.db.SQL().Get(&changes, `SELECT count(*) FROM audit_events WHERE actor LIKE 'auditor-%' AND purpose = ''`)
	if changes != 0 {
		t.Errorf("%d changes made by auditors, want none", changes)
	}
}

type traceDoc struct {
	Items      []auditlog.Record `json:"items"`
	NextCursor *int64            `json:"next_cursor"`
}

type accessDoc struct {
	Items []server.Access `json:"items"`
}

// TestAuditorViews reads a worker's trace, access log and file as of a
// past instant, as auditors would, and checks that every such read is
// itself logged with its purpose.
func TestAuditorViews(t *testing.T) {
	s := startSystem(t)
	kebumen := s.user("caseworker-3305", "3305", "caseworker")
	auditor := s.user("auditor-33", "33", "auditor")
	sibling := s.user("auditor-3301", "3301", "auditor")
	const purpose = "ST-700/12/Inspektorat/2026"
	q := "?purpose=" + url.QueryEscape(purpose)

	w := register(t, kebumen, 1)
	id := w.ID.String()
	task := taskFor(t, s, w.ID)
	eventually(t, "the journey's first step", func() bool {
		var n int
		s.db.SQL().Get(&n, `SELECT count(*) FROM audit_events WHERE worker_id = $1 AND action = 'task.create'`, w.ID)
		return n == 1
	})

	// Purpose: auditors must say why; others default to case work.
	r := auditor.do("GET", "/v1/workers/"+id, nil)
	if r.Status != http.StatusUnprocessableEntity || !cmp.Equal(r.problem(t).fields(), []string{"purpose"}) {
		t.Errorf("an auditor reading without a purpose = %d %s, want 422 naming purpose", r.Status, r.Body)
	}
	if r := auditor.do("GET", "/v1/workers/"+id+q, nil); r.Status != http.StatusOK {
		t.Fatalf("an auditor reading with a purpose = %d %s", r.Status, r.Body)
	}
	if r := kebumen.do("GET", "/v1/workers/"+id+"?purpose=verifikasi+dokumen", nil); r.Status != http.StatusOK {
		t.Fatalf("case worker read = %d", r.Status)
	}

	// The file as it stands at T, then changed.
	provide(t, kebumen, s.user("verifier-3305", "3305", "verifier"), w, verificationDocuments...)
	var wantWorker lindungi.Worker
	kebumen.do("GET", "/v1/workers/"+id, nil).decode(t, &wantWorker)
	var wantTask lindungi.Task
	kebumen.do("GET", "/v1/tasks/"+task.ID.String(), nil).decode(t, &wantTask)
	at := time.Now()
	time.Sleep(10 * time.Millisecond)
	if r := kebumen.do("POST", "/v1/tasks/"+task.ID.String()+"/complete", map[string]string{"outcome": "approved"}); r.Status != http.StatusOK {
		t.Fatalf("complete = %d %s", r.Status, r.Body)
	}
	var asOf struct {
		At        time.Time           `json:"at"`
		Worker    lindungi.Worker     `json:"worker"`
		Tasks     []lindungi.Task     `json:"tasks"`
		Documents []lindungi.Document `json:"documents"`
		Cases     []lindungi.Case     `json:"cases"`
	}
	r = auditor.do("GET", "/v1/workers/"+id+"/as-of"+q+"&at="+url.QueryEscape(at.Format(time.RFC3339Nano)), nil)
	if r.Status != http.StatusOK {
		t.Fatalf("as-of = %d %s", r.Status, r.Body)
	}
	r.decode(t, &asOf)
	if diff := cmp.Diff(wantWorker, asOf.Worker); diff != "" {
		t.Errorf("worker as of T (-recorded at T +as-of):\n%s", diff)
	}
	if diff := cmp.Diff([]lindungi.Task{wantTask}, asOf.Tasks); diff != "" {
		t.Errorf("tasks as of T (-recorded at T +as-of):\n%s", diff)
	}
	var wantDocs []lindungi.Document
	kebumen.do("GET", "/v1/workers/"+id+"/documents?superseded=true", nil).decode(t, &struct {
		Items *[]lindungi.Document `json:"items"`
	}{&wantDocs})
	if diff := cmp.Diff(wantDocs, asOf.Documents); diff != "" || len(asOf.Documents) != len(verificationDocuments) || len(asOf.Cases) != 0 {
		t.Errorf("documents as of T (-listed at T +as-of), %d cases:\n%s", len(asOf.Cases), diff)
	}
	r = auditor.do("GET", "/v1/workers/"+id+"/as-of"+q+"&at="+url.QueryEscape(time.Now().Format(time.RFC3339Nano)), nil)
	r.decode(t, &asOf)
	if i := slices.IndexFunc(asOf.Tasks, func(x lindungi.Task) bool { return x.ID == task.ID }); asOf.Worker.JourneyStep != lindungi.StepTraining ||
		i < 0 || asOf.Tasks[i].Status != lindungi.TaskCompleted {
		t.Errorf("as of now: step %s, tasks %+v; want TRAINING and the verification completed", asOf.Worker.JourneyStep, asOf.Tasks)
	}
	if r := auditor.do("GET", "/v1/workers/"+id+"/as-of"+q+"&at=2020-01-01T00:00:00Z", nil); r.Status != http.StatusNotFound {
		t.Errorf("as of before the registration = %d, want 404", r.Status)
	}
	if r := auditor.do("GET", "/v1/workers/"+id+"/as-of"+q, nil); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("as-of without at = %d, want 422", r.Status)
	}

	// The trace: every event about the worker, in chain order.
	var trace traceDoc
	auditor.do("GET", "/v1/workers/"+id+"/trace"+q, nil).decode(t, &trace)
	var actions []string
	for i, e := range trace.Items {
		if i > 0 && e.Seq <= trace.Items[i-1].Seq {
			t.Errorf("trace not in chain order at %d: %d after %d", i, e.Seq, trace.Items[i-1].Seq)
		}
		if e.Purpose == "" {
			actions = append(actions, e.Action)
		}
	}
	// The changes come in the order they were made (other events, such as
	// the documents', in between).
	rest := actions
	for _, want := range []string{"worker.register", "journey.step", "task.create", "document.add", "document.verify", "task.complete", "journey.step", "journey.step"} {
		i := slices.Index(rest, want)
		if i < 0 {
			t.Errorf("the trace lacks %s in its place; it has %q", want, actions)
			break
		}
		rest = rest[i+1:]
	}
	if trace.NextCursor != nil {
		t.Errorf("next_cursor = %d on the only page", *trace.NextCursor)
	}
	var tasks traceDoc
	auditor.do("GET", "/v1/workers/"+id+"/trace"+q+"&action=task.", nil).decode(t, &tasks)
	var taskActions []string
	for _, e := range tasks.Items {
		taskActions = append(taskActions, e.Action)
	}
	if len(taskActions) < 2 || taskActions[0] != "task.create" || taskActions[1] != "task.complete" ||
		slices.ContainsFunc(taskActions, func(a string) bool { return !strings.HasPrefix(a, "task.") }) {
		t.Errorf("trace of task. = %q, want task.create, task.complete and task events only", taskActions)
	}
	// Paged two at a time, the pages add up to the trace (plus the reads of
	// the trace itself, which come later in the chain).
	var paged []auditlog.Record
	cursor := ""
	for range 50 {
		var p traceDoc
		auditor.do("GET", "/v1/workers/"+id+"/trace"+q+"&limit=2"+cursor, nil).decode(t, &p)
		paged = append(paged, p.Items...)
		if p.NextCursor == nil {
			break
		}
		cursor = fmt.Sprintf("&cursor=%d", *p.NextCursor)
	}
	if len(paged) < len(trace.Items) || !cmp.Equal(trace.Items, paged[:len(trace.Items)]) {
		t.Errorf("the pages of 2 (%d events) do not start with the trace (%d events)", len(paged), len(trace.Items))
	}
	// Time filters: nothing is before the registration.
	var none traceDoc
	auditor.do("GET", "/v1/workers/"+id+"/trace"+q+"&to="+url.QueryEscape(w.CreatedAt.Add(-time.Second).Format(time.RFC3339)), nil).decode(t, &none)
	if len(none.Items) != 0 {
		t.Errorf("trace before the registration has %d events", len(none.Items))
	}

	// CSV.
	r = auditor.do("GET", "/v1/workers/"+id+"/trace"+q+"&format=csv", nil)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Errorf("CSV trace Content-Type %q", r.Header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
	if err != nil || len(rows) < len(trace.Items)+1 || rows[0][0] != "seq" || rows[1][5] != "worker.register" {
		t.Errorf("CSV trace: %v, %d rows: %q", err, len(rows), r.Body)
	}

	// Who looked, when and why, the auditor's own views included.
	var accesses accessDoc
	auditor.do("GET", "/v1/workers/"+id+"/accesses"+q, nil).decode(t, &accesses)
	var got []string
	for _, a := range accesses.Items {
		got = append(got, a.Actor+" "+a.Action+" "+a.Purpose)
	}
	for _, w := range []string{
		"auditor-33 access.worker " + purpose,
		"caseworker-3305 access.worker verifikasi dokumen",
		"caseworker-3305 access.worker case-work",
		"auditor-33 access.as_of " + purpose,
		"auditor-33 access.trace " + purpose,
	} {
		if !slices.Contains(got, w) {
			t.Errorf("the access log lacks %q; it has %q", w, got)
		}
	}
	for _, e := range accesses.Items {
		if e.ActorRole == "" || e.RequestID == "" || e.OccurredAt.IsZero() {
			t.Errorf("access %+v lacks its role, request or time", e)
		}
	}

	// Auditors see their unit and below; other roles none of this.
	for _, path := range []string{"/trace", "/accesses", "/as-of"} {
		if r := sibling.do("GET", "/v1/workers/"+id+path+q+"&at="+url.QueryEscape(at.Format(time.RFC3339)), nil); r.Status != http.StatusNotFound {
			t.Errorf("a Cilacap auditor GET %s of a Kebumen worker = %d, want 404", path, r.Status)
		}
		if r := kebumen.do("GET", "/v1/workers/"+id+path+q, nil); r.Status != http.StatusForbidden {
			t.Errorf("a case worker GET %s = %d, want 403", path, r.Status)
		}
		if r := auditor.do("GET", "/v1/workers/"+id+path, nil); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("GET %s without a purpose = %d, want 422", path, r.Status)
		}
	}
}

// TestTamperAndExport exports a signed range, checks it offline, edits the
// database and the file behind the application's back, and sees the API,
// the command line and the worker's scheduled verification name what
// fails; a provincial auditor's export keeps the province's events.
func TestTamperAndExport(t *testing.T) {
	s := startSystem(t, "LINDUNGI_AUDIT_CHECKPOINT_INTERVAL=1s", "LINDUNGI_AUDIT_VERIFY_INTERVAL=2s")
	kebumen := s.user("caseworker-3305", "3305", "caseworker")
	national := s.user("auditor-ID", "ID", "auditor")
	province := s.user("auditor-33", "33", "auditor")
	admin := s.user("admin-ID", "ID", "admin")
	const q = "?purpose=pemeriksaan+BPK+2026"
	dir := t.TempDir()

	start := time.Now()
	for i := range 3 {
		w := register(t, kebumen, i+1)
		taskFor(t, s, w.ID)
	}
	var report auditlog.Report
	eventually(t, "a checkpoint over the trail", func() bool {
		national.do("GET", "/v1/audit/verify"+q, nil).decode(t, &report)
		return report.OK && report.LastCheckpoint != nil && report.LastCheckpoint.Seq >= 9
	})
	if !report.SignaturesChecked || report.Events < 9 || report.FirstSeq != 1 {
		t.Errorf("report %+v, want every event and signatures checked", report)
	}
	if r := admin.do("GET", "/v1/audit/verify"+q, nil); r.Status != http.StatusOK {
		t.Errorf("an administrator verifying = %d", r.Status)
	}
	if r := kebumen.do("GET", "/v1/audit/verify"+q, nil); r.Status != http.StatusForbidden {
		t.Errorf("a case worker verifying = %d, want 403", r.Status)
	}
	if out, err := s.command("audit", "verify").CombinedOutput(); err != nil || !strings.Contains(string(out), "OK: ") {
		t.Errorf("lindungi audit verify on an intact trail: %v\n%s", err, out)
	}

	// The key auditors keep, and a signed export checked offline with it.
	r := national.do("GET", "/v1/audit/key"+q, nil)
	var key auditlog.KeyInfo
	r.decode(t, &key)
	keyFile := filepath.Join(dir, "key.json")
	os.WriteFile(keyFile, r.Body, 0o644)
	if key.KeyID != report.LastCheckpoint.KeyID {
		t.Errorf("key %s, checkpoints signed by %s", key.KeyID, report.LastCheckpoint.KeyID)
	}
	// A provincial auditor's export: the events within the province's
	// reach, each checkable offline; the national level is out of reach.
	var cilacap lindungi.Worker
	if r := s.user("caseworker-3301", "3301", "caseworker").do("POST", "/v1/workers", lindungi.NewWorker{NIK: "3301014107960005",
		Name: "Dewi Cilacap", BirthDate: "1996-07-01", DomicileUnit: "3301", Phone: "081234560005", Scheme: lindungi.SchemeG2G}); r.Status != http.StatusCreated {
		t.Fatalf("register in Cilacap = %d %s", r.Status, r.Body)
	} else {
		r.decode(t, &cilacap)
	}
	r = province.do("GET", "/v1/audit/export"+q+"&unit=3305", nil)
	var scoped struct {
		Payload auditlog.ExportPayload `json:"payload"`
	}
	r.decode(t, &scoped)
	if r.Status != http.StatusOK || scoped.Payload.Scope != "3305" || len(scoped.Payload.Events) == 0 {
		t.Errorf("a provincial auditor's export of Kebumen = %d, scope %q, %d events", r.Status, scoped.Payload.Scope, len(scoped.Payload.Events))
	}
	for _, e := range scoped.Payload.Events {
		if e.WorkerID != nil && *e.WorkerID == cilacap.ID {
			t.Errorf("Kebumen's export holds event %d of a Cilacap worker", e.Seq)
		}
	}
	scopedFile := filepath.Join(dir, "export-3305.json")
	os.WriteFile(scopedFile, r.Body, 0o644)
	if out, err := s.command("audit", "verify", "--export", scopedFile, "--key", keyFile).CombinedOutput(); err != nil || !strings.Contains(string(out), "OK: ") {
		t.Errorf("offline check of Kebumen's export: %v\n%s", err, out)
	}
	if r := province.do("GET", "/v1/audit/export"+q+"&unit=ID", nil); r.Status != http.StatusForbidden {
		t.Errorf("a provincial auditor exporting the national level = %d, want 403", r.Status)
	}
	r = national.do("GET", "/v1/audit/export"+q+"&from="+url.QueryEscape(start.Add(-time.Minute).Format(time.RFC3339))+
		"&to="+url.QueryEscape(time.Now().Add(time.Minute).Format(time.RFC3339)), nil)
	if r.Status != http.StatusOK {
		t.Fatalf("export = %d %s", r.Status, r.Body)
	}
	exportFile := filepath.Join(dir, "export.json")
	os.WriteFile(exportFile, r.Body, 0o644)
	out, err := s.command("audit", "verify", "--export", exportFile, "--key", keyFile).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "OK: ") || !strings.Contains(string(out), "the key given") {
		t.Fatalf("offline check of the export: %v\n%s", err, out)
	}
	var ex struct {
		Payload map[string]any `json:"payload"`
	}
	r.decode(t, &ex)
	events := ex.Payload["events"].([]any)
	victim := events[4].(map[string]any)
	victim["actor"] = "mallory"
	edited, _ := json.MarshalIndent(map[string]any{"payload": ex.Payload, "key_id": key.KeyID,
		"public_key": key.PublicKey, "signature": json.RawMessage(mustField(t, r.Body, "signature"))}, "", "  ")
	os.WriteFile(exportFile, edited, 0o644)
	out, err = s.command("audit", "verify", "--export", exportFile, "--key", keyFile).CombinedOutput()
	wantSeq := fmt.Sprintf("FAILED at seq %v: changed", victim["seq"])
	if err == nil || !strings.Contains(string(out), wantSeq) {
		t.Errorf("offline check of an edited export: %v\n%s\nwant %q", err, out, wantSeq)
	}

	// Behind the application's back: change one event, then also remove one.
	behind := func(stmt string) {
		t.Helper()
		tx := s.db.SQL().MustBegin()
		tx.MustExec(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update`)
		tx.MustExec(stmt)
		tx.MustExec(`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update`)
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	behind(`UPDATE audit_events SET actor_unit = '3301' WHERE chain_seq = 5`)
	national.do("GET", "/v1/audit/verify"+q, nil).decode(t, &report)
	if report.OK || report.Failure == nil || report.Failure.Seq != 5 || report.Failure.Reason != auditlog.Changed {
		t.Errorf("after a change at seq 5: %+v, want seq 5 changed", report.Failure)
	}
	behind(`DELETE FROM audit_events WHERE chain_seq = 3`)
	national.do("GET", "/v1/audit/verify"+q, nil).decode(t, &report)
	if report.OK || report.Failure == nil || report.Failure.Seq != 3 || report.Failure.Reason != auditlog.Removed {
		t.Errorf("after removing seq 3: %+v, want seq 3 removed", report.Failure)
	}
	out, err = s.command("audit", "verify").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "FAILED at seq 3: removed") {
		t.Errorf("lindungi audit verify after tampering: %v\n%s", err, out)
	}

	// The worker's scheduled verification finds it too: the national
	// auditors are told, and the worker logs it at error level.
	eventually(t, "the scheduled verification to tell the national auditors", func() bool {
		var ns struct{ Items []lindungi.Notification }
		national.do("GET", "/v1/notifications", nil).decode(t, &ns)
		return slices.ContainsFunc(ns.Items, func(n lindungi.Notification) bool {
			return n.Kind == "audit_failed" && n.RecipientRole == "auditor" && strings.Contains(n.Message, "#")
		})
	})
	logged, _ := os.ReadFile(filepath.Join(s.logDir, "worker.log"))
	if !strings.Contains(string(logged), "level=ERROR") || !strings.Contains(string(logged), "AUDIT TRAIL VERIFICATION FAILED") {
		t.Errorf("the worker did not log the failed verification at error level:\n%s", logged)
	}

	// Production will not make up a signing key.
	cmd := s.command("worker")
	cmd.Env = append(cmd.Env, "LINDUNGI_ENV=production", "LINDUNGI_DEV_KEY_FILE=", "LINDUNGI_AUDIT_KEY_FILE="+filepath.Join(dir, "missing.key"))
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "LINDUNGI_AUDIT_KEY_FILE") {
		t.Errorf("worker in production without an audit key: %v\n%s", err, out)
	}
}

// mustField returns the raw JSON of one top-level field of doc.
func mustField(t *testing.T, doc []byte, name string) []byte {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatal(err)
	}
	return m[name]
}
