package lindungi

import (
	"context"
	"time"
)

// The figures a supervisor's dashboard shows and GET /v1/stats/... answers:
// open work, the flow of complaints, how long resolution takes, the money
// recovered, where journeys stand and who holds the work. Every figure
// covers one unit and the units below it, and is read live from the
// records. Aggregates hold no personal data of workers; the workload names
// officers, who are staff.

// StatsQuery selects the figures of Unit and every unit below it. From
// and To are the first and last day of the period (midnight WIB, both
// inclusive) that flows (complaints received, resolved, closed; money
// recovered; resolution times) are counted over; Now is what open work is
// measured against: its age, its deadlines, this month and this year.
type StatsQuery struct {
	Unit     string
	From, To time.Time
	Now      time.Time
}

// Period is a span of whole days in WIB, both ends included.
type Period struct {
	From string `json:"from"` // YYYY-MM-DD
	To   string `json:"to"`   // YYYY-MM-DD
}

// Period is the query's period as dates.
func (q StatsQuery) Period() Period {
	return Period{From: q.From.In(WIB).Format(time.DateOnly), To: q.To.In(WIB).Format(time.DateOnly)}
}

// MaxStatsPeriod is the longest period the figures are counted over, in days.
const MaxStatsPeriod = 10 * 366

// ParseStatsPeriod reads a period from its first and last day (YYYY-MM-DD,
// WIB), each of which may be empty: the period defaults to the year of now
// up to today. It returns the two days at midnight WIB, or EINVALID naming
// from or to when a day is malformed, the period ends before it starts, or
// it is longer than MaxStatsPeriod days.
func ParseStatsPeriod(from, to string, now time.Time) (time.Time, time.Time, error) {
	var v Validation
	today := DayOf(now)
	first, last := time.Date(today.Year(), 1, 1, 0, 0, 0, 0, WIB), today
	if from != "" {
		d, err := time.ParseInLocation(time.DateOnly, from, WIB)
		if err != nil {
			v.Add("from", "must be a date in the form YYYY-MM-DD")
		}
		first = d
	}
	if to != "" {
		d, err := time.ParseInLocation(time.DateOnly, to, WIB)
		if err != nil {
			v.Add("to", "must be a date in the form YYYY-MM-DD")
		}
		last = d
	}
	if err := v.Err(); err != nil {
		return time.Time{}, time.Time{}, err
	}
	switch {
	case last.Before(first):
		v.Add("to", "must not be before from")
	case last.Sub(first) > MaxStatsPeriod*24*time.Hour:
		v.Add("to", "must be at most ten years after from")
	}
	return first, last, v.Err()
}

// DayOf is the day of t in WIB, at midnight.
func DayOf(t time.Time) time.Time {
	t = t.In(WIB)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, WIB)
}

// Backlog is open work at a moment: how much is open, how much of it is
// past its deadline, moved up the escalation chain (by a deadline or by
// hand) and at the top of the chain, and how many calendar days (WIB) the
// oldest of it has been open. A case is overdue or escalated when an open
// task of the case is.
type Backlog struct {
	Open       int `json:"open"`
	Overdue    int `json:"overdue"`
	Escalated  int `json:"escalated"`
	AtTop      int `json:"at_top"`
	OldestDays int `json:"oldest_days"`
}

// UnitBacklog is the backlog of one unit below the query's unit and of the
// units below it; or, when Own, of the query's unit itself only.
type UnitBacklog struct {
	Unit string `json:"unit"`
	Name string `json:"name"`
	Own  bool   `json:"own,omitempty"`
	Backlog
}

// KindBacklog is the backlog of one task kind.
type KindBacklog struct {
	Kind TaskKind `json:"kind"`
	Backlog
}

// CategoryBacklog is the backlog of the cases of one complaint category;
// a case of several categories counts in each.
type CategoryBacklog struct {
	Category CaseCategory `json:"category"`
	Backlog
}

