package fault_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// attempt is one HTTP exchange of an operation.
type attempt struct {
	Start      time.Time
	Latency    time.Duration
	Status     int    // 0 when no answer came
	Err        string // transport error or timeout
	Body       []byte
	RetryAfter string
	Replayed   bool // Idempotent-Replayed: true
	Abandoned  bool // the client gave up early on purpose, as on a flaky network
}

func (a attempt) ok() bool { return a.Status >= 200 && a.Status < 300 }

// retryable reports whether a client that keeps its Idempotency-Key should
// send again: no answer, a server error, or a "busy, come back" answer.
func (a attempt) retryable() bool {
	return a.Status == 0 || a.Status >= 500 || a.Status == http.StatusTooManyRequests ||
		a.Status == http.StatusRequestTimeout || (a.Status == http.StatusConflict && a.RetryAfter != "")
}

// op is one idempotent request a client wants done: sent until it gets a
// 2xx answer, always with the same key and body, within a time budget.
type op struct {
	Kind   string // register, canary, doc.add, doc.verify, complete, case.intake, case.verify
	Method string
	Path   string
	Key    string
	As     string // user name in users
	Body   []byte

	mu       sync.Mutex
	Attempts []attempt
	First    int      // index of the first 2xx attempt, -1 if none
	Replay   *attempt // the check's resend after everything settled
}

func (o *op) first() (attempt, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.First < 0 {
		return attempt{}, false
	}
	return o.Attempts[o.First], true
}

func (o *op) last() attempt {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.Attempts) == 0 {
		return attempt{}
	}
	return o.Attempts[len(o.Attempts)-1]
}

// load sends the operations of many clients and keeps every exchange.
type load struct {
	s  *system
	sz size
	hc *http.Client

	mu    sync.Mutex
	ops   []*op
	reads []attempt // GETs the clients poll with

	requests atomic.Int64
	opSeq    atomic.Int64
}

func newLoad(s *system, sz size) *load {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 32
	return &load{s: s, sz: sz, hc: &http.Client{Transport: tr}}
}

// send makes one exchange as user with the size's deadline.
func (l *load) send(method, path, user string, body []byte, header ...string) attempt {
	return l.sendWithin(l.sz.RequestTimeout, method, path, user, body, header...)
}

// sendWithin makes one exchange as user, giving up after timeout.
func (l *load) sendWithin(timeout time.Duration, method, path, user string, body []byte, header ...string) attempt {
	l.requests.Add(1)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, l.s.baseURL+path, rd)
	if err != nil {
		panic(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+l.s.ts[user])
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	a := attempt{Start: time.Now()}
	resp, err := l.hc.Do(req)
	if err == nil {
		a.Body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		a.Status = resp.StatusCode
		a.RetryAfter = resp.Header.Get("Retry-After")
		a.Replayed = resp.Header.Get("Idempotent-Replayed") == "true"
	}
	a.Latency = time.Since(a.Start)
	if err != nil {
		a.Status, a.Err = 0, err.Error()
	}
	return a
}

// run sends o until it gets a 2xx, a final refusal, or runs out of budget.
func (l *load) run(o *op) bool {
	o.First = -1
	l.mu.Lock()
	l.ops = append(l.ops, o)
	l.mu.Unlock()
	deadline := time.Now().Add(l.sz.OpBudget)
	backoff := 200 * time.Millisecond
	// Some clients give up on their first answer early, as a phone on a
	// bad network does: the server may finish the work all the same, and
	// the retry must then get its answer, not a refusal.
	impatient := o.Kind != "canary" && l.sz.ImpatientEach > 0 && l.opSeq.Add(1)%int64(l.sz.ImpatientEach) == 0
	for {
		timeout := l.sz.RequestTimeout
		if impatient && len(o.Attempts) == 0 {
			timeout = 50*time.Millisecond + rand.N(450*time.Millisecond)
		}
		a := l.sendWithin(timeout, o.Method, o.Path, o.As, o.Body, "Idempotency-Key", o.Key)
		a.Abandoned = impatient && len(o.Attempts) == 0 && a.Status == 0
		o.mu.Lock()
		o.Attempts = append(o.Attempts, a)
		if a.ok() {
			o.First = len(o.Attempts) - 1
		}
		o.mu.Unlock()
		if a.ok() {
			return true
		}
		if !a.retryable() || time.Now().After(deadline) {
			return false
		}
		time.Sleep(backoff + rand.N(backoff/2))
		backoff = min(2*backoff, 2*time.Second)
	}
}

