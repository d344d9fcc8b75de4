package workflows_test

import (
	"path/filepath"
	"testing"

	"github.com/lindungi/lindungi/payloadcodec"
	"github.com/lindungi/lindungi/workflows"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// TestReplayRecordedHistories replays journey histories recorded from real
// runs (testdata/histories, written by the e2e tests with
// LINDUNGI_RECORD_HISTORIES=1) against today's workflow code. A change to
// the workflow that is not guarded by workflow.GetVersion fails here:
// running journeys would not survive the deployment.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob("testdata/histories/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no recorded histories in testdata/histories")
	}
	key, err := payloadcodec.LoadOrCreateKey("testdata/payload.key", false)
	if err != nil {
		t.Fatal(err)
	}
	codec, err := payloadcodec.New(key)
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			r, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{
				DataConverter:    payloadcodec.DataConverter(codec),
				FailureConverter: payloadcodec.FailureConverter(codec),
			})
			if err != nil {
				t.Fatal(err)
			}
			r.RegisterWorkflowWithOptions(workflows.WorkerJourney, workflow.RegisterOptions{Name: workflows.JourneyWorkflowName})
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, file); err != nil {
				t.Errorf("replay %s: %v", file, err)
			}
		})
	}
}
