package fault_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/converter"
)

// check is one verdict of the suite, with its evidence.
type check struct {
	Name     string   `json:"name"`
	Pass     bool     `json:"pass"`
	Summary  string   `json:"summary"`
	Evidence []string `json:"evidence,omitempty"` // the first few failures
}

// verdict builds a check from its failures.
func verdict(name, summary string, failures []string) check {
	c := check{Name: name, Pass: len(failures) == 0, Summary: summary}
	if len(failures) > 12 {
		c.Evidence = append(failures[:12:12], fmt.Sprintf("... and %d more", len(failures)-12))
	} else {
		c.Evidence = failures
	}
	return c
}

func short(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 240 {
		s = s[:240] + "..."
	}
	return s
}

func describe(a attempt) string {
	if a.Status == 0 {
		return "no answer (" + a.Err + ")"
	}
	return fmt.Sprintf("%d %s", a.Status, short(a.Body))
}

// figures are the counts the suite reports.
type figures struct {
	Requests        int64          `json:"requests"`
	Ops             int            `json:"ops"`
	OpsByKind       map[string]int `json:"ops_by_kind"`
	RetriedOps      int            `json:"retried_ops"`
	FailedByKind    map[string]int `json:"failed_by_kind"`
	Abandoned       int            `json:"abandoned_first_attempts"`
	Retries         int            `json:"retries"`
	FailedOps       int            `json:"failed_ops"`
	Lost            int            `json:"lost"`
	Duplicated      int            `json:"duplicated"`
	EffectNoAnswer  int            `json:"effect_without_answer"`
	ReplayMismatch  int            `json:"replay_mismatch"`
	ReplayNoHeader  int            `json:"replay_without_idempotent_replayed_header"`
	Workers         int            `json:"workers"`
	Cases           int            `json:"cases"`
	UnexpectedExits []string       `json:"unexpected_exits,omitempty"`
	LoadSeconds     float64        `json:"load_seconds"`
	SettleSeconds   float64        `json:"settle_seconds"`
	Latency         map[string]any `json:"latency_ms"`
}

// during names the fault whose window overlaps the attempt, if any.
func during(faults []faultResult, a attempt) string {
	for _, f := range faults {
		if !a.Start.Add(a.Latency).Before(f.Injected) && !a.Start.After(f.Recovered) {
			return " during " + f.Name
		}
	}
	return ""
}

// checkOpsSucceeded: every operation got a 2xx within its budget.
func checkOpsSucceeded(ops []*op, faults []faultResult, fig *figures) check {
	var failures []string
	fig.OpsByKind, fig.FailedByKind = map[string]int{}, map[string]int{}
	for _, o := range ops {
		fig.Ops++
		fig.OpsByKind[o.Kind]++
		if n := len(o.Attempts); n > 1 {
			fig.RetriedOps++
			fig.Retries += n - 1
		}
		if len(o.Attempts) > 0 && o.Attempts[0].Abandoned {
			fig.Abandoned++
		}
		if _, ok := o.first(); !ok {
			fig.FailedOps++
			fig.FailedByKind[fmt.Sprintf("%s %d", o.Kind, o.last().Status)]++
			var hist []string
			for _, a := range o.Attempts {
				what := fmt.Sprint(a.Status)
				if a.Status == 0 {
					what = "no answer: " + a.Err
				}
				hist = append(hist, fmt.Sprintf("%s after %.1fs%s", what, a.Latency.Seconds(), during(faults, a)))
			}
			failures = append(failures, fmt.Sprintf("%s %s %s key %s: attempts [%s], last answer %s",
				o.Kind, o.Method, o.Path, o.Key, strings.Join(hist, "; "), describe(o.last())))
		}
	}
	return verdict("every retried operation ends in 2xx", fmt.Sprintf("%d operations, %d retried (%d retries), %d never got a 2xx %v",
		fig.Ops, fig.RetriedOps, fig.Retries, fig.FailedOps, fig.FailedByKind), failures)
}

