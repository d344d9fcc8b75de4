package lindungi

import "regexp"

// Unit is an organisational unit: national, province or district.
type Unit struct {
	Code   string   `json:"code"`
	Name   string   `json:"name"`
	Kind   string   `json:"kind"`
	Parent string   `json:"parent,omitempty"`
	Path   []string `json:"path"` // codes from the root down to this unit
}

// IsDistrict reports whether the unit is a regency (kabupaten) or city (kota).
func (u Unit) IsDistrict() bool { return u.Kind == "regency" || u.Kind == "city" }

var (
	// districtCode is the code of a regency or city: 4 digits.
	districtCode = regexp.MustCompile(`^[0-9]{4}$`)
	// unitCode is the code of any unit: ID (national), a province (2
	// digits) or a district (4 digits).
	unitCode = regexp.MustCompile(`^(ID|[0-9]{2}|[0-9]{4})$`)
)

// checkUnitCode adds to v why code, which may be empty, is not a unit code.
// Whether the unit exists is the store's to say.
func checkUnitCode(v *Validation, field, code string) {
	if code != "" && !unitCode.MatchString(code) {
		v.Add(field, "must be a unit code such as 3305, 33 or ID")
	}
}

// IsUnitCode reports whether code has the form of a unit code: ID, a
// province's 2 digits or a district's 4.
func IsUnitCode(code string) bool { return unitCode.MatchString(code) }
