-- +goose Up

-- When a case was resolved: set by the store when it resolves the case,
-- kept when the case is closed, and cleared by a trigger whenever the case
-- goes back to handling (reopened, moved to a step, referred to an agency),
-- whatever code moves it. The dashboard counts resolutions and their
-- working days from it.
ALTER TABLE cases ADD COLUMN resolved_at timestamptz;
ALTER TABLE cases ADD CONSTRAINT cases_resolved CHECK (resolved_at IS NULL OR step IN ('RESOLVED', 'CLOSED'));
-- +goose StatementBegin
CREATE FUNCTION cases_unresolve() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.step NOT IN ('RESOLVED', 'CLOSED') THEN
        NEW.resolved_at := NULL;
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER cases_unresolve BEFORE UPDATE OF step ON cases
    FOR EACH ROW EXECUTE FUNCTION cases_unresolve();
-- Cases resolved before this migration: the last action of the first
-- version, since the case last left handling, that was at RESOLVED.
UPDATE cases c SET resolved_at = r.at
FROM (
    SELECT h.case_id, min((h.row_data ->> 'last_action_at')::timestamptz) AS at
    FROM cases_history h
    WHERE h.row_data ->> 'step' = 'RESOLVED'
      AND h.changed_at > coalesce((
          SELECT max(o.changed_at) FROM cases_history o
          WHERE o.case_id = h.case_id AND o.row_data ->> 'step' NOT IN ('RESOLVED', 'CLOSED')), '-infinity')
    GROUP BY h.case_id) r
WHERE r.case_id = c.id AND c.step IN ('RESOLVED', 'CLOSED') AND c.resolution <> '';

-- The figures of a unit and below read open work by unit, and flows by the
-- owner unit and a date; each has an index it is read from alone.
CREATE INDEX tasks_open_stats ON tasks (unit, kind) INCLUDE (level, at_top, due_at, created_at, claimed_by, workflow_id, step)
    WHERE status = 'open';
CREATE INDEX tasks_open_case ON tasks (workflow_id) INCLUDE (due_at, level, at_top) WHERE status = 'open' AND step = 'CASE';
CREATE INDEX cases_open_stats ON cases (owner_unit) INCLUDE (received_at, workflow_id, categories) WHERE step <> 'CLOSED';
CREATE INDEX cases_owner_resolved ON cases (owner_unit, resolved_at) INCLUDE (received_at, categories, money_recovered_idr)
    WHERE resolved_at IS NOT NULL;
CREATE INDEX cases_owner_closed ON cases (owner_unit, closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX workers_journey_stats ON workers (domicile_unit, journey_step, scheme) WHERE NOT provisional;

-- +goose Down
DROP INDEX workers_journey_stats;
DROP INDEX cases_owner_closed;
DROP INDEX cases_owner_resolved;
DROP INDEX cases_open_stats;
DROP INDEX tasks_open_case;
DROP INDEX tasks_open_stats;
DROP TRIGGER cases_unresolve ON cases;
DROP FUNCTION cases_unresolve;
ALTER TABLE cases DROP CONSTRAINT cases_resolved;
ALTER TABLE cases DROP COLUMN resolved_at;
