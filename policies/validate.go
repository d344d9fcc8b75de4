package policies

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/lindungi/lindungi"
)

// RouteSpec is one route the access policy governs.
type RouteSpec struct {
	Method, Path string
	// Reads marks a post that changes no record (a form that only sets
	// the session's purpose or checks an uploaded file): read-only roles
	// may use it.
	Reads bool
}

// TaskKinds are the task kinds the product creates; each must keep a
// routing rule for every district.
var TaskKinds = lindungi.TaskKinds

// ReadOnlyRoles may only read, whatever the policy lines say.
var ReadOnlyRoles = []string{lindungi.RoleAuditor}

// Validate checks that the policy lines after a change are sound, compared
// with the lines before it. It returns EINVALID naming every problem:
//   - both models load;
//   - every role that could use some route before can still use one;
//   - every route stays usable by some role;
//   - read-only roles reach no route but GET (and posts that only read);
//   - a role held at a district reaches neither a sibling district nor the
//     province above it, and a role held at a province not the national level;
//   - every task kind routes every district without falling back, and every
//     escalation rule names a known unit.
func Validate(units []lindungi.Unit, routes []RouteSpec, before, after []lindungi.PolicyRule) error {
	var problems []string
	authAfter, err := NewAuthorizer(units, after, "candidate")
	if err != nil {
		return err
	}
	router, err := NewRouter(units, after, "candidate")
	if err != nil {
		return err
	}
	authBefore, err := NewAuthorizer(units, before, "current")
	if err != nil {
		return fmt.Errorf("current policy: %w", err)
	}
	homes := homeUnits(units)

	for _, role := range authBefore.Roles() {
		if reachesAny(authBefore, role, homes, routes) && !reachesAny(authAfter, role, homes, routes) {
			problems = append(problems, fmt.Sprintf("role %s would be left without any route", role))
		}
	}
	for _, rt := range routes {
		usable := false
		for _, role := range authAfter.Roles() {
			usable = usable || reachesAny(authAfter, role, homes, []RouteSpec{rt})
		}
		if !usable {
			problems = append(problems, fmt.Sprintf("no role could use %s %s", rt.Method, rt.Path))
		}
	}
	for _, role := range authAfter.Roles() {
		for _, rt := range routes {
			for _, h := range homes {
				p := lindungi.Principal{Subject: "validate", Unit: h.own, Roles: []string{role}}
				if slices.Contains(ReadOnlyRoles, role) && rt.Method != http.MethodGet && !rt.Reads {
					if d, _ := authAfter.Authorize(p, h.own, rt.Path, rt.Method); d.Allowed {
						problems = append(problems, fmt.Sprintf("read-only role %s would reach %s %s", role, rt.Method, rt.Path))
					}
				}
				for _, other := range []string{h.sibling, h.parent} {
					if other == "" {
						continue
					}
					if d, _ := authAfter.Authorize(p, other, rt.Path, rt.Method); d.Allowed {
						problems = append(problems, fmt.Sprintf("role %s held at %s would reach %s for %s %s", role, h.own, other, rt.Method, rt.Path))
					}
				}
			}
		}
	}
	for _, u := range units {
		if !u.IsDistrict() {
			continue
		}
		for _, kind := range TaskKinds {
			got, err := router.Route(lindungi.RouteRequest{Kind: kind, Unit: u.Code, Risk: "normal"})
			if err != nil || got.Flagged {
				problems = append(problems, fmt.Sprintf("task kind %s would not route for district %s", kind, u.Code))
			}
			for _, risk := range []string{"normal", "high"} {
				if err := checkChain(router, lindungi.RouteRequest{Kind: kind, Unit: u.Code, Risk: risk}); err != "" {
					problems = append(problems, err)
				}
			}
		}
	}
	slices.Sort(problems)
	problems = slices.Compact(problems)
	if len(problems) > 0 {
		const show = 10
		if len(problems) > show {
			problems = append(problems[:show], fmt.Sprintf("and %d more", len(problems)-show))
		}
		return lindungi.Errorf(lindungi.EINVALID, "The policy change was refused: %s.", strings.Join(problems, "; "))
	}
	return nil
}

// MaxEscalations bounds an escalation chain; a longer one is a cycle.
const MaxEscalations = 10

// checkChain follows the escalation chain from a case worker and reports
// an unknown unit or a chain that does not end.
func checkChain(router *Router, req lindungi.RouteRequest) string {
	first, err := router.Route(req)
	if err != nil {
		return err.Error()
	}
	holder := first.Role
	for range MaxEscalations {
		next, ok, err := router.Escalate(req, holder)
		if err != nil {
			return err.Error()
		}
		if !ok {
			return ""
		}
		holder = next.Role
	}
	return fmt.Sprintf("the escalation chain of %s for %s (%s risk) does not end within %d steps", req.Kind, req.Unit, req.Risk, MaxEscalations)
}

// home is a unit where a role may be held, with a sibling and a parent.
type home struct{ own, sibling, parent string }

// homeUnits picks one unit of each level (national, province, district),
// with a sibling and its parent where it has them.
func homeUnits(units []lindungi.Unit) []home {
	level := func(u lindungi.Unit) string {
		if u.IsDistrict() {
			return "district"
		}
		return u.Kind
	}
	byParent := map[string][]string{}
	for _, u := range units {
		byParent[u.Parent] = append(byParent[u.Parent], u.Code)
	}
	seen := map[string]bool{}
	var homes []home
	for _, u := range units {
		if seen[level(u)] {
			continue
		}
		seen[level(u)] = true
		h := home{own: u.Code, parent: u.Parent}
		for _, s := range byParent[u.Parent] {
			if s != u.Code {
				h.sibling = s
				break
			}
		}
		homes = append(homes, h)
	}
	return homes
}

func reachesAny(a *Authorizer, role string, homes []home, routes []RouteSpec) bool {
	for _, h := range homes {
		p := lindungi.Principal{Subject: "validate", Unit: h.own, Roles: []string{role}}
		for _, rt := range routes {
			if d, _ := a.Authorize(p, h.own, rt.Path, rt.Method); d.Allowed {
				return true
			}
		}
	}
	return false
}
