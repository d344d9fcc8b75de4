package lindungi

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// A complaint as it is taken in: who brought it, about whom, and the
// checks an intake passes before a case is recorded.

// Complainant is who brought the complaint. It is personal data.
type Complainant struct {
	Name            string `json:"name"`
	Relation        string `json:"relation"` // SELF, FAMILY, LAWYER, NGO
	Phone           string `json:"phone,omitempty"`
	PowerOfAttorney bool   `json:"power_of_attorney"` // required for LAWYER and NGO
}

// NewComplaint is the intake of a complaint. The subject is a registered
// worker (WorkerID) or a person the system has never seen (Subject), for
// whom a provisional worker record is made.
type NewComplaint struct {
	Channel          string         `json:"channel"`
	Complainant      Complainant    `json:"complainant"`
	WorkerID         *uuid.UUID     `json:"worker_id,omitempty"`
	Subject          *CaseSubject   `json:"subject,omitempty"`
	Categories       []CaseCategory `json:"categories"`
	Country          string         `json:"country,omitempty"` // ISO 3166-1 alpha-2
	Employer         string         `json:"employer,omitempty"`
	PlacementCompany string         `json:"placement_company,omitempty"`
	Description      string         `json:"description"`
	RiskFlags        []string       `json:"risk_flags,omitempty"`
	Unit             string         `json:"unit"` // the unit taking the complaint in
}

// CaseSubject describes a worker unknown to the system. NIK and birth date
// are optional: non-procedural workers often have neither on hand.
type CaseSubject struct {
	Name         string `json:"name"`
	NIK          string `json:"nik,omitempty"`
	BirthDate    string `json:"birth_date,omitempty"`
	Phone        string `json:"phone,omitempty"`
	DomicileUnit string `json:"domicile_unit"`
}

// countryCode is an ISO 3166-1 alpha-2 code.
var countryCode = regexp.MustCompile(`^[A-Z]{2}$`)

// Normalize trims the complaint, upper-cases its codes and puts phone
// numbers in E.164 form. It leaves values it cannot read as they are, for
// Validate to name.
func (c *NewComplaint) Normalize() {
	c.Channel = strings.ToUpper(strings.TrimSpace(c.Channel))
	c.Complainant.Name = strings.Join(strings.Fields(c.Complainant.Name), " ")
	c.Complainant.Relation = strings.ToUpper(strings.TrimSpace(c.Complainant.Relation))
	c.Complainant.Phone = strings.TrimSpace(c.Complainant.Phone)
	if p, ok := NormalizePhone(c.Complainant.Phone); ok {
		c.Complainant.Phone = p
	}
	if s := c.Subject; s != nil {
		s.Name = strings.Join(strings.Fields(s.Name), " ")
		s.NIK = strings.TrimSpace(s.NIK)
		s.BirthDate = strings.TrimSpace(s.BirthDate)
		s.Phone = strings.TrimSpace(s.Phone)
		if p, ok := NormalizePhone(s.Phone); ok {
			s.Phone = p
		}
		s.DomicileUnit = strings.TrimSpace(s.DomicileUnit)
	}
	NormalizeCategories(c.Categories)
	c.Country = strings.ToUpper(strings.TrimSpace(c.Country))
	c.Employer = strings.Join(strings.Fields(c.Employer), " ")
	c.PlacementCompany = strings.Join(strings.Fields(c.PlacementCompany), " ")
	c.Description = TrimText(c.Description)
	for i, f := range c.RiskFlags {
		c.RiskFlags[i] = strings.ToUpper(strings.TrimSpace(f))
	}
	c.Unit = strings.TrimSpace(c.Unit)
}

// FlagMinor adds the MINOR risk flag when the subject's birth date makes
// them younger than 18 on the day today: a minor's case is high risk
// whether or not the person taking the complaint noticed.
func (c *NewComplaint) FlagMinor(today time.Time) {
	if c.Subject == nil || slices.Contains(c.RiskFlags, FlagMinor) {
		return
	}
	birth, err := time.Parse(time.DateOnly, c.Subject.BirthDate)
	if err == nil && !birth.After(today) && birth.AddDate(MinimumAge, 0, 0).After(today) {
		c.RiskFlags = append(c.RiskFlags, FlagMinor)
	}
}

const (
	maxCategories  = 5
	maxDescription = 4000
	minDescription = 10
	maxCompany     = 200
)

