package lindungi

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// CaseCategory is a complaint category, with the codes national statistics
// use (DOMAIN.md).
type CaseCategory string

// Complaint categories.
const (
	CatWantsRepatriation  CaseCategory = "WANTS_REPATRIATION"
	CatFailedDeparture    CaseCategory = "FAILED_DEPARTURE"
	CatUnpaidWages        CaseCategory = "UNPAID_WAGES"
	CatOverchargedFees    CaseCategory = "OVERCHARGED_FEES"
	CatJobFraud           CaseCategory = "JOB_FRAUD"
	CatTrafficking        CaseCategory = "TRAFFICKING"
	CatDeath              CaseCategory = "DEATH"
	CatIllness            CaseCategory = "ILLNESS"
	CatMentalIllness      CaseCategory = "MENTAL_ILLNESS"
	CatJobNotAsContracted CaseCategory = "JOB_NOT_AS_CONTRACTED"
	CatEmployerViolence   CaseCategory = "EMPLOYER_VIOLENCE"
	CatSexualHarassment   CaseCategory = "SEXUAL_HARASSMENT"
	CatEarlyDismissal     CaseCategory = "EARLY_DISMISSAL"
	CatOverstay           CaseCategory = "OVERSTAY"
	CatUndocumented       CaseCategory = "UNDOCUMENTED"
	CatLostContact        CaseCategory = "LOST_CONTACT"
	CatNotSentHome        CaseCategory = "NOT_SENT_HOME"
	CatDetained           CaseCategory = "DETAINED"
	CatAccident           CaseCategory = "ACCIDENT"
	CatIllegalRecruitment CaseCategory = "ILLEGAL_RECRUITMENT"
	CatExcessDeductions   CaseCategory = "EXCESS_DEDUCTIONS"
	CatDocumentsWithheld  CaseCategory = "DOCUMENTS_WITHHELD"
	CatRanAway            CaseCategory = "RAN_AWAY"
	CatDeportation        CaseCategory = "DEPORTATION"
	CatSocialSecurity     CaseCategory = "SOCIAL_SECURITY_CLAIM"
)

// CategoryLabels are the Indonesian labels of the categories.
var CategoryLabels = map[CaseCategory]string{
	CatWantsRepatriation: "Ingin dipulangkan", CatFailedDeparture: "Gagal berangkat", CatUnpaidWages: "Gaji tidak dibayar",
	CatOverchargedFees: "Biaya penempatan berlebih", CatJobFraud: "Penipuan peluang kerja", CatTrafficking: "Perdagangan orang (TPPO)",
	CatDeath: "Meninggal dunia", CatIllness: "Sakit", CatMentalIllness: "Depresi / gangguan jiwa",
	CatJobNotAsContracted: "Pekerjaan tidak sesuai PK", CatEmployerViolence: "Kekerasan dari majikan",
	CatSexualHarassment: "Pelecehan seksual", CatEarlyDismissal: "PHK sepihak", CatOverstay: "Overstay",
	CatUndocumented: "Tidak berdokumen", CatLostContact: "Putus komunikasi", CatNotSentHome: "Tidak dipulangkan",
	CatDetained: "Dalam tahanan", CatAccident: "Kecelakaan", CatIllegalRecruitment: "Perekrutan ilegal",
	CatExcessDeductions: "Potongan gaji berlebih", CatDocumentsWithheld: "Penahanan dokumen", CatRanAway: "Melarikan diri",
	CatDeportation: "Deportasi", CatSocialSecurity: "Klaim jaminan sosial",
}

// Intake channels of a complaint.
const (
	ChannelHotline  = "HOTLINE"
	ChannelWebForm  = "WEB_FORM"
	ChannelWhatsApp = "WHATSAPP_SMS"
	ChannelLetter   = "LETTER"
	ChannelWalkIn   = "WALK_IN"
	ChannelLaporGub = "LAPORGUB"
	ChannelEmbassy  = "EMBASSY"
	ChannelNGO      = "NGO"
)

// Channels lists the intake channels.
var Channels = []string{ChannelHotline, ChannelWebForm, ChannelWhatsApp, ChannelLetter, ChannelWalkIn, ChannelLaporGub, ChannelEmbassy, ChannelNGO}

// Who may complain (DOMAIN.md): the worker, family, or a lawyer or NGO with
// power of attorney.
const (
	ComplainantSelf   = "SELF"
	ComplainantFamily = "FAMILY"
	ComplainantLawyer = "LAWYER"
	ComplainantNGO    = "NGO"
)

// Risk flags of a case. TPPO, death abroad and minors are high risk.
const (
	FlagMinor = "MINOR"
)

