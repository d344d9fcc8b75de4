package lindungi

import (
	"fmt"
	"regexp"
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

// roleName is the form of a role's name, in the policy and in tokens.
var roleName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$`)

// checkRole adds to v why role, which may be empty, is not a role's name.
func checkRole(v *Validation, field, role string) {
	if role != "" && !roleName.MatchString(role) {
		v.Add(field, "must be a role's name such as caseworker")
	}
}

// CheckRole returns EINVALID naming field when role, which may be empty,
// is not a role's name.
func CheckRole(field, role string) error {
	var v Validation
	checkRole(&v, field, role)
	return v.Err()
}

// Validate names what a principal may not carry: a subject that is not one
// line of 1 to 200 characters (Text), a unit that is not a unit code, no
// role or a role that is not one line of 1 to 100 characters (an identity
// provider's roles may be named freely; the policy maps them). Whether the
// unit exists is for whoever knows the units to say.
func (p Principal) Validate() error {
	var v Validation
	Text{Min: 1, Max: 200}.Check(&v, "sub", p.Subject)
	if !unitCode.MatchString(p.Unit) {
		v.Add("unit", "must be a unit code such as 3305, 33 or ID")
	}
	if len(p.Roles) == 0 {
		v.Add("roles", "is required")
	}
	for i, r := range p.Roles {
		Text{Min: 1, Max: 100}.Check(&v, fmt.Sprintf("roles[%d]", i), r)
	}
	return v.Err()
}
