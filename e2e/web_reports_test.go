package e2e_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/web"
	"github.com/xuri/excelize/v2"
)

// The OpenAPI check reads XLSX answers as the files they are.
func init() {
	openapi3filter.RegisterBodyDecoder(web.ContentTypes[web.FormatXLSX], openapi3filter.FileBodyDecoder)
}

// fetchBytes downloads path with the tab's session, as a click on a
// download link would, and returns the status and the bytes.
func fetchBytes(t *testing.T, ctx context.Context, path string) (int, []byte) {
	t.Helper()
	var got struct {
		Status int    `json:"status"`
		Body   string `json:"body"`
	}
	got = run(t, ctx, "download "+path, chromedp.Evaluate[struct {
		Status int    `json:"status"`
		Body   string `json:"body"`
	}](`fetch(`+strconvQuote(path)+`).then(async r => {
		const b = new Uint8Array(await r.arrayBuffer());
		let s = ""; for (const x of b) s += String.fromCharCode(x);
		return {status: r.status, body: btoa(s)};
	})`, chromedp.EvalAwaitPromise))
	raw, err := base64.StdEncoding.DecodeString(got.Body)
	if err != nil {
		t.Fatal(err)
	}
	return got.Status, raw
}

// media makes the tab lay its pages out for print, or for the screen ("").
func media(m string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
		_, err := cdp.Call(ctx, tgt, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m})
		return err
	})
}

