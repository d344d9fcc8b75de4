-- +goose Up

-- The questions inspectors ask of the whole trail: everything one user did
-- or read (by actor), every policy change and every escalation that
-- reached the top of its chain (by action), and every read of personal
-- data in a period (reads are the events with a purpose). Each walks its
-- events in chain order.
CREATE INDEX audit_events_actor ON audit_events (actor, chain_seq);
CREATE INDEX audit_events_action ON audit_events (action, chain_seq);
CREATE INDEX audit_events_reads ON audit_events (occurred_at) WHERE purpose <> '';

-- A worker's cases as they stood at a past instant: the versions of the
-- cases that belonged to the worker then (a merge moves a case to another
-- worker, so the worker is read from each version).
CREATE INDEX cases_history_worker ON cases_history ((row_data ->> 'worker_id'), changed_at);

-- +goose Down
DROP INDEX cases_history_worker;
DROP INDEX audit_events_reads;
DROP INDEX audit_events_action;
DROP INDEX audit_events_actor;
