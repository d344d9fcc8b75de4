// Package lindungi holds the domain of Lindungi, a workflow and case-management
// server that protects Indonesian migrant workers (PMI). The packages
// postgres, server, policies, workflows and activities talk in its types.
//
// The package is sorted by noun: each file holds one noun's type, its
// constants, its validation and the service interface that keeps it.
//
//	worker.go        Worker, schemes, registration (NewWorker), NIK and phone checks, worker search; WorkerService
//	journey.go       journey steps, phases, StepSpec and the path through the steps; JourneyWorkflowID
//	task.go          Task, every task kind, statuses, outcomes, TaskID, filters, scopes, routing; TaskService
//	case.go          protection cases: categories, handling steps, the case and its outcome; CaseService
//	complaint.go     a complaint as taken in: complainant, subject, normalizing and validation
//	handover.go      referrals and transfers and their checks
//	document.go      workers' documents and what a step needs of them; DocumentService
//	unit.go          organisational units and their codes
//	event.go         Event, one entry of the audit trail
//	delegation.go    delegations across units and their validation; DelegationService
//	holiday.go       holidays and their validation; HolidayService (calendar.go counts working days)
//	stats.go         the figures of a unit and below: backlogs, flows, resolution times, recovery, journeys, workload; StatsService
//	idempotency.go   idempotency keys, their reservations and answers; IdempotencyService
//	principal.go     Principal and the role names
//	user.go          the user directory; UserService
//	notification.go  notifications to units; NotificationService
//	policy.go        casbin policy lines, changes and versions; PolicyService
//	text.go          the one check of every text field (Text): reasons, names, lines, query parameters
//	id.go            the canonical form of a record's ID (ParseID)
//	error.go         the domain error, its codes and field validation
//	context.go       what a request carries in its context
//
// Service methods list the error codes they return. The audit trail's own
// service is auditlog.Store, since its types live in package auditlog.
package lindungi
