package lindungi

import (
	"context"
	"slices"
)

// Role names used by the policies. Which routes a role reaches is policy, not code.
const (
	RoleCaseworker         = "caseworker"
	RoleVerifier           = "verifier"
	RoleSupervisor         = "supervisor"
	RoleProvinceSupervisor = "province_supervisor"
	RoleBP3MIOfficer       = "bp3mi_officer"
	RoleBP3MIHead          = "bp3mi_head"
	RoleNationalOfficer    = "national_officer"
	RoleAuditor            = "auditor"
	RoleAdmin              = "admin"
)

// Principal is the authenticated caller: a user of one unit with one or more roles.
type Principal struct {
	Subject string   `json:"sub"`
	Unit    string   `json:"unit"`
	Roles   []string `json:"roles"`
}

// HasRole reports whether p holds role.
func (p Principal) HasRole(role string) bool { return slices.Contains(p.Roles, role) }

type contextKey int

const (
	principalKey contextKey = iota
	requestIDKey
)

// NewContextWithPrincipal returns ctx carrying p.
func NewContextWithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey, p)
}

// PrincipalFromContext returns the principal in ctx, if any.
func PrincipalFromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey).(Principal)
	return p, ok
}

// NewContextWithRequestID returns ctx carrying a request ID.
func NewContextWithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestIDFromContext returns the request ID in ctx, or "".
func RequestIDFromContext(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// User is an entry of the user directory: the people who sign in, their
// unit and roles. Tokens are the identity; the directory is what the
// product shows and assigns work to.
type User struct {
	Subject string   `json:"sub"`
	Name    string   `json:"name"`
	Unit    string   `json:"unit"`
	Roles   []string `json:"roles"`
}