// RiskFlags lists the risk flags an intake may set.
var RiskFlags = []string{FlagMinor}

// Relations lists who may complain.
var Relations = []string{ComplainantSelf, ComplainantFamily, ComplainantLawyer, ComplainantNGO}

// CaseStep is a handling step of a protection case.
type CaseStep string

// Handling steps.
const (
	CaseReceived      CaseStep = "RECEIVED"
	CaseVerification  CaseStep = "VERIFICATION"
	CaseClarification CaseStep = "CLARIFICATION"
	CaseMediation     CaseStep = "MEDIATION"
	CaseReferred      CaseStep = "REFERRED" // litigation support or referral to another agency
	CaseResolved      CaseStep = "RESOLVED"
	CaseClosed        CaseStep = "CLOSED"
)

// CaseSteps lists the handling steps in order.
var CaseSteps = []CaseStep{CaseReceived, CaseVerification, CaseClarification, CaseMediation, CaseReferred, CaseResolved, CaseClosed}

// Valid reports whether s is a known step.
func (s CaseStep) Valid() bool { return slices.Contains(CaseSteps, s) }

// Open reports whether a case at step s is still open: every step but
// CLOSED. A resolved case stays open until a supervisor approves closing it.
func (s CaseStep) Open() bool { return s != CaseClosed }

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

// Case is a protection case.
type Case struct {
	ID               uuid.UUID      `json:"id"`
	Number           string         `json:"number"` // e.g. PGD-33-2026-000042
	WorkerID         uuid.UUID      `json:"worker_id"`
	Channel          string         `json:"channel"`
	Complainant      Complainant    `json:"complainant"`
	Categories       []CaseCategory `json:"categories"`
	Country          string         `json:"country,omitempty"`
	Employer         string         `json:"employer,omitempty"`
	PlacementCompany string         `json:"placement_company,omitempty"`
	Description      string         `json:"description"`
	RiskFlags        []string       `json:"risk_flags"`
	HighRisk         bool           `json:"high_risk"`
	IntakeUnit       string         `json:"intake_unit"`
	OwnerUnit        string         `json:"owner_unit"`
	Step             CaseStep       `json:"step"`
	WorkflowID       string         `json:"workflow_id"`
	ReceivedAt       time.Time      `json:"received_at"`
	LastContactAt    time.Time      `json:"last_contact_at"`
	LastActionAt     time.Time      `json:"last_action_at"`
	Resolution       string         `json:"resolution,omitempty"`
	MoneyRecovered   int64          `json:"money_recovered_idr"`
	ClosedReason     string         `json:"closed_reason,omitempty"`
	ClosedAt         *time.Time     `json:"closed_at,omitempty"`

	// InfoRequestedAt is when information was last asked of the
	// complainant (art. 30b); ToldUnresolvableAt when the complainant was
	// told the case cannot be resolved (art. 30e).
	InfoRequestedAt    *time.Time `json:"info_requested_at,omitempty"`
	ToldUnresolvableAt *time.Time `json:"told_unresolvable_at,omitempty"`
	// WorkerProvisional says the subject is a provisional worker record,
	// made at intake, that may later be merged into a registered worker.
	WorkerProvisional bool `json:"worker_provisional"`
	// ReadUnits are the units besides the owner (and the units above it)
	// that may read the case: the intake unit, every unit that referred it,
	// and the units it is referred to (pending or accepted) or being
	// transferred to (pending).
	ReadUnits []string `json:"read_units"`
	// DaysOpen counts calendar days (WIB) from receipt to closure, or to
	// now; DaysSinceAction from the last action to now. Overdue says an
	// open task of the case is past its deadline.
	DaysOpen        int  `json:"days_open"`
	DaysSinceAction int  `json:"days_since_action"`
	Overdue         bool `json:"overdue"`
}

