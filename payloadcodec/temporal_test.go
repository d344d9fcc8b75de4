package payloadcodec_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/lindungi/lindungi/payloadcodec"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

func echoActivity(_ context.Context, s string) (string, error) { return s, nil }

// echoWorkflow passes s through an activity and into its memo, and returns
// the memo field as Temporal holds it.
func echoWorkflow(ctx workflow.Context, s string) (echoResult, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
	var echoed string
	if err := workflow.ExecuteActivity(ctx, echoActivity, s).Get(ctx, &echoed); err != nil {
		return echoResult{}, err
	}
	if err := workflow.UpsertMemo(ctx, map[string]any{"note": echoed}); err != nil {
		return echoResult{}, err
	}
	return echoResult{Echoed: echoed, StoredMemo: workflow.GetInfo(ctx).Memo.GetFields()["note"]}, nil
}

type echoResult struct {
	Echoed     string
	StoredMemo *commonpb.Payload
}

func TestInsideTemporalSDK(t *testing.T) {
	codec := newCodec(t, keyA)
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	env := suite.NewTestWorkflowEnvironment()
	env.SetDataConverter(payloadcodec.DataConverter(codec))
	env.RegisterWorkflow(echoWorkflow)
	env.RegisterActivity(echoActivity)

	env.ExecuteWorkflow(echoWorkflow, note)

	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	var res echoResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatalf("workflow result: %v", err)
	}
	if res.Echoed != note {
		t.Errorf("workflow and activity passed %q through as %q", note, res.Echoed)
	}

	// The memo as the SDK serialized it for the server: sealed by our codec.
	m := res.StoredMemo
	if m == nil {
		t.Fatal("workflow did not see its memo")
	}
	if got := string(m.Metadata[converter.MetadataEncoding]); got != payloadcodec.EncodingEncrypted {
		t.Errorf("memo stored with encoding %q, want %q", got, payloadcodec.EncodingEncrypted)
	}
	if bytes.Contains(m.Data, []byte("Siti")) {
		t.Error("memo stored the note in clear")
	}
	var memo string
	if err := payloadcodec.DataConverter(codec).FromPayload(m, &memo); err != nil || memo != note {
		t.Errorf("stored memo decodes to %q, %v; want %q", memo, err, note)
	}
}
