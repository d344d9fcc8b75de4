package workflowclient

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/devenv/devtest"
	"github.com/lindungi/lindungi/workflows"
	"go.temporal.io/sdk/client"
)

func TestMain(m *testing.M) { devtest.Main(m) }

// doesNotHang bounds calls that must give up on their own: far above the
// deadlines the tests set, far below forever.
const doesNotHang = 15 * time.Second

// An update to a workflow that does not answer (no worker runs it) ends
// with ETIMEOUT once UpdateTimeout passes, though the caller set no
// deadline: the API answers 504 instead of hanging.
func TestUpdateHasADeadline(t *testing.T) {
	tc, err := client.Dial(client.Options{HostPort: devtest.Temporal(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	c := &Client{Temporal: tc, TaskQueue: "nobody-polls-" + uuid.NewString(), UpdateTimeout: 500 * time.Millisecond}
	worker := uuid.New()
	if err := c.StartJourney(context.Background(), workflows.JourneyInput{WorkerID: worker, DomicileUnit: "3305"}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var result any
	err = c.JourneyAction(context.Background(), worker, workflows.UpdateCloseJourney, workflows.JourneyRequest{Reason: "test"}, "", &result)
	if code := lindungi.ErrorCode(err); code != lindungi.ETIMEOUT {
		t.Errorf("update: %v (code %s), want %s", err, code, lindungi.ETIMEOUT)
	}
	if d := time.Since(start); d > doesNotHang {
		t.Errorf("update took %v", d)
	}
}

// A start against a Temporal that cannot be reached gives up after
// StartTimeout, so that a registration falls back to the reconciler at
// once; the error says the service is unavailable or slow.
func TestStartHasADeadline(t *testing.T) {
	tc, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	c := &Client{Temporal: tc, TaskQueue: "lindungi", StartTimeout: 300 * time.Millisecond}
	start := time.Now()
	err = c.StartJourney(context.Background(), workflows.JourneyInput{WorkerID: uuid.New(), DomicileUnit: "3305"})
	if code := lindungi.ErrorCode(err); code != lindungi.EUNAVAILABLE && code != lindungi.ETIMEOUT {
		t.Errorf("start: %v (code %s), want %s or %s", err, code, lindungi.EUNAVAILABLE, lindungi.ETIMEOUT)
	}
	if d := time.Since(start); d > doesNotHang {
		t.Errorf("start took %v", d)
	}
}
