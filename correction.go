package lindungi

import (
	"strings"
	"time"
	"unicode/utf8"
)

// WorkerCorrection corrects a worker's profile: each field given (not nil)
// is the value it should have, and Reason says why. A field given with
// the value it has already changes nothing; a correction must change at
// least one field. NIK is corrected by supervisors only (the named action
// worker correct-nik); the application service refuses it to others
// before anything else.
type WorkerCorrection struct {
	Name             *string `json:"name,omitempty"`
	Phone            *string `json:"phone,omitempty"`
	Address          *string `json:"address,omitempty"`
	Scheme           *Scheme `json:"scheme,omitempty"`
	PlacementCompany *string `json:"placement_company,omitempty"`
	JobOrderRef      *string `json:"job_order_ref,omitempty"`
	NIK              *string `json:"nik,omitempty"`
	Reason           string  `json:"reason"`
}

// MaxAddress is the longest address, in characters.
const MaxAddress = 300

// AddressText is an address: free text (several lines) of at most
// MaxAddress characters, which may be empty.
var AddressText = Text{Max: MaxAddress, Free: true}

// SchemeCorrectable reports whether a journey at step still lets its
// scheme be corrected: the scheme first chooses the journey's path when
// the medical check is approved (MANDIRI skips the placement agreement),
// and the journey reads the scheme from the worker's file then. From the
// medical check on, a wrong scheme is a matter for a supervisor (close the
// journey and register again), not a correction.
func SchemeCorrectable(step Step) bool {
	switch step {
	case StepOutreach, StepRegistered, StepVerified, StepTraining:
		return true
	}
	return false
}

// Normalize trims the fields given as registration does and puts the
// phone number in E.164 form; it leaves values it cannot read as they
// are, for Check to name.
func (c *WorkerCorrection) Normalize() {
	trim := func(p **string, f func(string) string) {
		if *p != nil {
			v := f(**p)
			*p = &v
		}
	}
	oneLine := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	trim(&c.Name, oneLine)
	trim(&c.PlacementCompany, oneLine)
	trim(&c.JobOrderRef, strings.TrimSpace)
	trim(&c.NIK, strings.TrimSpace)
	trim(&c.Address, TrimText)
	trim(&c.Phone, func(s string) string {
		if p, ok := NormalizePhone(s); ok {
			return p
		}
		return strings.TrimSpace(s)
	})
	if c.Scheme != nil {
		sc := Scheme(strings.ToUpper(strings.TrimSpace(string(*c.Scheme))))
		c.Scheme = &sc
	}
	c.Reason = TrimText(c.Reason)
}

// Change is one field a correction changes, with its value before and
// after.
type Change struct {
	Field  string
	Before string
	After  string
}

