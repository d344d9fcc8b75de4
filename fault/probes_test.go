package fault_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// race sends n identical requests at once, each once, and returns the
// answers.
func (l *load) race(n int, method, path, user string, body []byte, key string) []attempt {
	out := make([]attempt, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i] = l.send(method, path, user, body, "Idempotency-Key", key)
		}()
	}
	close(start)
	wg.Wait()
	return out
}

// raceAnswers says what is wrong with the answers to one raced key: each
// must be the same 2xx, or a 409 with Retry-After telling the client that
// the first is still running.
func raceAnswers(as []attempt) (statuses []int, bad string) {
	var body []byte
	for _, a := range as {
		statuses = append(statuses, a.Status)
		switch {
		case a.ok() && body == nil:
			body = a.Body
		case a.ok() && string(a.Body) != string(body):
			bad = "2xx answers differ"
		case a.ok():
		case a.Status == http.StatusConflict && a.RetryAfter != "":
		default:
			bad = "answer " + describe(a)
		}
	}
	slices.Sort(statuses)
	return statuses, bad
}

// probeDocuments: eight identical POST /v1/workers/{id}/documents with one
// Idempotency-Key create one document, trial after trial.
func probeDocuments(ctx context.Context, l *load, workerID string) check {
	var failures []string
	dupTrials := 0
	for k := range l.sz.Trials {
		number := fmt.Sprintf("CERT-RACE-%d", k)
		body := jsonBody(map[string]string{"type": "COMPETENCY_CERTIFICATE", "number": number, "file_ref": "scan/race/" + number})
		as := l.race(8, http.MethodPost, "/v1/workers/"+workerID+"/documents", "caseworker-3305", body, fmt.Sprintf("race-doc-%d", k))
		var rows int
		l.s.db.QueryRowContext(ctx, `SELECT count(*) FROM documents WHERE worker_id = $1 AND number = $2`, workerID, number).Scan(&rows)
		statuses, bad := raceAnswers(as)
		if rows != 1 {
			dupTrials++
		}
		if rows != 1 || bad != "" {
			failures = append(failures, fmt.Sprintf("trial %d: %d documents, answers %v %s", k+1, rows, statuses, bad))
		}
	}
	return verdict("8 concurrent POST /v1/workers/{id}/documents with one key create one document",
		fmt.Sprintf("%d of %d trials created more than one document", dupTrials, l.sz.Trials), failures)
}

