package server_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/activities"
	"github.com/lindungi/lindungi/app"
	"github.com/lindungi/lindungi/auditlog"
	"github.com/lindungi/lindungi/devenv"
	"github.com/lindungi/lindungi/payloadcodec"
	"github.com/lindungi/lindungi/policies"
	"github.com/lindungi/lindungi/server"
	"github.com/lindungi/lindungi/web"
	"github.com/lindungi/lindungi/workflows"
)

// The matrix puts one worker, task and delegation in Kebumen (3305) and
// asks every route as every role held at the record's own unit (3305), its
// parent (33), a sibling (3301) and the national level (ID).
var matrixUnits = [4]string{"3305", "33", "3301", "ID"}

// matrix is the expected status of every authenticated route for every
// role, at own / parent / sibling / national. It is written by hand from
// the product's rules, not derived from the policy: a route missing here
// fails the test.
var matrix = map[string]map[string]string{
	"POST /v1/workers": {
		"caseworker": "201 201 403 201", "verifier": "201 201 403 201", "supervisor": "201 201 403 201",
		"province_supervisor": "201 201 403 201", "bp3mi_officer": "201 201 403 201", "bp3mi_head": "201 201 403 201",
		"national_officer": "201 201 403 201", "auditor": "403 403 403 403", "admin": "201 201 403 201",
	},
	"GET /v1/workers/:id": {
		"caseworker": "200 200 404 200", "verifier": "200 200 404 200", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "200 200 404 200", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "200 200 404 200", "admin": "200 200 404 200",
	},
	// The web pages, signed in by the session cookie instead of a token.
	"GET /": {
		"caseworker": "200 200 200 200", "verifier": "200 200 200 200", "supervisor": "200 200 200 200",
		"province_supervisor": "200 200 200 200", "bp3mi_officer": "200 200 200 200", "bp3mi_head": "200 200 200 200",
		"national_officer": "200 200 200 200", "auditor": "200 200 200 200", "admin": "200 200 200 200",
	},
	// The inbox's task actions: a redirect back to the inbox when done;
	// a task out of reach shows the inbox with the refusal (404).
	"POST /tugas/:id/ambil":      pageTaskWork,
	"POST /tugas/:id/lepas":      pageTaskWork,
	"POST /tugas/:id/selesai":    pageTaskWork,
	"POST /tugas/:id/eskalasi":   pageTaskMove,
	"POST /tugas/:id/alihkan":    pageTaskMove,
	"POST /tugas/:id/perpanjang": pageTaskMove,
	// The worker file's pages, as the API routes they act like.
	"GET /pekerja": {
		"caseworker": "200 200 200 200", "verifier": "200 200 200 200", "supervisor": "200 200 200 200",
		"province_supervisor": "200 200 200 200", "bp3mi_officer": "200 200 200 200", "bp3mi_head": "200 200 200 200",
		"national_officer": "200 200 200 200", "auditor": "200 200 200 200", "admin": "200 200 200 200",
	},
	"GET /pekerja/:id": {
		"caseworker": "200 200 404 200", "verifier": "200 200 404 200", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "200 200 404 200", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "200 200 404 200", "admin": "200 200 404 200",
	},
	"GET /pekerja/baru": {
		"caseworker": "200 200 200 200", "verifier": "200 200 200 200", "supervisor": "200 200 200 200",
		"province_supervisor": "200 200 200 200", "bp3mi_officer": "200 200 200 200", "bp3mi_head": "200 200 200 200",
		"national_officer": "200 200 200 200", "auditor": "403 403 403 403", "admin": "200 200 200 200",
	},
	"POST /pekerja/baru": {
		"caseworker": "303 303 403 303", "verifier": "303 303 403 303", "supervisor": "303 303 403 303",
		"province_supervisor": "303 303 403 303", "bp3mi_officer": "303 303 403 303", "bp3mi_head": "303 303 403 303",
		"national_officer": "303 303 403 303", "auditor": "403 403 403 403", "admin": "303 303 403 303",
	},
	// The rest of the worker file: corrections, scans, the second
	// person's decision; auditors read scans and change nothing.
	"POST /v1/workers/:id/corrections": workerFileChange("200"),
	"PUT /v1/documents/:id/file":       workerFileChange("200"),
	"GET /v1/documents/:id/file":       workerFileRead,
	"GET /pekerja/:id/koreksi":         workerFileChange("200"),
	"POST /pekerja/:id/koreksi":        workerFileChange("303"),
	"POST /pekerja/:id/dokumen":        workerFileChange("303"),
	"GET /dokumen/:id/berkas":          workerFileRead,
	"POST /dokumen/:id/verifikasi":     workerFileChange("303"),
	"POST /dokumen/:id/tolak":          workerFileChange("303"),
	// Complaint intake and the case pages, as the /v1/cases routes they
	// mirror: a redirect (303) when done; a unit out of reach is refused at
	// intake (403, the form again) and a case out of reach is the 404 page.
	"GET /pengaduan/baru": {
		"caseworker": "200 200 200 200", "verifier": "200 200 200 200", "supervisor": "200 200 200 200",
		"province_supervisor": "200 200 200 200", "bp3mi_officer": "200 200 200 200", "bp3mi_head": "200 200 200 200",
		"national_officer": "200 200 200 200", "auditor": "403 403 403 403", "admin": "200 200 200 200",
	},
	"POST /pengaduan/baru": {
		"caseworker": "303 303 403 303", "verifier": "303 303 403 303", "supervisor": "303 303 403 303",
		"province_supervisor": "303 303 403 303", "bp3mi_officer": "303 303 403 303", "bp3mi_head": "303 303 403 303",
		"national_officer": "303 303 403 303", "auditor": "403 403 403 403", "admin": "303 303 403 303",
	},
	"GET /kasus": {
		"caseworker": "200 200 200 200", "verifier": "200 200 200 200", "supervisor": "200 200 200 200",
		"province_supervisor": "200 200 200 200", "bp3mi_officer": "200 200 200 200", "bp3mi_head": "200 200 200 200",
		"national_officer": "200 200 200 200", "auditor": "200 200 200 200", "admin": "200 200 200 200",
	},
	"GET /kasus/:id": {
		"caseworker": "200 200 404 200", "verifier": "200 200 404 200", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "200 200 404 200", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "200 200 404 200", "admin": "200 200 404 200",
	},
	"POST /kasus/:id/catatan":             pageCaseWork,
	"POST /kasus/:id/verifikasi":          pageCaseWork,
	"POST /kasus/:id/minta-info":          pageCaseWork,
	"POST /kasus/:id/kontak":              pageCaseWork,
	"POST /kasus/:id/klarifikasi":         pageCaseWork,
	"POST /kasus/:id/mediasi":             pageCaseWork,
	"POST /kasus/:id/tidak-terselesaikan": pageCaseWork,
	"POST /kasus/:id/rujuk":               pageCaseWork,
	"POST /kasus/:id/alihkan":             pageCaseWork,
	"POST /kasus/:id/selesaikan":          pageCaseWork,
	"POST /kasus/:id/usul-tutup":          pageCaseWork,
	"POST /kasus/:id/eskalasi":            pageCaseSupervise,
	"POST /kasus/:id/buka-kembali":        pageCaseSupervise,
	"POST /kasus/:id/penutupan/setujui":   pageCaseSupervise,
	"POST /kasus/:id/penutupan/tolak":     pageCaseSupervise,
	"POST /kasus/:id/rujukan/terima":      pageCaseSupervise,
	"POST /kasus/:id/rujukan/tolak":       pageCaseSupervise,
	"POST /kasus/:id/pengalihan/terima":   pageCaseSupervise,
	"POST /kasus/:id/pengalihan/tolak":    pageCaseSupervise,
	// The supervisors' case actions on the case page.
	"POST /kasus/:id/kategori": pageCaseSupervise,
	"POST /kasus/:id/risiko":   pageCaseSupervise,
	"POST /kasus/:id/tugaskan": pageCaseSupervise,
	"POST /v1/cases/:id/notes": {
		"caseworker": "201 201 404 201", "verifier": "201 201 404 201", "supervisor": "201 201 404 201",
		"province_supervisor": "201 201 404 201", "bp3mi_officer": "201 201 404 201", "bp3mi_head": "201 201 404 201",
		"national_officer": "201 201 404 201", "auditor": "403 403 403 403", "admin": "201 201 404 201",
	},
	"GET /v1/cases/:id/notes": {
		"caseworker": "200 200 404 200", "verifier": "200 200 404 200", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "200 200 404 200", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "200 200 404 200", "admin": "200 200 404 200",
	},
	// Reports and exports: the recaps (page, files, API) for supervisors
	// and auditors, of their own unit by default; the list exports (their
	// forms here: no format asked) for whoever reads the list; the case's
	// summary as the case page; the letter as the worker page, refused in
	// words (409) for this worker, whose registration is not verified yet,
	// and not the auditors'.
	"GET /laporan":               reportRead("200"),
	"GET /laporan/pengaduan":     reportRead("200"),
	"GET /laporan/penempatan":    reportRead("200"),
	"GET /v1/reports/complaints": reportRead("200"),
	"GET /v1/reports/placements": reportRead("200"),
	"GET /kasus/unduh":           listExport,
	"GET /unduh":                 listExport,
	"GET /pekerja/unduh":         listExport,
	"GET /kasus/:id/ringkasan":   workerFileRead,
	"GET /pekerja/:id/surat-rekomendasi": {
		"caseworker": "409 409 404 409", "verifier": "409 409 404 409", "supervisor": "409 409 404 409",
		"province_supervisor": "409 409 404 409", "bp3mi_officer": "409 409 404 409", "bp3mi_head": "409 409 404 409",
		"national_officer": "409 409 404 409", "auditor": "403 403 403 403", "admin": "409 409 404 409",
	},
	"GET /v1/tasks": {
		"caseworker": "200 200 200 200", "verifier": "200 200 200 200", "supervisor": "200 200 200 200",
		"province_supervisor": "200 200 200 200", "bp3mi_officer": "200 200 200 200", "bp3mi_head": "200 200 200 200",
		"national_officer": "200 200 200 200", "auditor": "200 200 200 200", "admin": "200 200 200 200",
	},
	"GET /v1/tasks/:id": {
		"caseworker": "200 200 404 200", "verifier": "200 200 404 200", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "200 200 404 200", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "200 200 404 200", "admin": "200 200 404 200",
	},
	"POST /v1/tasks/:id/complete": {
		"caseworker": "200 200 404 200", "verifier": "200 200 404 200", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "200 200 404 200", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
	},
	"POST /v1/tasks/:id/claim": {
		"caseworker": "200 200 404 200", "verifier": "200 200 404 200", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "200 200 404 200", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
	},
	"POST /v1/tasks/:id/release": {
		"caseworker": "200 200 404 200", "verifier": "200 200 404 200", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "200 200 404 200", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
	},
	"POST /v1/tasks/:id/escalate": {
		"caseworker": "403 403 403 403", "verifier": "403 403 403 403", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "403 403 403 403", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
	},
	"POST /v1/tasks/:id/reassign": {
		"caseworker": "403 403 403 403", "verifier": "403 403 403 403", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "403 403 403 403", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
	},
	"POST /v1/tasks/:id/extend": {
		"caseworker": "403 403 403 403", "verifier": "403 403 403 403", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "403 403 403 403", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
	},
	"POST /v1/tasks/assign": {
		"caseworker": "403 403 403 403", "verifier": "403 403 403 403", "supervisor": "200 200 200 200",
		"province_supervisor": "200 200 200 200", "bp3mi_officer": "403 403 403 403", "bp3mi_head": "200 200 200 200",
		"national_officer": "200 200 200 200", "auditor": "403 403 403 403", "admin": "200 200 200 200",
	},
	"GET /v1/notifications": {
		"caseworker": "200 200 200 200", "verifier": "200 200 200 200", "supervisor": "200 200 200 200",
		"province_supervisor": "200 200 200 200", "bp3mi_officer": "200 200 200 200", "bp3mi_head": "200 200 200 200",
		"national_officer": "200 200 200 200", "auditor": "200 200 200 200", "admin": "200 200 200 200",
	},
	// Notifications, read and marked read by everyone with a role, for
	// themselves: the API and the pages; and bulk assignment from the
	// inbox, as POST /v1/tasks/assign (a task out of reach is the inbox
	// with the refusal, 404).
	"POST /v1/notifications/read": everyone200,
	"GET /pemberitahuan":          everyone200,
	"POST /pemberitahuan/baca": {
		"caseworker": "303 303 303 303", "verifier": "303 303 303 303", "supervisor": "303 303 303 303",
		"province_supervisor": "303 303 303 303", "bp3mi_officer": "303 303 303 303", "bp3mi_head": "303 303 303 303",
		"national_officer": "303 303 303 303", "auditor": "303 303 303 303", "admin": "303 303 303 303",
	},
	"POST /tugas/tetapkan": pageTaskMove,
	"POST /v1/workers/:id/journey/close": {
		"caseworker": "403 403 403 403", "verifier": "403 403 403 403", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "403 403 403 403", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
	},
	"POST /v1/workers/:id/journey/return": {
		"caseworker": "200 200 404 200", "verifier": "200 200 404 200", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "200 200 404 200", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
	},
	"POST /v1/workers/:id/journey/contract": {
		"caseworker": "200 200 404 200", "verifier": "200 200 404 200", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "200 200 404 200", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
	},
	"POST /v1/workers/:id/journey/rehabilitation": {
		"caseworker": "200 200 404 200", "verifier": "200 200 404 200", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "200 200 404 200", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
	},
	"POST /v1/workers/:id/documents": {
		"caseworker": "201 201 404 201", "verifier": "201 201 404 201", "supervisor": "201 201 404 201",
		"province_supervisor": "201 201 404 201", "bp3mi_officer": "201 201 404 201", "bp3mi_head": "201 201 404 201",
		"national_officer": "201 201 404 201", "auditor": "403 403 403 403", "admin": "201 201 404 201",
	},
	"GET /v1/workers/:id/documents": {
		"caseworker": "200 200 404 200", "verifier": "200 200 404 200", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "200 200 404 200", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "200 200 404 200", "admin": "200 200 404 200",
	},
	"POST /v1/documents/:id/verify": {
		"caseworker": "200 200 404 200", "verifier": "200 200 404 200", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "200 200 404 200", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
	},
	"POST /v1/documents/:id/reject": {
		"caseworker": "200 200 404 200", "verifier": "200 200 404 200", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "200 200 404 200", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
	},
	"GET /v1/holidays": {
		"caseworker": "200 200 200 200", "verifier": "200 200 200 200", "supervisor": "200 200 200 200",
		"province_supervisor": "200 200 200 200", "bp3mi_officer": "200 200 200 200", "bp3mi_head": "200 200 200 200",
		"national_officer": "200 200 200 200", "auditor": "200 200 200 200", "admin": "200 200 200 200",
	},
	"POST /v1/holidays": {
		"caseworker": "403 403 403 403", "verifier": "403 403 403 403", "supervisor": "403 403 403 403",
		"province_supervisor": "403 403 403 403", "bp3mi_officer": "403 403 403 403", "bp3mi_head": "403 403 403 403",
		"national_officer": "403 403 403 403", "auditor": "403 403 403 403", "admin": "403 403 403 201",
	},
	"DELETE /v1/holidays/:date": {
		"caseworker": "403 403 403 403", "verifier": "403 403 403 403", "supervisor": "403 403 403 403",
		"province_supervisor": "403 403 403 403", "bp3mi_officer": "403 403 403 403", "bp3mi_head": "403 403 403 403",
		"national_officer": "403 403 403 403", "auditor": "403 403 403 403", "admin": "403 403 403 200",
	},
	"POST /v1/cases": {
		"caseworker": "201 201 403 201", "verifier": "201 201 403 201", "supervisor": "201 201 403 201",
		"province_supervisor": "201 201 403 201", "bp3mi_officer": "201 201 403 201", "bp3mi_head": "201 201 403 201",
		"national_officer": "201 201 403 201", "auditor": "403 403 403 403", "admin": "201 201 403 201",
	},
	"GET /v1/cases": {
		"caseworker": "200 200 200 200", "verifier": "200 200 200 200", "supervisor": "200 200 200 200",
		"province_supervisor": "200 200 200 200", "bp3mi_officer": "200 200 200 200", "bp3mi_head": "200 200 200 200",
		"national_officer": "200 200 200 200", "auditor": "200 200 200 200", "admin": "200 200 200 200",
	},
	"GET /v1/cases/:id": {
		"caseworker": "200 200 404 200", "verifier": "200 200 404 200", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "200 200 404 200", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "200 200 404 200", "admin": "200 200 404 200",
	},
	"GET /v1/workers/search": {
		"caseworker": "200 200 200 200", "verifier": "200 200 200 200", "supervisor": "200 200 200 200",
		"province_supervisor": "200 200 200 200", "bp3mi_officer": "200 200 200 200", "bp3mi_head": "200 200 200 200",
		"national_officer": "200 200 200 200", "auditor": "200 200 200 200", "admin": "200 200 200 200",
	},
	"POST /v1/workers/:id/merge": {
		"caseworker": "403 403 403 403", "verifier": "403 403 403 403", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "403 403 403 403", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
	},
	"POST /v1/cases/:id/verify": {
		"caseworker": "200 200 404 200", "verifier": "200 200 404 200", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "200 200 404 200", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
	},
	"POST /v1/cases/:id/request-info": {
		"caseworker": "200 200 404 200", "verifier": "200 200 404 200", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "200 200 404 200", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
	},
	"POST /v1/cases/:id/contact": {
		"caseworker": "200 200 404 200", "verifier": "200 200 404 200", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "200 200 404 200", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
	},
	"POST /v1/cases/:id/clarify": {
		"caseworker": "200 200 404 200", "verifier": "200 200 404 200", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "200 200 404 200", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
	},
	"POST /v1/cases/:id/mediate": {
		"caseworker": "200 200 404 200", "verifier": "200 200 404 200", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "200 200 404 200", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
	},
	"POST /v1/cases/:id/refer": {
		"caseworker": "200 200 404 200", "verifier": "200 200 404 200", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "200 200 404 200", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
	},
	"POST /v1/cases/:id/transfer": {
		"caseworker": "200 200 404 200", "verifier": "200 200 404 200", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "200 200 404 200", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
	},
	"POST /v1/cases/:id/told-unresolvable": {
		"caseworker": "200 200 404 200", "verifier": "200 200 404 200", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "200 200 404 200", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
	},
	"POST /v1/cases/:id/resolve": {
		"caseworker": "200 200 404 200", "verifier": "200 200 404 200", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "200 200 404 200", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
	},
	"POST /v1/cases/:id/propose-closure": {
		"caseworker": "200 200 404 200", "verifier": "200 200 404 200", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "200 200 404 200", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
	},
	"POST /v1/cases/:id/escalate": {
		"caseworker": "403 403 403 403", "verifier": "403 403 403 403", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "403 403 403 403", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
	},
	"POST /v1/cases/:id/reopen": {
		"caseworker": "403 403 403 403", "verifier": "403 403 403 403", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "403 403 403 403", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
	},
	"POST /v1/cases/:id/closure/approve": {
		"caseworker": "403 403 403 403", "verifier": "403 403 403 403", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "403 403 403 403", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
	},
	"POST /v1/cases/:id/closure/reject": {
		"caseworker": "403 403 403 403", "verifier": "403 403 403 403", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "403 403 403 403", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
	},
	"POST /v1/cases/:id/referral/accept": {
		"caseworker": "403 403 403 403", "verifier": "403 403 403 403", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "403 403 403 403", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
	},
	"POST /v1/cases/:id/referral/reject": {
		"caseworker": "403 403 403 403", "verifier": "403 403 403 403", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "403 403 403 403", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
	},
	"POST /v1/cases/:id/transfer/accept": {
		"caseworker": "403 403 403 403", "verifier": "403 403 403 403", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "403 403 403 403", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
	},
	"POST /v1/cases/:id/transfer/reject": {
		"caseworker": "403 403 403 403", "verifier": "403 403 403 403", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "403 403 403 403", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
	},
	// The supervisors' case actions: supervisors and above, at the case's
	// owner unit or above; not case workers, verifiers, BP3MI officers or
	// auditors.
	"POST /v1/cases/:id/recategorise": caseSupervise,
	"POST /v1/cases/:id/risk":         caseSupervise,
	"POST /v1/cases/:id/assign":       caseSupervise,
	"GET /v1/delegations": {
		"caseworker": "403 403 403 403", "verifier": "403 403 403 403", "supervisor": "200 200 200 200",
		"province_supervisor": "200 200 200 200", "bp3mi_officer": "403 403 403 403", "bp3mi_head": "200 200 200 200",
		"national_officer": "200 200 200 200", "auditor": "200 200 200 200", "admin": "200 200 200 200",
	},
	"POST /v1/delegations": {
		"caseworker": "403 403 403 403", "verifier": "403 403 403 403", "supervisor": "201 201 403 201",
		"province_supervisor": "201 201 403 201", "bp3mi_officer": "403 403 403 403", "bp3mi_head": "201 201 403 201",
		"national_officer": "201 201 403 201", "auditor": "403 403 403 403", "admin": "201 201 403 201",
	},
	"POST /v1/delegations/:id/revoke": {
		"caseworker": "403 403 403 403", "verifier": "403 403 403 403", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "403 403 403 403", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
	},
	"GET /v1/policies": {
		"caseworker": "403 403 403 403", "verifier": "403 403 403 403", "supervisor": "403 403 403 403",
		"province_supervisor": "403 403 403 403", "bp3mi_officer": "403 403 403 403", "bp3mi_head": "403 403 403 403",
		"national_officer": "403 403 403 403", "auditor": "200 200 200 200", "admin": "200 200 200 200",
	},
	"POST /v1/policies": {
		"caseworker": "403 403 403 403", "verifier": "403 403 403 403", "supervisor": "403 403 403 403",
		"province_supervisor": "403 403 403 403", "bp3mi_officer": "403 403 403 403", "bp3mi_head": "403 403 403 403",
		"national_officer": "403 403 403 403", "auditor": "403 403 403 403", "admin": "403 403 403 200",
	},
	"GET /v1/policies/versions": {
		"caseworker": "403 403 403 403", "verifier": "403 403 403 403", "supervisor": "403 403 403 403",
		"province_supervisor": "403 403 403 403", "bp3mi_officer": "403 403 403 403", "bp3mi_head": "403 403 403 403",
		"national_officer": "403 403 403 403", "auditor": "200 200 200 200", "admin": "200 200 200 200",
	},
	// The figures of a unit and below (?unit=3305) and the dashboard:
	// supervisors and above, and auditors; a unit out of reach is 403.
	"GET /dasbor":                  statsReaders,
	"GET /v1/stats/tasks":          statsReaders,
	"GET /v1/stats/cases":          statsReaders,
	"GET /v1/stats/resolution":     statsReaders,
	"GET /v1/stats/recovery":       statsReaders,
	"GET /v1/stats/journeys":       statsReaders,
	"GET /v1/stats/workload":       statsReaders,
	"GET /v1/workers/:id/trace":    auditorsOnRecord,
	"GET /v1/workers/:id/accesses": auditorsOnRecord,
	"GET /v1/workers/:id/as-of":    auditorsOnRecord,
	"GET /v1/cases/:id/as-of":      auditorsOnRecord,
	"GET /v1/audit/verify":         auditorsAnywhere,
	"GET /v1/audit/key":            auditorsAnywhere,
	// The export and the inspector's questions keep the events within the
	// caller's own reach: a district's auditor gets the district's.
	"GET /v1/audit/export":          auditorsAnywhere,
	"GET /v1/audit/activity":        auditorsAnywhere,
	"GET /v1/audit/accesses":        auditorsAnywhere,
	"GET /v1/audit/policy-changes":  auditorsAnywhere,
	"GET /v1/audit/top-escalations": auditorsAnywhere,
	// The audit pages (page_audit*.go), as the routes they act like.
	"GET /audit":                         auditorsAnywhere,
	"GET /audit/tujuan":                  auditorsAnywhere,
	"POST /audit/tujuan":                 auditorPagePost,
	"GET /audit/pekerja/:id":             auditorsOnRecord,
	"GET /audit/pekerja/:id/per-tanggal": auditorsOnRecord,
	"GET /audit/pekerja/:id/perubahan":   auditorsOnRecord,
	"GET /audit/pengguna":                auditorsAnywhere,
	"GET /audit/unit":                    auditorsAnywhere,
	"GET /audit/kebijakan":               auditorsAnywhere,
	"GET /audit/eskalasi":                auditorsAnywhere,
	"GET /audit/rantai":                  auditorsAnywhere,
	"GET /audit/ekspor":                  auditorsAnywhere,
	"GET /audit/periksa-ekspor":          auditorsAnywhere,
	"POST /audit/periksa-ekspor":         auditorsAnywhere,
	// The Temporal UI's payload codec: administrators, whatever their unit.
	"POST /codec/encode": adminsAnywhere,
	"POST /codec/decode": adminsAnywhere,
}