// CaseSummary is a case as lists show it: codes, units, steps and
// clocks, without the complainant, the description, the employer or the
// resolution, so that a supervisor's list is not a bulk read of personal
// data. The details are read one case at a time, and each read is logged.
type CaseSummary struct {
	ID                 uuid.UUID      `json:"id"`
	Number             string         `json:"number"`
	WorkerID           uuid.UUID      `json:"worker_id"`
	WorkerProvisional  bool           `json:"worker_provisional"`
	Channel            string         `json:"channel"`
	Relation           string         `json:"relation"`
	Categories         []CaseCategory `json:"categories"`
	Country            string         `json:"country,omitempty"`
	PlacementCompany   string         `json:"placement_company,omitempty"`
	RiskFlags          []string       `json:"risk_flags"`
	HighRisk           bool           `json:"high_risk"`
	IntakeUnit         string         `json:"intake_unit"`
	OwnerUnit          string         `json:"owner_unit"`
	Step               CaseStep       `json:"step"`
	ReceivedAt         time.Time      `json:"received_at"`
	LastContactAt      time.Time      `json:"last_contact_at"`
	LastActionAt       time.Time      `json:"last_action_at"`
	InfoRequestedAt    *time.Time     `json:"info_requested_at,omitempty"`
	ToldUnresolvableAt *time.Time     `json:"told_unresolvable_at,omitempty"`
	MoneyRecovered     int64          `json:"money_recovered_idr"`
	ClosedAt           *time.Time     `json:"closed_at,omitempty"`
	DaysOpen           int            `json:"days_open"`
	DaysSinceAction    int            `json:"days_since_action"`
	Overdue            bool           `json:"overdue"`
}

// Summary is c without its personal data.
func (c Case) Summary() CaseSummary {
	return CaseSummary{ID: c.ID, Number: c.Number, WorkerID: c.WorkerID, WorkerProvisional: c.WorkerProvisional,
		Channel: c.Channel, Relation: c.Complainant.Relation, Categories: c.Categories, Country: c.Country,
		PlacementCompany: c.PlacementCompany, RiskFlags: c.RiskFlags, HighRisk: c.HighRisk, IntakeUnit: c.IntakeUnit,
		OwnerUnit: c.OwnerUnit, Step: c.Step, ReceivedAt: c.ReceivedAt, LastContactAt: c.LastContactAt,
		LastActionAt: c.LastActionAt, InfoRequestedAt: c.InfoRequestedAt, ToldUnresolvableAt: c.ToldUnresolvableAt,
		MoneyRecovered: c.MoneyRecovered, ClosedAt: c.ClosedAt, DaysOpen: c.DaysOpen, DaysSinceAction: c.DaysSinceAction,
		Overdue: c.Overdue}
}