// probeDelegations: concurrent POST /v1/delegations with one key create
// one delegation.
func probeDelegations(ctx context.Context, l *load, workerID string) check {
	var failures []string
	dupTrials, extra := 0, 0
	for k := range l.sz.Trials {
		reason := fmt.Sprintf("Uji balapan delegasi %d", k)
		body := jsonBody(map[string]any{"kind": "record", "grantee_user": "caseworker-3301", "grantee_unit": "3301",
			"worker_id": workerID, "reason": reason, "expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
		as := l.race(8, http.MethodPost, "/v1/delegations", "supervisor-3305", body, fmt.Sprintf("race-del-%d", k))
		var rows int
		l.s.db.QueryRowContext(ctx, `SELECT count(*) FROM delegations WHERE worker_id = $1 AND reason = $2`, workerID, reason).Scan(&rows)
		statuses, bad := raceAnswers(as)
		if rows != 1 {
			dupTrials++
			extra += max(rows-1, 0)
		}
		if rows != 1 || bad != "" {
			failures = append(failures, fmt.Sprintf("trial %d: %d delegations, answers %v %s", k+1, rows, statuses, bad))
		}
	}
	return verdict("8 concurrent POST /v1/delegations with one key create one delegation",
		fmt.Sprintf("%d of %d trials created more than one (%d extra delegations)", dupTrials, l.sz.Trials, extra), failures)
}

// probeNUL: a text field with a NUL byte is refused with 4xx within 5 s
// and leaves the case workable. The escalate reason is the case;
// resolve's resolution and refer's to_agency are the same class.
func probeNUL(ctx context.Context, l *load) check {
	var failures []string
	var summary []string
	for i, p := range []struct{ action, body string }{
		{"escalate", `{"reason":"a\u0000b"}`},
		{"resolve", `{"resolution":"a\u0000b","money_recovered_idr":1}`},
		{"refer", `{"to_agency":"Polda\u0000Jateng","consent":true}`},
	} {
		c := &caseFlow{I: 9900 + i}
		l.runCase(c)
		if c.CaseID == "" || c.Stopped != "" && c.Stopped != "verify" {
			failures = append(failures, fmt.Sprintf("%s: no case to probe (%s)", p.action, c.Stopped))
			continue
		}
		as := "supervisor-3329"
		a := l.sendWithin(15*time.Second, http.MethodPost, "/v1/cases/"+c.CaseID+"/"+p.action, as, []byte(p.body))
		got := fmt.Sprintf("%s with NUL: %s after %.1fs", p.action, describe(a), a.Latency.Seconds())
		if a.Status < 400 || a.Status >= 500 || a.Latency > 5*time.Second {
			failures = append(failures, got+"; want 4xx within 5 s")
		}
		// The next valid action, by someone who may act wherever the case
		// went.
		next := l.sendWithin(30*time.Second, http.MethodPost, "/v1/cases/"+c.CaseID+"/contact", "province-supervisor-33", nil)
		got += fmt.Sprintf("; next action: %s after %.1fs", describe(next), next.Latency.Seconds())
		if next.Status != http.StatusOK {
			failures = append(failures, fmt.Sprintf("%s: the next valid action on the case: %s after %.1fs, want 200",
				p.action, describe(next), next.Latency.Seconds()))
		}
		time.Sleep(3 * time.Second)
		var wf string
		l.s.db.QueryRowContext(ctx, `SELECT workflow_id FROM cases WHERE id = $1`, c.CaseID).Scan(&wf)
		if v := l.s.describe(ctx, wf); len(v.Stuck) > 0 {
			failures = append(failures, fmt.Sprintf("%s: case workflow %s wedged: %s", p.action, wf, strings.Join(v.Stuck, "; ")))
		}
		summary = append(summary, got)
	}
	return verdict("a NUL in a case action's text answers 4xx within 5 s and does not wedge the case", strings.Join(summary, " | "), failures)
}

// probeQueryNUL: a NUL in a query parameter answers 4xx, not 500.
func probeQueryNUL(l *load, workerID string) check {
	var failures, got []string
	for _, q := range []struct{ user, path string }{
		{"caseworker-3305", "/v1/tasks?assignee=%00"},
		{"caseworker-3329", "/v1/cases?unit=%00"},
		{"auditor-ID", "/v1/workers/" + url.PathEscape(workerID) + "/trace?purpose=uji+ketahanan&action=%00"},
	} {
		a := l.send(http.MethodGet, q.path, q.user, nil)
		got = append(got, fmt.Sprintf("%s %d", q.path, a.Status))
		if a.Status < 400 || a.Status >= 500 {
			failures = append(failures, fmt.Sprintf("GET %s: %s, want 4xx", q.path, describe(a)))
		}
	}
	return verdict("a NUL in a query parameter answers 4xx", strings.Join(got, ", "), failures)
}

// probeWorker registers the worker the race probes work on.
func probeWorker(l *load) (string, error) {
	f := l.newFlow(8000, 8000, "probe-worker")
	f.Canary, f.LeaveOpen = true, true
	l.runFlow(f)
	if f.WorkerID == "" {
		a := f.Reg.last()
		return "", fmt.Errorf("probe worker not registered: %s", describe(a))
	}
	var w struct {
		ID string `json:"id"`
	}
	a, _ := f.Reg.first()
	json.Unmarshal(a.Body, &w)
	return w.ID, nil
}

// probeRefusals: a hand escalation without a reason answers 422 and moves
// nothing, and a token for a unit that does not exist answers 401 (issue
// 10, items 3 and 5).
func probeRefusals(ctx context.Context, l *load) check {
	var failures, got []string
	c := &caseFlow{I: 9950}
	l.runCase(c)
	if c.CaseID == "" || c.Stopped != "" && c.Stopped != "verify" {
		failures = append(failures, fmt.Sprintf("no case to probe (%s)", c.Stopped))
	} else {
		var before string
		l.s.db.QueryRowContext(ctx, `SELECT owner_unit FROM cases WHERE id = $1`, c.CaseID).Scan(&before)
		for _, body := range [][]byte{nil, []byte(`{}`), []byte(`{"reason":"  "}`)} {
			a := l.send(http.MethodPost, "/v1/cases/"+c.CaseID+"/escalate", "supervisor-3329", body)
			got = append(got, fmt.Sprintf("escalate %q %d", body, a.Status))
			if a.Status != http.StatusUnprocessableEntity {
				failures = append(failures, fmt.Sprintf("escalate with body %q: %s, want 422", body, describe(a)))
			}
		}
		var after string
		l.s.db.QueryRowContext(ctx, `SELECT owner_unit FROM cases WHERE id = $1`, c.CaseID).Scan(&after)
		if after != before {
			failures = append(failures, fmt.Sprintf("the case moved from %s to %s without a reason", before, after))
		}
	}
	a := l.send(http.MethodGet, "/v1/tasks", "caseworker-9999", nil)
	got = append(got, fmt.Sprintf("unit 9999 token %d", a.Status))
	if a.Status != http.StatusUnauthorized {
		failures = append(failures, "GET /v1/tasks with a token for unit 9999: "+describe(a)+", want 401")
	}
	return verdict("a hand escalation needs a reason; a token for an unknown unit is refused", strings.Join(got, ", "), failures)
}
