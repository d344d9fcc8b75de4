package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/devenv"
	"github.com/lindungi/lindungi/devenv/devtest"
	"github.com/lindungi/lindungi/payloadcodec"
	"github.com/lindungi/lindungi/postgres"
	"github.com/lindungi/lindungi/web"
	"github.com/lindungi/lindungi/workflows"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"
)

// production is Lindungi in the shape it runs in production, on this
// machine: a namespace that nobody prepared (no search attributes, not even
// registered), `lindungi migrate`, then two API and two worker processes
// started separately with LINDUNGI_ENV=production, OpenID Connect tokens
// from a local issuer, and the payload, audit and session keys read from
// files made beforehand.
type production struct {
	apis      [2]*system // the same installation through each API process
	namespace string
	temporal  string
	issuer    *issuer
}

func startProduction(t *testing.T) *production {
	t.Helper()
	ctx := context.Background()
	dsn := devtest.Database(t)
	p := &production{namespace: "prod-" + uuid.NewString()[:8], temporal: devtest.Temporal(t), issuer: newIssuer(t)}
	dir := t.TempDir()
	keys := map[string]string{
		"LINDUNGI_PAYLOAD_KEY_FILE": filepath.Join(dir, "payload.key"),
		"LINDUNGI_AUDIT_KEY_FILE":   filepath.Join(dir, "audit.key"),
		"LINDUNGI_SESSION_KEY_FILE": filepath.Join(dir, "session.key"),
	}
	if _, err := payloadcodec.LoadOrCreateKey(keys["LINDUNGI_PAYLOAD_KEY_FILE"], true); err != nil {
		t.Fatal(err)
	}
	if _, err := web.LoadOrCreateSessionKey(keys["LINDUNGI_SESSION_KEY_FILE"], true); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(),
		"LINDUNGI_ENV=production",
		"TEMPORAL_ADDRESS="+p.temporal,
		"TEMPORAL_NAMESPACE="+p.namespace,
		"LINDUNGI_TASK_QUEUE=e2e-production",
		"LINDUNGI_DATA="+dir,
		"LINDUNGI_DEV_KEY_FILE=",
		"LINDUNGI_OIDC_ISSUER="+p.issuer.srv.URL,
		"LINDUNGI_OIDC_AUDIENCE=lindungi-api",
		"LINDUNGI_RECONCILE_INTERVAL=1s",
		"LINDUNGI_LOG_LEVEL=warn",
		"LINDUNGI_LOG_FORMAT=json",
	)
	for name, path := range keys {
		env = append(env, name+"="+path)
	}
	owner := &system{t: t, logDir: dir, env: append(append([]string{}, env...), "DATABASE_URL="+dsn)}
	if out, err := owner.command("audit", "keygen", "--out", keys["LINDUNGI_AUDIT_KEY_FILE"]).CombinedOutput(); err != nil {
		t.Fatalf("lindungi audit keygen: %v\n%s", err, out)
	}
	if out, err := owner.command("migrate").CombinedOutput(); err != nil {
		t.Fatalf("lindungi migrate: %v\n%s", err, out)
	}
	appDSN, err := devenv.AppLogin(ctx, dsn, "lindungi_e2e_app")
	if err != nil {
		t.Fatal(err)
	}
	env = append(env, "DATABASE_URL="+appDSN)
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for i := range p.apis {
		port, err := devenv.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		s := &system{t: t, db: db, logDir: dir, baseURL: fmt.Sprintf("http://127.0.0.1:%d", port)}
		s.env = append(append([]string{}, env...), fmt.Sprintf("LINDUNGI_ADDR=127.0.0.1:%d", port))
		s.router = openAPIRouter(t, s.baseURL)
		s.worker = s.startAs(fmt.Sprintf("worker-%d", i+1), "worker")
		s.serve = s.startAs(fmt.Sprintf("serve-%d", i+1), "serve")
		s.waitReady()
		p.apis[i] = s
	}
	return p
}