// The audit views: auditors and administrators, on a worker of their unit
// or below; the chain's check and key, anywhere.
var (
	auditorsOnRecord = map[string]string{
		"caseworker": "403 403 403 403", "verifier": "403 403 403 403", "supervisor": "403 403 403 403",
		"province_supervisor": "403 403 403 403", "bp3mi_officer": "403 403 403 403", "bp3mi_head": "403 403 403 403",
		"national_officer": "403 403 403 403", "auditor": "200 200 404 200", "admin": "200 200 404 200",
	}
	adminsAnywhere = map[string]string{
		"caseworker": "403 403 403 403", "verifier": "403 403 403 403", "supervisor": "403 403 403 403",
		"province_supervisor": "403 403 403 403", "bp3mi_officer": "403 403 403 403", "bp3mi_head": "403 403 403 403",
		"national_officer": "403 403 403 403", "auditor": "403 403 403 403", "admin": "200 200 200 200",
	}
	auditorsAnywhere = map[string]string{
		"caseworker": "403 403 403 403", "verifier": "403 403 403 403", "supervisor": "403 403 403 403",
		"province_supervisor": "403 403 403 403", "bp3mi_officer": "403 403 403 403", "bp3mi_head": "403 403 403 403",
		"national_officer": "403 403 403 403", "auditor": "200 200 200 200", "admin": "200 200 200 200",
	}
	// auditorPagePost is a post of the audit pages that goes on to the
	// next page (303).
	auditorPagePost = map[string]string{
		"caseworker": "403 403 403 403", "verifier": "403 403 403 403", "supervisor": "403 403 403 403",
		"province_supervisor": "403 403 403 403", "bp3mi_officer": "403 403 403 403", "bp3mi_head": "403 403 403 403",
		"national_officer": "403 403 403 403", "auditor": "303 303 303 303", "admin": "303 303 303 303",
	}
)