// TestWebReports: work made through the API in Kebumen and Cilacap; the
// Kebumen supervisor opens the report of this month and sees its figures,
// the API's, without Cilacap's; downloads the complaints recap as XLSX,
// opened here cell by cell (and the API's XLSX says the same); the case
// list's CSV holds exactly Kebumen's open cases; the recommendation letter
// and the case summary print with the unit's name and the date, as pages
// and as PDF; the report and the letter, printed, lose the menu and fit
// 360 px.
func TestWebReports(t *testing.T) {
	s := startSystem(t)
	cw := s.user("caseworker-3305", "3305", lindungi.RoleCaseworker)
	verifier := s.user("verifier-3305", "3305", lindungi.RoleVerifier)
	sup := s.user("supervisor-3305", "3305", lindungi.RoleSupervisor)
	cilacap := s.user("caseworker-3301", "3301", lindungi.RoleCaseworker)

	// A Kebumen worker, verified: the letter is for them.
	w := register(t, cw, 301)
	spec, _ := lindungi.SpecOf(lindungi.StepRegistered)
	provide(t, cw, verifier, w, spec.Documents...)
	approve(t, cw, w, lindungi.TaskVerifyRegistration)

	// Two complaints in Kebumen (one resolved with money), one in Cilacap.
	take := func(u user, nc lindungi.NewComplaint) lindungi.Case {
		t.Helper()
		nc.Complainant = lindungi.Complainant{Name: "Tarsih", Relation: lindungi.ComplainantFamily}
		nc.Description = "Gaji tidak dibayar selama lima bulan."
		r := u.do(http.MethodPost, "/v1/cases", nc)
		if r.Status != http.StatusCreated {
			t.Fatalf("intake = %d %s", r.Status, r.Body)
		}
		var pc lindungi.Case
		r.decode(t, &pc)
		return pc
	}
	k1 := take(cw, lindungi.NewComplaint{Channel: lindungi.ChannelHotline, WorkerID: &w.ID, Unit: "3305", Country: "MY",
		Categories: []lindungi.CaseCategory{lindungi.CatUnpaidWages}})
	k2 := take(cw, lindungi.NewComplaint{Channel: lindungi.ChannelWalkIn, Unit: "3305",
		Subject: &lindungi.CaseSubject{Name: "Warsini", DomicileUnit: "3305"}, Categories: []lindungi.CaseCategory{lindungi.CatJobFraud}})
	take(cilacap, lindungi.NewComplaint{Channel: lindungi.ChannelHotline, Unit: "3301", Country: "SA",
		Subject: &lindungi.CaseSubject{Name: "Karsinah", DomicileUnit: "3301"}, Categories: []lindungi.CaseCategory{lindungi.CatUnpaidWages}})
	if r := cw.do(http.MethodPost, "/v1/cases/"+k1.ID.String()+"/resolve",
		map[string]any{"resolution": "WAGES_PAID", "money_recovered_idr": 15000000}); r.Status != http.StatusOK {
		t.Fatalf("resolve = %d %s", r.Status, r.Body)
	}

	// The API's figures.
	month := lindungi.MonthOf(time.Now())
	var complaints lindungi.ComplaintRecap
	r := sup.do(http.MethodGet, "/v1/reports/complaints?month="+month.String(), nil)
	if r.Status != http.StatusOK {
		t.Fatalf("complaints recap = %d %s", r.Status, r.Body)
	}
	r.decode(t, &complaints)
	if want := (lindungi.RecapRow{Received: 2, Resolved: 1, MoneyRecovered: 15000000}); complaints.Total != want ||
		len(complaints.ByUnit) != 1 || complaints.ByUnit[0].Key != "3305" {
		t.Fatalf("the API's recap of Kebumen: %+v, want %+v in 3305 alone", complaints, want)
	}
	var placements lindungi.PlacementRecap
	r = sup.do(http.MethodGet, "/v1/reports/placements?month="+month.String(), nil)
	if r.Status != http.StatusOK {
		t.Fatalf("placements recap = %d %s", r.Status, r.Body)
	}
	r.decode(t, &placements)
	if placements.Total.Registered != 1 || placements.Total.Active != 1 {
		t.Errorf("the API's placements: %+v, want the one worker registered and under way", placements.Total)
	}
	if r := sup.do(http.MethodGet, "/v1/reports/complaints?unit=3301", nil); r.Status != http.StatusForbidden {
		t.Errorf("Kebumen's supervisor asking Cilacap's recap = %d, want 403", r.Status)
	}

	// The page shows the same figures.
	ctx := browserTab(t, "web-report-print-360")
	signInAs(t, ctx, s, "supervisor-3305")
	do(t, ctx, "open the report", chromedp.Navigate(s.baseURL+"/laporan"))
	p := web.NewPrinter(web.Indonesian)
	main := run(t, ctx, "read the report", chromedp.Text(chromedp.CSS("main")))
	for _, want := range []string{"Laporan bulanan", "Kabupaten Kebumen (3305)", p.MonthName(month), "Gaji tidak dibayar",
		"Penipuan peluang kerja", "Datang langsung", "Rp 15.000.000", "Demo supervisor 3305"} {
		if !strings.Contains(main, want) {
			t.Errorf("the report lacks %q:\n%s", want, main)
		}
	}
	if strings.Contains(main, "Cilacap") || strings.Contains(main, "Arab Saudi") {
		t.Errorf("Kebumen's report shows Cilacap's complaint:\n%s", main)
	}
	totals := run(t, ctx, "the totals", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("#complaints .totals dd, #placements .totals dd")].map(d => d.textContent.trim())`))
	want := []string{strconv.Itoa(complaints.Total.Received), strconv.Itoa(complaints.Total.Resolved), strconv.Itoa(complaints.Total.Closed),
		p.Money(complaints.Total.MoneyRecovered), strconv.Itoa(placements.Total.Registered), strconv.Itoa(placements.Total.Departed),
		strconv.Itoa(placements.Total.Returned), strconv.Itoa(placements.Total.Active)}
	if strings.Join(totals, "|") != strings.Join(want, "|") {
		t.Errorf("the page's totals %q, the API's %q", totals, want)
	}
	screenshot(t, ctx, "web-report-desktop")

	// The XLSX of the page's link, cell by cell.
	link := run(t, ctx, "the XLSX link", chromedp.AttributeValue(chromedp.CSS(`#complaints .downloads a[href*="format=xlsx"]`), "href"))
	status, file := fetchBytes(t, ctx, link.Value)
	if status != http.StatusOK {
		t.Fatalf("download %s = %d", link.Value, status)
	}
	checkRecapXLSX(t, file, month, "Demo supervisor 3305 (supervisor-3305)", complaints)
	r = sup.do(http.MethodGet, "/v1/reports/complaints?format=xlsx&month="+month.String(), nil)
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != web.ContentTypes[web.FormatXLSX] {
		t.Fatalf("the API's XLSX = %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	checkRecapXLSX(t, r.Body, month, "Demo supervisor 3305 (supervisor-3305)", complaints) // the directory's name

	// Printed: no menu, no forms; on a phone, no sideways scrolling.
	do(t, ctx, "print", media("print"))
	shown := run(t, ctx, "what prints", chromedp.Evaluate[[]string](`["header.top", "form.filters", ".downloads", "#report-head-title"].map(
		s => getComputedStyle(document.querySelector(s)).display)`))
	if shown[0] != "none" || shown[1] != "none" || shown[2] != "none" || shown[3] == "none" {
		t.Errorf("printed, the menu, the form, the downloads and the head display %q; want none, none, none and the head", shown)
	}
	screenshot(t, ctx, "web-report-print-desktop")
	do(t, ctx, "a 360-pixel screen", media(""), chromedp.EmulateViewport(360, 780, chromedp.EmulateMobile), chromedp.Reload())
	if width := run(t, ctx, "measure", chromedp.Evaluate[int]("document.documentElement.scrollWidth")); width > 360 {
		t.Errorf("at 360 px the report is %d px wide", width)
	}
	screenshot(t, ctx, "web-report-360")
	do(t, ctx, "print at 360", media("print"))

	// The case list's CSV: exactly Kebumen's open cases.
	cases := browserTab(t, "web-export-cases")
	signInAs(t, cases, s, "caseworker-3305")
	do(t, cases, "open the case list", chromedp.Navigate(s.baseURL+"/kasus"))
	if res, err := chromedp.RunResponse(cases, chromedp.Click(chromedp.CSS(`.export-link a`))); err != nil || res.Status != http.StatusOK {
		t.Fatalf("open the export: %v %+v", err, res)
	}
	if rows := run(t, cases, "the rows to come", chromedp.Text(chromedp.CSS("#export-rows"))); rows != "2 baris" {
		t.Errorf("the export says it will hold %q, want 2 baris", rows)
	}
	status, file = fetchBytes(t, cases, "/kasus/unduh?status=open&format=csv")
	if status != http.StatusOK {
		t.Fatalf("the CSV = %d", status)
	}
	cr := csv.NewReader(bytes.NewReader(file))
	cr.FieldsPerRecord = -1
	records, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var numbers []string
	header := false
	for _, rec := range records {
		if header {
			numbers = append(numbers, rec[0])
		}
		header = header || (len(rec) > 0 && rec[0] == "Nomor kasus")
	}
	if strings.Join(numbers, ",") != k1.Number+","+k2.Number {
		t.Errorf("the CSV's cases %q, want %s and %s", numbers, k1.Number, k2.Number)
	}
	if records[0][0] != "Daftar pengaduan" || !bytes.Contains(file, []byte("Diekspor oleh,Demo caseworker 3305 (caseworker-3305)")) {
		t.Errorf("the CSV's head: %q", records[:6])
	}

	// The letter and the summary, as pages and PDFs.
	letter := browserTab(t, "web-letter-print-360")
	signInAs(t, letter, s, "supervisor-3305")
	do(t, letter, "open the letter", chromedp.Navigate(s.baseURL+"/pekerja/"+w.ID.String()+"/surat-rekomendasi"))
	text := run(t, letter, "read the letter", chromedp.Text(chromedp.CSS("article")))
	for _, want := range []string{"PEMERINTAH KABUPATEN KEBUMEN", "SURAT REKOMENDASI",
		"Yang bertanda tangan di bawah ini, Kepala Dinas Tenaga Kerja Kabupaten Kebumen, menerangkan bahwa:", w.Name, w.NIK,
		"Kebumen, " + p.LongDate(time.Now())} {
		if !strings.Contains(text, want) {
			t.Errorf("the letter lacks %q:\n%s", want, text)
		}
	}
	screenshot(t, letter, "web-letter-desktop")
	pdfLink := run(t, letter, "the PDF link", chromedp.AttributeValue(chromedp.CSS(`.paper-tools a[href*="format=pdf"]`), "href"))
	if status, file := fetchBytes(t, letter, pdfLink.Value); status != http.StatusOK || !bytes.HasPrefix(file, []byte("%PDF")) {
		t.Errorf("the letter's PDF = %d %q", status, file[:min(len(file), 8)])
	}
	do(t, letter, "print at 360", chromedp.EmulateViewport(360, 780, chromedp.EmulateMobile), chromedp.Reload(), media("print"))
	if width := run(t, letter, "measure", chromedp.Evaluate[int]("document.documentElement.scrollWidth")); width > 360 {
		t.Errorf("at 360 px the letter is %d px wide", width)
	}

	summary := browserTab(t, "web-summary")
	signInAs(t, summary, s, "caseworker-3305")
	do(t, summary, "open the case", chromedp.Navigate(s.baseURL+"/kasus/"+k1.ID.String()))
	if res, err := chromedp.RunResponse(summary, chromedp.Click(chromedp.CSS(`main a[href$="/ringkasan"]`))); err != nil || res.Status != http.StatusOK {
		t.Fatalf("open the summary: %v %+v", err, res)
	}
	text = run(t, summary, "read the summary", chromedp.Text(chromedp.CSS("article")))
	for _, want := range []string{"PEMERINTAH KABUPATEN KEBUMEN", "RINGKASAN KASUS PENGADUAN", k1.Number, "Gaji tidak dibayar",
		"Rp 15.000.000", p.Date(time.Now())} {
		if !strings.Contains(text, want) {
			t.Errorf("the summary lacks %q:\n%s", want, text)
		}
	}
	if status, file := fetchBytes(t, summary, "/kasus/"+k1.ID.String()+"/ringkasan?format=pdf"); status != http.StatusOK ||
		!bytes.HasPrefix(file, []byte("%PDF")) {
		t.Errorf("the summary's PDF = %d", status)
	}
	var reads int
	if err := s.db.SQL().Get(&reads, `SELECT count(*) FROM audit_events WHERE purpose = 'case-work'
		AND ((action = 'access.letter' AND worker_id = $1) OR (action = 'access.case_summary' AND subject_id = $2))`,
		w.ID, k1.ID.String()); err != nil {
		t.Fatal(err)
	}
	if reads != 5 {
		t.Errorf("%d reads of the papers logged, want 5 (the letter twice and its PDF, the summary and its PDF)", reads)
	}
}

// checkRecapXLSX opens a complaints recap's XLSX and checks it cell by
// cell against the API's recap: the head of each sheet, then Kebumen's
// line and the total of the unit sheet, and the category sheet.
func checkRecapXLSX(t *testing.T, file []byte, month lindungi.Month, by string, want lindungi.ComplaintRecap) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(file))
	if err != nil {
		t.Fatalf("open the XLSX: %v", err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "Kategori,Kanal,Negara,Unit" {
		t.Errorf("the XLSX's sheets: %s", got)
	}
	p := web.NewPrinter(web.Indonesian)
	n := strconv.Itoa
	u := want.ByUnit[0]
	cells := map[string]map[string]string{
		"Unit": {
			"A1": "Rekap pengaduan bulanan",
			"A2": "Unit", "B2": "Kabupaten Kebumen (3305)",
			"A3": "Bulan", "B3": p.MonthName(month),
			"A4": "Diekspor oleh", "B4": by,
			"A5": "Waktu ekspor",
			"A6": "",
			"A7": "Kode", "B7": "Unit", "C7": "Diterima", "D7": "Diselesaikan", "E7": "Ditutup", "F7": "Uang kembali (Rp)",
			"A8": "3305", "B8": "Kabupaten Kebumen", "C8": n(u.Received), "D8": n(u.Resolved), "E8": n(u.Closed),
			"F8": strconv.FormatInt(u.MoneyRecovered, 10),
			"A9": "", "B9": "Jumlah", "C9": n(want.Total.Received), "F9": strconv.FormatInt(want.Total.MoneyRecovered, 10),
			"A10": "",
		},
		"Kategori": {
			"A1": "Rekap pengaduan bulanan", "B2": "Kabupaten Kebumen (3305)",
			"A7": "Kode", "B7": "Kategori",
			"A8": "JOB_FRAUD", "B8": "Penipuan peluang kerja", "C8": "1", "D8": "0", "F8": "0",
			"A9": "UNPAID_WAGES", "B9": "Gaji tidak dibayar", "C9": "1", "D9": "1", "E9": "0", "F9": "15000000",
		},
		"Kanal": {
			"A8": "HOTLINE", "B8": "Telepon (hotline)", "D8": "1",
			"A9": "WALK_IN", "B9": "Datang langsung", "C9": "1", "D9": "0",
		},
	}
	for sheet, want := range cells {
		for cell, v := range want {
			got, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
			if err != nil || got != v {
				t.Errorf("%s!%s = %q, want %q (%v)", sheet, cell, got, v, err)
			}
		}
	}
	at, _ := f.GetCellValue("Unit", "B5")
	if !strings.HasSuffix(at, "WIB") {
		t.Errorf("Unit!B5 = %q, want when it was exported (WIB)", at)
	}
}
