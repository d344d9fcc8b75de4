-- +goose Up

-- The hash chain over audit_events. chain_seq is the event's position in
-- one global chain, gap-free from 1, assigned by the application under the
-- lock of the single audit_chain_head row, so chain order is commit order.
-- hash = SHA-256(prev_hash || canonical encoding of the event), computed by
-- the application (package auditlog), which also verifies it. purpose is
-- why personal data was read, on access events.
ALTER TABLE audit_events ADD COLUMN chain_seq bigint;
ALTER TABLE audit_events ADD COLUMN purpose text NOT NULL DEFAULT '';
CREATE UNIQUE INDEX audit_events_chain ON audit_events (chain_seq);
CREATE INDEX audit_events_worker_chain ON audit_events (worker_id, chain_seq);
CREATE INDEX audit_events_occurred ON audit_events (occurred_at);
-- Events written before this migration are chained by `lindungi migrate`
-- (postgres.DB.Migrate); from now on every event is chained when written.
ALTER TABLE audit_events ADD CONSTRAINT audit_events_chained
    CHECK (chain_seq IS NOT NULL AND prev_hash IS NOT NULL AND hash IS NOT NULL) NOT VALID;

-- The end of the chain: one row, locked by every writer of an event until
-- it commits.
CREATE TABLE audit_chain_head (
    id   boolean PRIMARY KEY DEFAULT true CHECK (id),
    seq  bigint NOT NULL,
    hash bytea NOT NULL
);
INSERT INTO audit_chain_head (id, seq, hash) VALUES (true, 0, '\x0000000000000000000000000000000000000000000000000000000000000000');

-- Checkpoints: the chain head signed by the server's Ed25519 key from time
-- to time (the worker process does it).
CREATE TABLE audit_checkpoints (
    seq       bigint PRIMARY KEY,
    hash      bytea NOT NULL,
    signed_at timestamptz NOT NULL,
    key_id    text NOT NULL,
    signature bytea NOT NULL
);

-- +goose StatementBegin
CREATE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();

-- History of workers and tasks, for the view of a worker's file as it
-- stood at a past instant. Triggers copy every version of a row, whatever
-- code writes it, as JSON (so columns added later are kept too), with the
-- time of the change.
CREATE TABLE workers_history (
    history_id bigserial PRIMARY KEY,
    worker_id  uuid NOT NULL,
    changed_at timestamptz NOT NULL,
    row_data   jsonb NOT NULL
);
CREATE INDEX workers_history_at ON workers_history (worker_id, changed_at);

CREATE TABLE tasks_history (
    history_id bigserial PRIMARY KEY,
    task_id    uuid NOT NULL,
    worker_id  uuid NOT NULL,
    changed_at timestamptz NOT NULL,
    row_data   jsonb NOT NULL
);
CREATE INDEX tasks_history_at ON tasks_history (worker_id, changed_at);

-- +goose StatementBegin
CREATE FUNCTION workers_history_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO workers_history (worker_id, changed_at, row_data) VALUES (NEW.id, clock_timestamp(), to_jsonb(NEW));
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION tasks_history_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tasks_history (task_id, worker_id, changed_at, row_data) VALUES (NEW.id, NEW.worker_id, clock_timestamp(), to_jsonb(NEW));
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER workers_history AFTER INSERT OR UPDATE ON workers
    FOR EACH ROW EXECUTE FUNCTION workers_history_add();
CREATE TRIGGER tasks_history AFTER INSERT OR UPDATE ON tasks
    FOR EACH ROW EXECUTE FUNCTION tasks_history_add();
CREATE TRIGGER workers_history_no_update BEFORE UPDATE OR DELETE ON workers_history
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER workers_history_no_truncate BEFORE TRUNCATE ON workers_history
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER tasks_history_no_update BEFORE UPDATE OR DELETE ON tasks_history
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER tasks_history_no_truncate BEFORE TRUNCATE ON tasks_history
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();

-- Rows that exist already start their history with their current version,
-- as of their last known change.
INSERT INTO workers_history (worker_id, changed_at, row_data)
SELECT w.id, w.updated_at, to_jsonb(w) FROM workers w;
INSERT INTO tasks_history (task_id, worker_id, changed_at, row_data)
SELECT t.id, t.worker_id, coalesce(t.completed_at, t.created_at), to_jsonb(t) FROM tasks t;

-- +goose Down
DROP TABLE tasks_history;
DROP TABLE workers_history;
DROP TRIGGER tasks_history ON tasks;
DROP TRIGGER workers_history ON workers;
DROP FUNCTION tasks_history_add;
DROP FUNCTION workers_history_add;
DROP TABLE audit_checkpoints;
DROP FUNCTION append_only;
DROP TABLE audit_chain_head;
ALTER TABLE audit_events DROP CONSTRAINT audit_events_chained;
DROP INDEX audit_events_occurred;
DROP INDEX audit_events_worker_chain;
DROP INDEX audit_events_chain;
ALTER TABLE audit_events DROP COLUMN purpose;
ALTER TABLE audit_events DROP COLUMN chain_seq;
