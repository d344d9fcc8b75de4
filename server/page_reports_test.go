package server_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/server"
	"github.com/lindungi/lindungi/web"
	"github.com/xuri/excelize/v2"
)

// The matrix rows of reports and exports.
func reportRead(ok string) map[string]string {
	row := ok + " " + ok + " " + ok + " " + ok
	no := "403 403 403 403"
	return map[string]string{
		"caseworker": no, "verifier": no, "supervisor": row, "province_supervisor": row, "bp3mi_officer": no,
		"bp3mi_head": row, "national_officer": row, "auditor": row, "admin": row,
	}
}

var listExport = map[string]string{
	"caseworker": "200 200 200 200", "verifier": "200 200 200 200", "supervisor": "200 200 200 200",
	"province_supervisor": "200 200 200 200", "bp3mi_officer": "200 200 200 200", "bp3mi_head": "200 200 200 200",
	"national_officer": "200 200 200 200", "auditor": "200 200 200 200", "admin": "200 200 200 200",
}

// The fake store's recaps: one case of unpaid wages in Malaysia received
// and resolved with Rp 15.000.000, and one P2P worker registered, in the
// unit asked.
func (f *fakeStore) ComplaintRecap(_ context.Context, unit string, from, to time.Time) (lindungi.ComplaintRecap, error) {
	row := func(key string) lindungi.RecapRow {
		return lindungi.RecapRow{Key: key, Received: 1, Resolved: 1, MoneyRecovered: 15_000_000}
	}
	return lindungi.ComplaintRecap{Unit: unit, Month: lindungi.MonthOf(from).String(), From: from, To: to, Total: row(""),
		ByCategory: []lindungi.RecapRow{row("UNPAID_WAGES")}, ByChannel: []lindungi.RecapRow{row("HOTLINE")},
		ByCountry: []lindungi.RecapRow{row("MY")}, ByUnit: []lindungi.RecapRow{row(unit)}}, nil
}

func (f *fakeStore) PlacementRecap(_ context.Context, unit string, from, to time.Time) (lindungi.PlacementRecap, error) {
	row := func(key string) lindungi.PlacementRow {
		return lindungi.PlacementRow{Key: key, Registered: 1, Active: 1}
	}
	return lindungi.PlacementRecap{Unit: unit, Month: lindungi.MonthOf(from).String(), From: from, To: to, Total: row(""),
		ByStep: []lindungi.StepRow{{Step: lindungi.StepRegistered, Entered: 1, AtEnd: 1}}, ByScheme: []lindungi.PlacementRow{row("P2P")},
		ByUnit: []lindungi.PlacementRow{row(unit)}}, nil
}

func (f *fakeStore) CountCases(ctx context.Context, scope lindungi.Scope, cf lindungi.CaseFilter) (int, error) {
	cases, err := f.ListCases(ctx, scope, cf)
	return len(cases), err
}

func (f *fakeStore) CountTasks(context.Context, lindungi.Scope, lindungi.TaskFilter) (int, error) {
	return len(f.listed), nil
}

// reportsBrowser is a browser signed in as role at unit on a page server.
func reportsBrowser(t *testing.T, role, unit string) (*browser, *fakeStore) {
	t.Helper()
	srv, store := pageServer(t)
	return browserOn(t, srv, role, unit), store
}

// browserOn is a browser signed in as role at unit on srv.
func browserOn(t *testing.T, srv *server.Server, role, unit string) *browser {
	t.Helper()
	b := newBrowser(t, srv)
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	signIn(t, req, lindungi.Principal{Subject: role + "-" + unit, Unit: unit, Roles: []string{role}})
	for _, c := range req.Cookies() {
		b.cookies[c.Name] = c
	}
	return b
}

// TestReportScope: a district supervisor reads its own district's
// recaps, on the page, as files and through the API, and not another
// district's (403, nothing of it shown); its province's supervisor reads
// both.
func TestReportScope(t *testing.T) {
	b, _ := reportsBrowser(t, "supervisor", "3305")
	res, body := b.get("/laporan?month=2026-11&unit=3305")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Kabupaten Kebumen") || !strings.Contains(body, "Rp 15.000.000") {
		t.Fatalf("Kebumen's report for Kebumen's supervisor: %d\n%s", res.StatusCode, body)
	}
	for _, path := range []string{"/laporan?month=2026-11&unit=3301", "/laporan/pengaduan?month=2026-11&unit=3301&format=xlsx",
		"/laporan/penempatan?month=2026-11&unit=3301&format=csv", "/laporan?month=2026-11&unit=33"} {
		res, body := b.get(path)
		if res.StatusCode != http.StatusForbidden || strings.Contains(body, "15.000.000") {
			t.Errorf("%s for Kebumen's supervisor: %d, want 403 without the figures", path, res.StatusCode)
		}
	}
	srv, _ := pageServer(t)
	for _, tc := range []struct {
		token, unit string
		want        int
	}{
		{"supervisor@3305", "3305", http.StatusOK},
		{"supervisor@3305", "3301", http.StatusForbidden},
		{"province_supervisor@33", "3301", http.StatusOK},
		{"supervisor@3305", "9999", http.StatusUnprocessableEntity},
		{"caseworker@3305", "3305", http.StatusForbidden},
	} {
		for _, path := range []string{"/v1/reports/complaints", "/v1/reports/placements"} {
			req := httptest.NewRequest(http.MethodGet, path+"?month=2026-11&unit="+tc.unit, nil)
			req.Header.Set("Authorization", "Bearer "+tc.token)
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Errorf("%s of %s as %s = %d, want %d: %s", path, tc.unit, tc.token, rec.Code, tc.want, rec.Body)
			}
		}
	}
	// A month to come is a bad month, said next to its field.
	next := lindungi.MonthOf(time.Now()).End().Format("2006-01")
	if res, body := b.get("/laporan?month=" + next); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "bukan bulan yang belum tiba") {
		t.Errorf("a month to come: %d\n%s", res.StatusCode, body)
	}
}

