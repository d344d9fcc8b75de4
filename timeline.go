package lindungi

import (
	"encoding/json"
	"time"
)

// TimelineEntry is one entry of a worker's timeline: an event of the audit
// trail about the worker that a person reading the file cares about (see
// TimelineActions), with the actor's name from the user directory.
type TimelineEntry struct {
	Seq        int64
	OccurredAt time.Time
	Action     string
	Actor      string
	ActorName  string // "" for the system or a user the directory does not know
	ActorUnit  string
	ActorRole  string
	TaskKind   TaskKind        // for task events: the task's kind
	After      json.RawMessage // the event's after, as recorded
}

// TimelineActions are the actions a worker's timeline shows: what happened
// to the worker's file and journey, and who did it. Reads, task creation,
// claims and the like are in the audit trail but not here.
var TimelineActions = []string{
	"worker.register", "worker.provisional", "worker.correct", "worker.merge",
	"journey.step", "journey.contract_extend", "journey.rehabilitation_request",
	"task.complete", "task.escalate",
	"document.add", "document.scan", "document.verify", "document.reject",
	"case.open",
}