// TaskStats is the open tasks of a unit and below, by unit and by kind.
type TaskStats struct {
	Unit   string        `json:"unit"`
	AsOf   time.Time     `json:"as_of"`
	Total  Backlog       `json:"total"`
	ByUnit []UnitBacklog `json:"by_unit"`
	ByKind []KindBacklog `json:"by_kind"`
}

// FlowCounts are the complaints received, resolved and closed in a period.
type FlowCounts struct {
	Period
	Received int `json:"received"`
	Resolved int `json:"resolved"`
	Closed   int `json:"closed"`
}

// CaseFlow is the flow of complaints this month and this year (to now,
// WIB) and in the query's period.
type CaseFlow struct {
	Month  FlowCounts `json:"month"`
	Year   FlowCounts `json:"year"`
	Period FlowCounts `json:"period"`
}

// CaseStats is the open cases of a unit and below (by the unit that owns
// them), by unit and by category, and the flow of complaints.
type CaseStats struct {
	Unit       string            `json:"unit"`
	AsOf       time.Time         `json:"as_of"`
	Total      Backlog           `json:"total"`
	ByUnit     []UnitBacklog     `json:"by_unit"`
	ByCategory []CategoryBacklog `json:"by_category"`
	Flow       CaseFlow          `json:"flow"`
}

// ResolutionTime is how many cases were resolved and the median and 90th
// percentile (interpolated) of the working days each took, from the day it
// was received to the day it was resolved: the day of receipt does not
// count, so a case resolved the day it came in took 0.
type ResolutionTime struct {
	Resolved int     `json:"resolved"`
	Median   float64 `json:"median_working_days"`
	P90      float64 `json:"p90_working_days"`
}

// UnitResolution is the resolution time of a unit below the query's unit
// and below it, or, when Own, of the query's unit itself.
type UnitResolution struct {
	Unit string `json:"unit"`
	Name string `json:"name"`
	Own  bool   `json:"own,omitempty"`
	ResolutionTime
}

// CategoryResolution is the resolution time of one complaint category.
type CategoryResolution struct {
	Category CaseCategory `json:"category"`
	ResolutionTime
}

// ResolutionStats is the resolution time of the cases resolved in the
// period, counted on the holiday calendar; CalendarFallback says a year on
// the way had no holiday data, so only its weekends were skipped.
type ResolutionStats struct {
	Unit             string               `json:"unit"`
	Period           Period               `json:"period"`
	Total            ResolutionTime       `json:"total"`
	ByUnit           []UnitResolution     `json:"by_unit"`
	ByCategory       []CategoryResolution `json:"by_category"`
	CalendarFallback bool                 `json:"calendar_fallback"`
}

// Recovery is money recovered for workers, in rupiah, and the number of
// cases it came from.
type Recovery struct {
	AmountIDR int64 `json:"amount_idr"`
	Cases     int   `json:"cases"`
}

// MonthRecovery is the money recovered by the cases resolved in a month
// (YYYY-MM, WIB).
type MonthRecovery struct {
	Month string `json:"month"`
	Recovery
}

// CategoryRecovery is the money recovered by the cases of a category; a
// case of several categories counts in each.
type CategoryRecovery struct {
	Category CaseCategory `json:"category"`
	Recovery
}

// RecoveryStats is the money recovered by the cases resolved in the
// period: in all, in each month of the period and by category.
type RecoveryStats struct {
	Unit       string             `json:"unit"`
	Period     Period             `json:"period"`
	Total      Recovery           `json:"total"`
	ByMonth    []MonthRecovery    `json:"by_month"`
	ByCategory []CategoryRecovery `json:"by_category"`
}

// Journey stages: the steps grouped as a coordination meeting counts
// them.
const (
	StageRegistration = "registration" // outreach to verified
	StageTraining     = "training"
	StagePreparing    = "preparing" // medical check to orientation: waiting for departure
	StageAbroad       = "abroad"    // departed and working abroad
	StageReturned     = "returned"  // back home: return, rehabilitation, reintegration
	StageClosed       = "closed"
)

// JourneyStages lists the stages in journey order.
var JourneyStages = []string{StageRegistration, StageTraining, StagePreparing, StageAbroad, StageReturned, StageClosed}