// TestReportFiles: the recap's CSV starts with its head (title, unit,
// month, who exported it, when) before the tables; the XLSX has a sheet
// per table with the same head and the figures as numbers.
func TestReportFiles(t *testing.T) {
	b, _ := reportsBrowser(t, "supervisor", "3305")
	res, body := b.get("/laporan/pengaduan?month=2026-11&unit=3305&format=csv")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.Contains(res.Header.Get("Content-Disposition"), `attachment; filename="pengaduan-3305-2026-11.csv"`) {
		t.Fatalf("CSV: %d %v", res.StatusCode, res.Header)
	}
	rows, err := readCSV(body)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"Rekap pengaduan bulanan"},
		{"Unit", "Kabupaten Kebumen (3305)"},
		{"Bulan", "November 2026"},
		{"Diekspor oleh", "Demo supervisor-3305 (supervisor-3305)"},
	}
	for i, w := range want {
		if i >= len(rows) || strings.Join(rows[i], "|") != strings.Join(w, "|") {
			t.Errorf("CSV row %d = %q, want %q", i+1, rows[min(i, len(rows)-1)], w)
		}
	}
	if len(rows) < 5 || rows[4][0] != "Waktu ekspor" || !strings.HasSuffix(rows[4][1], "WIB") {
		t.Errorf("CSV row 5 = %q, want when it was exported", rows[min(4, len(rows)-1)])
	}
	if !strings.Contains(body, "\nKategori\nKode,Kategori,Diterima,Diselesaikan,Ditutup,Uang kembali (Rp)\nUNPAID_WAGES,Gaji tidak dibayar,1,1,0,15000000\n") {
		t.Errorf("CSV lacks the category table:\n%s", body)
	}

	res, body = b.get("/laporan/pengaduan?month=2026-11&unit=3305&format=xlsx")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("XLSX: %d", res.StatusCode)
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "Kategori,Kanal,Negara,Unit" {
		t.Errorf("sheets %s", got)
	}
	for cell, want := range map[string]string{"A1": "Rekap pengaduan bulanan", "B2": "Kabupaten Kebumen (3305)", "B3": "November 2026",
		"A7": "Kode", "A8": "MY", "B8": "Malaysia", "C8": "1", "F8": "15000000", "B9": "Jumlah"} {
		got, err := f.GetCellValue("Negara", cell, excelize.Options{RawCellValue: true})
		if err != nil || got != want {
			t.Errorf("Negara!%s = %q, want %q (%v)", cell, got, want, err)
		}
	}
}