// as is a user of the installation through API process i, with a token of
// the local issuer.
func (p *production) as(t *testing.T, i int, sub, unit string, roles ...string) user {
	tok := p.issuer.token(t, jwt.MapClaims{"iss": p.issuer.srv.URL, "aud": "lindungi-api", "sub": sub, "unit": unit, "roles": roles,
		"exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix()})
	return user{s: p.apis[i], token: tok, p: lindungi.Principal{Subject: sub, Unit: unit, Roles: roles}}
}

// TestProductionShape: on a Temporal namespace that nobody prepared,
// `lindungi migrate` registers what the workflows need, and a load of
// registrations and completions spread over two API and two worker
// processes moves every journey one step, with no duplicate worker, task,
// journey or audit event, and a chain that verifies.
func TestProductionShape(t *testing.T) {
	p := startProduction(t)
	const workers = 8
	ids := make([]uuid.UUID, workers)

	// Each registration is sent to both APIs at once with the same key:
	// one worker, one answer.
	var wg sync.WaitGroup
	for i := range workers {
		for api := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				u := p.as(t, api, "caseworker-3305", "3305", lindungi.RoleCaseworker)
				nw := lindungi.NewWorker{NIK: fmt.Sprintf("33050122089700%02d", 10+i), Name: fmt.Sprintf("Pekerja Produksi %d", i),
					BirthDate: "1997-08-22", DomicileUnit: "3305", Phone: fmt.Sprintf("08123456%04d", i), Scheme: lindungi.SchemeG2G}
				for {
					r := u.do(http.MethodPost, "/v1/workers", nw, "Idempotency-Key", fmt.Sprintf("production-%d", i))
					if r.Status == http.StatusConflict && r.Header.Get("Retry-After") != "" {
						time.Sleep(200 * time.Millisecond) // the other API holds the key: ask again
						continue
					}
					if r.Status != http.StatusCreated {
						t.Errorf("register %d through API %d: %d %s", i, api+1, r.Status, r.Body)
						return
					}
					var w lindungi.Worker
					r.decode(t, &w)
					if api == 0 {
						ids[i] = w.ID
					}
					return
				}
			}()
		}
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	// Each verification is completed through the API that did not take
	// the worker in, concurrently.
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cw := p.as(t, (i+1)%2, "caseworker-3305", "3305", lindungi.RoleCaseworker)
			verifier := p.as(t, i%2, "verifier-3305", "3305", lindungi.RoleVerifier)
			var task lindungi.Task
			eventually(t, "the verification task of worker "+id.String(), func() bool {
				var ok bool
				task, ok = taskOf(cw.openTasks(), id.String())
				return ok && task.Kind == lindungi.TaskVerifyRegistration
			})
			provide(t, cw, verifier, lindungi.Worker{ID: id, NIK: fmt.Sprintf("33050122089700%02d", 10+i)}, verificationDocuments...)
			r := cw.do(http.MethodPost, "/v1/tasks/"+task.ID.String()+"/complete", map[string]string{"outcome": "approved"},
				"Idempotency-Key", "production-complete-"+id.String())
			if r.Status != http.StatusOK {
				t.Errorf("complete %s: %d %s", task.ID, r.Status, r.Body)
			}
		}()
	}
	wg.Wait()

	db := p.apis[0].db.SQL()
	var counts struct {
		Workers   int `db:"workers"`
		Registers int `db:"registers"`
		Verifies  int `db:"verifies"`
		Trainings int `db:"trainings"`
	}
	if err := db.Get(&counts, `SELECT
		(SELECT count(*) FROM workers) AS workers,
		(SELECT count(*) FROM audit_events WHERE action = 'worker.register') AS registers,
		(SELECT count(*) FROM tasks WHERE kind = 'VERIFY_REGISTRATION') AS verifies,
		(SELECT count(*) FROM tasks WHERE kind = 'RECORD_TRAINING' AND status = 'open') AS trainings`); err != nil {
		t.Fatal(err)
	}
	if counts.Workers != workers || counts.Registers != workers || counts.Verifies != workers {
		t.Errorf("%+v: want %d workers, registrations and verification tasks, one each", counts, workers)
	}
	eventually(t, "every journey at TRAINING with its task", func() bool {
		var n int
		db.Get(&n, `SELECT count(*) FROM tasks WHERE kind = 'RECORD_TRAINING' AND status = 'open'`)
		return n == workers
	})
	var dupSteps int
	if err := db.Get(&dupSteps, `SELECT count(*) FROM (SELECT worker_id, after FROM audit_events WHERE action = 'journey.step'
		GROUP BY worker_id, after HAVING count(*) > 1) d`); err != nil {
		t.Fatal(err)
	}
	if dupSteps != 0 {
		t.Errorf("%d journey steps recorded twice", dupSteps)
	}

	// The journeys ran in the namespace migrate prepared, with their search
	// attributes set.
	tc, err := client.Dial(client.Options{HostPort: p.temporal, Namespace: p.namespace})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	sa, err := tc.OperatorService().ListSearchAttributes(context.Background(), &operatorservice.ListSearchAttributesRequest{Namespace: p.namespace})
	if err != nil {
		t.Fatal(err)
	}
	for name := range workflows.SearchAttributes {
		if _, ok := sa.GetCustomAttributes()[name]; !ok {
			t.Errorf("namespace %s lacks the search attribute %s", p.namespace, name)
		}
	}
	desc, err := tc.DescribeWorkflowExecution(context.Background(), lindungi.JourneyWorkflowID(ids[0]), "")
	if err != nil {
		t.Fatal(err)
	}
	if step := string(desc.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields()["LindungiStep"].GetData()); !strings.Contains(step, "TRAINING") {
		t.Errorf("the journey's LindungiStep is %q, want TRAINING", step)
	}

	// An administrator reads a journey's input, encrypted in Temporal,
	// through the payload codec the Temporal UI uses.
	hist := tc.GetWorkflowHistory(context.Background(), lindungi.JourneyWorkflowID(ids[0]), "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	first, err := hist.Next()
	if err != nil {
		t.Fatal(err)
	}
	input := first.GetWorkflowExecutionStartedEventAttributes().GetInput()
	if enc := string(input.GetPayloads()[0].GetMetadata()["encoding"]); enc != "binary/encrypted" {
		t.Errorf("the journey's input is stored as %q, want encrypted", enc)
	}
	body, err := protojson.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	admin := p.as(t, 1, "admin-ID", "ID", lindungi.RoleAdmin)
	r := admin.do(http.MethodPost, "/codec/decode", string(body))
	if r.Status != http.StatusOK {
		t.Fatalf("decode as an administrator: %d %s", r.Status, r.Body)
	}
	var decoded commonpb.Payloads
	if err := protojson.Unmarshal(r.Body, &decoded); err != nil || len(decoded.Payloads) != 1 ||
		!strings.Contains(string(decoded.Payloads[0].GetData()), ids[0].String()) {
		t.Errorf("decoded %v (%v), want the journey's input naming worker %s", &decoded, err, ids[0])
	}
	if r := p.as(t, 1, "caseworker-3305", "3305", lindungi.RoleCaseworker).do(http.MethodPost, "/codec/decode", string(body)); r.Status != http.StatusForbidden {
		t.Errorf("decode as a case worker: %d, want 403", r.Status)
	}

	if out, err := p.apis[0].command("audit", "verify").CombinedOutput(); err != nil || !strings.Contains(string(out), "OK: ") {
		t.Errorf("lindungi audit verify: %v\n%s", err, out)
	}
}
