package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lindungi/lindungi"
)

var provinceSupervisor = lindungi.Principal{Subject: "ps-33", Unit: "33", Roles: []string{lindungi.RoleProvinceSupervisor}}

// TestDashboardPage: the menu offers the dashboard to those who may open
// it; it shows the user's unit this year by default, or a unit below it
// over a chosen period, with the units to choose from; another unit is
// 403, a period it does not offer 422.
func TestDashboardPage(t *testing.T) {
	srv, store := pageServer(t)
	rec := pageGet(t, srv, provinceSupervisor, "/dasbor")
	body := rec.Body.String()
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /dasbor = %d\n%s", rec.Code, body)
	}
	for _, want := range []string{`<a href="/dasbor" aria-current="page">Dasbor</a>`, "<h1>Dasbor</h1>",
		"Provinsi Jawa Tengah dan unit di bawahnya", `<option value="3305">Kabupaten Kebumen</option>`,
		`<option value="year" selected>Tahun ini</option>`, `id="tasks-unit"`, "Tidak ada yang terbuka."} {
		if !strings.Contains(body, want) {
			t.Errorf("the dashboard lacks %q", want)
		}
	}
	today := lindungi.DayOf(time.Now())
	if len(store.statsAsked) != 1 || store.statsAsked[0].Unit != "33" ||
		!store.statsAsked[0].From.Equal(time.Date(today.Year(), 1, 1, 0, 0, 0, 0, lindungi.WIB)) || !store.statsAsked[0].To.Equal(today) {
		t.Errorf("asked %+v, want Central Java this year", store.statsAsked)
	}

	store.statsAsked = nil
	rec = pageGet(t, srv, provinceSupervisor, "/dasbor?unit=3329&period=month")
	if rec.Code != http.StatusOK || len(store.statsAsked) != 1 || store.statsAsked[0].Unit != "3329" ||
		!store.statsAsked[0].From.Equal(time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, lindungi.WIB)) {
		t.Errorf("Brebes this month: %d, asked %+v", rec.Code, store.statsAsked)
	}
	if body := rec.Body.String(); !strings.Contains(body, `<option value="3329" selected>Kabupaten Brebes</option>`) ||
		!strings.Contains(body, `<option value="month" selected>Bulan ini</option>`) {
		t.Error("the form does not show the unit and period chosen")
	}

	store.statsAsked = nil
	kebumen := lindungi.Principal{Subject: "sup-3305", Unit: "3305", Roles: []string{lindungi.RoleSupervisor}}
	for path, want := range map[string]int{
		"/dasbor?unit=3329":                  http.StatusForbidden,
		"/dasbor?unit=3329&period=forever":   http.StatusForbidden, // the unit is decided first
		"/dasbor?period=forever":             http.StatusUnprocessableEntity,
		"/dasbor?unit=9999":                  http.StatusUnprocessableEntity,
		"/dasbor?unit=3305&period=12-months": http.StatusOK,
	} {
		if rec := pageGet(t, srv, kebumen, path); rec.Code != want {
			t.Errorf("GET %s as Kebumen's supervisor = %d, want %d", path, rec.Code, want)
		}
	}
	if len(store.statsAsked) != 1 {
		t.Errorf("the refused requests read figures: %+v", store.statsAsked)
	}

	// A case worker is not offered the dashboard, and may not open it.
	rec = pageGet(t, srv, kebumenCaseworker, "/")
	if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), `href="/dasbor"`) {
		t.Errorf("a case worker's menu offers the dashboard (%d)", rec.Code)
	}
	if rec := pageGet(t, srv, kebumenCaseworker, "/dasbor"); rec.Code != http.StatusForbidden {
		t.Errorf("a case worker's dashboard = %d, want 403", rec.Code)
	}
	if rec := pageGet(t, srv, kebumen, "/"); !strings.Contains(rec.Body.String(), `<a href="/dasbor">Dasbor</a>`) {
		t.Error("a supervisor's menu does not offer the dashboard")
	}
}
