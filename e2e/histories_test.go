package e2e_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/devenv/devtest"
	"github.com/lindungi/lindungi/payloadcodec"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"
)

// recordKey is the test-only payload key the recorded histories are
// encrypted with; workflows/replay_test.go decrypts them with it.
const recordKey = "../workflows/testdata/payload.key"

// recording reports whether this run records journey histories for the
// replay tests: LINDUNGI_RECORD_HISTORIES=1 go test ./e2e -run P2PJourney.
func recording() bool { return os.Getenv("LINDUNGI_RECORD_HISTORIES") == "1" }

// recordEnv makes the system encrypt payloads with the recording key.
func recordEnv() []string {
	if !recording() {
		return nil
	}
	abs, _ := filepath.Abs(recordKey)
	return []string{"LINDUNGI_PAYLOAD_KEY_FILE=" + abs}
}

// recordHistories writes every run of the worker's journey to
// workflows/testdata/histories as name-<n>.json.
func recordHistories(t *testing.T, s *system, w lindungi.Worker, name string) {
	t.Helper()
	if !recording() {
		return
	}
	key, err := payloadcodec.LoadOrCreateKey(recordKey, false)
	if err != nil {
		t.Fatal(err)
	}
	codec, err := payloadcodec.New(key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.Dial(client.Options{HostPort: devtest.Temporal(t), DataConverter: payloadcodec.DataConverter(codec)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var runs []string
	if err := s.db.SQL().Select(&runs, `SELECT run_id FROM audit_events WHERE worker_id = $1 AND run_id <> ''
		GROUP BY run_id ORDER BY min(seq)`, w.ID); err != nil {
		t.Fatal(err)
	}
	for i, run := range runs {
		it := c.GetWorkflowHistory(context.Background(), w.WorkflowID, run, false, 0)
		var h historypb.History
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				t.Fatal(err)
			}
			h.Events = append(h.Events, ev)
		}
		b, err := protojson.MarshalOptions{Indent: " "}.Marshal(&h)
		if err != nil {
			t.Fatal(err)
		}
		file := fmt.Sprintf("../workflows/testdata/histories/%s-%d.json", name, i+1)
		if err := os.WriteFile(file, b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("recorded %s (%d events)", file, len(h.Events))
	}
}