// everyone200 lets every role through at every position.
var everyone200 = map[string]string{
	"caseworker": "200 200 200 200", "verifier": "200 200 200 200", "supervisor": "200 200 200 200",
	"province_supervisor": "200 200 200 200", "bp3mi_officer": "200 200 200 200", "bp3mi_head": "200 200 200 200",
	"national_officer": "200 200 200 200", "auditor": "200 200 200 200", "admin": "200 200 200 200",
}

// Who reads the figures of a unit and below.
var statsReaders = map[string]string{
	"caseworker": "403 403 403 403", "verifier": "403 403 403 403", "supervisor": "200 200 403 200",
	"province_supervisor": "200 200 403 200", "bp3mi_officer": "403 403 403 403", "bp3mi_head": "200 200 403 200",
	"national_officer": "200 200 403 200", "auditor": "200 200 403 200", "admin": "200 200 403 200",
}

// The inbox's task actions: claim, release and complete as the case
// workers' API routes; escalate, reassign and extend as the supervisors'.
var (
	pageTaskWork = map[string]string{
		"caseworker": "303 303 404 303", "verifier": "303 303 404 303", "supervisor": "303 303 404 303",
		"province_supervisor": "303 303 404 303", "bp3mi_officer": "303 303 404 303", "bp3mi_head": "303 303 404 303",
		"national_officer": "303 303 404 303", "auditor": "403 403 403 403", "admin": "303 303 404 303",
	}
	caseSupervise = map[string]string{
		"caseworker": "403 403 403 403", "verifier": "403 403 403 403", "supervisor": "200 200 404 200",
		"province_supervisor": "200 200 404 200", "bp3mi_officer": "403 403 403 403", "bp3mi_head": "200 200 404 200",
		"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
	}
	pageTaskMove = map[string]string{
		"caseworker": "403 403 403 403", "verifier": "403 403 403 403", "supervisor": "303 303 404 303",
		"province_supervisor": "303 303 404 303", "bp3mi_officer": "403 403 403 403", "bp3mi_head": "303 303 404 303",
		"national_officer": "303 303 404 303", "auditor": "403 403 403 403", "admin": "303 303 404 303",
	}
)

