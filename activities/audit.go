package activities

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"

	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/auditlog"
	"go.temporal.io/sdk/activity"
)

// AuditTrail is the audit trail as its scheduled verification reads it.
type AuditTrail interface {
	// VerifyAudit re-checks the whole trail, and the checkpoints'
	// signatures with keys.
	VerifyAudit(ctx context.Context, keys map[string]ed25519.PublicKey) (auditlog.Report, error)
}

// ActionAuditFailed is the audit action, and KindAuditFailed the kind of
// notification, of a scheduled verification that found the trail broken.
const (
	ActionAuditFailed = "audit.verify_failed"
	KindAuditFailed   = "audit_failed"
)

// AuditCheck is what a verification of the whole trail found.
type AuditCheck struct {
	OK     bool
	Events int64
	// Failure is the first event that fails, when one does.
	Failure *auditlog.Failure
}

// VerifyAuditTrail re-checks the whole audit trail (every event's hash and
// link, the chain head, every checkpoint and its signature). When it fails
// it logs the first failing event at error level and tells the national
// auditors, by a notification and an audit event written together, once
// per failure (the seq and reason key it): a trail that stays broken is
// not announced again at every run.
func (a *Activities) VerifyAuditTrail(ctx context.Context) (AuditCheck, error) {
	rep, err := a.Audit.VerifyAudit(ctx, a.AuditKeys)
	if err != nil {
		return AuditCheck{}, fmt.Errorf("verify audit trail: %w", err)
	}
	out := AuditCheck{OK: rep.OK, Events: rep.Events, Failure: rep.Failure}
	f := rep.Failure
	if f == nil {
		activity.GetLogger(ctx).Info("audit trail verified", "events", rep.Events, "last_seq", rep.LastSeq,
			"checkpoints", rep.Checkpoints, "signatures_checked", rep.SignaturesChecked)
		return out, nil
	}
	activity.GetLogger(ctx).Error("AUDIT TRAIL VERIFICATION FAILED", "seq", f.Seq, "reason", f.Reason, "detail", f.Detail,
		"event_id", f.EventID, "events_verified", rep.Events)
	ev := a.event(ctx, System, fmt.Sprintf("audit-verify/%d/%s", f.Seq, f.Reason))
	ev.Action, ev.SubjectType, ev.SubjectID = ActionAuditFailed, "audit", "chain"
	if ev.After, err = json.Marshal(f); err != nil {
		return out, err
	}
	n := lindungi.Notification{RecipientUnit: a.top(System.Unit), RecipientRole: lindungi.RoleAuditor, Kind: KindAuditFailed,
		Message: fmt.Sprintf("Verifikasi jejak audit gagal di peristiwa #%d (%s): %s / The audit trail's verification failed at event #%d (%s): %s",
			f.Seq, f.Reason, f.Detail, f.Seq, f.Reason, f.Detail)}
	return out, asActivityError(a.Store.FlagAttention(ctx, n, ev))
}
