// Package workflows holds Lindungi's Temporal workflows: deterministic
// orchestration only, carrying IDs and codes, never names, NIK or phone
// numbers; every I/O goes through package activities.
//
//   - journey.go: WorkerJourney, one per worker (journey/<worker-id>), from
//     outreach or registration to closure, with its journey updates.
//   - case.go: ProtectionCase, one per complaint (case/<case-id>), its
//     case-action update and the closure rules of BP2MI regulation 6/2024.
//   - ledger.go: the task ledger both keep in their state: it creates tasks
//     (recording each as pending before its row exists, since the ID is
//     derived), validates and serves the task updates (complete, escalate,
//     reassign, extend), and knows which deadline wakes the workflow next.
//   - run.go: what every run shares: activity options, sleeping until a
//     deadline or a change, continuing as new, refusals, and attention: an
//     activity of the workflow's own loop that fails for good (refused by
//     the database, or out of retries) flags the workflow to the
//     administrators and waits for the retry signal, or, after an outage,
//     an hour, instead of failing the workflow or retrying for ever.
//   - audit.go: AuditVerification, started by a Temporal schedule
//     (audit-verify/<task queue>), which verifies the whole audit trail.
//   - register.go: Register, for the Temporal worker.
//
// From now on, every change to workflow code that alters the commands a
// recorded history holds goes behind workflow.GetVersion; replay_test.go
// replays the histories in testdata/histories.
package workflows
