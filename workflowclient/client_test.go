package workflowclient

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lindungi/lindungi"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// TestUpdateError maps what Temporal answers to the domain errors the API
// turns into HTTP statuses.
func TestUpdateError(t *testing.T) {
	fields := []lindungi.FieldError{{Field: "family_consent", Reason: "is needed"}}
	tests := []struct {
		name       string
		err        error
		wantCode   string
		wantFields []lindungi.FieldError
	}{
		{"a validator's refusal keeps its code", temporal.NewApplicationError("The task is completed, not open.", lindungi.ECONFLICT), lindungi.ECONFLICT, nil},
		{"and the fields it names", temporal.NewApplicationError("family_consent is needed", lindungi.EINVALID, fields), lindungi.EINVALID, fields},
		{"wrapped", fmt.Errorf("update: %w", temporal.NewApplicationError("no", lindungi.EFORBIDDEN)), lindungi.EFORBIDDEN, nil},
		{"a workflow that is gone", serviceerror.NewNotFound("workflow not found"), lindungi.ECONFLICT, nil},
		{"no answer in time", context.DeadlineExceeded, lindungi.ETIMEOUT, nil},
		{"an update that waited too long", client.NewWorkflowUpdateServiceTimeoutOrCanceledError(serviceerror.NewDeadlineExceeded("deadline")), lindungi.ETIMEOUT, nil},
		{"a Temporal that cannot be reached", client.NewWorkflowUpdateServiceTimeoutOrCanceledError(serviceerror.NewUnavailable("connection refused")), lindungi.EUNAVAILABLE, nil},
		{"an overloaded Temporal", serviceerror.NewResourceExhausted(0, "busy"), lindungi.EUNAVAILABLE, nil},
		{"an activity's outage", temporal.NewApplicationError("The database cannot be reached.", lindungi.EUNAVAILABLE), lindungi.EUNAVAILABLE, nil},
		{"anything else is internal", errors.New("boom"), lindungi.EINTERNAL, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := updateError(tt.err)
			if code := lindungi.ErrorCode(got); code != tt.wantCode {
				t.Errorf("code = %s, want %s (%v)", code, tt.wantCode, got)
			}
			var e *lindungi.Error
			if errors.As(got, &e) && !cmp.Equal(e.Fields, tt.wantFields) {
				t.Errorf("fields = %v, want %v", e.Fields, tt.wantFields)
			}
		})
	}
}
