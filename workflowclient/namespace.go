package workflowclient

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/namespace/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Namespace is what Lindungi's workflows need of their Temporal namespace.
type Namespace struct {
	Name string
	// SearchAttributes are the custom search attributes the workflows
	// upsert, name to type ("Keyword", "Bool", ...): workflows.SearchAttributes.
	SearchAttributes map[string]string
	// Retention is how long Temporal keeps the history of a closed
	// workflow; 0 leaves the namespace's retention as it is (a namespace
	// registered here gets DefaultRetention).
	Retention time.Duration
}

// DefaultRetention is the retention of a namespace registered without one.
const DefaultRetention = 30 * 24 * time.Hour

// PrepareNamespace makes the namespace ready for the workflows, idempotently:
// it adds the search attributes that are missing (a workflow upserting an
// unregistered one fails every workflow task, for ever) and sets the
// retention. A search attribute registered with another type, or a
// Temporal that refuses, is an error that says what to do. `lindungi
// migrate` and `lindungi dev` call it.
func PrepareNamespace(ctx context.Context, c client.Client, ns Namespace) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := ensureNamespace(ctx, c, ns); err != nil {
		return err
	}
	missing, err := missingSearchAttributes(ctx, c, ns)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		_, err := c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{Namespace: ns.Name, SearchAttributes: missing})
		var exists *serviceerror.AlreadyExists
		if err != nil && !errors.As(err, &exists) { // another process added them meanwhile
			return fmt.Errorf("add search attributes %s to namespace %s (the connection needs Temporal's operator permission): %w",
				strings.Join(slices.Sorted(maps.Keys(missing)), ", "), ns.Name, err)
		}
	}
	return nil
}

// ensureNamespace registers the namespace with the retention when it does
// not exist, and sets the retention of one that does (when Retention is
// set). A namespace just registered takes a moment to be known to every
// part of Temporal: it waits for it.
func ensureNamespace(ctx context.Context, c client.Client, ns Namespace) error {
	d, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: ns.Name})
	var notFound *serviceerror.NamespaceNotFound
	switch {
	case errors.As(err, &notFound):
		req := &workflowservice.RegisterNamespaceRequest{Namespace: ns.Name,
			Description: "Lindungi: journeys and protection cases of Indonesian migrant workers"}
		req.WorkflowExecutionRetentionPeriod = durationpb.New(DefaultRetention)
		if ns.Retention > 0 {
			req.WorkflowExecutionRetentionPeriod = durationpb.New(ns.Retention)
		}
		var exists *serviceerror.NamespaceAlreadyExists
		if _, err := c.WorkflowService().RegisterNamespace(ctx, req); err != nil && !errors.As(err, &exists) {
			return fmt.Errorf("register namespace %s: %w", ns.Name, err)
		}
		return waitForNamespace(ctx, c, ns.Name)
	case err != nil:
		return fmt.Errorf("describe namespace %s: %w", ns.Name, err)
	}
	if ns.Retention <= 0 || d.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration() == ns.Retention {
		return nil
	}
	_, err = c.WorkflowService().UpdateNamespace(ctx, &workflowservice.UpdateNamespaceRequest{Namespace: ns.Name,
		Config: &namespace.NamespaceConfig{WorkflowExecutionRetentionTtl: durationpb.New(ns.Retention)}})
	if err != nil {
		return fmt.Errorf("set the retention of namespace %s to %s: %w", ns.Name, ns.Retention, err)
	}
	return nil
}

// waitForNamespace waits until the operator service knows a namespace just
// registered (Temporal's namespace cache refreshes every few seconds).
func waitForNamespace(ctx context.Context, c client.Client, name string) error {
	for {
		_, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: name})
		var notFound *serviceerror.NamespaceNotFound
		if !errors.As(err, &notFound) {
			return nil // known, or an error the next call reports
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("namespace %s registered but not yet known to Temporal: %w", name, ctx.Err())
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// ErrNamespaceNotReady is CheckNamespace's answer for a namespace that lacks
// what the workflows need.
var ErrNamespaceNotReady = errors.New("the Temporal namespace is not prepared")

// CheckNamespace refuses a namespace that lacks a search attribute the
// workflows upsert, saying to run `lindungi migrate`. The worker checks at
// start, so that it never runs workflows that would fail every task.
func CheckNamespace(ctx context.Context, c client.Client, ns Namespace) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	missing, err := missingSearchAttributes(ctx, c, ns)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: namespace %s lacks the search attributes %s: run `lindungi migrate`, which registers them",
			ErrNamespaceNotReady, ns.Name, strings.Join(slices.Sorted(maps.Keys(missing)), ", "))
	}
	return nil
}

// missingSearchAttributes are the search attributes of ns not registered in
// its namespace; one registered with another type is an error.
func missingSearchAttributes(ctx context.Context, c client.Client, ns Namespace) (map[string]enums.IndexedValueType, error) {
	have, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns.Name})
	if err != nil {
		return nil, fmt.Errorf("list the search attributes of namespace %s: %w", ns.Name, err)
	}
	missing := map[string]enums.IndexedValueType{}
	for _, name := range slices.Sorted(maps.Keys(ns.SearchAttributes)) {
		want, err := enums.IndexedValueTypeFromString(ns.SearchAttributes[name])
		if err != nil {
			return nil, fmt.Errorf("search attribute %s: unknown type %q", name, ns.SearchAttributes[name])
		}
		got, ok := have.GetCustomAttributes()[name]
		if !ok {
			missing[name] = want
			continue
		}
		if got != want {
			return nil, fmt.Errorf("%w: search attribute %s of namespace %s has type %s, want %s: remove it (temporal operator search-attribute remove) or use another namespace",
				ErrNamespaceNotReady, name, ns.Name, got, want)
		}
	}
	return missing, nil
}