// VisibleUnits are the units at or above which a case may be read: its
// owner unit and its ReadUnits. Acting on a case needs the owner unit.
func (c Case) VisibleUnits() []string {
	out := []string{c.OwnerUnit}
	for _, u := range c.ReadUnits {
		if !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}

// CaseWorkflowID is the Temporal workflow ID of a case.
func CaseWorkflowID(id uuid.UUID) string { return "case/" + id.String() }

// HighRisk reports whether a complaint with these categories and flags is
// high risk: trafficking, death abroad, or a minor involved.
func HighRisk(categories []CaseCategory, flags []string) bool {
	for _, c := range categories {
		if c == CatTrafficking || c == CatDeath {
			return true
		}
	}
	for _, f := range flags {
		if f == FlagMinor {
			return true
		}
	}
	return false
}

// CaseFilter selects cases for a supervisor's list.
type CaseFilter struct {
	Step       CaseStep
	Open       *bool
	Unit       string // owner unit at or below
	Category   CaseCategory
	WorkerID   uuid.UUID // only this worker's cases
	IdleDays   int       // at least this many days since the last action
	Overdue    bool
	Limit      int
	AfterID    uuid.UUID
	AfterStart time.Time // with AfterID: continue after the case received then
	Now        time.Time
}

// ReferralStatus is where a referral or a transfer stands: the receiver
// decides once.
type ReferralStatus string

// Referral and transfer statuses.
const (
	ReferralPending  ReferralStatus = "pending"
	ReferralAccepted ReferralStatus = "accepted"
	ReferralRejected ReferralStatus = "rejected"
)

// Referral hands a case to another unit (ToUnit) or an outside agency
// (ToAgency, such as "Polda Jawa Tengah"). It needs the worker's recorded
// consent or a supervisor's override with a reason.
type Referral struct {
	ID             uuid.UUID      `json:"id"`
	CaseID         uuid.UUID      `json:"case_id"`
	FromUnit       string         `json:"from_unit"`
	ToUnit         string         `json:"to_unit,omitempty"`
	ToAgency       string         `json:"to_agency,omitempty"`
	Consent        bool           `json:"consent"`
	OverrideReason string         `json:"override_reason,omitempty"`
	Status         ReferralStatus `json:"status"`
	CreatedBy      string         `json:"created_by"`
	CreatedAt      time.Time      `json:"created_at"`
	DecidedBy      string         `json:"decided_by,omitempty"`
	DecidedAt      *time.Time     `json:"decided_at,omitempty"`
	Reason         string         `json:"reason,omitempty"` // why it was accepted or rejected
}

// Transfer moves a case's ownership to another unit when that unit accepts.
type Transfer struct {
	ID        uuid.UUID      `json:"id"`
	CaseID    uuid.UUID      `json:"case_id"`
	FromUnit  string         `json:"from_unit"`
	ToUnit    string         `json:"to_unit"`
	Reason    string         `json:"reason"` // why it was asked for
	Status    ReferralStatus `json:"status"`
	CreatedBy string         `json:"created_by"`
	CreatedAt time.Time      `json:"created_at"`
	DecidedBy string         `json:"decided_by,omitempty"`
	DecidedAt *time.Time     `json:"decided_at,omitempty"`
	Decision  string         `json:"decision_reason,omitempty"`
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
	for i, cat := range c.Categories {
		c.Categories[i] = CaseCategory(strings.ToUpper(strings.TrimSpace(string(cat))))
	}
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
	switch {
	case len(c.Categories) == 0:
		v.Add("categories", "give at least one category")
	case len(c.Categories) > maxCategories:
		v.Add("categories", fmt.Sprintf("give at most %d categories", maxCategories))
	default:
		for i, cat := range c.Categories {
			if _, ok := CategoryLabels[cat]; !ok {
				v.Add(fmt.Sprintf("categories[%d]", i), fmt.Sprintf("%q is not a complaint category", cat))
			} else if slices.Index(c.Categories, cat) < i {
				v.Add(fmt.Sprintf("categories[%d]", i), fmt.Sprintf("%s is given twice", cat))
			}
		}
	}
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

// CheckResolution names what is wrong with the outcome of a case: a
// resolution (trimmed) of 1 to 2000 characters and money recovered that is
// not negative. It returns EINVALID, or nil.
func CheckResolution(resolution string, moneyIDR int64) error {
	var v Validation
	Text{Min: 1, Max: maxResolution, Free: true}.Check(&v, "resolution", resolution)
	if moneyIDR < 0 {
		v.Add("money_recovered_idr", "must not be negative")
	}
	return v.Err()
}

// CheckReferral names what is wrong with a referral (trimmed): it goes to
// a unit or to an outside agency, not both, and needs the worker's consent
// or an override reason (CheckReason). It returns EINVALID, or nil.
func CheckReferral(toUnit, toAgency string, consent bool, overrideReason string) error {
	var v Validation
	if (toUnit == "") == (toAgency == "") {
		v.Add("to_unit", "name the unit or the agency to refer to, not both")
	}
	checkUnitCode(&v, "to_unit", toUnit)
	Text{Max: maxAgency}.Check(&v, "to_agency", toAgency)
	switch {
	case consent:
		OptionalReasonText.Check(&v, "reason", overrideReason)
	case overrideReason == "":
		v.Add("consent", "referral needs the worker's recorded consent, or a supervisor's override with a reason")
	default:
		checkReason(&v, "reason", overrideReason)
	}
	return v.Err()
}

// CheckTransfer names what is wrong with a transfer (trimmed): it names the
// unit asked to take the case over, and its reason, which may be empty, is
// at most 500 characters. It returns EINVALID, or nil.
func CheckTransfer(toUnit, reason string) error {
	var v Validation
	if toUnit == "" {
		v.Add("to_unit", "is required")
	}
	checkUnitCode(&v, "to_unit", toUnit)
	OptionalReasonText.Check(&v, "reason", reason)
	return v.Err()
}

// CaseService keeps protection cases. Every write stores its audit event in
// the same transaction; the trail records codes, units and steps, never
// names, phone numbers or the description. Writes a workflow repeats with
// the same arguments (a retried activity) change nothing the second time.
type CaseService interface {
	// CreateCase records a complaint, with a provisional worker when the
	// subject is unknown, and audits it. EINVALID naming bad fields (an
	// unknown or merged worker, an unknown unit); ECONFLICT when the
	// subject's NIK belongs to a worker already known.
	CreateCase(ctx context.Context, c NewComplaint, ownerUnit string, ev Event) (Case, error)
	// MarkCaseStarted records that the case's workflow runs, so the
	// reconciler does not start it again. Marking it twice changes
	// nothing; it returns no domain error codes.
	MarkCaseStarted(ctx context.Context, id uuid.UUID) error
	// FindCase returns a case. ENOTFOUND if there is none.
	FindCase(ctx context.Context, id uuid.UUID) (Case, error)
	// CaseAsOf returns a case as it stood at the instant at, from the
	// history kept of every change. ENOTFOUND if it was not taken in yet.
	CaseAsOf(ctx context.Context, id uuid.UUID, at time.Time) (Case, error)
	// ListCases returns the cases visible at or below scope that pass f,
	// by receipt then ID. It returns no domain error codes.
	ListCases(ctx context.Context, scope Scope, f CaseFilter) ([]Case, error)

	// SetCaseStep moves an open case to step. EINVALID for an unknown step
	// and for RESOLVED and CLOSED (ResolveCase, CloseCase); ENOTFOUND;
	// ECONFLICT for a closed case.
	SetCaseStep(ctx context.Context, id uuid.UUID, step CaseStep, ev Event) (Case, error)
	// LogCaseContact records contact with the complainant at at. EINVALID
	// without at; ENOTFOUND; ECONFLICT for a closed case.
	LogCaseContact(ctx context.Context, id uuid.UUID, at time.Time, ev Event) (Case, error)
	// MarkInfoRequested records that information was asked for at at.
	// EINVALID without at; ENOTFOUND; ECONFLICT for a closed case.
	MarkInfoRequested(ctx context.Context, id uuid.UUID, at time.Time, ev Event) (Case, error)
	// MarkToldUnresolvable records that the complainant was told at at that
	// the case cannot be resolved. EINVALID without at; ENOTFOUND;
	// ECONFLICT for a closed case.
	MarkToldUnresolvable(ctx context.Context, id uuid.UUID, at time.Time, ev Event) (Case, error)
	// SetCaseOwner gives the case to unit, for reason. EINVALID for an
	// unknown unit or a reason over 500 characters; ENOTFOUND; ECONFLICT
	// for a closed case.
	SetCaseOwner(ctx context.Context, id uuid.UUID, unit, reason string, ev Event) (Case, error)
	// ResolveCase records the outcome. EINVALID without a resolution or
	// with negative money; ENOTFOUND; ECONFLICT if closed or resolved
	// otherwise already.
	ResolveCase(ctx context.Context, id uuid.UUID, resolution string, moneyIDR int64, ev Event) (Case, error)
	// CloseCase closes a case with a reason. EINVALID for a bad reason
	// (CheckReason); ENOTFOUND; ECONFLICT if closed otherwise.
	CloseCase(ctx context.Context, id uuid.UUID, reason string, ev Event) (Case, error)
	// ReopenCase reopens a closed case with a reason. EINVALID for a bad
	// reason (CheckReason); ENOTFOUND; ECONFLICT if open.
	ReopenCase(ctx context.Context, id uuid.UUID, reason string, ev Event) (Case, error)

	// CreateReferral refers a case to a unit or an agency. EINVALID without
	// consent or an override reason, or for an unknown unit; ENOTFOUND for
	// an unknown case; ECONFLICT while another is pending or the case is
	// closed.
	CreateReferral(ctx context.Context, caseID uuid.UUID, toUnit, toAgency string, consent bool, overrideReason string, ev Event) (Referral, error)
	// DecideReferral accepts or rejects a pending referral. EINVALID for a
	// reason over 500 characters; ENOTFOUND; ECONFLICT if it was decided
	// otherwise already or the case is closed.
	DecideReferral(ctx context.Context, id uuid.UUID, accept bool, reason string, ev Event) (Referral, error)
	// CreateTransfer asks unit toUnit to take the case over. EINVALID for
	// an unknown unit, the owner itself or a reason over 500 characters;
	// ENOTFOUND for an unknown case; ECONFLICT while another is pending or
	// the case is closed.
	CreateTransfer(ctx context.Context, caseID uuid.UUID, toUnit, reason string, ev Event) (Transfer, error)
	// DecideTransfer accepts (the owner changes) or rejects a pending
	// transfer. EINVALID for a reason over 500 characters; ENOTFOUND;
	// ECONFLICT if it was decided otherwise already or the case is closed.
	DecideTransfer(ctx context.Context, id uuid.UUID, accept bool, reason string, ev Event) (Transfer, error)

	// SearchWorkers finds workers, provisional ones included, by NIK, name
	// or phone, within q.Scope. EINVALID naming bad criteria.
	SearchWorkers(ctx context.Context, q WorkerQuery) ([]WorkerMatch, error)
	// MergeWorkers links a provisional worker to a registered one and moves
	// its cases and tasks; both records stay. EINVALID for the same worker
	// twice; ENOTFOUND for an unknown worker; ECONFLICT if the first is not
	// provisional or already merged, or the second is not registered.
	MergeWorkers(ctx context.Context, provisionalID, registeredID uuid.UUID, ev Event) (WorkerMerge, error)
}

// WorkerMerge is a provisional worker merged into the registered worker it
// turned out to be.
type WorkerMerge struct {
	WorkerID   uuid.UUID `json:"worker_id"`
	MergedInto uuid.UUID `json:"merged_into"`
}
