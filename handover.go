package lindungi

import (
	"time"

	"github.com/google/uuid"
)

// Referral and transfer: a case handed to another unit or agency, which
// decides once.

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
