package policies

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/casbin/casbin/v2"
	"github.com/lindungi/lindungi"
)

// Authorizer decides whether a principal may call a route on a unit. Its
// decisions are cached; Load replaces the policy and the cache at once, so a
// cached decision never outlives the policy that made it.
type Authorizer struct {
	units []lindungi.Unit
	snap  atomic.Pointer[accessSnapshot]
}

type accessSnapshot struct {
	e       *casbin.SyncedEnforcer
	version string
	cache   sync.Map // key -> Decision
}

// NewAuthorizer loads the access lines of rules over the given units.
func NewAuthorizer(units []lindungi.Unit, rules []lindungi.PolicyRule, version string) (*Authorizer, error) {
	a := &Authorizer{units: units}
	if err := a.Load(rules, version); err != nil {
		return nil, err
	}
	return a, nil
}

// Load replaces the policy with rules (lines of other models are ignored).
func (a *Authorizer) Load(rules []lindungi.PolicyRule, version string) error {
	e, err := newEnforcer(lindungi.ModelAccess, rules, "g2", a.units)
	if err != nil {
		return err
	}
	a.snap.Store(&accessSnapshot{e: e, version: version})
	return nil
}

// Version is the policy version the Authorizer decides by.
func (a *Authorizer) Version() string { return a.snap.Load().version }

// Named actions the access policy governs besides routes: capabilities an
// application service asks about inside an action, at the record's unit. A
// policy line grants one as "p, role, OBJ, ACT", like a route and method.
const (
	// ObjCase is the object of the named actions on protection cases.
	ObjCase = "case"
	// ActReferWithoutConsent is referring a case without the worker's
	// recorded consent: a supervisor's override.
	ActReferWithoutConsent = "refer-without-consent"

	// ObjTask is the object of the named actions on tasks.
	ObjTask = "task"
	// ActReleaseClaimed is giving back to its queue a task that another
	// user claimed.
	ActReleaseClaimed = "release-claimed"

	// ObjWorker is the object of the named actions on workers' files.
	ObjWorker = "worker"
	// ActCorrectNIK is correcting a worker's NIK, the key of the person's
	// identity: a supervisor's correction.
	ActCorrectNIK = "correct-nik"
)

// Actions are the named actions, checked by Validate like routes.
var Actions = []RouteSpec{{Method: ActReferWithoutConsent, Path: ObjCase}, {Method: ActReleaseClaimed, Path: ObjTask},
	{Method: ActCorrectNIK, Path: ObjWorker}}

// Decision is the answer of the Authorizer: whether, and by which rule.
type Decision struct {
	Allowed bool
	Role    string // the caller's role that allowed it
	Rule    string // the policy line that allowed it
	Version string // the policy version that decided
}

// Authorize reports whether p may perform act (an HTTP method) on obj (a
// route template) for unit: whether one of p's roles, held at p's unit,
// allows it there.
func (a *Authorizer) Authorize(p lindungi.Principal, unit, obj, act string) (Decision, error) {
	return a.AuthorizeAs(p, p.Unit, unit, obj, act)
}

// AuthorizeAs is Authorize with p's roles held at scope instead of p's unit:
// a delegation lets a unit work as if it were another.
func (a *Authorizer) AuthorizeAs(p lindungi.Principal, scope, unit, obj, act string) (Decision, error) {
	s := a.snap.Load()
	for _, role := range p.Roles {
		d, err := s.decide(role, scope, unit, obj, act)
		if err != nil || d.Allowed {
			return d, err
		}
	}
	return Decision{Version: s.version}, nil
}

func (s *accessSnapshot) decide(role, scope, unit, obj, act string) (Decision, error) {
	key := role + "\x00" + scope + "\x00" + unit + "\x00" + obj + "\x00" + act
	if d, ok := s.cache.Load(key); ok {
		return d.(Decision), nil
	}
	ok, explain, err := s.e.EnforceEx(role, scope, unit, obj, act)
	if err != nil {
		return Decision{}, fmt.Errorf("authorize %s %s: %w", act, obj, err)
	}
	d := Decision{Version: s.version}
	if ok {
		d = Decision{Allowed: true, Role: role, Rule: "p, " + strings.Join(explain, ", "), Version: s.version}
	}
	s.cache.Store(key, d)
	return d, nil
}

// Roles returns every role named in the access policy.
func (a *Authorizer) Roles() []string {
	s := a.snap.Load()
	seen := map[string]bool{}
	var out []string
	add := func(r string) {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	p, _ := s.e.GetPolicy()
	for _, line := range p {
		add(line[0])
	}
	g, _ := s.e.GetNamedGroupingPolicy("g")
	for _, line := range g {
		add(line[0])
		add(line[1])
	}
	return out
}