// get polls a read until cond holds on its 200 answer, within the budget.
func (l *load) get(path, user string, within time.Duration, cond func(body []byte) bool) bool {
	deadline := time.Now().Add(within)
	for {
		a := l.send(http.MethodGet, path, user, nil)
		l.mu.Lock()
		l.reads = append(l.reads, a)
		l.mu.Unlock()
		if a.Status == http.StatusOK && cond(a.Body) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// flow is one worker's part of the load: registration, four documents
// added and verified by two people, then (unless LeaveOpen) completion of
// the verification task.
type flow struct {
	I         int
	NIK       string
	LeaveOpen bool
	Canary    bool

	Reg      *op
	Docs     []*op
	Verifies []*op
	Complete *op

	WorkerID string
	TaskID   string
	Stopped  string // why the flow did not reach its end
}

// caseFlow is one complaint: intake at Brebes, then verification.
type caseFlow struct {
	I      int
	Intake *op
	Verify *op

	CaseID   string
	WorkerID string
	Stopped  string
}

const birthDate = "1995-08-15" // NIK digits 7 to 12: 150895

// nik returns a well-formed Kebumen NIK for birthDate with serial n.
func nik(n int) string { return fmt.Sprintf("330501150895%04d", n) }

func jsonBody(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func (l *load) newFlow(i, serial int, key string) *flow {
	f := &flow{I: i, NIK: nik(serial)}
	f.Reg = &op{Kind: "register", Method: http.MethodPost, Path: "/v1/workers", Key: key, As: "caseworker-3305",
		Body: jsonBody(map[string]string{"nik": f.NIK, "name": fmt.Sprintf("Pekerja Uji %d", serial), "birth_date": birthDate,
			"domicile_unit": "3305", "phone": fmt.Sprintf("0812%08d", serial), "scheme": "P2P",
			"placement_company": "PT Sinar Jaya Abadi", "job_order_ref": "JO-TW-2026-0142"})}
	return f
}

// idOf reads "id" from a JSON answer.
func idOf(body []byte) string {
	var v struct {
		ID string `json:"id"`
	}
	json.Unmarshal(body, &v)
	return v.ID
}

// verificationDocuments are the documents district verification needs.
var verificationDocuments = []string{"KTP", "KK", "FAMILY_PERMISSION", "MARITAL_STATUS"}

// runFlow drives one worker through its part of the load.
func (l *load) runFlow(f *flow) {
	if !l.run(f.Reg) {
		f.Stopped = "registration"
		return
	}
	a, _ := f.Reg.first()
	f.WorkerID = idOf(a.Body)
	if f.Canary {
		return
	}
	for _, typ := range verificationDocuments {
		number := "DOC-" + typ + "-" + f.NIK
		switch typ {
		case "KTP":
			number = f.NIK
		case "KK":
			number = "3305010101010001"
		}
		add := &op{Kind: "doc.add", Method: http.MethodPost, Path: "/v1/workers/" + f.WorkerID + "/documents",
			Key: fmt.Sprintf("doc-%d-%s", f.I, typ), As: "caseworker-3305",
			Body: jsonBody(map[string]string{"type": typ, "number": number, "file_ref": "scan/" + f.WorkerID + "/" + typ})}
		f.Docs = append(f.Docs, add)
		if !l.run(add) {
			f.Stopped = "doc.add " + typ
			return
		}
		a, _ := add.first()
		ver := &op{Kind: "doc.verify", Method: http.MethodPost, Path: "/v1/documents/" + idOf(a.Body) + "/verify",
			Key: fmt.Sprintf("ver-%d-%s", f.I, typ), As: "verifier-3305"}
		f.Verifies = append(f.Verifies, ver)
		if !l.run(ver) {
			f.Stopped = "doc.verify " + typ
			return
		}
	}
	if f.LeaveOpen {
		return
	}
	q := "/v1/tasks?status=open&kind=VERIFY_REGISTRATION&worker=" + url.QueryEscape(f.WorkerID)
	if !l.get(q, "caseworker-3305", l.sz.TaskWait, func(b []byte) bool {
		var list struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		json.Unmarshal(b, &list)
		if len(list.Items) == 1 {
			f.TaskID = list.Items[0].ID
		}
		return f.TaskID != ""
	}) {
		f.Stopped = "waiting for the verification task"
		return
	}
	f.Complete = &op{Kind: "complete", Method: http.MethodPost, Path: "/v1/tasks/" + f.TaskID + "/complete",
		Key: fmt.Sprintf("done-%d", f.I), As: "caseworker-3305",
		Body: jsonBody(map[string]string{"outcome": "approved", "note": "Dokumen lengkap, wawancara tanpa indikasi TPPO."})}
	if !l.run(f.Complete) {
		f.Stopped = "complete"
	}
}

// caseDescription marks each complaint so the checks can count it.
func caseDescription(i int) string {
	return fmt.Sprintf("Gaji tidak dibayar selama delapan bulan di perkebunan sawit. [fault-case-%d]", i)
}

// runCase drives one complaint: intake, its handling task, verification.
func (l *load) runCase(c *caseFlow) {
	c.Intake = &op{Kind: "case.intake", Method: http.MethodPost, Path: "/v1/cases", Key: fmt.Sprintf("case-%d", c.I), As: "caseworker-3329",
		Body: jsonBody(map[string]any{"channel": "WALK_IN",
			"complainant": map[string]any{"name": "Tarsih", "relation": "FAMILY", "phone": "081322224444"},
			"subject":     map[string]any{"name": fmt.Sprintf("Subjek Uji %d", c.I), "domicile_unit": "3329"},
			"categories":  []string{"UNPAID_WAGES"}, "country": "MY", "description": caseDescription(c.I), "unit": "3329"})}
	if !l.run(c.Intake) {
		c.Stopped = "intake"
		return
	}
	a, _ := c.Intake.first()
	var pc struct {
		ID       string `json:"id"`
		WorkerID string `json:"worker_id"`
	}
	json.Unmarshal(a.Body, &pc)
	c.CaseID, c.WorkerID = pc.ID, pc.WorkerID
	// The case takes actions once its workflow runs, which its handling
	// task shows.
	q := "/v1/tasks?status=open&kind=CASE_HANDLING&worker=" + url.QueryEscape(c.WorkerID)
	if !l.get(q, "caseworker-3329", l.sz.TaskWait, func(b []byte) bool {
		var list struct {
			Items []json.RawMessage `json:"items"`
		}
		json.Unmarshal(b, &list)
		return len(list.Items) > 0
	}) {
		c.Stopped = "waiting for the handling task"
		return
	}
	c.Verify = &op{Kind: "case.verify", Method: http.MethodPost, Path: "/v1/cases/" + c.CaseID + "/verify",
		Key: fmt.Sprintf("case-verify-%d", c.I), As: "caseworker-3329"}
	if !l.run(c.Verify) {
		c.Stopped = "verify"
	}
}

// allOps returns a copy of the operations sent so far.
func (l *load) allOps() []*op {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*op(nil), l.ops...)
}
