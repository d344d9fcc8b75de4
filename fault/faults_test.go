package fault_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"
)

// faultResult is what one fault did and how the system came back.
type faultResult struct {
	Name      string        `json:"name"`
	Down      time.Duration `json:"down_ns"` // how long the component was dead or frozen
	Injected  time.Time     `json:"injected"`
	Restored  time.Time     `json:"restored"` // restarted or thawed
	Recovered time.Time     `json:"recovered"`
	// ReadyAfter is from Restored to /readyz answering 200.
	ReadyAfter time.Duration `json:"ready_after_ns"`
	// CanaryAfter is from Restored to a registration made after it having
	// its verification task open: API, database, Temporal and worker all
	// working again.
	CanaryAfter time.Duration `json:"canary_after_ns"`
	// Readyz probes from Injected to Recovered, one every 500 ms, each
	// given 2 s; slow means no answer within 1 s.
	ReadyzProbes int    `json:"readyz_probes"`
	ReadyzSlow   int    `json:"readyz_slow"`
	ReadyzMaxMS  int64  `json:"readyz_max_ms"`
	Err          string `json:"error,omitempty"`

	// The load's requests that started from Injected to Recovered.
	Requests     int            `json:"requests"`
	Answers      map[string]int `json:"answers"`
	MaxLatencyMS int64          `json:"max_latency_ms"`
}

// fault is one thing that goes wrong: inject it, wait down, undo it.
type fault struct {
	name    string
	down    time.Duration
	inject  func() error
	restore func(ctx context.Context) error
}

// faults lists the faults of one round, in order.
func (s *system) faults(sz size) []fault {
	return []fault{
		{name: "kill -9 worker", down: sz.KillDown,
			inject: func() error { s.kill9("worker"); return nil }, restore: func(context.Context) error { s.restart("worker"); return nil }},
		{name: "kill -9 API", down: sz.KillDown,
			inject: func() error { s.kill9("serve"); return nil }, restore: func(context.Context) error { s.restart("serve"); return nil }},
		{name: "kill -9 Temporal", down: sz.TemporalDown,
			inject: func() error { s.killTemporal(); return nil }, restore: s.startTemporal},
		{name: "kill -9 PostgreSQL", down: sz.KillDown,
			inject: s.killPostgres, restore: s.startPostgres},
		{name: "SIGSTOP PostgreSQL", down: sz.PostgresFreeze,
			inject:  func() error { return s.signalPostgres(syscall.SIGSTOP) },
			restore: func(context.Context) error { return s.signalPostgres(syscall.SIGCONT) }},
		{name: "SIGSTOP Temporal", down: sz.TemporalFreeze,
			inject:  func() error { return s.signalTemporal(syscall.SIGSTOP) },
			restore: func(context.Context) error { return s.signalTemporal(syscall.SIGCONT) }},
	}
}

// inject runs every fault of every round in turn, with sz.Gap of normal
// work between them, and measures each recovery with a canary flow.
func (l *load) inject(ctx context.Context, canaries *[]*flow, mu *sync.Mutex) []faultResult {
	var results []faultResult
	n := 0
	for round := range l.sz.Rounds {
		for _, f := range l.s.faults(l.sz) {
			select {
			case <-ctx.Done():
				return results
			case <-time.After(l.sz.Gap):
			}
			n++
			r := faultResult{Name: f.name, Down: f.down}
			if l.sz.Rounds > 1 {
				r.Name = fmt.Sprintf("%s (round %d)", f.name, round+1)
			}
			stopProbe := l.probeReadyz(&r)
			r.Injected = time.Now()
			if err := f.inject(); err != nil {
				r.Err = "inject: " + err.Error()
			}
			time.Sleep(f.down)
			rctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
			if err := f.restore(rctx); err != nil {
				r.Err += " restore: " + err.Error()
			}
			cancel()
			r.Restored = time.Now()
			if d, err := l.s.waitReady(ctx, l.sz.OpBudget); err != nil {
				r.Err += " " + err.Error()
			} else {
				r.ReadyAfter = d
			}
			c := l.newFlow(-n, 9000+n, fmt.Sprintf("canary-%d", n))
			c.Canary, c.LeaveOpen = true, true
			c.Reg.Kind = "canary"
			mu.Lock()
			*canaries = append(*canaries, c)
			mu.Unlock()
			l.runFlow(c)
			q := "/v1/tasks?status=open&kind=VERIFY_REGISTRATION&worker=" + url.QueryEscape(c.WorkerID)
			if c.WorkerID != "" && l.get(q, "caseworker-3305", l.sz.TaskWait, func(b []byte) bool {
				var list struct {
					Items []json.RawMessage `json:"items"`
				}
				json.Unmarshal(b, &list)
				return len(list.Items) == 1
			}) {
				r.CanaryAfter = time.Since(r.Restored)
			} else {
				r.Err += " canary registration did not get its task"
			}
			r.Recovered = time.Now()
			stopProbe()
			r.Err = strings.TrimSpace(r.Err)
			l.s.t.Logf("fault %-28s down %5.1fs  ready after %5.2fs  canary task after %6.2fs  readyz slow %d/%d %s",
				r.Name, r.Down.Seconds(), r.ReadyAfter.Seconds(), r.CanaryAfter.Seconds(), r.ReadyzSlow, r.ReadyzProbes, r.Err)
			results = append(results, r)
		}
	}
	return results
}

// probeReadyz asks /readyz every 500 ms until stopped, counting answers
// slower than a second (or none: the API itself may be the one down).
func (l *load) probeReadyz(r *faultResult) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	apiKilled := strings.Contains(r.Name, "API")
	go func() {
		defer wg.Done()
		hc := &http.Client{Timeout: 2 * time.Second}
		for {
			start := time.Now()
			resp, err := hc.Get(l.s.baseURL + "/readyz")
			d := time.Since(start)
			if err == nil {
				resp.Body.Close()
			}
			// While the API is dead, a probe is refused or cut off: that
			// is the fault itself, not a slow answer.
			down := err != nil && !errors.Is(err, context.DeadlineExceeded) && !os.IsTimeout(err)
			if !(apiKilled && down) {
				r.ReadyzProbes++
				if err != nil || d > time.Second {
					r.ReadyzSlow++
				}
				r.ReadyzMaxMS = max(r.ReadyzMaxMS, d.Milliseconds())
			}
			select {
			case <-done:
				return
			case <-time.After(500 * time.Millisecond):
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
