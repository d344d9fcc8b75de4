package lindungi

import (
	"context"
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

// Risk levels of a case, as the routing policy's risk column names them.
// A case is high risk from intake when HighRisk holds for its complaint; a
// supervisor may raise or lower it later (CaseService.SetCaseRisk), but
// not below what HighRisk says of its categories and flags.
const (
	RiskNormal = "normal"
	RiskHigh   = "high"
)

// RiskLevel is the level of a case that is high risk, or not.
func RiskLevel(high bool) string {
	if high {
		return RiskHigh
	}
	return RiskNormal
}

// CheckRiskLevel returns EINVALID naming field when level is neither
// RiskNormal nor RiskHigh.
func CheckRiskLevel(field, level string) error {
	if level != RiskNormal && level != RiskHigh {
		return &Error{Code: EINVALID, Message: "Unknown risk level.",
			Fields: []FieldError{{Field: field, Reason: "must be " + RiskHigh + " or " + RiskNormal}}}
	}
	return nil
}

// ErrHighRiskByRule is the refusal to lower the risk of a case that
// HighRisk holds for.
func ErrHighRiskByRule() error {
	return &Error{Code: ECONFLICT, Message: "Trafficking, death abroad and minors are high risk by rule; re-categorise the case first.",
		Fields: []FieldError{{Field: "level", Reason: "the case's categories or flags make it high risk"}}}
}

// NormalizeCategories trims and upper-cases categories in place, for
// CheckCategories to judge.
func NormalizeCategories(cats []CaseCategory) {
	for i, c := range cats {
		cats[i] = CaseCategory(strings.ToUpper(strings.TrimSpace(string(c))))
	}
}

// CheckCategories names what is wrong with the categories a case is
// given: 1 to 5, each a known category, none twice. It returns EINVALID,
// or nil.
func CheckCategories(cats []CaseCategory) error {
	var v Validation
	checkCategories(&v, cats)
	return v.Err()
}

// SameCategories reports whether a and b hold the same categories, in
// any order.
func SameCategories(a, b []CaseCategory) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// CaseFilter selects cases for a supervisor's list.
type CaseFilter struct {
	Step      CaseStep
	Open      *bool
	Unit      string // owner unit at or below
	Category  CaseCategory
	WorkerID  uuid.UUID // only this worker's cases
	Number    string    // only the case with this number (NormalizeCaseNumber)
	IdleDays  int       // at least this many days since the last action
	Overdue   bool
	Escalated bool // an open task of the case went up its escalation chain
	// Dates (YYYY-MM-DD, WIB; "" for no bound) the case was received,
	// resolved or closed within, both ends included: the lists behind the
	// dashboard's figures.
	ReceivedFrom, ReceivedTo string
	ResolvedFrom, ResolvedTo string
	ClosedFrom, ClosedTo     string
	Limit                    int
	AfterID                  uuid.UUID
	AfterStart               time.Time // with AfterID: continue after the case received then
	Now                      time.Time
}

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

	// SetCaseCategories re-categorises an open case, for reason. The same
	// categories, in any order, change nothing. EINVALID for bad
	// categories (CheckCategories) or a bad reason (CheckReason);
	// ENOTFOUND; ECONFLICT for a closed case.
	SetCaseCategories(ctx context.Context, id uuid.UUID, categories []CaseCategory, reason string, ev Event) (Case, error)
	// SetCaseRisk raises an open case to high risk or lowers it, for
	// reason. The level it has changes nothing. EINVALID for a bad reason;
	// ENOTFOUND; ECONFLICT for a closed case, or for lowering a case that
	// HighRisk holds for (ErrHighRiskByRule).
	SetCaseRisk(ctx context.Context, id uuid.UUID, high bool, reason string, ev Event) (Case, error)
	// AssignCase gives the open task taskID of a case to the user
	// assignee (claims it for them, whoever held it), tells them, and
	// records why. Giving it to its holder changes nothing. Who may hold
	// it is the caller's to check. EINVALID for a bad reason or an empty
	// assignee; ENOTFOUND for an unknown case, or a task that is not one
	// of the case's; ECONFLICT for a closed case or a task not open.
	AssignCase(ctx context.Context, id, taskID uuid.UUID, assignee, reason string, ev Event) (Task, error)

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