// Validate checks the fields that need no database, on the day today, and
// names each bad field.
func (c NewComplaint) Validate(today time.Time) error {
	var v Validation
	if !slices.Contains(Channels, c.Channel) {
		v.Add("channel", "must be one of "+strings.Join(Channels, ", "))
	}
	checkName(&v, "complainant.name", c.Complainant.Name)
	switch {
	case !slices.Contains(Relations, c.Complainant.Relation):
		v.Add("complainant.relation", "must be one of "+strings.Join(Relations, ", "))
	case (c.Complainant.Relation == ComplainantLawyer || c.Complainant.Relation == ComplainantNGO) && !c.Complainant.PowerOfAttorney:
		v.Add("complainant.power_of_attorney", "a lawyer or an NGO needs the worker's power of attorney")
	}
	if c.Complainant.Phone != "" {
		if _, ok := NormalizePhone(c.Complainant.Phone); !ok {
			v.Add("complainant.phone", "must be an Indonesian phone number such as 081234567890 or +6281234567890")
		}
	}
	switch {
	case c.WorkerID != nil && c.Subject != nil:
		v.Add("subject", "give worker_id for a known worker or subject for an unknown one, not both")
	case c.WorkerID == nil && c.Subject == nil:
		v.Add("worker_id", "give worker_id for a known worker, or subject for one the system has never seen")
	case c.WorkerID != nil && *c.WorkerID == uuid.Nil:
		v.Add("worker_id", "must be a worker ID")
	case c.Subject != nil:
		c.Subject.validate(&v, today)
	}
	checkCategories(&v, c.Categories)
	if c.Country != "" && !countryCode.MatchString(c.Country) {
		v.Add("country", "must be an ISO 3166-1 alpha-2 code such as MY, TW or SA")
	}
	checkText(&v, "employer", c.Employer, 0, maxCompany)
	checkText(&v, "placement_company", c.PlacementCompany, 0, maxCompany)
	if p := (Text{Min: minDescription, Max: maxDescription, Free: true}).Problem(c.Description); p != "" {
		if strings.HasPrefix(p, "must be ") || p == "is required" {
			p = fmt.Sprintf("must tell what happened, in %d to %d characters", minDescription, maxDescription)
		}
		v.Add("description", p)
	}
	for i, f := range c.RiskFlags {
		if !slices.Contains(RiskFlags, f) {
			v.Add(fmt.Sprintf("risk_flags[%d]", i), "must be one of "+strings.Join(RiskFlags, ", "))
		} else if slices.Index(c.RiskFlags, f) < i {
			v.Add(fmt.Sprintf("risk_flags[%d]", i), f+" is given twice")
		}
	}
	switch {
	case c.Unit == "":
		v.Add("unit", "is required: the unit taking the complaint in")
	case !unitCode.MatchString(c.Unit):
		v.Add("unit", "must be a unit code such as 3305, 33 or ID")
	}
	return v.Err()
}

// checkCategories adds to v what is wrong with the categories of a case:
// 1 to 5, each a known category, none twice.
func checkCategories(v *Validation, cats []CaseCategory) {
	switch {
	case len(cats) == 0:
		v.Add("categories", "give at least one category")
	case len(cats) > maxCategories:
		v.Add("categories", fmt.Sprintf("give at most %d categories", maxCategories))
	default:
		for i, cat := range cats {
			if _, ok := CategoryLabels[cat]; !ok {
				v.Add(fmt.Sprintf("categories[%d]", i), fmt.Sprintf("%q is not a complaint category", cat))
			} else if slices.Index(cats, cat) < i {
				v.Add(fmt.Sprintf("categories[%d]", i), fmt.Sprintf("%s is given twice", cat))
			}
		}
	}
}

func (s CaseSubject) validate(v *Validation, today time.Time) {
	checkName(v, "subject.name", s.Name)
	birth, birthErr := time.Parse(time.DateOnly, s.BirthDate)
	switch {
	case s.BirthDate == "":
	case birthErr != nil:
		v.Add("subject.birth_date", "must be a date in the form YYYY-MM-DD")
	case birth.After(today):
		v.Add("subject.birth_date", "is in the future")
	case birth.Year() < 1900:
		v.Add("subject.birth_date", "is before 1900")
	}
	if s.NIK != "" {
		if reason := CheckNIK(s.NIK); reason != "" {
			v.Add("subject.nik", reason)
		} else if s.BirthDate != "" && birthErr == nil && !NIKMatchesBirthDate(s.NIK, birth) {
			v.Add("subject.nik", "digits 7 to 12 do not match birth_date (DDMMYY, women +40 on the day)")
		}
	}
	if s.Phone != "" {
		if _, ok := NormalizePhone(s.Phone); !ok {
			v.Add("subject.phone", "must be an Indonesian phone number such as 081234567890 or +6281234567890")
		}
	}
	if !districtCode.MatchString(s.DomicileUnit) {
		v.Add("subject.domicile_unit", "must be a district code of 4 digits, such as 3305")
	}
}

// Limits of the decisions taken on a case.
const (
	maxResolution = 2000
	maxAgency     = 200
)