// The case page's forms: handling and notes as the case workers' API
// routes; escalation, reopening and decisions as the supervisors'.
var (
	pageCaseWork      = pageTaskWork
	pageCaseSupervise = pageTaskMove
)

// pageForms are valid forms of the page posts, keyed by route template.
var pageForms = map[string]url.Values{
	"/tugas/:id/selesai":    {"outcome": {"approved"}, "note": {"dokumen lengkap"}},
	"/tugas/:id/eskalasi":   {"reason": {"tidak ada petugas"}},
	"/tugas/:id/alihkan":    {"unit": {"3305"}, "reason": {"pindah meja LTSA"}},
	"/tugas/:id/perpanjang": {"working_days": {"5"}, "reason": {"menunggu dokumen"}},
	"/pemberitahuan/baca":   {"all": {"true"}},
	"/tugas/tetapkan":       {"task": {":task"}, "assignee": {"caseworker-3305"}},
	"/pekerja/baru": {"nik": {"3305011508950001"}, "name": {"Siti"}, "birth_date": {"1995-08-15"}, "domicile_unit": {"3305"},
		"phone": {"081234567890"}, "scheme": {"P2P"}, "placement_company": {"PT Sinar Jaya"}, "job_order_ref": {"JO-1"}},
	"/pekerja/:id/koreksi": {"phone": {"081299998888"}, "reason": {"Nomor lama tidak aktif"}},
	"/pekerja/:id/dokumen": {"type": {"KTP"}, "number": {"3305011508950001"}},
	"/dokumen/:id/tolak":   {"reason": {"Pindaian tidak terbaca"}},
	"/pengaduan/baru": {"channel": {"WALK_IN"}, "unit": {"3305"}, "complainant_name": {"Parmi"}, "complainant_relation": {"FAMILY"},
		"subject_name": {"Sri Wahyuni"}, "subject_domicile_unit": {"3305"}, "categories": {"UNPAID_WAGES"},
		"description": {"Gaji tidak dibayar selama tujuh bulan."}},
	"/kasus/:id/catatan":          {"text": {"Keluarga datang membawa slip gaji."}},
	"/kasus/:id/rujuk":            {"to_unit": {"33"}, "consent": {"yes"}},
	"/kasus/:id/alihkan":          {"to_unit": {"33"}, "reason": {"BP3MI menangani"}},
	"/kasus/:id/selesaikan":       {"resolution": {"WAGES_PAID"}, "money_recovered_idr": {"15.000.000"}},
	"/kasus/:id/usul-tutup":       {"reason": {"Pengadu tidak dapat dihubungi"}},
	"/kasus/:id/eskalasi":         {"reason": {"Risiko tinggi"}},
	"/kasus/:id/buka-kembali":     {"reason": {"Bukti baru"}},
	"/kasus/:id/penutupan/tolak":  {"reason": {"Masih ada klaim"}},
	"/kasus/:id/rujukan/tolak":    {"reason": {"Bukan kewenangan"}},
	"/kasus/:id/pengalihan/tolak": {"reason": {"Bukan kewenangan"}},
	"/kasus/:id/kategori":         {"categories": {"UNPAID_WAGES", "JOB_FRAUD"}, "reason": {"Hasil verifikasi"}},
	"/kasus/:id/risiko":           {"level": {"high"}, "reason": {"Indikasi TPPO"}},
	"/kasus/:id/tugaskan":         {"assignee": {"caseworker-3305"}, "reason": {"Menangani kasus serupa"}},
	"/audit/tujuan":               {"purpose": {"BPK-2026-07"}, "next": {"/audit"}},
}

// pageUploads are the files of the page posts that upload one, keyed by
// route template: the form field and the file.
var pageUploads = map[string]func() (field string, file []byte){
	// An export signed by a key of its own: the check runs, and says the
	// file is not signed by this server's key.
	"/audit/periksa-ekspor": func() (string, []byte) {
		_, priv, _ := ed25519.GenerateKey(nil)
		key := &auditlog.Key{ID: auditlog.KeyID(priv.Public().(ed25519.PublicKey)), Private: priv}
		ex, _ := key.SignExport(auditlog.ExportPayload{Events: []auditlog.Record{}, Checkpoints: []auditlog.Checkpoint{}})
		b, _ := json.Marshal(ex)
		return "export", b
	},
}

