package auditlog

import "time"

// Query selects events of the whole trail, for the questions an inspector
// asks: everything one user did or read, every read of personal data in a
// unit, every policy change, every escalation that reached the top of its
// chain. Zero fields select everything.
type Query struct {
	// Unit keeps the events in the reach of a unit: those of an actor who
	// acted from the unit or a unit below it, and those about a worker
	// domiciled there or below. "" keeps the events of every unit.
	Unit         string
	Actor        string   // one user's events
	Actions      []string // only these actions ("policy.change")
	SubjectIDs   []string // only events about these subjects (task IDs)
	AccessesOnly bool     // only reads of personal data (events with a purpose)
	From, To     time.Time
	After        int64 // the seq of the last event already seen
	Limit        int   // 0 for no limit: the store streams every event
}
