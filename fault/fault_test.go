package fault_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// size is how hard one run pushes.
type size struct {
	Name          string
	Registrations int
	Cases         int
	Clients       int           // concurrent clients
	Pace          time.Duration // between the starts of two flows
	ImpatientEach int           // every n-th operation's first attempt is given up after 50 to 500 ms
	LeaveOpenEach int           // every n-th worker's verification task is left open
	Rounds        int           // rounds of every fault

	Gap            time.Duration // normal work between faults
	KillDown       time.Duration // a killed worker, API or PostgreSQL stays dead this long
	TemporalDown   time.Duration
	PostgresFreeze time.Duration
	TemporalFreeze time.Duration

	RequestTimeout time.Duration // a client gives up on one answer
	OpBudget       time.Duration // a client gives up on an operation
	TaskWait       time.Duration // a client waits this long for a task to appear
	Settle         time.Duration // the suite waits this long for the system to settle
	Reconcile      time.Duration // LINDUNGI_RECONCILE_INTERVAL
	Trials         int           // race probe trials
}

var (
	// bounded fits `make test`: a few minutes on 2 cores.
	bounded = size{Name: "bounded", Registrations: 40, Cases: 6, Clients: 4, Pace: 1500 * time.Millisecond, ImpatientEach: 4, LeaveOpenEach: 5, Rounds: 1,
		Gap: 3 * time.Second, KillDown: 2 * time.Second, TemporalDown: 3 * time.Second, PostgresFreeze: 6 * time.Second, TemporalFreeze: 6 * time.Second,
		RequestTimeout: 15 * time.Second, OpBudget: 90 * time.Second, TaskWait: 90 * time.Second, Settle: 60 * time.Second,
		Reconcile: 2 * time.Second, Trials: 5}
	// chaos is the run: PostgreSQL frozen 40 s, Temporal down 45 s.
	chaos = size{Name: "chaos", Registrations: 300, Cases: 40, Clients: 8, Pace: 1700 * time.Millisecond, ImpatientEach: 4, LeaveOpenEach: 5, Rounds: 2,
		Gap: 10 * time.Second, KillDown: 10 * time.Second, TemporalDown: 45 * time.Second, PostgresFreeze: 40 * time.Second, TemporalFreeze: 45 * time.Second,
		RequestTimeout: 20 * time.Second, OpBudget: 4 * time.Minute, TaskWait: 4 * time.Minute, Settle: 4 * time.Minute,
		Reconcile: 30 * time.Second, Trials: 20}
)

// report is what a run writes to its results file.
type report struct {
	Size    string        `json:"size"`
	Started time.Time     `json:"started"`
	Seconds float64       `json:"seconds"`
	Commit  string        `json:"commit,omitempty"`
	Figures figures       `json:"figures"`
	Faults  []faultResult `json:"faults"`
	Checks  []check       `json:"checks"`
}

// faultSize reads LINDUNGI_FAULT: unset (or 1) is the bounded run, part
// of every `go test ./...`; "chaos" the long one; "off" (or 0) skips the
// suite.
func faultSize() (size, bool) {
	switch os.Getenv("LINDUNGI_FAULT") {
	case "off", "0", "false":
		return size{}, false
	case "chaos":
		return chaos, true
	}
	return bounded, true
}

