package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/policies"
	"github.com/lindungi/lindungi/postgres"
)

// runPolicy answers an access or routing question from the policies and says
// which rule decided:
//
//	lindungi policy check --role caseworker --unit 3305 --target 3301 --route /v1/workers/:id --method GET
//	lindungi policy check --kind VERIFY_REGISTRATION --unit 3305 --scheme P2P --risk high [--holder caseworker]
//
// It reads the live policies from DATABASE_URL, or the shipped files when
// DATABASE_URL is not set.
func runPolicy(ctx context.Context, args []string, cfg Config, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "check" {
		return errors.New("usage: lindungi policy check [flags]; see lindungi policy check -h")
	}
	fs := flag.NewFlagSet("policy check", flag.ContinueOnError)
	fs.SetOutput(stdout)
	role := fs.String("role", "", "access: the caller's role(s), comma separated")
	unit := fs.String("unit", "", "access: the caller's unit; routing: the worker's unit")
	target := fs.String("target", "", "access: the unit acted on (default: --unit)")
	route := fs.String("route", "", "access: the route template, e.g. /v1/workers/:id")
	method := fs.String("method", "GET", "access: the HTTP method, or a named action (--route case --method refer-without-consent)")
	kind := fs.String("kind", "", "routing: the task kind, e.g. VERIFY_REGISTRATION")
	scheme := fs.String("scheme", "P2P", "routing: G2G, P2P or MANDIRI")
	risk := fs.String("risk", "normal", "routing: normal or high")
	holder := fs.String("holder", "", "routing: ask who is next on escalation from this role")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	ps, source, err := checkPolicies(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "policy: %s, version %s\n", source, ps.Authorizer.Version())
	switch {
	case *route != "" && *role != "" && *unit != "":
		if *target == "" {
			*target = *unit
		}
		p := lindungi.Principal{Subject: "policy-check", Unit: *unit, Roles: strings.Split(*role, ",")}
		act := actionOf(*method)
		d, err := ps.Authorizer.Authorize(p, *target, *route, act)
		if err != nil {
			return err
		}
		if !d.Allowed {
			fmt.Fprintf(stdout, "deny: no rule lets %s at %s %s %s on %s\n", *role, *unit, act, *route, *target)
			return nil
		}
		fmt.Fprintf(stdout, "allow: %s at %s may %s %s on %s\nrule: %s\n", d.Role, *unit, act, *route, *target, d.Rule)
	case *kind != "" && *unit != "":
		req := lindungi.RouteRequest{Kind: lindungi.TaskKind(*kind), Unit: *unit, Scheme: lindungi.Scheme(*scheme), Risk: *risk}
		if *holder != "" {
			next, ok, err := ps.Router.Escalate(req, *holder)
			if err != nil {
				return err
			}
			if !ok {
				fmt.Fprintf(stdout, "top of the chain: no one above %s\n", *holder)
				return nil
			}
			fmt.Fprintf(stdout, "escalate to: %s, role %s\nrule: %s\n", next.Unit, next.Role, next.Rule)
			return nil
		}
		r, err := ps.Router.Route(req)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "route to: %s\nrule: %s\n", r.Unit, r.Rule)
		if r.Flagged {
			fmt.Fprintln(stdout, "flagged: no rule matched; the task goes to the province's queue")
		}
	default:
		return errors.New("give --role, --unit and --route for access, or --kind and --unit for routing")
	}
	return nil
}

// checkPolicies loads the live policies, or the shipped ones without a database.
func checkPolicies(ctx context.Context, cfg Config) (*policies.Set, string, error) {
	if cfg.DatabaseURL != "" {
		db, err := openDB(ctx, cfg)
		if err != nil {
			return nil, "", err
		}
		defer db.Close()
		ps, err := policies.Load(ctx, db, nil, slog.New(slog.DiscardHandler))
		return ps, "database", err
	}
	units, err := postgres.ReferenceUnits()
	if err != nil {
		return nil, "", err
	}
	ps, err := policies.NewSet(units, policies.DefaultRules(), "shipped")
	return ps, "shipped files (set DATABASE_URL for the live policies)", err
}

// actionOf is the act of an access question: a named action of the policy
// as it is written, an HTTP method in capitals.
func actionOf(method string) string {
	for _, a := range policies.Actions {
		if a.Method == method {
			return method
		}
	}
	return strings.ToUpper(method)
}