// pagePost makes req a form post of the route path, with the CSRF token
// of the session sess; a value ":task" is the ID of the store's task.
func pagePost(req *http.Request, path string, sess web.Session, f *fakeStore) {
	form := url.Values{}
	for k, v := range pageForms[path] {
		form[k] = slices.Clone(v)
		for i := range form[k] {
			if form[k][i] == ":task" {
				form[k][i] = f.task.ID.String()
			}
		}
	}
	form.Set("csrf_token", sess.CSRFToken())
	if path == "/pekerja/:id/dokumen" { // an upload: a multipart form with the file
		multipartPost(req, form, "file", "ktp.pdf", testPDF)
		return
	}
	if upload, ok := pageUploads[path]; ok {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		for k, v := range form {
			mw.WriteField(k, v[0])
		}
		field, file := upload()
		fw, _ := mw.CreateFormFile(field, "export.json")
		fw.Write(file)
		mw.Close()
		req.Body, req.ContentLength = io.NopCloser(&body), int64(body.Len())
		req.Header.Set("Content-Type", mw.FormDataContentType())
		return
	}
	body := form.Encode()
	req.Body, req.ContentLength = io.NopCloser(strings.NewReader(body)), int64(len(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
}

var matrixRoles = []string{"caseworker", "verifier", "supervisor", "province_supervisor", "bp3mi_officer",
	"bp3mi_head", "national_officer", "auditor", "admin"}

// TestAccessMatrix asks every authenticated route as every role at every
// position and compares the status with the matrix.
func TestAccessMatrix(t *testing.T) {
	units, ps := server.ShippedPolicies(t)
	authz := ps.Authorizer
	store := newFakeStore()
	auditKey, err := auditlog.LoadKey(filepath.Join(t.TempDir(), "audit.key"), true)
	if err != nil {
		t.Fatal(err)
	}
	srv := fakeServer(store, authz, units, auditKey)
	for _, r := range srv.Routes() {
		if !r.Auth {
			continue
		}
		name := r.Method + " " + r.Path
		want, ok := matrix[name]
		if !ok {
			t.Errorf("%s has no entry in the access matrix", name)
			continue
		}
		for _, role := range matrixRoles {
			fields := strings.Fields(want[role])
			if len(fields) != len(matrixUnits) {
				t.Errorf("%s: matrix entry for %s is %q, want 4 statuses", name, role, want[role])
				continue
			}
			for i, unit := range matrixUnits {
				req := store.request(t, r.Method, r.Path)
				if r.Page {
					sess := signIn(t, req, lindungi.Principal{Subject: role + "-" + unit, Unit: unit, Roles: []string{role}})
					if r.Method == http.MethodPost {
						pagePost(req, r.Path, sess, store)
					}
				} else {
					req.Header.Set("Authorization", "Bearer "+role+"@"+unit)
				}
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, req)
				if got := rec.Code; strconv.Itoa(got) != fields[i] {
					t.Errorf("%s as %s at %s = %d, want %s (%s)", name, role, unit, got, fields[i], strings.TrimSpace(rec.Body.String()))
				}
			}
		}
	}
	for name := range matrix {
		found := false
		for _, r := range srv.Routes() {
			found = found || r.Method+" "+r.Path == name
		}
		if !found {
			t.Errorf("the matrix lists %s, which no route serves", name)
		}
	}
}

// fakeServer wires every application service on store and fakeFlows.
func fakeServer(store *fakeStore, authz app.Authorizer, units app.Units, auditKey *auditlog.Key) *server.Server {
	return fakeServerWith(store, authz, units, auditKey, func(*server.Deps) {})
}

// fakeServerWith is fakeServer with its dependencies changed by change.
func fakeServerWith(store *fakeStore, authz app.Authorizer, units app.Units, auditKey *auditlog.Key, change func(*server.Deps)) *server.Server {
	access := &app.Access{Authorizer: authz, Delegations: store}
	flows := fakeFlows{}
	d := server.Deps{
		Access:      access,
		Journeys:    &app.Journeys{Store: store, Flows: flows, Access: access, Units: units},
		Workers:     &app.Workers{Store: store, Access: access},
		Tasks:       &app.Tasks{Store: store, Users: store, Flows: flows, Access: access, Units: units},
		Cases:       &app.Cases{Store: store, Notes: store, Tasks: store, Workers: store, Users: store, Flows: flows, Access: access, Units: units},
		Documents:   &app.Documents{Store: store, Workers: store, Access: access},
		Delegations: &app.Delegations{Store: store, Workers: store, Access: access, Units: units},
		Holidays:    &app.Holidays{Store: store, Access: access, Units: units},
		Policies:    &app.Policies{Store: store, Access: access, Units: units, Governed: server.Governed()},
		Auditing:    &app.Audit{Store: store, Workers: store, Access: access, Units: units, Key: auditKey},
		Stats:       &app.Stats{Store: store, Access: access, Units: units},
		Reports: &app.Reports{Store: store, Access: access, Units: units,
			Cases: &app.Cases{Store: store, Access: access, Units: units}, Tasks: &app.Tasks{Store: store, Access: access, Units: units}},
		Audit: store, Notifications: store, Idempotency: store, Users: store,
		Verifier: server.RoleToken{}, Units: units, AuditKey: auditKey, Logger: slog.New(slog.DiscardHandler),
		DatabaseReady: func(context.Context) error { return nil }, TemporalReady: func(context.Context) error { return nil },
		Pages: &server.Pages{Sessions: testSessions, Store: store, DemoUsers: devenv.DemoUsers()},
		Codec: testCodec,
	}
	change(&d)
	return server.New(d)
}

// actionMatrix is the expected status, as in matrix, of a request that
// needs one of the policy's named actions (policies.Actions) besides its
// route, keyed by "object action".
var actionMatrix = map[string]struct {
	method, path string
	body         any
	prepare      func(*fakeStore) // makes the request need the action
	want         map[string]string
}{
	policies.ObjTask + " " + policies.ActReleaseClaimed: {http.MethodPost, "/v1/tasks/:id/release", nil,
		func(f *fakeStore) { f.task.ClaimedBy = "caseworker-someone-else" }, map[string]string{
			"caseworker": "403 403 404 403", "verifier": "403 403 404 403", "supervisor": "200 200 404 200",
			"province_supervisor": "200 200 404 200", "bp3mi_officer": "403 403 404 403", "bp3mi_head": "200 200 404 200",
			"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
		}},
	policies.ObjWorker + " " + policies.ActCorrectNIK: {http.MethodPost, "/v1/workers/:id/corrections",
		map[string]any{"nik": "3305011508950002", "reason": "Salah ketik saat pendaftaran"}, nil, map[string]string{
			"caseworker": "403 403 404 403", "verifier": "403 403 404 403", "supervisor": "200 200 404 200",
			"province_supervisor": "200 200 404 200", "bp3mi_officer": "403 403 404 403", "bp3mi_head": "200 200 404 200",
			"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
		}},
	policies.ObjCase + " " + policies.ActReferWithoutConsent: {http.MethodPost, "/v1/cases/:id/refer",
		map[string]any{"to_unit": "33", "consent": false, "reason": "Pekerja tidak dapat dihubungi"}, nil, map[string]string{
			"caseworker": "403 403 404 403", "verifier": "403 403 404 403", "supervisor": "200 200 404 200",
			"province_supervisor": "200 200 404 200", "bp3mi_officer": "403 403 404 403", "bp3mi_head": "200 200 404 200",
			"national_officer": "200 200 404 200", "auditor": "403 403 403 403", "admin": "200 200 404 200",
		}},
}

// TestNamedActionMatrix asks every named action of the policy, through the
// route that needs it, as every role at every position.
func TestNamedActionMatrix(t *testing.T) {
	units, ps := server.ShippedPolicies(t)
	authz := ps.Authorizer
	for _, a := range policies.Actions {
		name := a.Path + " " + a.Method
		row, ok := actionMatrix[name]
		if !ok {
			t.Errorf("named action %s has no entry in the action matrix", name)
			continue
		}
		store := newFakeStore()
		if row.prepare != nil {
			row.prepare(store)
		}
		srv := fakeServer(store, authz, units, nil)
		raw, err := json.Marshal(row.body)
		if err != nil {
			t.Fatal(err)
		}
		for _, role := range matrixRoles {
			fields := strings.Fields(row.want[role])
			if len(fields) != len(matrixUnits) {
				t.Errorf("%s: matrix entry for %s is %q, want 4 statuses", name, role, row.want[role])
				continue
			}
			for i, unit := range matrixUnits {
				id := store.pcase.ID
				if strings.HasPrefix(row.path, "/v1/tasks/") {
					id = store.task.ID
				}
				if strings.HasPrefix(row.path, "/v1/workers/") {
					id = store.worker.ID
				}
				req := httptest.NewRequest(row.method, strings.Replace(row.path, ":id", id.String(), 1), bytes.NewReader(raw))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+role+"@"+unit)
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, req)
				if got := rec.Code; strconv.Itoa(got) != fields[i] {
					t.Errorf("%s (%s %s) as %s at %s = %d, want %s (%s)", name, row.method, row.path, role, unit, got, fields[i], strings.TrimSpace(rec.Body.String()))
				}
			}
		}
	}
}

// fakeStore holds one worker, one open task and one delegation in 3305.
type fakeStore struct {
	worker      lindungi.Worker
	task        lindungi.Task
	delegation  lindungi.Delegation
	document    lindungi.Document
	provisional lindungi.Worker
	pcase       lindungi.Case
	listed      []lindungi.Task  // what ListTasks answers
	reads       []lindungi.Event // the access events of pages (RecordAccesses)
	files       workerFiles      // corrections and scans (workerfile_test.go)

	// The case pages' (page_case_test.go): complaints taken in, notes
	// written, the case's open tasks and timeline.
	intakes    []lindungi.NewComplaint
	notes      []lindungi.CaseNote
	caseTasks  []lindungi.Task
	timeline   []lindungi.Event
	notices    []lindungi.Notification // the notifications, each Read for everyone (page_notices_test.go)
	assigned   []uuid.UUID             // the tasks ClaimTask gave someone
	accesses   []lindungi.Event        // the access events of single reads (RecordAccess)
	statsAsked []lindungi.StatsQuery
	listedWith lindungi.TaskFilter // the filter ListTasks was last called with
}