// checkExactlyOnce: every 2xx answer's effect is in the database once, and
// nothing else is.
func checkExactlyOnce(ctx context.Context, db *sql.DB, flows []*flow, cases []*caseFlow, faults []faultResult, fig *figures) check {
	var failures []string
	count := func(q string, args ...any) int {
		var n int
		if err := db.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			failures = append(failures, fmt.Sprintf("query %q: %v", q, err))
			return -1
		}
		return n
	}
	expectOne := func(what string, n int, o *op) {
		var hist []string
		for _, a := range o.Attempts {
			status := fmt.Sprint(a.Status)
			if a.Status == 0 {
				status = "no answer"
			}
			hist = append(hist, fmt.Sprintf("%s after %.1fs%s", status, a.Latency.Seconds(), during(faults, a)))
		}
		switch {
		case n == 0:
			fig.Lost++
			failures = append(failures, fmt.Sprintf("%s: answered 2xx but not in the database (lost); attempts [%s]", what, strings.Join(hist, "; ")))
		case n > 1:
			fig.Duplicated += n - 1
			failures = append(failures, fmt.Sprintf("%s: %d rows (duplicated); attempts [%s]", what, n, strings.Join(hist, "; ")))
		}
	}
	registered := 0
	for _, f := range flows {
		if a, ok := f.Reg.first(); ok {
			registered++
			expectOne("worker "+idOf(a.Body), count(`SELECT count(*) FROM workers WHERE id = $1`, idOf(a.Body)), f.Reg)
			expectOne("NIK "+f.NIK, count(`SELECT count(*) FROM workers WHERE nik = $1 AND NOT provisional`, f.NIK), f.Reg)
		} else if n := count(`SELECT count(*) FROM workers WHERE nik = $1`, f.NIK); n > 0 {
			registered++
			fig.EffectNoAnswer++
			failures = append(failures, fmt.Sprintf("NIK %s: registered %d time(s) though the client never got a 2xx", f.NIK, n))
		}
		for _, d := range f.Docs {
			a, ok := d.first()
			if !ok {
				continue
			}
			var body struct {
				ID, WorkerID, Type, Number string
			}
			json.Unmarshal(a.Body, &body)
			json.Unmarshal(d.Body, &body)
			expectOne("document "+body.ID, count(`SELECT count(*) FROM documents WHERE id = $1`, body.ID), d)
			expectOne("document "+body.Type+" of worker "+f.WorkerID,
				count(`SELECT count(*) FROM documents WHERE worker_id = $1 AND type = $2 AND number = $3`, f.WorkerID, body.Type, body.Number), d)
		}
		for _, v := range f.Verifies {
			if _, ok := v.first(); !ok {
				continue
			}
			id := strings.TrimSuffix(strings.TrimPrefix(v.Path, "/v1/documents/"), "/verify")
			expectOne("verification of document "+id,
				count(`SELECT count(*) FROM documents WHERE id = $1 AND verified_by = 'verifier-3305'`, id), v)
		}
		if f.Complete != nil {
			if _, ok := f.Complete.first(); ok {
				expectOne("completion of task "+f.TaskID, count(`SELECT count(*) FROM tasks WHERE id = $1 AND status = 'completed'
					AND completed_by = 'caseworker-3305' AND outcome = 'approved'`, f.TaskID), f.Complete)
			}
		}
	}
	if n := count(`SELECT count(*) FROM workers WHERE NOT provisional`); n != registered {
		if n > registered {
			fig.Duplicated += n - registered
		}
		failures = append(failures, fmt.Sprintf("%d registered workers in the database, %d registrations made", n, registered))
	}
	fig.Workers = registered
	intakes := 0
	for _, c := range cases {
		if a, ok := c.Intake.first(); ok {
			intakes++
			expectOne("case "+idOf(a.Body), count(`SELECT count(*) FROM cases WHERE id = $1`, idOf(a.Body)), c.Intake)
			expectOne(fmt.Sprintf("complaint %d", c.I), count(`SELECT count(*) FROM cases WHERE description = $1`, caseDescription(c.I)), c.Intake)
		} else if n := count(`SELECT count(*) FROM cases WHERE description = $1`, caseDescription(c.I)); n > 0 {
			intakes++
			fig.EffectNoAnswer++
			failures = append(failures, fmt.Sprintf("complaint %d: taken in %d time(s) though the client never got a 2xx", c.I, n))
		}
		if c.Verify != nil {
			if _, ok := c.Verify.first(); ok {
				expectOne("verification of case "+c.CaseID, count(`SELECT count(*) FROM cases WHERE id = $1 AND step = 'VERIFICATION'`, c.CaseID), c.Verify)
			}
		}
	}
	if n := count(`SELECT count(*) FROM cases WHERE description LIKE '%[fault-case-%'`); n != intakes {
		failures = append(failures, fmt.Sprintf("%d load complaints in the database, %d taken in", n, intakes))
	}
	fig.Cases = intakes
	return verdict("every 2xx exists exactly once", fmt.Sprintf("%d workers, %d complaints; lost %d, duplicated %d, effect without a 2xx %d",
		registered, intakes, fig.Lost, fig.Duplicated, fig.EffectNoAnswer), failures)
}

