package workflowclient

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi/devenv/devtest"
	"github.com/lindungi/lindungi/workflows"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// A namespace that does not exist is registered with the retention, and
// gets every search attribute the workflows upsert with its type; doing it
// again changes nothing; a changed retention is applied.
func TestPrepareNamespace(t *testing.T) {
	ctx := context.Background()
	tc, err := client.Dial(client.Options{HostPort: devtest.Temporal(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	ns := Namespace{Name: "prepare-" + uuid.NewString()[:8], SearchAttributes: workflows.SearchAttributes, Retention: 30 * 24 * time.Hour}

	if err := CheckNamespace(ctx, tc, Namespace{Name: "default", SearchAttributes: map[string]string{"LindungiNeverRegistered": "Keyword"}}); !errors.Is(err, ErrNamespaceNotReady) {
		t.Errorf("check of a namespace lacking an attribute: %v, want ErrNamespaceNotReady", err)
	}
	for range 2 {
		if err := PrepareNamespace(ctx, tc, ns); err != nil {
			t.Fatal(err)
		}
	}
	have, err := tc.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns.Name})
	if err != nil {
		t.Fatal(err)
	}
	for name, typ := range workflows.SearchAttributes {
		want, _ := enums.IndexedValueTypeFromString(typ)
		if got := have.GetCustomAttributes()[name]; got != want {
			t.Errorf("search attribute %s: %v, want %v", name, got, want)
		}
	}
	if err := CheckNamespace(ctx, tc, ns); err != nil {
		t.Errorf("check after prepare: %v", err)
	}
	if got := retention(t, tc, ns.Name); got != ns.Retention {
		t.Errorf("retention %v, want %v", got, ns.Retention)
	}
	ns.Retention = 90 * 24 * time.Hour
	if err := PrepareNamespace(ctx, tc, ns); err != nil {
		t.Fatal(err)
	}
	if got := retention(t, tc, ns.Name); got != ns.Retention {
		t.Errorf("retention after a change %v, want %v", got, ns.Retention)
	}
}

// A search attribute already registered with another type is refused with
// a message naming it, and the worker's check refuses the namespace.
func TestPrepareNamespaceRefusesAnotherType(t *testing.T) {
	ctx := context.Background()
	tc, err := client.Dial(client.Options{HostPort: devtest.Temporal(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	name := "conflict-" + uuid.NewString()[:8]
	if err := PrepareNamespace(ctx, tc, Namespace{Name: name, SearchAttributes: map[string]string{"LindungiStep": "Int"}}); err != nil {
		t.Fatal(err)
	}
	ns := Namespace{Name: name, SearchAttributes: workflows.SearchAttributes}
	err = PrepareNamespace(ctx, tc, ns)
	if err == nil || !strings.Contains(err.Error(), "LindungiStep") {
		t.Errorf("prepare over an Int LindungiStep: %v, want an error naming it", err)
	}
	if err := CheckNamespace(ctx, tc, ns); !errors.Is(err, ErrNamespaceNotReady) {
		t.Errorf("check: %v, want ErrNamespaceNotReady", err)
	}
}

func retention(t *testing.T, tc client.Client, name string) time.Duration {
	t.Helper()
	d, err := tc.WorkflowService().DescribeNamespace(context.Background(), &workflowservice.DescribeNamespaceRequest{Namespace: name})
	if err != nil {
		t.Fatal(err)
	}
	return d.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration()
}
