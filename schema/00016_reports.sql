-- +goose Up

-- The monthly recaps (postgres/report.go) read the cases resolved and
-- closed in a month and the journey steps entered in it by their dates.
-- A resolution's instant is its audit event (case.resolve): this partial
-- index holds those events alone, a sliver of the trail.
CREATE INDEX audit_events_case_resolve ON audit_events (occurred_at) WHERE action = 'case.resolve';
-- The dashboard's migration makes the same index under the same name: the
-- one that runs second keeps the first's.
CREATE INDEX IF NOT EXISTS cases_owner_closed ON cases (owner_unit, closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX journey_steps_entered ON journey_steps (entered_at) INCLUDE (step);

-- +goose Down
DROP INDEX journey_steps_entered;
DROP INDEX audit_events_case_resolve;
-- cases_owner_closed stays: the dashboard's migration may own it.