// wantStep is the journey step a flow's worker must be at, and the kind
// of its one open task; ok is false when the flow's end is unknown (its
// completion failed).
func wantStep(f *flow) (step, task string, ok bool) {
	switch {
	case f.WorkerID == "":
		return "", "", false
	case f.LeaveOpen:
		return "REGISTERED", "VERIFY_REGISTRATION", true
	case f.Complete == nil:
		return "", "", false
	}
	if _, done := f.Complete.first(); done {
		return "TRAINING", "RECORD_TRAINING", true
	}
	return "", "", false
}

// settled reports how many flows and cases are not yet where they must be
// in the database; the suite waits for 0 before it checks.
func settled(ctx context.Context, db *sql.DB, flows []*flow, cases []*caseFlow) int {
	pending := 0
	for _, f := range flows {
		step, task, ok := wantStep(f)
		if !ok {
			continue
		}
		var n int
		err := db.QueryRowContext(ctx, `SELECT count(*) FROM workers w JOIN tasks t ON t.worker_id = w.id
			WHERE w.id = $1 AND w.journey_step = $2 AND w.journey_started_at IS NOT NULL AND t.status = 'open' AND t.kind = $3`,
			f.WorkerID, step, task).Scan(&n)
		if err != nil || n != 1 {
			pending++
		}
	}
	for _, c := range cases {
		if c.CaseID == "" {
			continue
		}
		var n int
		err := db.QueryRowContext(ctx, `SELECT count(*) FROM cases c JOIN tasks t ON t.workflow_id = c.workflow_id
			WHERE c.id = $1 AND c.workflow_started_at IS NOT NULL AND t.status = 'open' AND t.kind = 'CASE_HANDLING'`, c.CaseID).Scan(&n)
		if err != nil || n != 1 {
			pending++
		}
	}
	return pending
}

// temporalView is what Temporal says of one workflow.
type temporalView struct {
	Running bool
	Step    string   // LindungiStep, journeys only
	Stuck   []string // pending activities retried 3 times or more
	Err     error
}

func (s *system) describe(ctx context.Context, workflowID string) temporalView {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	resp, err := s.tc.DescribeWorkflowExecution(ctx, workflowID, "")
	if err != nil {
		return temporalView{Err: err}
	}
	info := resp.GetWorkflowExecutionInfo()
	v := temporalView{Running: info.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING}
	if p, ok := info.GetSearchAttributes().GetIndexedFields()["LindungiStep"]; ok {
		_ = converter.GetDefaultDataConverter().FromPayload(p, &v.Step)
	}
	for _, a := range resp.GetPendingActivities() {
		if a.GetAttempt() >= 3 {
			v.Stuck = append(v.Stuck, fmt.Sprintf("activity %s attempt %d: %s", a.GetActivityType().GetName(), a.GetAttempt(),
				a.GetLastFailure().GetMessage()))
		}
	}
	return v
}