// TestFault runs the production shape under load and faults, then checks
// that nothing was lost, doubled, wedged or answered differently.
func TestFault(t *testing.T) {
	sz, run := faultSize()
	switch {
	case !run:
		t.Skip("LINDUNGI_FAULT=off: the fault suite is skipped")
	case testing.Short():
		t.Skip("-short: the fault suite is skipped")
	}
	started := time.Now()
	s := startSystem(t, sz)
	l := newLoad(s, sz)
	ctx := context.Background()

	// The load: flows paced over the fault schedule, run by sz.Clients
	// clients; the faults in turn, alongside.
	var flows []*flow
	var cases []*caseFlow
	var canaries []*flow
	var canaryMu sync.Mutex
	work := make(chan func())
	var clients sync.WaitGroup
	for range sz.Clients {
		clients.Add(1)
		go func() {
			defer clients.Done()
			for w := range work {
				w()
			}
		}()
	}
	injected := make(chan []faultResult, 1)
	go func() { injected <- l.inject(ctx, &canaries, &canaryMu) }()
	caseEvery := max(sz.Registrations/max(sz.Cases, 1), 1)
	for i := range sz.Registrations {
		f := l.newFlow(i, i+1, fmt.Sprintf("reg-%d", i))
		f.LeaveOpen = sz.LeaveOpenEach > 0 && i%sz.LeaveOpenEach == sz.LeaveOpenEach-1
		flows = append(flows, f)
		work <- func() { l.runFlow(f) }
		if i%caseEvery == caseEvery-1 && len(cases) < sz.Cases {
			c := &caseFlow{I: len(cases)}
			cases = append(cases, c)
			work <- func() { l.runCase(c) }
		}
		time.Sleep(sz.Pace)
	}
	close(work)
	clients.Wait()
	faults := <-injected
	loadDone := time.Now()
	flows = append(flows, canaries...)
	t.Logf("load done after %.0fs: %d requests", loadDone.Sub(started).Seconds(), l.requests.Load())

	// Let the system settle before judging it.
	var pending int
	for deadline := time.Now().Add(sz.Settle); ; {
		if pending = settled(ctx, s.db, flows, cases); pending == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Second)
	}
	settleTime := time.Since(loadDone)
	t.Logf("settled in %.1fs (%d flows not where they should be)", settleTime.Seconds(), pending)

	ops := l.allOps()
	l.replay(ops)
	fig := figures{LoadSeconds: loadDone.Sub(started).Seconds(), SettleSeconds: settleTime.Seconds(), Latency: latency(ops)}
	l.mu.Lock()
	reads := append([]attempt(nil), l.reads...)
	l.mu.Unlock()
	checks := []check{
		checkOpsSucceeded(ops, faults, &fig),
		checkExactlyOnce(ctx, s.db, flows, cases, faults, &fig),
		checkJourneys(ctx, s, flows),
		checkTasks(ctx, s, flows, cases),
		checkReplays(ops, faults, &fig),
		checkOutageAnswers(ops, reads, faults),
		checkReadyz(faults),
	}

	// The race probes of the issue, on a healthy system.
	if w, err := probeWorker(l); err != nil {
		checks = append(checks, check{Name: "race probes", Summary: err.Error()})
	} else {
		checks = append(checks, probeDocuments(ctx, l, w), probeDelegations(ctx, l, w), probeQueryNUL(l, w))
	}
	checks = append(checks, probeNUL(ctx, l), probeRefusals(ctx, l))
	checks = append(checks, checkAudit(s, l))

	s.mu.Lock()
	fig.UnexpectedExits = append([]string(nil), s.exits...)
	s.mu.Unlock()
	fig.Requests = l.requests.Load()
	rep := report{Size: sz.Name, Started: started, Seconds: time.Since(started).Seconds(), Commit: commit(), Figures: fig, Faults: faults, Checks: checks}
	t.Log("\n" + rep.text())
	writeReport(t, rep)
	for _, c := range checks {
		if !c.Pass {
			t.Errorf("FAIL %s: %s", c.Name, c.Summary)
		}
	}
}

// text renders the report for the test log.
func (r report) text() string {
	var b strings.Builder
	f := r.Figures
	fmt.Fprintf(&b, "fault suite (%s), %.0f s\n", r.Size, r.Seconds)
	fmt.Fprintf(&b, "requests %d; operations %d %v; retried %d (%d retries, %d first attempts abandoned on purpose); failed %d; lost %d; duplicated %d; effect without a 2xx %d; replays answered differently %d\n",
		f.Requests, f.Ops, f.OpsByKind, f.RetriedOps, f.Retries, f.Abandoned, f.FailedOps, f.Lost, f.Duplicated, f.EffectNoAnswer, f.ReplayMismatch)
	fmt.Fprintf(&b, "workers %d, complaints %d; load %.0f s, settle %.1f s; latency %v\n", f.Workers, f.Cases, f.LoadSeconds, f.SettleSeconds, f.Latency)
	for _, e := range f.UnexpectedExits {
		fmt.Fprintf(&b, "unexpected exit: %s\n", e)
	}
	fmt.Fprintf(&b, "%-30s %7s %8s %9s %12s %9s %10s  %s\n", "fault", "down s", "ready s", "canary s", "readyz slow", "requests", "max ms", "answers")
	for _, x := range r.Faults {
		fmt.Fprintf(&b, "%-30s %7.1f %8.2f %9.2f %8d/%-3d %9d %10d  %v %s\n", x.Name, x.Down.Seconds(), x.ReadyAfter.Seconds(),
			x.CanaryAfter.Seconds(), x.ReadyzSlow, x.ReadyzProbes, x.Requests, x.MaxLatencyMS, x.Answers, x.Err)
	}
	for _, c := range r.Checks {
		verdict := "PASS"
		if !c.Pass {
			verdict = "FAIL"
		}
		fmt.Fprintf(&b, "%s %s: %s\n", verdict, c.Name, c.Summary)
		for _, e := range c.Evidence {
			fmt.Fprintf(&b, "     %s\n", e)
		}
	}
	return b.String()
}

// writeReport writes the report as JSON and text under fault/results (or
// LINDUNGI_FAULT_OUT), which git ignores.
func writeReport(t *testing.T, r report) {
	dir := os.Getenv("LINDUNGI_FAULT_OUT")
	if dir == "" {
		dir = "results"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Errorf("results: %v", err)
		return
	}
	name := filepath.Join(dir, fmt.Sprintf("%s-%s", r.Size, r.Started.UTC().Format("20060102T150405Z")))
	b, _ := json.MarshalIndent(r, "", "  ")
	if err := os.WriteFile(name+".json", b, 0o644); err != nil {
		t.Errorf("results: %v", err)
	}
	if err := os.WriteFile(name+".txt", []byte(r.text()), 0o644); err != nil {
		t.Errorf("results: %v", err)
	}
	t.Logf("figures written to %s.json and .txt", name)
}

// commit names the code under test, when git can say.
func commit() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
