package lindungi

import "slices"

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