// checkJourneys: each worker has one journey, running, at the right step
// in the database and in Temporal.
func checkJourneys(ctx context.Context, s *system, flows []*flow) check {
	var failures []string
	checked := 0
	for _, f := range flows {
		if f.WorkerID == "" {
			continue
		}
		checked++
		var step, wf string
		var started sql.NullTime
		if err := s.db.QueryRowContext(ctx, `SELECT journey_step, journey_workflow_id, journey_started_at FROM workers WHERE id = $1`,
			f.WorkerID).Scan(&step, &wf, &started); err != nil {
			failures = append(failures, fmt.Sprintf("worker %s: %v", f.WorkerID, err))
			continue
		}
		if !started.Valid {
			failures = append(failures, fmt.Sprintf("worker %s: journey never recorded as started", f.WorkerID))
		}
		var journeys int
		s.db.QueryRowContext(ctx, `SELECT count(DISTINCT workflow_id) FROM tasks WHERE worker_id = $1`, f.WorkerID).Scan(&journeys)
		if journeys != 1 {
			failures = append(failures, fmt.Sprintf("worker %s: tasks from %d workflows, want 1", f.WorkerID, journeys))
		}
		v := s.describe(ctx, wf)
		switch {
		case v.Err != nil:
			failures = append(failures, fmt.Sprintf("worker %s: Temporal has no journey %s: %v", f.WorkerID, wf, v.Err))
			continue
		case !v.Running:
			failures = append(failures, fmt.Sprintf("worker %s: journey %s is not running", f.WorkerID, wf))
		}
		want, _, ok := wantStep(f)
		if !ok {
			continue
		}
		if step != want || v.Step != want {
			failures = append(failures, fmt.Sprintf("worker %s: step %s in the database, %s in Temporal, want %s", f.WorkerID, step, v.Step, want))
		}
	}
	return verdict("each worker has one journey at the right step", fmt.Sprintf("%d workers checked in SQL and Temporal", checked), failures)
}

