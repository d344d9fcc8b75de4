package lindungi

import (
	"time"

	"github.com/google/uuid"
)

// Step is a step of a worker's journey, named as in DOMAIN.md.
type Step string

// Journey steps (DOMAIN.md), in the order of the journey.
const (
	StepOutreach           Step = "OUTREACH"
	StepRegistered         Step = "REGISTERED"
	StepVerified           Step = "VERIFIED"
	StepTraining           Step = "TRAINING"
	StepMedical            Step = "MEDICAL"
	StepPlacementAgreement Step = "PLACEMENT_AGREEMENT"
	StepSocialSecurity     Step = "SOCIAL_SECURITY"
	StepPassportVisa       Step = "PASSPORT_VISA"
	StepWorkContract       Step = "WORK_CONTRACT"
	StepOrientation        Step = "ORIENTATION"
	StepDeparted           Step = "DEPARTED"
	StepAbroad             Step = "ABROAD"
	StepReturned           Step = "RETURNED"
	StepRehabilitation     Step = "REHABILITATION"
	StepReintegration      Step = "REINTEGRATION"
	StepClosed             Step = "CLOSED"
)

// JourneySteps lists the steps in journey order.
var JourneySteps = []Step{StepOutreach, StepRegistered, StepVerified, StepTraining, StepMedical, StepPlacementAgreement,
	StepSocialSecurity, StepPassportVisa, StepWorkContract, StepOrientation, StepDeparted, StepAbroad, StepReturned,
	StepRehabilitation, StepReintegration, StepClosed}

// StepCase is the step recorded on the tasks of a protection case, which
// belong to no step of the worker's journey.
const StepCase Step = "CASE"

// Phases of protection (Law 18/2017).
const (
	PhaseBefore = "before"
	PhaseDuring = "during"
	PhaseAfter  = "after"
)

// Phase returns the legal phase of a step.
func (s Step) Phase() string {
	switch s {
	case StepAbroad:
		return PhaseDuring
	case StepReturned, StepRehabilitation, StepReintegration, StepClosed:
		return PhaseAfter
	}
	return PhaseBefore
}

// StepSpec says how a journey step is worked: the task whose approval
// completes it, its deadline in working days, the documents that must be
// present and verified before it can be approved, and why the journey ends
// when the task is rejected.
type StepSpec struct {
	Step         Step
	Task         TaskKind
	DueDays      int
	Documents    []DocType
	RejectReason string
}

// StepSpecs are the steps that have a task, in journey order. Deadlines are
// the defaults of DOMAIN.md where it gives one; the rest are settings a
// deployment may change (LINDUNGI_TASK_DEADLINES).
var StepSpecs = []StepSpec{
	{Step: StepOutreach, Task: TaskOutreachFollowUp, DueDays: 10, RejectReason: "did not proceed after outreach"},
	{Step: StepRegistered, Task: TaskVerifyRegistration, DueDays: 2,
		Documents: []DocType{DocKTP, DocKK, DocFamilyPermission, DocMaritalStatus}, RejectReason: "verification rejected"},
	{Step: StepTraining, Task: TaskRecordTraining, DueDays: 20, Documents: []DocType{DocCompetencyCertificate}, RejectReason: "training not completed"},
	{Step: StepMedical, Task: TaskMedicalCheck, DueDays: 10, Documents: []DocType{DocHealthCertificate}, RejectReason: "medically unfit"},
	{Step: StepPlacementAgreement, Task: TaskPlacementAgreement, DueDays: 5, Documents: []DocType{DocPlacementAgreement}, RejectReason: "placement agreement not signed"},
	{Step: StepSocialSecurity, Task: TaskSocialSecurity, DueDays: 5, Documents: []DocType{DocBPJSCard}, RejectReason: "social security enrolment refused"},
	{Step: StepPassportVisa, Task: TaskPassportVisa, DueDays: 15, Documents: []DocType{DocPassport, DocWorkVisa}, RejectReason: "passport or visa refused"},
	{Step: StepWorkContract, Task: TaskWorkContract, DueDays: 5, Documents: []DocType{DocWorkContract}, RejectReason: "work contract not signed"},
	{Step: StepOrientation, Task: TaskOrientation, DueDays: 1, RejectReason: "orientation not attended"},
	{Step: StepDeparted, Task: TaskConfirmDeparture, DueDays: 5, Documents: []DocType{DocEPMI}, RejectReason: "departure cancelled"},
	{Step: StepReturned, Task: TaskRecordReturn, DueDays: 5, RejectReason: ""},
	{Step: StepRehabilitation, Task: TaskRehabilitation, DueDays: 20, RejectReason: ""},
	{Step: StepReintegration, Task: TaskReintegration, DueDays: 20, RejectReason: ""},
}

// Due days of the tasks that belong to no single step.
const (
	CorrectionDueDays = 10
	RenewDueDays      = 10
	CheckInDueDays    = 5
	ContractEndDays   = 10
)

// SpecOf returns the spec of a step that has a task.
func SpecOf(s Step) (StepSpec, bool) {
	for _, sp := range StepSpecs {
		if sp.Step == s {
			return sp, true
		}
	}
	return StepSpec{}, false
}

// NextStep returns the step after s on the path of scheme. MANDIRI workers
// sign no placement agreement (there is no placement company); G2G and P2P
// do (with the government or with the company).
func NextStep(s Step, scheme Scheme) Step {
	switch s {
	case StepOutreach:
		return StepRegistered
	case StepRegistered:
		return StepVerified
	case StepVerified:
		return StepTraining
	case StepTraining:
		return StepMedical
	case StepMedical:
		if scheme == SchemeMandiri {
			return StepSocialSecurity
		}
		return StepPlacementAgreement
	case StepPlacementAgreement:
		return StepSocialSecurity
	case StepSocialSecurity:
		return StepPassportVisa
	case StepPassportVisa:
		return StepWorkContract
	case StepWorkContract:
		return StepOrientation
	case StepOrientation:
		return StepDeparted
	case StepDeparted:
		return StepAbroad
	case StepAbroad:
		return StepReturned
	case StepReturned, StepRehabilitation:
		return StepReintegration
	}
	return StepClosed
}

// Journey rules with numbers from the law or DOMAIN.md.
const (
	// RehabilitationWindow: rehabilitation only within a year of arrival.
	RehabilitationWindow = 365 * 24 * time.Hour
	// DocumentValidityMargin: a passport or visa must stay valid six months
	// past departure.
	DocumentValidityMargin = 183 * 24 * time.Hour
	// DefaultContract is the contract term assumed when no work contract
	// gives one: contracts are commonly 24 months.
	DefaultContract = 24 * 30 * 24 * time.Hour
	// DefaultCheckInInterval is how often a worker abroad is checked on.
	DefaultCheckInInterval = 180 * 24 * time.Hour
)

// JourneyWorkflowID is the Temporal workflow ID of a worker's journey.
func JourneyWorkflowID(workerID uuid.UUID) string {
	return "journey/" + workerID.String()
}