// TestExportNeedsPurpose: the inbox's export holds names: without a
// purpose a case worker gets the form (with the rows it will hold), with
// a bad one the form says why (422); with one, the file, logged once with
// its filter, rows and purpose, its head saying who, when and why. The
// case list's export holds no personal data: no purpose asked.
func TestExportNeedsPurpose(t *testing.T) {
	b, store := reportsBrowser(t, "caseworker", "3305")
	res, body := b.get("/unduh?kind=VERIFY_REGISTRATION&format=csv")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `name="purpose"`) || !strings.Contains(body, "1 baris") ||
		!strings.Contains(body, `name="kind" value="VERIFY_REGISTRATION"`) {
		t.Fatalf("no purpose: %d, want the purpose form with the rows counted\n%s", res.StatusCode, body)
	}
	if res, body := b.get("/unduh?kind=VERIFY_REGISTRATION&format=csv&purpose=x"); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "3 sampai 200 karakter") {
		t.Errorf("a bad purpose: %d, want 422 with the reason\n%s", res.StatusCode, body)
	}
	if len(store.accesses) != 0 {
		t.Fatalf("the forms logged %d reads", len(store.accesses))
	}
	res, body = b.get("/unduh?kind=VERIFY_REGISTRATION&format=csv&purpose=Rapat+koordinasi+Desember")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("with a purpose: %d %v\n%s", res.StatusCode, res.Header, body)
	}
	rows, err := readCSV(body)
	if err != nil {
		t.Fatal(err)
	}
	head := map[string]string{}
	for _, r := range rows[1:] {
		if len(r) == 2 {
			head[r[0]] = r[1]
		}
	}
	if rows[0][0] != "Kotak tugas" || head["Diekspor oleh"] != "Demo caseworker-3305 (caseworker-3305)" ||
		head["Tujuan"] != "Rapat koordinasi Desember" || head["Jumlah baris"] != "1" || head["Jenis tugas"] != "Verifikasi pendaftaran" {
		t.Errorf("the file's head: %q", rows[:8])
	}
	if !strings.Contains(body, "\nSiti,"+store.worker.ID.String()+",") {
		t.Errorf("the file lacks the task's row:\n%s", body)
	}
	if len(store.accesses) != 1 {
		t.Fatalf("%d access events, want the export's one", len(store.accesses))
	}
	ev := store.accesses[0]
	if ev.Action != "access.export" || ev.Purpose != "Rapat koordinasi Desember" || ev.Actor != "caseworker-3305" ||
		!strings.Contains(string(ev.After), `"rows":1`) || !strings.Contains(string(ev.After), `"kind":"VERIFY_REGISTRATION"`) {
		t.Errorf("the export's event: %+v %s", ev, ev.After)
	}

	res, body = b.get("/kasus/unduh?status=all")
	if res.StatusCode != http.StatusOK || strings.Contains(body, `name="purpose"`) || !strings.Contains(body, "1 baris") {
		t.Errorf("the case list's form: %d, want no purpose asked\n%s", res.StatusCode, body)
	}
	res, body = b.get("/kasus/unduh?status=all&format=csv")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "\n"+store.pcase.Number+",Gaji tidak dibayar,") {
		t.Errorf("the case list's CSV: %d\n%s", res.StatusCode, body)
	}
	if len(store.accesses) != 1 {
		t.Errorf("the case list's export logged a read: %d events", len(store.accesses))
	}
}

// readCSV reads a file of sections: rows have as many fields as they have.
func readCSV(body string) ([][]string, error) {
	r := csv.NewReader(strings.NewReader(body))
	r.FieldsPerRecord = -1
	return r.ReadAll()
}

// TestPapers: the case summary shows the owner unit's name, the number and
// the day, and is a logged read (case-work); the recommendation letter is
// refused in words for a worker not verified yet, and for one in training
// is the district's letter, as a page and as a PDF, each read logged.
func TestPapers(t *testing.T) {
	b, store := reportsBrowser(t, "caseworker", "3305")
	res, body := b.get("/kasus/" + store.pcase.ID.String() + "/ringkasan")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "PEMERINTAH KABUPATEN KEBUMEN") ||
		!strings.Contains(body, store.pcase.Number) || !strings.Contains(body, "RINGKASAN KASUS PENGADUAN") {
		t.Fatalf("the summary: %d\n%s", res.StatusCode, body)
	}
	if n := len(store.reads); n != 1 || store.reads[0].Action != "access.case_summary" || store.reads[0].Purpose != "case-work" {
		t.Errorf("the summary's reads: %+v", store.reads)
	}
	res, body = b.get("/kasus/" + store.pcase.ID.String() + "/ringkasan?format=pdf")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(body, "%PDF") || res.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("the summary's PDF: %d %q", res.StatusCode, body[:min(len(body), 20)])
	}

	letter := "/pekerja/" + store.worker.ID.String() + "/surat-rekomendasi"
	if res, body := b.get(letter); res.StatusCode != http.StatusConflict || !strings.Contains(body, "sudah diverifikasi") {
		t.Errorf("a letter for a worker not verified: %d\n%s", res.StatusCode, body)
	}
	store.worker.JourneyStep = lindungi.StepTraining
	res, body = b.get(letter)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("the letter: %d\n%s", res.StatusCode, body)
	}
	for _, want := range []string{"SURAT REKOMENDASI", "Yang bertanda tangan di bawah ini, Kepala Dinas Tenaga Kerja Kabupaten Kebumen",
		"3305011508950001", "Pelatihan", "Kebumen, " + web.NewPrinter(web.Indonesian).LongDate(time.Now())} {
		if !strings.Contains(body, want) {
			t.Errorf("the letter lacks %q", want)
		}
	}
	res, body = b.get(letter + "?format=pdf")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(body, "%PDF") {
		t.Errorf("the letter's PDF: %d", res.StatusCode)
	}
	var letters int
	for _, ev := range store.reads {
		if ev.Action == "access.letter" && ev.Purpose == "case-work" && *ev.WorkerID == store.worker.ID {
			letters++
		}
	}
	if letters != 2 {
		t.Errorf("%d letter reads logged, want 2 (page, PDF)", letters)
	}
	// Cilacap reads neither.
	other := browserOn(t, b.srv, "caseworker", "3301")
	for _, path := range []string{"/kasus/" + store.pcase.ID.String() + "/ringkasan", letter} {
		if res, _ := other.get(path); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s for Cilacap: %d, want 404", path, res.StatusCode)
		}
	}
}
