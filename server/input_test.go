package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/auditlog"
	"github.com/lindungi/lindungi/server"
)

// These tests walk the route table: every route, every string its body
// may hold and every query parameter, so that a route added later cannot
// skip the input checks.

const nul = "a\x00b"

// contract is the OpenAPI document, to list each route's parameters and
// body, and to check each answer against.
type contract struct {
	doc    *openapi3.T
	router routers.Router
}

func loadContract(t *testing.T) contract {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(server.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	doc.Servers = openapi3.Servers{{URL: "http://example.com"}}
	r, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return contract{doc: doc, router: r}
}

// operation is the documented operation of a route.
func (k contract) operation(t *testing.T, r server.RouteInfo) *openapi3.Operation {
	t.Helper()
	item := k.doc.Paths.Find(ginToOpenAPI(r.Path))
	if item == nil || item.GetOperation(r.Method) == nil {
		t.Fatalf("%s %s is not documented", r.Method, r.Path)
	}
	return item.GetOperation(r.Method)
}

// queryParams are the names of the query parameters op documents.
func queryParams(op *openapi3.Operation) []string {
	var out []string
	for _, p := range op.Parameters {
		if p.Value != nil && p.Value.In == openapi3.ParameterInQuery && !slices.Contains(out, p.Value.Name) {
			out = append(out, p.Value.Name)
		}
	}
	return out
}

// check fails t when the answer's status is not documented for the route,
// or its body does not match the document.
func (k contract) check(t *testing.T, req *http.Request, reqBody []byte, rec *httptest.ResponseRecorder) {
	t.Helper()
	route, params, err := k.router.FindRoute(req)
	if err != nil {
		t.Errorf("%s %s: not documented: %v", req.Method, req.URL, err)
		return
	}
	req.Body = io.NopCloser(bytes.NewReader(reqBody))
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: rec.Code, Header: rec.Header(),
		Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	out.SetBodyBytes(rec.Body.Bytes())
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("%s %s: answer %d does not match openapi.yaml: %v", req.Method, req.URL, rec.Code, err)
	}
}

// stringPaths lists the JSON paths of every string a value of type t
// holds, as problem documents name fields: "name", "subject.name",
// "categories[0]", "add[0].values[0]". IDs and instants are strings in
// JSON; typed says they are listed too.
func stringPaths(t reflect.Type, prefix string, typed bool) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == reflect.TypeFor[uuid.UUID](), t == reflect.TypeFor[time.Time]():
		if typed {
			return []string{prefix}
		}
		return nil
	case t.Kind() == reflect.String:
		return []string{prefix}
	case t.Kind() == reflect.Slice:
		return stringPaths(t.Elem(), prefix+"[0]", typed)
	case t.Kind() != reflect.Struct:
		return nil
	}
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" || name == "" {
			continue
		}
		if prefix != "" {
			name = prefix + "." + name
		}
		out = append(out, stringPaths(f.Type, name, typed)...)
	}
	return out
}

// schemaPaths lists the JSON paths of every string a schema documents;
// typed says IDs and instants too.
func schemaPaths(s *openapi3.Schema, prefix string, typed bool) []string {
	switch {
	case s == nil:
		return nil
	case s.Type.Is(openapi3.TypeString):
		if !typed && (s.Format == "uuid" || s.Format == "date-time") {
			return nil
		}
		return []string{prefix}
	case s.Type.Is(openapi3.TypeArray) && s.Items != nil:
		return schemaPaths(s.Items.Value, prefix+"[0]", typed)
	}
	var out []string
	for name, p := range s.Properties {
		if prefix != "" {
			name = prefix + "." + name
		}
		out = append(out, schemaPaths(p.Value, name, typed)...)
	}
	return out
}

// bodyPaths are the string paths of a route's body: those of the type it
// decodes into and those the document lists; typed says IDs and instants
// too.
func bodyPaths(t *testing.T, k contract, r server.RouteInfo, typed bool) []string {
	t.Helper()
	var paths []string
	if v, ok := server.RequestBodies[r.Method+" "+r.Path]; ok {
		paths = stringPaths(reflect.TypeOf(v), "", typed)
	}
	if rb := k.operation(t, r).RequestBody; rb != nil && rb.Value != nil {
		if mt := rb.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
			for _, p := range schemaPaths(mt.Schema.Value, "", typed) {
				if !slices.Contains(paths, p) {
					paths = append(paths, p)
				}
			}
		}
	}
	slices.Sort(paths)
	return paths
}