// Stage returns the stage of a journey step.
func (s Step) Stage() string {
	switch s {
	case StepOutreach, StepRegistered, StepVerified:
		return StageRegistration
	case StepTraining:
		return StageTraining
	case StepDeparted, StepAbroad:
		return StageAbroad
	case StepReturned, StepRehabilitation, StepReintegration:
		return StageReturned
	case StepClosed:
		return StageClosed
	}
	return StagePreparing
}

// StepCount is how many journeys stand at a step, by scheme.
type StepCount struct {
	Step    Step `json:"step"`
	G2G     int  `json:"g2g"`
	P2P     int  `json:"p2p"`
	Mandiri int  `json:"mandiri"`
	Total   int  `json:"total"`
}

// StageCount is how many journeys stand at a stage.
type StageCount struct {
	Stage string `json:"stage"`
	Count int    `json:"count"`
}

// JourneyStats is where the journeys of the workers of a unit and below
// (by domicile; provisional workers have none) stand: every step in
// journey order, and the stages.
type JourneyStats struct {
	Unit    string       `json:"unit"`
	AsOf    time.Time    `json:"as_of"`
	Total   int          `json:"total"`
	ByStep  []StepCount  `json:"by_step"`
	ByStage []StageCount `json:"by_stage"`
}

// Add counts n journeys of scheme at the step of c.
func (c *StepCount) Add(scheme Scheme, n int) {
	switch scheme {
	case SchemeG2G:
		c.G2G += n
	case SchemeP2P:
		c.P2P += n
	case SchemeMandiri:
		c.Mandiri += n
	}
	c.Total += n
}

// Stages sums the steps of ss into JourneyStages, in order.
func Stages(ss []StepCount) []StageCount {
	out := make([]StageCount, len(JourneyStages))
	for i, st := range JourneyStages {
		out[i].Stage = st
		for _, s := range ss {
			if s.Step.Stage() == st {
				out[i].Count += s.Total
			}
		}
	}
	return out
}

// OfficerLoad is the open work an officer holds: the open tasks claimed,
// how many of them are overdue, and the cases whose open tasks they hold.
type OfficerLoad struct {
	Subject      string `json:"subject"`
	Name         string `json:"name"`
	Unit         string `json:"unit"`
	OpenTasks    int    `json:"open_tasks"`
	OverdueTasks int    `json:"overdue_tasks"`
	CasesHeld    int    `json:"cases_held"`
}

// OfficerRoles are the roles whose holders work tasks and cases: a
// workload lists the users holding one (and anyone else holding a task).
var OfficerRoles = []string{RoleCaseworker, RoleVerifier, RoleSupervisor, RoleProvinceSupervisor, RoleBP3MIOfficer,
	RoleBP3MIHead, RoleNationalOfficer}

// MaxOfficers is how many officers a workload lists at most, the busiest
// first.
const MaxOfficers = 200

// WorkloadStats is the open work of a unit and below by the officer who
// holds it: the officers of those units (the user directory) and everyone
// who holds a task there, the busiest first, at most MaxOfficers; and the
// open tasks nobody has claimed.
type WorkloadStats struct {
	Unit      string        `json:"unit"`
	AsOf      time.Time     `json:"as_of"`
	Unclaimed int           `json:"unclaimed"`
	Officers  []OfficerLoad `json:"officers"`
}

// StatsService reads the figures of a unit and the units below it from the
// records, live. Queries are not checked here: the unit is one that exists
// and the period is well formed (ParseStatsPeriod). No method returns a
// domain error code.
type StatsService interface {
	TaskStats(ctx context.Context, q StatsQuery) (TaskStats, error)
	CaseStats(ctx context.Context, q StatsQuery) (CaseStats, error)
	ResolutionStats(ctx context.Context, q StatsQuery) (ResolutionStats, error)
	RecoveryStats(ctx context.Context, q StatsQuery) (RecoveryStats, error)
	JourneyStats(ctx context.Context, q StatsQuery) (JourneyStats, error)
	WorkloadStats(ctx context.Context, q StatsQuery) (WorkloadStats, error)
}
