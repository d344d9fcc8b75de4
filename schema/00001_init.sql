-- +goose Up

-- Units are the organisational units: the national level, provinces and
-- districts (regencies and cities), with Kemendagri/BPS codes.
CREATE TABLE units (
    code   text PRIMARY KEY,
    name   text NOT NULL,
    kind   text NOT NULL CHECK (kind IN ('national', 'province', 'regency', 'city')),
    parent text REFERENCES units (code),
    path   text[] NOT NULL -- codes from the root down to this unit, e.g. {ID,33,3305}
);
CREATE INDEX units_path ON units USING gin (path);

-- Holidays and collective leave days; a year is known when it has a row here.
CREATE TABLE holidays (
    day  date PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('national', 'cuti_bersama')),
    name text NOT NULL
);

-- Users are the people who sign in. Identity comes from the token; this is the
-- directory the product shows and delegates to.
CREATE TABLE users (
    subject    text PRIMARY KEY,
    name       text NOT NULL,
    unit       text NOT NULL REFERENCES units (code),
    roles      text[] NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE workers (
    id                  uuid PRIMARY KEY,
    nik                 text NOT NULL CHECK (nik ~ '^[0-9]{16}$'),
    name                text NOT NULL,
    birth_date          date NOT NULL,
    domicile_unit       text NOT NULL REFERENCES units (code),
    phone               text NOT NULL,
    scheme              text NOT NULL CHECK (scheme IN ('G2G', 'P2P', 'MANDIRI')),
    journey_step        text NOT NULL,
    journey_workflow_id text NOT NULL UNIQUE,
    journey_started_at  timestamptz, -- null until the journey workflow is known to run
    created_by          text NOT NULL,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    CONSTRAINT workers_nik_key UNIQUE (nik)
);
CREATE INDEX workers_domicile ON workers (domicile_unit);
CREATE INDEX workers_journey_not_started ON workers (created_at) WHERE journey_started_at IS NULL;

-- Journey steps record every step a journey entered, in order.
CREATE TABLE journey_steps (
    worker_id   uuid NOT NULL REFERENCES workers (id),
    seq         int NOT NULL, -- position in the journey, set by the workflow
    step        text NOT NULL,
    reason      text NOT NULL DEFAULT '',
    workflow_id text NOT NULL,
    run_id      text NOT NULL,
    entered_at  timestamptz NOT NULL,
    PRIMARY KEY (worker_id, seq)
);

CREATE TABLE tasks (
    id                uuid PRIMARY KEY, -- derived from workflow, step, kind and level
    workflow_id       text NOT NULL,
    worker_id         uuid NOT NULL REFERENCES workers (id),
    kind              text NOT NULL,
    step              text NOT NULL,
    level             int NOT NULL DEFAULT 0,
    unit              text NOT NULL REFERENCES units (code),
    route_rule        text NOT NULL,
    route_flagged     boolean NOT NULL DEFAULT false,
    status            text NOT NULL CHECK (status IN ('open', 'completed')),
    due_at            timestamptz NOT NULL,
    due_date          date NOT NULL,
    calendar_fallback boolean NOT NULL DEFAULT false,
    outcome           text,
    note              text,
    completed_by      text,
    completed_at      timestamptz,
    created_at        timestamptz NOT NULL,
    CHECK ((status = 'completed') = (completed_at IS NOT NULL))
);
CREATE INDEX tasks_inbox ON tasks (unit, status, due_at, id);
CREATE INDEX tasks_worker ON tasks (worker_id);

-- The audit trail: append-only. seq orders it; prev_hash and hash are filled
-- by the tamper-evidence work (a hash chain), so the columns exist from the
-- start and old rows can be chained without a table rewrite.
CREATE TABLE audit_events (
    seq            bigserial PRIMARY KEY,
    id             uuid NOT NULL UNIQUE,
    occurred_at    timestamptz NOT NULL,
    actor          text NOT NULL,
    actor_unit     text NOT NULL,
    actor_role     text NOT NULL,
    action         text NOT NULL,
    subject_type   text NOT NULL,
    subject_id     text NOT NULL,
    worker_id      uuid,
    before         jsonb,
    after          jsonb,
    rule           text NOT NULL DEFAULT '',
    policy_version text NOT NULL DEFAULT '',
    workflow_id    text NOT NULL DEFAULT '',
    run_id         text NOT NULL DEFAULT '',
    request_id     text NOT NULL DEFAULT '',
    prev_hash      bytea,
    hash           bytea
);
CREATE INDEX audit_events_worker ON audit_events (worker_id, seq);
CREATE INDEX audit_events_subject ON audit_events (subject_type, subject_id, seq);

-- +goose StatementBegin
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- Idempotency keys make a retried POST answer what the first one answered.
CREATE TABLE idempotency_keys (
    subject      text NOT NULL,
    key          text NOT NULL,
    route        text NOT NULL,
    request_hash bytea NOT NULL,
    status       int NOT NULL,
    response     bytea NOT NULL, -- the exact bytes first sent
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (subject, key)
);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE audit_events;
DROP FUNCTION audit_events_append_only;
DROP TABLE tasks;
DROP TABLE journey_steps;
DROP TABLE workers;
DROP TABLE users;
DROP TABLE holidays;
DROP TABLE units;
