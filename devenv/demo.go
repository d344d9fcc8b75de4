package devenv

import "github.com/lindungi/lindungi"

// DemoDistricts are the districts that get one demo user per district
// role: Cilacap, Kebumen, Pati, Kendal and Brebes.
var DemoDistricts = []string{"3301", "3305", "3318", "3324", "3329"}

// DemoUsers are the users of a development system, one per role: district
// roles in DemoDistricts, provincial and BP3MI roles at 33, national roles
// at ID. `lindungi dev` writes them to the user directory, and the
// development sign-in page signs in as them with a click. Production has
// no demo users: it signs in at the identity provider.
func DemoUsers() []lindungi.User {
	var users []lindungi.User
	for _, d := range DemoDistricts {
		for _, r := range []string{lindungi.RoleCaseworker, lindungi.RoleVerifier, lindungi.RoleSupervisor} {
			users = append(users, lindungi.User{Subject: r + "-" + d, Name: "Demo " + r + " " + d, Unit: d, Roles: []string{r}})
		}
	}
	for _, r := range []string{lindungi.RoleProvinceSupervisor, lindungi.RoleBP3MIOfficer, lindungi.RoleBP3MIHead, lindungi.RoleAuditor} {
		users = append(users, lindungi.User{Subject: r + "-33", Name: "Demo " + r + " Jawa Tengah", Unit: "33", Roles: []string{r}})
	}
	for _, r := range []string{lindungi.RoleNationalOfficer, lindungi.RoleAdmin} {
		users = append(users, lindungi.User{Subject: r + "-ID", Name: "Demo " + r + " nasional", Unit: "ID", Roles: []string{r}})
	}
	return users
}