// Check validates the correction of w and returns the worker as corrected
// and the fields it changes, in a fixed order (nik, name, phone, address,
// scheme, placement_company, job_order_ref). It names each bad field
// (EINVALID), refuses a correction that changes nothing (EINVALID naming
// no field), and a scheme the journey has used already or a provisional
// record, which has none (ECONFLICT). The NIK is checked
// as registration checks it, against the birth date when the worker has
// one. A scheme other than P2P clears the placement company and job order
// unless they are given.
func (c WorkerCorrection) Check(w Worker) (Worker, []Change, error) {
	var v Validation
	checkReason(&v, "reason", c.Reason)
	after := w
	if c.NIK != nil {
		if reason := CheckNIK(*c.NIK); reason != "" {
			v.Add("nik", reason)
		} else if birth, err := time.Parse(time.DateOnly, w.BirthDate); err == nil && !NIKMatchesBirthDate(*c.NIK, birth) {
			v.Add("nik", "digits 7 to 12 do not match the birth date (DDMMYY, women +40 on the day)")
		} else {
			after.NIK = *c.NIK
		}
	}
	if c.Name != nil && NameText.Check(&v, "name", *c.Name) {
		after.Name = *c.Name
	}
	if c.Phone != nil {
		if _, ok := NormalizePhone(*c.Phone); !ok {
			v.Add("phone", "must be an Indonesian phone number such as 081234567890 or +6281234567890")
		} else {
			after.Phone = *c.Phone
		}
	}
	if c.Address != nil && AddressText.Check(&v, "address", *c.Address) {
		after.Address = *c.Address
	}
	provisional := w.JourneyStep == "" && w.Scheme == ""
	if c.Scheme != nil && *c.Scheme != w.Scheme {
		switch {
		case !c.Scheme.Valid():
			v.Add("scheme", "must be one of G2G, P2P, MANDIRI")
		case provisional:
			return w, nil, &Error{Code: ECONFLICT, Message: "A provisional record has no scheme: register the worker, then merge the record.",
				Fields: []FieldError{{Field: "scheme", Reason: "a provisional record has no scheme"}}}
		case !SchemeCorrectable(w.JourneyStep):
			return w, nil, &Error{Code: ECONFLICT, Message: "The journey has used the scheme already (from the medical check on); it cannot be corrected now.",
				Fields: []FieldError{{Field: "scheme", Reason: "cannot change from the medical check on"}}}
		default:
			after.Scheme = *c.Scheme
			if after.Scheme != SchemeP2P {
				after.PlacementCompany, after.JobOrderRef = "", ""
			}
		}
	}
	if c.PlacementCompany != nil && (Text{Max: 200}).Check(&v, "placement_company", *c.PlacementCompany) {
		after.PlacementCompany = *c.PlacementCompany
	}
	if c.JobOrderRef != nil && (Text{Max: 64}).Check(&v, "job_order_ref", *c.JobOrderRef) {
		after.JobOrderRef = *c.JobOrderRef
	}
	placement := after.Scheme != w.Scheme || after.PlacementCompany != w.PlacementCompany || after.JobOrderRef != w.JobOrderRef
	if !provisional && placement && after.Scheme.Valid() {
		// The same rules as registration, on the worker as corrected,
		// when the correction touches the placement.
		switch {
		case after.Scheme == SchemeP2P && after.PlacementCompany == "":
			v.Add("placement_company", "is required for P2P: the licensed placement company (P3MI)")
		case after.Scheme != SchemeP2P && after.PlacementCompany != "":
			v.Add("placement_company", "only P2P workers have a placement company")
		}
		switch {
		case after.Scheme == SchemeP2P && after.JobOrderRef == "":
			v.Add("job_order_ref", "is required for P2P: the job order the worker is placed on")
		case after.Scheme != SchemeP2P && after.JobOrderRef != "":
			v.Add("job_order_ref", "only P2P workers have a job order")
		}
	} else if provisional && placement {
		v.Add("placement_company", "a provisional record has no placement")
	}
	if err := v.Err(); err != nil {
		return w, nil, err
	}
	var changes []Change
	for _, f := range []struct{ field, before, after string }{
		{"nik", w.NIK, after.NIK}, {"name", w.Name, after.Name}, {"phone", w.Phone, after.Phone},
		{"address", w.Address, after.Address}, {"scheme", string(w.Scheme), string(after.Scheme)},
		{"placement_company", w.PlacementCompany, after.PlacementCompany}, {"job_order_ref", w.JobOrderRef, after.JobOrderRef},
	} {
		if f.before != f.after {
			changes = append(changes, Change{f.field, f.before, f.after})
		}
	}
	if len(changes) == 0 {
		return w, nil, &Error{Code: EINVALID, Message: "The correction changes nothing: every value given is the one on file.",
			Fields: []FieldError{{Field: "", Reason: "changes nothing: give at least one value different from the one on file"}}}
	}
	return after, changes, nil
}

// PersonalField reports whether a worker's field holds personal data,
// which the audit trail records masked (Mask).
func PersonalField(field string) bool {
	switch field {
	case "nik", "name", "phone", "address":
		return true
	}
	return false
}

// Mask hides a personal value for the audit trail, keeping enough to tell
// two values apart at a glance: the first two and the last two characters,
// the rest as *, and no more than 4 characters shown of anything shorter
// than 8. The exact values stay in the worker's history (the as-of view,
// itself a logged read).
func Mask(s string) string {
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return ""
	}
	keep := 2
	if n < 8 {
		keep = 1
	}
	if n < 4 {
		keep = 0
	}
	var b strings.Builder
	i := 0
	for _, r := range s {
		if i < keep || i >= n-keep || r == ' ' || r == '\n' {
			b.WriteRune(r)
		} else {
			b.WriteRune('*')
		}
		i++
	}
	return b.String()
}
