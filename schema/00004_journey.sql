-- +goose Up

-- The placement company and job order of a P2P worker.
ALTER TABLE workers ADD COLUMN placement_company text NOT NULL DEFAULT '';
ALTER TABLE workers ADD COLUMN job_order_ref text NOT NULL DEFAULT '';

-- Tasks are held by a role at a unit, may be claimed by a person, move up
-- the escalation chain, and can be cancelled when the journey moves on.
ALTER TABLE tasks ADD COLUMN attempt int NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN holder_role text NOT NULL DEFAULT 'caseworker';
ALTER TABLE tasks ADD COLUMN claimed_by text NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN claimed_at timestamptz;
ALTER TABLE tasks ADD COLUMN at_top boolean NOT NULL DEFAULT false; -- overdue with no one left above
ALTER TABLE tasks DROP CONSTRAINT tasks_status_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_status_check CHECK (status IN ('open', 'completed', 'cancelled'));
ALTER TABLE tasks DROP CONSTRAINT tasks_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_completed_at_check CHECK ((status = 'open') = (completed_at IS NULL));
CREATE INDEX tasks_claimed ON tasks (claimed_by) WHERE claimed_by <> '';
CREATE INDEX tasks_open_due ON tasks (due_at) WHERE status = 'open';

-- Notifications tell people of what happened to their work: an escalation
-- takes a task away from its holder, and the holder is told.
CREATE TABLE notifications (
    id             bigserial PRIMARY KEY,
    recipient_unit text NOT NULL REFERENCES units (code),
    recipient_role text NOT NULL DEFAULT '',
    recipient_user text NOT NULL DEFAULT '',
    task_id        uuid REFERENCES tasks (id),
    kind           text NOT NULL,
    message        text NOT NULL,
    created_at     timestamptz NOT NULL,
    read_at        timestamptz
);
CREATE INDEX notifications_unit ON notifications (recipient_unit, created_at DESC);

-- +goose Down
DROP TABLE notifications;
DROP INDEX tasks_open_due;
DROP INDEX tasks_claimed;
ALTER TABLE tasks DROP CONSTRAINT tasks_completed_at_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_check CHECK ((status = 'completed') = (completed_at IS NOT NULL));
ALTER TABLE tasks DROP CONSTRAINT tasks_status_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_status_check CHECK (status IN ('open', 'completed'));
ALTER TABLE tasks DROP COLUMN at_top, DROP COLUMN claimed_at, DROP COLUMN claimed_by, DROP COLUMN holder_role, DROP COLUMN attempt;
ALTER TABLE workers DROP COLUMN job_order_ref, DROP COLUMN placement_company;