func newFakeStore() *fakeStore {
	w := lindungi.Worker{ID: uuid.New(), NIK: "3305011508950001", Name: "Siti", BirthDate: "1995-08-15", DomicileUnit: "3305",
		Phone: "+6281234567890", Scheme: lindungi.SchemeP2P, JourneyStep: lindungi.StepRegistered}
	w.WorkflowID = lindungi.JourneyWorkflowID(w.ID)
	t := lindungi.Task{ID: uuid.New(), WorkflowID: w.WorkflowID, WorkerID: w.ID, Kind: lindungi.TaskVerifyRegistration,
		Step: lindungi.StepRegistered, Unit: "3305", Status: lindungi.TaskOpen}
	d := lindungi.Delegation{ID: uuid.New(), Kind: lindungi.DelegateQueue, GranteeUnit: "3302", TargetUnit: "3305",
		Reason: "cuti petugas", StartsAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}
	doc := lindungi.Document{ID: uuid.New(), WorkerID: w.ID, Type: lindungi.DocPassport, TypeLabel: "Paspor",
		Number: "C1234567", ExpiresOn: "2030-01-05", FileRef: "docs/3305/paspor.pdf", Status: lindungi.DocPending,
		CreatedBy: "user:someone-else", CreatedAt: time.Now().UTC()}
	p := lindungi.Worker{ID: uuid.New(), Name: "Sri Wahyuni", DomicileUnit: "3305"} // provisional
	now := time.Now().UTC()
	pc := lindungi.Case{ID: uuid.New(), Number: "PGD-33-2026-000001", WorkerID: w.ID, Channel: lindungi.ChannelHotline,
		Complainant: lindungi.Complainant{Name: "Parmi", Relation: lindungi.ComplainantFamily},
		Categories:  []lindungi.CaseCategory{lindungi.CatUnpaidWages}, Description: "Gaji tidak dibayar tujuh bulan",
		RiskFlags: []string{}, IntakeUnit: "3305", OwnerUnit: "3305", ReadUnits: []string{}, Step: lindungi.CaseReceived,
		ReceivedAt: now, LastContactAt: now, LastActionAt: now}
	pc.WorkflowID = lindungi.CaseWorkflowID(pc.ID)
	return &fakeStore{worker: w, task: t, delegation: d, document: doc, provisional: p, pcase: pc}
}