var pathSegment = regexp.MustCompile(`([^.\[\]]+)|\[(\d+)\]`)

// setPath sets the value at a JSON path of body, making the objects and
// arrays on the way.
func setPath(body map[string]any, path string, v any) {
	segs := pathSegment.FindAllStringSubmatch(path, -1)
	var set func(cur any, i int) any
	set = func(cur any, i int) any {
		if i == len(segs) {
			return v
		}
		if segs[i][1] != "" {
			m, _ := cur.(map[string]any)
			if m == nil {
				m = map[string]any{}
			}
			m[segs[i][1]] = set(m[segs[i][1]], i+1)
			return m
		}
		n, _ := strconv.Atoi(segs[i][2])
		a, _ := cur.([]any)
		for len(a) <= n {
			a = append(a, nil)
		}
		a[n] = set(a[n], i+1)
		return a
	}
	set(body, 0)
}

// asMap is v as a JSON object.
func asMap(t *testing.T, v any) map[string]any {
	t.Helper()
	m := map[string]any{}
	if v == nil {
		return m
	}
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// withQuery is u with the query parameter name set to value.
func withQuery(t *testing.T, u, name, value string) string {
	t.Helper()
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := parsed.Query()
	q.Set(name, value)
	parsed.RawQuery = q.Encode()
	return parsed.String()
}

// sendRaw asks srv as token ("role@unit", "" for none) with a JSON body (nil
// for none).
func sendRaw(srv *server.Server, token, method, u string, body []byte) (*http.Request, *httptest.ResponseRecorder) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req := httptest.NewRequest(method, u, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return req, rec
}

// names reports whether a problem field names the value at path: the path
// itself or the field that holds it ("task_ids" for "task_ids[0]").
func names(fields []string, path string) bool {
	for _, f := range fields {
		if f == path || strings.HasPrefix(path, f+".") || strings.HasPrefix(path, f+"[") {
			return true
		}
	}
	return false
}

// problemOf decodes a problem answer, failing t when it is not one.
func problemOf(t *testing.T, what string, rec *httptest.ResponseRecorder) []string {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("%s: Content-Type %q, want application/problem+json (%s)", what, ct, rec.Body)
		return nil
	}
	var p struct {
		Errors []struct{ Field string } `json:"errors"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Errorf("%s: %v", what, err)
	}
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Field)
	}
	return out
}

// TestEveryInputRefusesNUL puts a NUL in each string of each route's body,
// in each documented query parameter and in one the document does not
// know, as a caller who may use every route, and wants a 4xx problem that
// names where it was, as openapi.yaml documents. A NUL that reached
// PostgreSQL would be a 500, or a workflow retrying an activity forever.
func TestEveryInputRefusesNUL(t *testing.T) {
	k := loadContract(t)
	units, ps := server.ShippedPolicies(t)
	store := newFakeStore()
	srv := fakeServer(store, ps.Authorizer, units, testAuditKey(t))
	const token = "admin@ID" // reaches every route
	bodiless := func(r server.RouteInfo) bool {
		return r.Method == http.MethodGet || slices.Contains(server.BodilessRoutes, r.Method+" "+r.Path) ||
			slices.Contains(server.FileRoutes, r.Method+" "+r.Path) // no JSON: a NUL is a byte of the file
	}
	for _, r := range srv.Routes() {
		if r.Page { // pages answer HTML and sign in by the session (pages_test.go)
			continue
		}
		name := r.Method + " " + r.Path
		tok := token
		if !r.Auth {
			tok = ""
		}
		valid := store.bodies()[name]
		raw := func(body map[string]any) []byte {
			if bodiless(r) {
				return nil
			}
			b, err := json.Marshal(body)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		if _, ok := server.RequestBodies[name]; !ok && !bodiless(r) {
			t.Errorf("%s reads a body: list its type in server.RequestBodies, or the route in server.BodilessRoutes", name)
		}
		for _, p := range append(queryParams(k.operation(t, r)), "undocumented") {
			req, rec := sendRaw(srv, tok, r.Method, withQuery(t, store.url(r.Method, r.Path), p, nul), raw(asMap(t, valid)))
			what := name + " ?" + p + "=NUL"
			if rec.Code < 400 || rec.Code > 499 || !names(problemOf(t, what, rec), p) {
				t.Errorf("%s = %d %s, want a 4xx naming %s", what, rec.Code, rec.Body, p)
			}
			k.check(t, req, raw(asMap(t, valid)), rec)
		}
		if bodiless(r) {
			continue
		}
		for _, path := range bodyPaths(t, k, r, true) {
			body := asMap(t, valid)
			setPath(body, path, nul)
			req, rec := sendRaw(srv, tok, r.Method, store.url(r.Method, r.Path), raw(body))
			what := name + " with a NUL in " + path
			if rec.Code < 400 || rec.Code > 499 || !names(problemOf(t, what, rec), path) {
				t.Errorf("%s = %d %s, want a 4xx naming %s", what, rec.Code, rec.Body, path)
			}
			k.check(t, req, raw(body), rec)
		}
	}
}

// TestEveryQueryParameterRefusesControlCharacters tries each kind of
// character the one text check refuses, in a query parameter of every
// route.
func TestEveryQueryParameterRefusesControlCharacters(t *testing.T) {
	units, ps := server.ShippedPolicies(t)
	store := newFakeStore()
	srv := fakeServer(store, ps.Authorizer, units, testAuditKey(t))
	for _, r := range srv.Routes() {
		if r.Page { // pages answer HTML and sign in by the session (pages_test.go)
			continue
		}
		for _, bad := range []string{"\x00", "\x1b[2J", "\x7f", "\u0085", "\u009b", "\xff", "a\nb"} {
			u := withQuery(t, store.url(r.Method, r.Path), "purpose", "audit "+bad)
			_, rec := sendRaw(srv, "admin@ID", r.Method, u, nil)
			if rec.Code != http.StatusUnprocessableEntity || !names(problemOf(t, r.Path, rec), "purpose") {
				t.Errorf("%s %s with purpose %q = %d %s, want 422 naming purpose", r.Method, r.Path, bad, rec.Code, rec.Body)
			}
		}
	}
}

func TestQueryStringsAreChecked(t *testing.T) {
	units, ps := server.ShippedPolicies(t)
	store := newFakeStore()
	srv := fakeServer(store, ps.Authorizer, units, testAuditKey(t))
	trace := "/v1/workers/" + store.worker.ID.String() + "/trace?purpose=audit+2026%2F7"
	tests := []struct {
		url   string
		want  int
		field string
	}{
		{"/v1/tasks?unit=33", 200, ""},
		{"/v1/tasks?unit=9999", 422, "unit"},
		{"/v1/tasks?unit=%00", 422, "unit"},
		{"/v1/tasks?unit=33&unit=3305", 422, "unit"},
		{"/v1/tasks?unit=%zz", 422, "unit"},
		{"/v1/tasks?unit=33;kind=x", 422, "unit"},
		{"/v1/tasks?assignee=%00", 422, "assignee"},
		{"/v1/tasks?worker=" + strings.ToUpper(store.worker.ID.String()), 422, "worker"},
		{"/v1/tasks?worker=" + store.worker.ID.String(), 200, ""},
		{"/v1/cases?unit=ID", 200, ""},
		{"/v1/cases?unit=99", 422, "unit"},
		{"/v1/cases?unit=+OR+1%3D1--", 422, "unit"},
		{"/v1/cases?worker=%7B" + store.worker.ID.String() + "%7D", 422, "worker"},
		{"/v1/delegations?ended=true", 200, ""},
		{"/v1/delegations?ended=yes", 422, "ended"},
		{trace + "&limit=500", 200, ""},
		{trace + "&limit=501", 422, "limit"},
		{trace + "&limit=0", 422, "limit"},
		{trace + "&action=%00", 422, "action"},
		{"/v1/stats/tasks?unit=3305&from=2026-01-01&to=2026-06-30", 200, ""},
		{"/v1/stats/cases?unit=9999", 422, "unit"},
		{"/v1/stats/resolution?from=2026-13-01", 422, "from"},
		{"/v1/stats/recovery?from=2026-06-01&to=2026-05-31", 422, "to"},
		{"/v1/stats/workload?unit=%00", 422, "unit"},
	}
	for _, tt := range tests {
		_, rec := sendRaw(srv, "admin@ID", http.MethodGet, tt.url, nil)
		if rec.Code != tt.want {
			t.Errorf("GET %s = %d %s, want %d", tt.url, rec.Code, rec.Body, tt.want)
			continue
		}
		if tt.field != "" && !names(problemOf(t, tt.url, rec), tt.field) {
			t.Errorf("GET %s = %s, want %s named", tt.url, rec.Body, tt.field)
		}
	}
}

// authorityFields are the fields whose value the access decision needs:
// the unit a registration, an intake or a delegation acts on. A NUL in
// them is refused as invalid before the caller's reach can be decided.
var authorityFields = map[string][]string{
	"POST /v1/workers":     {"domicile_unit"},
	"POST /v1/cases":       {"unit", "worker_id"},
	"POST /v1/delegations": {"kind", "target_unit", "worker_id"},
}

// authorityQuery are the query parameters whose value the access decision
// needs: the unit whose figures are read.
var authorityQuery = map[string][]string{
	"GET /v1/stats/tasks": {"unit"}, "GET /v1/stats/cases": {"unit"}, "GET /v1/stats/resolution": {"unit"},
	"GET /v1/stats/recovery": {"unit"}, "GET /v1/stats/journeys": {"unit"}, "GET /v1/stats/workload": {"unit"},
}

// TestAuthorityComesFirst asks every route as each caller the access
// matrix refuses (403) or answers 404, with input that is wrong in every
// way, and wants the refusal, not a word about the input: a caller who may
// not use a route learns nothing of what it takes.
func TestAuthorityComesFirst(t *testing.T) {
	k := loadContract(t)
	units, ps := server.ShippedPolicies(t)
	store := newFakeStore()
	srv := fakeServer(store, ps.Authorizer, units, testAuditKey(t))
	for _, r := range srv.Routes() {
		if r.Page { // pages answer HTML and sign in by the session (pages_test.go)
			continue
		}
		if !r.Auth {
			continue
		}
		name := r.Method + " " + r.Path
		op := k.operation(t, r)
		for _, role := range matrixRoles {
			for i, unit := range matrixUnits {
				want := strings.Fields(matrix[name][role])[i]
				if want != "403" && want != "404" {
					continue
				}
				token := role + "@" + unit
				p := principalOf(token)
				d, err := ps.Authorizer.Authorize(p, unit, r.Path, r.Method)
				if err != nil {
					t.Fatal(err)
				}
				if !d.Allowed || (r.National && unit != units.Top()) {
					// Refused by the route itself: nothing of the request
					// is read, not even whether it is JSON.
					u := store.url(r.Method, r.Path)
					for _, q := range append(queryParams(op), "limit", "undocumented") {
						u = withQuery(t, u, q, nul)
					}
					req := httptest.NewRequest(r.Method, u, strings.NewReader("{not json"))
					req.Header.Set("Content-Type", "text/plain")
					req.Header.Set("Authorization", "Bearer "+token)
					rec := httptest.NewRecorder()
					srv.ServeHTTP(rec, req)
					if rec.Code != http.StatusForbidden {
						t.Errorf("%s as %s with a bad query and body = %d %s, want 403", name, token, rec.Code, rec.Body)
					}
					continue
				}
				// Refused by the record's unit: each field the decision
				// does not need, made wrong, is not looked at first. (An
				// ID or an instant that does not parse is refused with the
				// body's JSON, before the record is looked up.)
				for _, q := range queryParams(op) {
					if slices.Contains(authorityQuery[name], q) {
						continue
					}
					u := withQuery(t, store.url(r.Method, r.Path), q, "zz")
					valid, hasBody := store.bodies()[name]
					var body []byte
					if r.Method != http.MethodGet {
						body, _ = json.Marshal(valid)
						if !hasBody {
							body = []byte("{}")
						}
					}
					if _, rec := sendRaw(srv, token, r.Method, u, body); strconv.Itoa(rec.Code) != want {
						t.Errorf("%s as %s with ?%s=zz = %d %s, want %s", name, token, q, rec.Code, rec.Body, want)
					}
				}
				if r.Method == http.MethodGet {
					continue
				}
				for _, path := range bodyPaths(t, k, r, false) {
					if slices.Contains(authorityFields[name], path) {
						continue
					}
					body := asMap(t, store.bodies()[name])
					setPath(body, path, nul)
					raw, _ := json.Marshal(body)
					if _, rec := sendRaw(srv, token, r.Method, store.url(r.Method, r.Path), raw); strconv.Itoa(rec.Code) != want {
						t.Errorf("%s as %s with a NUL in %s = %d %s, want %s", name, token, path, rec.Code, rec.Body, want)
					}
				}
			}
		}
	}
}

// TestPolicyChangeAsDistrictAdmin: a district's administrator is told 403
// before anything about the body, even an empty one.
func TestPolicyChangeAsDistrictAdmin(t *testing.T) {
	units, ps := server.ShippedPolicies(t)
	srv := fakeServer(newFakeStore(), ps.Authorizer, units, nil)
	for _, body := range []string{"", "{}", `{"add":[{"model":"x"}]}`, "not json"} {
		req := httptest.NewRequest(http.MethodPost, "/v1/policies", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer admin@3305")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusForbidden {
			t.Errorf("POST /v1/policies as admin@3305 with %q = %d %s, want 403", body, rec.Code, rec.Body)
		}
	}
}

// principalOf is the principal of a "role@unit" token.
func principalOf(token string) lindungi.Principal {
	role, unit, _ := strings.Cut(token, "@")
	return lindungi.Principal{Subject: role + "-" + unit, Unit: unit, Roles: []string{role}}
}

// testAuditKey is a fresh audit signing key.
func testAuditKey(t *testing.T) *auditlog.Key {
	t.Helper()
	key, err := auditlog.LoadKey(filepath.Join(t.TempDir(), "audit.key"), true)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// users records the sign-ins written to the user directory, and fails
// each write with err.
type users struct {
	written []lindungi.User
	err     error
}

func (u *users) UpsertUsers(_ context.Context, us []lindungi.User) error {
	u.written = append(u.written, us...)
	return u.err
}

func (u *users) FindUser(context.Context, string) (lindungi.User, error) {
	return lindungi.User{}, lindungi.Errorf(lindungi.ENOTFOUND, "User not found.")
}

// TestTokensOfUnknownUnitsAreRefused: a token for a unit this system does
// not know, or with a malformed subject or role, is refused with 401 at
// every authenticated route, and never reaches the user directory.
func TestTokensOfUnknownUnitsAreRefused(t *testing.T) {
	units, ps := server.ShippedPolicies(t)
	store := newFakeStore()
	srv := fakeServer(store, ps.Authorizer, units, testAuditKey(t))
	dir := &users{}
	srv.Users = dir
	for _, token := range []string{"caseworker@9999", "caseworker@ ", "caseworker@' OR 1=1--", "admin@id", "admin@ID\x00",
		"case\tworker@3305", "\x00@3305", "@3305"} {
		for _, r := range srv.Routes() {
			if r.Page { // pages answer HTML and sign in by the session (pages_test.go)
				continue
			}
			if !r.Auth {
				continue
			}
			req := store.request(t, r.Method, r.Path)
			req.Header.Set("Authorization", "Bearer "+token)
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusUnauthorized || rec.Header().Get("WWW-Authenticate") == "" {
				t.Errorf("%s %s with token %q = %d %s, want 401 with WWW-Authenticate", r.Method, r.Path, token, rec.Code, rec.Body)
			}
		}
	}
	if len(dir.written) != 0 {
		t.Errorf("the directory was written %v, want nothing", dir.written)
	}
	if _, rec := sendRaw(srv, "caseworker@3305", http.MethodGet, "/v1/tasks", nil); rec.Code != http.StatusOK || len(dir.written) != 1 {
		t.Errorf("a known unit's token = %d, directory %v; want 200 and the user written", rec.Code, dir.written)
	}
}

// TestUserDirectoryFailureIsLogged: a sign-in the directory cannot take is
// an error in the log, not a silent warning, and the request goes on.
func TestUserDirectoryFailureIsLogged(t *testing.T) {
	units, ps := server.ShippedPolicies(t)
	srv := fakeServer(newFakeStore(), ps.Authorizer, units, nil)
	var log bytes.Buffer
	srv.Logger = slog.New(slog.NewJSONHandler(&log, nil))
	srv.Users = &users{err: lindungi.Errorf(lindungi.EINVALID, "Unknown unit.")}
	if _, rec := sendRaw(srv, "caseworker@3305", http.MethodGet, "/v1/tasks", nil); rec.Code != http.StatusOK {
		t.Fatalf("GET /v1/tasks = %d %s, want 200", rec.Code, rec.Body)
	}
	var found bool
	for line := range strings.Lines(log.String()) {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == "user directory not updated" {
			found = rec["level"] == "ERROR" && rec["sub"] == "caseworker-3305" && rec["unit"] == "3305"
		}
	}
	if !found {
		t.Errorf("log %s: want an ERROR \"user directory not updated\" naming the subject and unit", log.String())
	}
}

// TestHandEscalationNeedsAReason: a person who escalates a case or a task
// says why; without a reason, or with one that is not text, 422.
func TestHandEscalationNeedsAReason(t *testing.T) {
	units, ps := server.ShippedPolicies(t)
	store := newFakeStore()
	srv := fakeServer(store, ps.Authorizer, units, nil)
	for _, u := range []string{"/v1/cases/" + store.pcase.ID.String() + "/escalate", "/v1/tasks/" + store.task.ID.String() + "/escalate"} {
		for _, body := range []string{"", "{}", `{"reason":""}`, `{"reason":"  ab  "}`, `{"reason":"a\u0000bcdef"}`} {
			var raw []byte
			switch {
			case body != "":
				raw = []byte(body)
			case strings.HasPrefix(u, "/v1/tasks/"):
				continue // the task routes need a body at all (400)
			}
			_, rec := sendRaw(srv, "supervisor@3305", http.MethodPost, u, raw)
			if rec.Code != http.StatusUnprocessableEntity || !names(problemOf(t, u, rec), "reason") {
				t.Errorf("POST %s with %q = %d %s, want 422 naming reason", u, body, rec.Code, rec.Body)
			}
		}
		if _, rec := sendRaw(srv, "supervisor@3305", http.MethodPost, u, []byte(`{"reason":"Pengadu terancam, perlu BP3MI"}`)); rec.Code != http.StatusOK {
			t.Errorf("POST %s with a reason = %d %s, want 200", u, rec.Code, rec.Body)
		}
	}
}

// TestEveryPathParameterIsChecked puts a NUL, and an ID in another
// spelling, in the path parameter of every route that has one: an ID that
// is not canonical names no record (404); a date that is not one is 422.
func TestEveryPathParameterIsChecked(t *testing.T) {
	k := loadContract(t)
	units, ps := server.ShippedPolicies(t)
	store := newFakeStore()
	srv := fakeServer(store, ps.Authorizer, units, testAuditKey(t))
	for _, r := range srv.Routes() {
		if r.Page { // pages answer HTML and sign in by the session (pages_test.go)
			continue
		}
		name := r.Method + " " + r.Path
		valid := store.url(r.Method, r.Path)
		var body []byte
		if r.Method != http.MethodGet {
			body, _ = json.Marshal(store.bodies()[name])
		}
		switch {
		case strings.Contains(r.Path, ":id"):
			id := regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`).FindString(valid)
			for _, bad := range []string{"a%00b", strings.ToUpper(id), "%7B" + id + "%7D", "urn:uuid:" + id, strings.ReplaceAll(id, "-", ""), id + "%00"} {
				req, rec := sendRaw(srv, "admin@ID", r.Method, strings.Replace(valid, id, bad, 1), body)
				if rec.Code != http.StatusNotFound {
					t.Errorf("%s with :id %s = %d %s, want 404", name, bad, rec.Code, rec.Body)
				}
				k.check(t, req, body, rec)
			}
		case strings.Contains(r.Path, ":date"):
			req, rec := sendRaw(srv, "admin@ID", r.Method, strings.Replace(valid, "2026-12-25", "2026-12-25%00", 1), body)
			if rec.Code != http.StatusUnprocessableEntity || !names(problemOf(t, name, rec), "date") {
				t.Errorf("%s with a NUL in :date = %d %s, want 422 naming date", name, rec.Code, rec.Body)
			}
			k.check(t, req, body, rec)
		}
	}
}

// TestUnknownUnitsAreInvalid: a unit code this system does not know is an
// invalid field (422), not a unit out of the caller's reach (403).
func TestUnknownUnitsAreInvalid(t *testing.T) {
	units, ps := server.ShippedPolicies(t)
	store := newFakeStore()
	srv := fakeServer(store, ps.Authorizer, units, nil)
	tests := []struct{ path, field string }{
		{"/v1/cases", "unit"}, {"/v1/workers", "domicile_unit"},
		{"/v1/delegations", "target_unit"}, {"/v1/delegations", "grantee_unit"},
	}
	for _, tt := range tests {
		for _, unit := range []string{"9999", "99", "' OR 1=1--"} {
			body := asMap(t, store.bodies()["POST "+tt.path])
			body[tt.field] = unit
			raw, _ := json.Marshal(body)
			_, rec := sendRaw(srv, "admin@ID", http.MethodPost, tt.path, raw)
			if rec.Code != http.StatusUnprocessableEntity || !names(problemOf(t, tt.path, rec), tt.field) {
				t.Errorf("POST %s with %s %q = %d %s, want 422 naming %s", tt.path, tt.field, unit, rec.Code, rec.Body, tt.field)
			}
		}
	}
}