// checkTasks: no duplicate task, no task or workflow stuck.
func checkTasks(ctx context.Context, s *system, flows []*flow, cases []*caseFlow) check {
	var failures []string
	rows, err := s.db.QueryContext(ctx, `SELECT workflow_id, kind, count(*) FROM tasks WHERE status = 'open'
		GROUP BY workflow_id, kind HAVING count(*) > 1`)
	if err != nil {
		failures = append(failures, err.Error())
	} else {
		for rows.Next() {
			var wf, kind string
			var n int
			rows.Scan(&wf, &kind, &n)
			failures = append(failures, fmt.Sprintf("%s: %d open %s tasks (duplicate)", wf, n, kind))
		}
		rows.Close()
	}
	for _, f := range flows {
		_, task, ok := wantStep(f)
		if !ok {
			continue
		}
		var open []string
		r, err := s.db.QueryContext(ctx, `SELECT kind FROM tasks WHERE worker_id = $1 AND status = 'open' ORDER BY kind`, f.WorkerID)
		if err == nil {
			for r.Next() {
				var k string
				r.Scan(&k)
				open = append(open, k)
			}
			r.Close()
		}
		if !slices.Equal(open, []string{task}) {
			failures = append(failures, fmt.Sprintf("worker %s: open tasks %v, want [%s]", f.WorkerID, open, task))
		}
		var verifications int
		s.db.QueryRowContext(ctx, `SELECT count(*) FROM tasks WHERE worker_id = $1 AND kind = 'VERIFY_REGISTRATION'`, f.WorkerID).Scan(&verifications)
		if verifications != 1 {
			failures = append(failures, fmt.Sprintf("worker %s: %d VERIFY_REGISTRATION tasks, want 1", f.WorkerID, verifications))
		}
	}
	var notStarted int
	s.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM workers WHERE journey_started_at IS NULL AND NOT provisional)
		+ (SELECT count(*) FROM cases WHERE workflow_started_at IS NULL)`).Scan(&notStarted)
	if notStarted > 0 {
		failures = append(failures, fmt.Sprintf("%d journeys or cases never started", notStarted))
	}
	workflows := 0
	var wfs []string
	r, err := s.db.QueryContext(ctx, `SELECT journey_workflow_id FROM workers WHERE NOT provisional UNION ALL SELECT workflow_id FROM cases`)
	if err == nil {
		for r.Next() {
			var wf string
			r.Scan(&wf)
			wfs = append(wfs, wf)
		}
		r.Close()
	}
	for _, wf := range wfs {
		workflows++
		v := s.describe(ctx, wf)
		if v.Err != nil {
			failures = append(failures, fmt.Sprintf("%s: %v", wf, v.Err))
			continue
		}
		for _, st := range v.Stuck {
			failures = append(failures, wf+": stuck: "+st)
		}
	}
	for _, c := range cases {
		if c.CaseID == "" {
			continue
		}
		var open int
		s.db.QueryRowContext(ctx, `SELECT count(*) FROM tasks t JOIN cases c ON c.workflow_id = t.workflow_id
			WHERE c.id = $1 AND t.status = 'open' AND t.kind = 'CASE_HANDLING'`, c.CaseID).Scan(&open)
		if open != 1 {
			failures = append(failures, fmt.Sprintf("case %s: %d open handling tasks, want 1", c.CaseID, open))
		}
	}
	return verdict("no duplicate or stuck task", fmt.Sprintf("%d workflows described in Temporal", workflows), failures)
}

// replay sends every operation that got a 2xx once more, with its key,
// after everything settled.
func (l *load) replay(ops []*op) {
	var wg sync.WaitGroup
	work := make(chan *op)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for o := range work {
				a := l.send(o.Method, o.Path, o.As, o.Body, "Idempotency-Key", o.Key)
				o.mu.Lock()
				o.Replay = &a
				o.mu.Unlock()
			}
		}()
	}
	for _, o := range ops {
		if _, ok := o.first(); ok {
			work <- o
		}
	}
	close(work)
	wg.Wait()
}

// checkReplays: a request sent again with its key gets the first answer.
func checkReplays(ops []*op, faults []faultResult, fig *figures) check {
	var failures []string
	replayed, retried := 0, 0
	for _, o := range ops {
		first, ok := o.first()
		if !ok || o.Replay == nil {
			continue
		}
		replayed++
		if len(o.Attempts) > 1 {
			retried++
		}
		r := *o.Replay
		if r.Status != first.Status || !bytes.Equal(r.Body, first.Body) {
			fig.ReplayMismatch++
			failures = append(failures, fmt.Sprintf("%s %s key %s: first %d (attempt %d of %d%s) %s, again %s", o.Kind, o.Path, o.Key,
				first.Status, o.First+1, len(o.Attempts), during(faults, first), short(first.Body), describe(r)))
		} else if !r.Replayed {
			fig.ReplayNoHeader++
		}
	}
	return verdict("every retried request gets the first answer", fmt.Sprintf("%d operations sent again (%d of them retried under faults), %d answered differently; %d same answers lacked Idempotent-Replayed",
		replayed, retried, fig.ReplayMismatch, fig.ReplayNoHeader), failures)
}

// checkAudit: the chain verifies, from the command line and the API.
func checkAudit(s *system, l *load) check {
	var failures []string
	out, err := s.command("audit", "verify").CombinedOutput()
	cli := strings.TrimSpace(string(out))
	if err != nil || !strings.HasPrefix(cli, "OK") {
		failures = append(failures, fmt.Sprintf("lindungi audit verify: %v: %s", err, short(out)))
	}
	a := l.send(http.MethodGet, "/v1/audit/verify?purpose=uji+ketahanan+fault+suite", "auditor-ID", nil)
	var rep struct {
		OK      bool            `json:"ok"`
		Events  int64           `json:"events"`
		Failure json.RawMessage `json:"failure"`
	}
	json.Unmarshal(a.Body, &rep)
	if a.Status != http.StatusOK || !rep.OK {
		failures = append(failures, "GET /v1/audit/verify: "+describe(a))
	}
	first, _, _ := strings.Cut(cli, "\n")
	return verdict("audit verify passes", fmt.Sprintf("CLI: %s; API: %d events, ok=%v", first, rep.Events, rep.OK), failures)
}

// checkOutageAnswers: while a dependency is down or frozen, the API
// answers 503 with Retry-After or succeeds; never 500, never silence.
func checkOutageAnswers(ops []*op, reads []attempt, faults []faultResult) check {
	var failures []string
	all := slices.Clone(reads)
	for _, o := range ops {
		o.mu.Lock()
		all = append(all, o.Attempts...)
		o.mu.Unlock()
	}
	for i := range faults {
		f := &faults[i]
		hist := map[string]int{}
		f.Answers = hist
		apiKilled := strings.Contains(f.Name, "API")
		for _, a := range all {
			if a.Start.Before(f.Injected) || a.Start.After(f.Recovered) || a.Abandoned {
				continue
			}
			f.Requests++
			f.MaxLatencyMS = max(f.MaxLatencyMS, a.Latency.Milliseconds())
			switch {
			case a.Status == 0 && apiKilled:
				hist["no answer (API down)"]++
			case a.Status == 0 && strings.Contains(a.Err, "deadline exceeded"):
				hist["hung"]++
			case a.Status == 0:
				hist["no answer"]++
			case a.Status == http.StatusServiceUnavailable && a.RetryAfter == "":
				hist["503 without Retry-After"]++
			default:
				hist[fmt.Sprint(a.Status)]++
			}
		}
		var bad []string
		for _, k := range []string{"500", "hung", "no answer", "503 without Retry-After"} {
			if hist[k] > 0 {
				bad = append(bad, fmt.Sprintf("%d %s", hist[k], k))
			}
		}
		if len(bad) > 0 {
			failures = append(failures, fmt.Sprintf("%s: %s (all answers: %v)", f.Name, strings.Join(bad, ", "), hist))
		}
	}
	return verdict("outages answer 503 with Retry-After, never 500 or silence", fmt.Sprintf("%d faults", len(faults)), failures)
}

// checkReadyz: /readyz answers within a second during every fault.
func checkReadyz(faults []faultResult) check {
	var failures []string
	for _, f := range faults {
		if f.ReadyzSlow > 0 {
			failures = append(failures, fmt.Sprintf("%s: %d of %d probes without an answer within 1 s (slowest %d ms)",
				f.Name, f.ReadyzSlow, f.ReadyzProbes, f.ReadyzMaxMS))
		}
	}
	return verdict("/readyz answers within 1 s during every fault", fmt.Sprintf("%d faults probed", len(faults)), failures)
}

// latency summarises the latency of every operation attempt, in ms.
func latency(ops []*op) map[string]any {
	byKind := map[string][]int64{}
	for _, o := range ops {
		o.mu.Lock()
		for _, a := range o.Attempts {
			byKind[o.Kind] = append(byKind[o.Kind], a.Latency.Milliseconds())
		}
		o.mu.Unlock()
	}
	out := map[string]any{}
	for k, ls := range byKind {
		sort.Slice(ls, func(i, j int) bool { return ls[i] < ls[j] })
		out[k] = map[string]int64{"p50": ls[len(ls)/2], "p99": ls[len(ls)*99/100], "max": ls[len(ls)-1]}
	}
	return out
}