// request builds a valid request for a route on the store's records.
func (f *fakeStore) request(t *testing.T, method, path string) *http.Request {
	t.Helper()
	var body io.Reader
	if raw, ok := rawBodies[method+" "+path]; ok {
		req := httptest.NewRequest(method, f.url(method, path), bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/octet-stream")
		return req
	}
	if b, ok := f.bodies()[method+" "+path]; ok {
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(raw)
	} else if method == http.MethodPost {
		body = strings.NewReader("{}")
	}
	req := httptest.NewRequest(method, f.url(method, path), body)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

// bodies are valid bodies of the routes that need one, on the store's
// records, keyed by "METHOD /path".
func (f *fakeStore) bodies() map[string]any {
	return map[string]any{
		"POST /v1/workers": lindungi.NewWorker{NIK: "3305011508950001", Name: "Siti", BirthDate: "1995-08-15",
			DomicileUnit: "3305", Phone: "081234567890", Scheme: lindungi.SchemeP2P,
			PlacementCompany: "PT Sinar Jaya", JobOrderRef: "JO-1"},
		"POST /v1/tasks/:id/complete":        map[string]string{"outcome": "approved"},
		"POST /codec/encode":                 map[string]any{"payloads": []any{map[string]any{"metadata": map[string]string{"encoding": "anNvbi9wbGFpbg=="}, "data": "IlNpdGki"}}},
		"POST /codec/decode":                 map[string]any{"payloads": []any{map[string]any{"metadata": map[string]string{"encoding": "anNvbi9wbGFpbg=="}, "data": "IlNpdGki"}}},
		"POST /v1/cases/:id/refer":           map[string]any{"to_unit": "33", "consent": true},
		"POST /v1/cases/:id/transfer":        map[string]any{"to_unit": "33", "reason": "BP3MI menangani"},
		"POST /v1/cases/:id/resolve":         map[string]any{"resolution": "WAGES_PAID", "money_recovered_idr": 15000000},
		"POST /v1/cases/:id/propose-closure": map[string]any{"reason": "Pengadu tidak dapat dihubungi"},
		"POST /v1/cases/:id/escalate":        map[string]any{"reason": "Risiko tinggi"},
		"POST /v1/cases/:id/reopen":          map[string]any{"reason": "Bukti baru"},
		"POST /v1/cases/:id/closure/reject":  map[string]any{"reason": "Masih ada klaim"},
		"POST /v1/cases/:id/referral/reject": map[string]any{"reason": "Bukan kewenangan"},
		"POST /v1/cases/:id/transfer/reject": map[string]any{"reason": "Bukan kewenangan"},
		"POST /v1/cases/:id/notes":           map[string]any{"text": "Keluarga datang membawa slip gaji."},
		"POST /v1/cases/:id/recategorise":    map[string]any{"categories": []string{"UNPAID_WAGES", "JOB_FRAUD"}, "reason": "Hasil verifikasi"},
		"POST /v1/cases/:id/risk":            map[string]any{"level": "high", "reason": "Indikasi TPPO"},
		"POST /v1/cases/:id/assign":          map[string]any{"assignee": "caseworker-3305", "reason": "Menangani kasus serupa"},
		"POST /v1/cases": lindungi.NewComplaint{Channel: lindungi.ChannelWalkIn,
			Complainant: lindungi.Complainant{Name: "Parmi", Relation: lindungi.ComplainantFamily},
			Subject:     &lindungi.CaseSubject{Name: "Sri Wahyuni", DomicileUnit: "3305"},
			Categories:  []lindungi.CaseCategory{lindungi.CatUnpaidWages},
			Description: "Gaji tidak dibayar selama tujuh bulan.", Unit: "3305"},
		"POST /v1/workers/:id/merge": map[string]any{"into": f.worker.ID},
		"POST /v1/workers/:id/documents": lindungi.NewDocument{Type: lindungi.DocPassport, Number: "C1234567",
			IssuedOn: "2025-01-05", ExpiresOn: "2030-01-05", FileRef: "docs/3305/paspor.pdf"},
		"POST /v1/documents/:id/reject":    map[string]string{"reason": "Pindaian tidak terbaca"},
		"POST /v1/workers/:id/corrections": map[string]string{"phone": "081299998888", "reason": "Nomor lama tidak aktif"},
		"POST /v1/holidays": map[string]string{"date": "2027-01-01", "kind": "national",
			"name": "Tahun Baru 2027 Masehi", "reason": "SKB 3 Menteri 2026"},
		"POST /v1/tasks/:id/escalate":                 map[string]any{"reason": "tidak ada petugas"},
		"POST /v1/tasks/:id/reassign":                 map[string]any{"unit": "3305", "reason": "pindah meja LTSA"},
		"POST /v1/tasks/:id/extend":                   map[string]any{"working_days": 5, "reason": "menunggu dokumen"},
		"POST /v1/tasks/assign":                       map[string]any{"task_ids": []uuid.UUID{f.task.ID}, "assignee": "caseworker-3305"},
		"POST /v1/notifications/read":                 map[string]any{"all": true},
		"POST /v1/workers/:id/journey/close":          map[string]any{"reason": "pekerja mengundurkan diri"},
		"POST /v1/workers/:id/journey/contract":       map[string]any{"contract_end": "2028-01-31"},
		"POST /v1/workers/:id/journey/rehabilitation": map[string]any{"family_consent": true},
		"POST /v1/delegations": map[string]any{"kind": "queue", "grantee_unit": "3302", "target_unit": "3305",
			"reason": "petugas cuti", "expires_at": time.Now().Add(24 * time.Hour)},
		"POST /v1/policies": lindungi.PolicyChange{Reason: "map Keycloak role",
			Add: []lindungi.PolicyRule{{Model: "access", PType: "g", Values: []string{"kc-petugas", "caseworker"}}}},
	}
}

// url is the URL of a valid request for a route on the store's records.
func (f *fakeStore) url(method, path string) string {
	url := path
	switch {
	case path == "/v1/workers/:id/merge":
		url = strings.Replace(path, ":id", f.provisional.ID.String(), 1)
	case strings.HasPrefix(path, "/v1/cases/"), strings.HasPrefix(path, "/kasus/"):
		url = strings.Replace(path, ":id", f.pcase.ID.String(), 1)
	case strings.HasPrefix(path, "/v1/workers/"), path == "/pekerja/:id", strings.HasPrefix(path, "/pekerja/:id/"), strings.HasPrefix(path, "/audit/pekerja/"):
		url = strings.Replace(path, ":id", f.worker.ID.String(), 1)
	case strings.HasPrefix(path, "/dokumen/"):
		url = strings.Replace(path, ":id", f.document.ID.String(), 1)
	case strings.HasPrefix(path, "/v1/tasks/"), strings.HasPrefix(path, "/tugas/"):
		url = strings.Replace(path, ":id", f.task.ID.String(), 1)
	case strings.HasPrefix(path, "/v1/documents/"):
		url = strings.Replace(path, ":id", f.document.ID.String(), 1)
	case strings.HasPrefix(path, "/v1/holidays/"):
		url = strings.Replace(path, ":date", "2026-12-25", 1) + "?reason=Dibatalkan+SKB"
	case strings.HasPrefix(path, "/v1/delegations/"):
		url = strings.Replace(path, ":id", f.delegation.ID.String(), 1)
	}
	// Every read says why (auditors must); the as-of view needs an instant.
	if method == http.MethodGet {
		url += "?purpose=access+matrix"
		if path == "/v1/workers/search" {
			url += "&nik=3305011508950001"
		}
		if path == "/pekerja" || path == "/pekerja/unduh" {
			url += "&q=3305011508950001"
		}
		if path == "/dasbor" || strings.HasPrefix(path, "/v1/stats/") {
			url += "&unit=3305"
		}
		if path == "/v1/workers/:id/as-of" || path == "/v1/cases/:id/as-of" {
			url += "&at=" + time.Now().UTC().Format(time.RFC3339)
		}
		if path == "/v1/audit/activity" || path == "/audit/pengguna" {
			url += "&user=caseworker-3305"
		}
	}
	// The audit pages' posts read under a purpose too.
	if method == http.MethodPost && strings.HasPrefix(path, "/audit/") {
		url += "?purpose=access+matrix"
	}
	return url
}

func (f *fakeStore) CreateWorker(_ context.Context, nw lindungi.NewWorker, _ lindungi.Event) (lindungi.Worker, error) {
	w := f.worker
	w.ID = uuid.New()
	return w, nil
}

func (f *fakeStore) MarkJourneyStarted(context.Context, uuid.UUID) error { return nil }

func (f *fakeStore) FindTask(_ context.Context, id uuid.UUID) (lindungi.Task, error) {
	if id != f.task.ID {
		return lindungi.Task{}, lindungi.Errorf(lindungi.ENOTFOUND, "Task not found.")
	}
	return f.task, nil
}

func (f *fakeStore) ListTasks(_ context.Context, _ lindungi.Scope, tf lindungi.TaskFilter) ([]lindungi.Task, error) {
	f.listedWith = tf
	return f.listed, nil
}

func (f *fakeStore) OpenTaskOf(_ context.Context, workflowID string, kind lindungi.TaskKind) (lindungi.Task, error) {
	t := f.task
	t.Kind, t.WorkflowID = kind, workflowID
	return t, nil
}

func (f *fakeStore) LastTaskOf(ctx context.Context, workflowID string, kind lindungi.TaskKind) (lindungi.Task, error) {
	return f.OpenTaskOf(ctx, workflowID, kind)
}

func (f *fakeStore) ActiveDelegations(context.Context, string, string, time.Time) ([]lindungi.Delegation, error) {
	return nil, nil
}

func (f *fakeStore) ListDelegations(context.Context, string, time.Time, bool) ([]lindungi.Delegation, error) {
	return []lindungi.Delegation{f.delegation}, nil
}

func (f *fakeStore) FindDelegation(_ context.Context, id uuid.UUID) (lindungi.Delegation, error) {
	if id != f.delegation.ID {
		return lindungi.Delegation{}, lindungi.Errorf(lindungi.ENOTFOUND, "Delegation not found.")
	}
	return f.delegation, nil
}

func (f *fakeStore) CreateDelegation(_ context.Context, d lindungi.Delegation, ev lindungi.Event) (lindungi.Delegation, error) {
	d.ID, d.GrantedBy = uuid.New(), ev.Actor
	return d, nil
}

func (f *fakeStore) RevokeDelegation(_ context.Context, id uuid.UUID, ev lindungi.Event) (lindungi.Delegation, error) {
	d := f.delegation
	now := time.Now()
	d.RevokedAt, d.RevokedBy = &now, ev.Actor
	return d, nil
}

func (f *fakeStore) PolicyRules(_ context.Context, m string) ([]lindungi.PolicyRule, error) {
	return policies.Rules(policies.DefaultRules(), m), nil
}

func (f *fakeStore) PolicyVersions(context.Context, int) ([]lindungi.PolicyVersion, error) {
	return nil, nil
}

func (f *fakeStore) ChangePolicy(ctx context.Context, c lindungi.PolicyChange, ev lindungi.Event, validate lindungi.PolicyValidator) (lindungi.PolicyVersion, error) {
	next := map[string][]lindungi.PolicyRule{}
	for _, m := range []string{lindungi.ModelAccess, lindungi.ModelRouting} {
		next[m], _ = f.PolicyRules(ctx, m)
	}
	for _, r := range c.Add {
		next[r.Model] = append(next[r.Model], r)
	}
	if err := validate(next); err != nil {
		return lindungi.PolicyVersion{}, err
	}
	return lindungi.PolicyVersion{Version: 2, Actor: ev.Actor, ActorUnit: ev.ActorUnit, Reason: c.Reason,
		Added: c.Add, Removed: []lindungi.PolicyRule{}, CreatedAt: time.Now()}, nil
}

// Every idempotency key is free: the matrix sends each request once.
func (f *fakeStore) Reserve(context.Context, lindungi.IdempotencyKey, uuid.UUID, time.Duration) (bool, lindungi.StoredResponse, error) {
	return true, lindungi.StoredResponse{}, nil
}

func (f *fakeStore) Renew(context.Context, lindungi.Reservation, time.Duration) error { return nil }

func (f *fakeStore) Complete(context.Context, lindungi.Reservation, int, json.RawMessage) error {
	return nil
}

func (f *fakeStore) Release(context.Context, lindungi.Reservation) error { return nil }

func (f *fakeStore) FindResponse(context.Context, string, string) (lindungi.StoredResponse, error) {
	return lindungi.StoredResponse{}, lindungi.Errorf(lindungi.ENOTFOUND, "none")
}

func (f *fakeStore) RecordAccess(_ context.Context, ev lindungi.Event) error {
	f.accesses = append(f.accesses, ev)
	return nil
}

func (f *fakeStore) AuditTrace(context.Context, uuid.UUID, auditlog.Filter) ([]auditlog.Record, error) {
	return nil, nil
}

func (f *fakeStore) WorkerAsOf(_ context.Context, id uuid.UUID, at time.Time) (auditlog.WorkerFile, error) {
	return auditlog.WorkerFile{At: at, Worker: f.worker, Tasks: []lindungi.Task{f.task}, Documents: []lindungi.Document{f.document},
		Cases: []lindungi.Case{f.pcase}}, nil
}

func (f *fakeStore) AuditEvents(_ context.Context, q auditlog.Query, each func(auditlog.Record) error) error {
	return each(auditlog.Record{Seq: 1, ID: uuid.New(), Event: lindungi.Event{Actor: "caseworker-3305", ActorUnit: "3305",
		ActorRole: "caseworker", Action: "task.overdue", SubjectType: "task", SubjectID: f.task.ID.String(), WorkerID: &f.worker.ID,
		OccurredAt: time.Now().UTC()}})
}

func (f *fakeStore) TasksByID(context.Context, []uuid.UUID) (map[uuid.UUID]lindungi.Task, error) {
	return map[uuid.UUID]lindungi.Task{f.task.ID: f.task}, nil
}

func (f *fakeStore) VerifyAudit(context.Context, map[string]ed25519.PublicKey) (auditlog.Report, error) {
	return auditlog.Report{OK: true}, nil
}

func (f *fakeStore) AuditExport(_ context.Context, _, _ time.Time, unit string, _ int) (auditlog.ExportPayload, error) {
	return auditlog.ExportPayload{Scope: unit, Events: []auditlog.Record{}, Checkpoints: []auditlog.Checkpoint{}}, nil
}

// fakeFlows answers every workflow call as the workflow would on success.
type fakeFlows struct{}

func (fakeFlows) StartJourney(context.Context, workflows.JourneyInput) error { return nil }

func (fakeFlows) CompleteTask(_ context.Context, t lindungi.Task, req workflows.CompleteTaskRequest, _ string) (workflows.CompleteTaskResult, error) {
	t.Status, t.Outcome = lindungi.TaskCompleted, req.Outcome
	return workflows.CompleteTaskResult{Task: t, JourneyStep: lindungi.StepTraining}, nil
}

func (f *fakeStore) ClaimTask(_ context.Context, id uuid.UUID, assignee string, _ lindungi.Event) (lindungi.Task, error) {
	f.assigned = append(f.assigned, id)
	t := f.task
	t.ClaimedBy = assignee
	return t, nil
}

func (f *fakeStore) ReleaseTask(context.Context, uuid.UUID, lindungi.Event) (lindungi.Task, error) {
	return f.task, nil
}

func (f *fakeStore) FindUser(_ context.Context, sub string) (lindungi.User, error) {
	return lindungi.User{Subject: sub, Unit: "3305", Roles: []string{"caseworker"}}, nil
}

func (fakeFlows) TaskAction(_ context.Context, t lindungi.Task, _ string, _ workflows.TaskActionRequest, _ string) (activities.TaskRef, error) {
	return activities.TaskRef{ID: t.ID, Unit: t.Unit, Status: t.Status}, nil
}

func (fakeFlows) JourneyAction(context.Context, uuid.UUID, string, workflows.JourneyRequest, string, any) error {
	return nil
}

func (f *fakeStore) AddDocument(_ context.Context, workerID uuid.UUID, nd lindungi.NewDocument, ev lindungi.Event) (lindungi.Document, error) {
	d := f.document
	d.ID, d.WorkerID, d.Type, d.Number, d.CreatedBy = uuid.New(), workerID, nd.Type, nd.Number, ev.Actor
	return d, nil
}

func (f *fakeStore) ListDocuments(context.Context, uuid.UUID, bool) ([]lindungi.Document, error) {
	return []lindungi.Document{f.document}, nil
}

func (f *fakeStore) FindDocument(_ context.Context, id uuid.UUID) (lindungi.Document, error) {
	if id != f.document.ID {
		return lindungi.Document{}, lindungi.Errorf(lindungi.ENOTFOUND, "Document not found.")
	}
	return f.document, nil
}

func (f *fakeStore) VerifyDocument(_ context.Context, _ uuid.UUID, ev lindungi.Event) (lindungi.Document, error) {
	if err := f.document.CheckVerify(ev.Actor); err != nil {
		return lindungi.Document{}, err
	}
	d := f.document
	now := time.Now().UTC()
	d.VerifiedBy, d.VerifiedAt, d.Status = ev.Actor, &now, lindungi.DocVerified
	return d, nil
}

func (f *fakeStore) RejectDocument(_ context.Context, _ uuid.UUID, reason string, ev lindungi.Event) (lindungi.Document, error) {
	d := f.document
	now := time.Now().UTC()
	d.RejectedBy, d.RejectedAt, d.RejectedReason, d.Status = ev.Actor, &now, reason, lindungi.DocRejected
	return d, nil
}

func (f *fakeStore) HolidaysOf(context.Context, int) ([]lindungi.Holiday, error) { return nil, nil }

func (f *fakeStore) HolidayYears(context.Context) ([]int, error) { return []int{2026}, nil }

func (f *fakeStore) AddHoliday(_ context.Context, h lindungi.Holiday, _ string, _ lindungi.Event) (lindungi.Holiday, error) {
	return h, nil
}

func (f *fakeStore) RemoveHoliday(_ context.Context, date, _ string, _ lindungi.Event) (lindungi.Holiday, error) {
	return lindungi.Holiday{Date: date, Kind: "national", Name: "Kelahiran Yesus Kristus"}, nil
}

func (f *fakeStore) UpsertUsers(context.Context, []lindungi.User) error { return nil }

func (f *fakeStore) FindWorker(_ context.Context, id uuid.UUID) (lindungi.Worker, error) {
	for _, w := range []lindungi.Worker{f.worker, f.provisional} {
		if w.ID == id {
			return w, nil
		}
	}
	return lindungi.Worker{}, lindungi.Errorf(lindungi.ENOTFOUND, "Worker not found.")
}

func (f *fakeStore) CreateCase(_ context.Context, nc lindungi.NewComplaint, owner string, _ lindungi.Event) (lindungi.Case, error) {
	f.intakes = append(f.intakes, nc)
	c := f.pcase
	c.ID, c.IntakeUnit, c.OwnerUnit = uuid.New(), nc.Unit, owner
	return c, nil
}

func (f *fakeStore) FindCase(_ context.Context, id uuid.UUID) (lindungi.Case, error) {
	if id != f.pcase.ID {
		return lindungi.Case{}, lindungi.Errorf(lindungi.ENOTFOUND, "Case not found.")
	}
	return f.pcase, nil
}

func (f *fakeStore) ListCases(_ context.Context, _ lindungi.Scope, cf lindungi.CaseFilter) ([]lindungi.Case, error) {
	if cf.Number != "" && cf.Number != f.pcase.Number {
		return nil, nil
	}
	return []lindungi.Case{f.pcase}, nil
}

func (f *fakeStore) MarkCaseStarted(context.Context, uuid.UUID) error { return nil }

func (f *fakeStore) SearchWorkers(context.Context, lindungi.WorkerQuery) ([]lindungi.WorkerMatch, error) {
	return []lindungi.WorkerMatch{{ID: f.worker.ID, Name: f.worker.Name, DomicileUnit: f.worker.DomicileUnit, MatchedBy: []string{"nik"}}}, nil
}

func (f *fakeStore) MergeWorkers(_ context.Context, from, into uuid.UUID, _ lindungi.Event) (lindungi.WorkerMerge, error) {
	return lindungi.WorkerMerge{WorkerID: from, MergedInto: into}, nil
}

func (fakeFlows) CaseAction(context.Context, uuid.UUID, workflows.CaseActionRequest, string) (workflows.CaseState, error) {
	return workflows.CaseState{}, nil
}

func (f *fakeStore) CaseAsOf(context.Context, uuid.UUID, time.Time) (lindungi.Case, error) {
	return f.pcase, nil
}

func (fakeFlows) StartCase(context.Context, lindungi.Case, string) error { return nil }

// testCodec is a payload codec with a fixed key.
var testCodec = func() *payloadcodec.Codec {
	c, err := payloadcodec.New(payloadcodec.Key{ID: "test", Secret: bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		panic(err)
	}
	return c
}()

// The figures, empty: the matrix asks who may read them.
func (f *fakeStore) TaskStats(_ context.Context, q lindungi.StatsQuery) (lindungi.TaskStats, error) {
	f.statsAsked = append(f.statsAsked, q)
	return lindungi.TaskStats{Unit: q.Unit, AsOf: q.Now, ByUnit: []lindungi.UnitBacklog{}, ByKind: []lindungi.KindBacklog{}}, nil
}

func (f *fakeStore) CaseStats(_ context.Context, q lindungi.StatsQuery) (lindungi.CaseStats, error) {
	return lindungi.CaseStats{Unit: q.Unit, AsOf: q.Now, ByUnit: []lindungi.UnitBacklog{}, ByCategory: []lindungi.CategoryBacklog{}}, nil
}

func (f *fakeStore) ResolutionStats(_ context.Context, q lindungi.StatsQuery) (lindungi.ResolutionStats, error) {
	return lindungi.ResolutionStats{Unit: q.Unit, Period: q.Period(), ByUnit: []lindungi.UnitResolution{},
		ByCategory: []lindungi.CategoryResolution{}}, nil
}

func (f *fakeStore) RecoveryStats(_ context.Context, q lindungi.StatsQuery) (lindungi.RecoveryStats, error) {
	return lindungi.RecoveryStats{Unit: q.Unit, Period: q.Period(), ByMonth: []lindungi.MonthRecovery{},
		ByCategory: []lindungi.CategoryRecovery{}}, nil
}

func (f *fakeStore) JourneyStats(_ context.Context, q lindungi.StatsQuery) (lindungi.JourneyStats, error) {
	return lindungi.JourneyStats{Unit: q.Unit, AsOf: q.Now, ByStep: []lindungi.StepCount{}, ByStage: []lindungi.StageCount{}}, nil
}

func (f *fakeStore) WorkloadStats(_ context.Context, q lindungi.StatsQuery) (lindungi.WorkloadStats, error) {
	return lindungi.WorkloadStats{Unit: q.Unit, AsOf: q.Now, Officers: []lindungi.OfficerLoad{}}, nil
}
