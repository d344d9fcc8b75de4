-- +goose Up

-- Provisional workers. A complaint often concerns a person the system has
-- never seen (a non-procedural worker): intake records them as a
-- provisional worker, which may lack NIK, birth date and phone, has no
-- scheme and no journey, and is later merged into a registered worker
-- (merged_into). Both rows stay: history is never lost.
ALTER TABLE workers ADD COLUMN provisional boolean NOT NULL DEFAULT false;
ALTER TABLE workers ADD COLUMN merged_into uuid REFERENCES workers (id);
ALTER TABLE workers ALTER COLUMN nik DROP NOT NULL;
ALTER TABLE workers ALTER COLUMN birth_date DROP NOT NULL;
ALTER TABLE workers ALTER COLUMN scheme DROP NOT NULL;
ALTER TABLE workers ALTER COLUMN journey_step DROP NOT NULL;
ALTER TABLE workers ALTER COLUMN journey_workflow_id DROP NOT NULL;
-- A registered worker keeps every field it had to have before.
ALTER TABLE workers ADD CONSTRAINT workers_registered_complete CHECK (provisional OR (nik IS NOT NULL
    AND birth_date IS NOT NULL AND scheme IS NOT NULL AND journey_step IS NOT NULL AND journey_workflow_id IS NOT NULL));
-- A provisional worker has no journey; only a provisional worker is merged.
ALTER TABLE workers ADD CONSTRAINT workers_provisional_no_journey CHECK (NOT provisional
    OR (scheme IS NULL AND journey_step IS NULL AND journey_workflow_id IS NULL AND journey_started_at IS NULL));
ALTER TABLE workers ADD CONSTRAINT workers_merged_provisional CHECK (merged_into IS NULL OR (provisional AND merged_into <> id));
-- A NIK is unique among registered workers, and among provisional workers
-- not yet merged. A provisional worker may carry the NIK of a registered
-- one: the person registers after the complaint, then a supervisor merges.
ALTER TABLE workers DROP CONSTRAINT workers_nik_key;
CREATE UNIQUE INDEX workers_nik_key ON workers (nik) WHERE NOT provisional;
CREATE UNIQUE INDEX workers_provisional_nik ON workers (nik) WHERE provisional AND merged_into IS NULL;
CREATE INDEX workers_phone ON workers (phone) WHERE phone <> '';
CREATE INDEX workers_merged_into ON workers (merged_into) WHERE merged_into IS NOT NULL;

-- Name search uses ILIKE; a trigram index speeds it up where the pg_trgm
-- extension is available and may be created. Without it the search still
-- works, by scanning.
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
        BEGIN
            CREATE EXTENSION IF NOT EXISTS pg_trgm;
            CREATE INDEX workers_name_trgm ON workers USING gin (name gin_trgm_ops);
        EXCEPTION WHEN insufficient_privilege OR undefined_file OR undefined_object THEN
            RAISE NOTICE 'pg_trgm not available (%): worker name search scans', SQLERRM;
        END;
    END IF;
END;
$$;
-- +goose StatementEnd

-- Case numbers count per province of the intake unit and per year (WIB):
-- PGD-33-2026-000042. The row lock serializes intake within a province and
-- year, so numbers have no gaps.
CREATE TABLE case_numbers (
    province text NOT NULL,
    year     int NOT NULL,
    last     int NOT NULL,
    PRIMARY KEY (province, year)
);

-- Protection cases (pengaduan). Complainant name and phone, employer and
-- description are personal data: they never go into the audit trail.
CREATE TABLE cases (
    id                   uuid PRIMARY KEY,
    number               text NOT NULL UNIQUE,
    worker_id            uuid NOT NULL REFERENCES workers (id),
    channel              text NOT NULL CHECK (channel IN ('HOTLINE', 'WEB_FORM', 'WHATSAPP_SMS', 'LETTER', 'WALK_IN',
                             'LAPORGUB', 'EMBASSY', 'NGO')),
    complainant_name     text NOT NULL CHECK (complainant_name <> ''),
    complainant_relation text NOT NULL CHECK (complainant_relation IN ('SELF', 'FAMILY', 'LAWYER', 'NGO')),
    complainant_phone    text NOT NULL DEFAULT '',
    power_of_attorney    boolean NOT NULL DEFAULT false,
    categories           text[] NOT NULL CHECK (cardinality(categories) BETWEEN 1 AND 5),
    country              text NOT NULL DEFAULT '' CHECK (country = '' OR country ~ '^[A-Z]{2}$'),
    employer             text NOT NULL DEFAULT '',
    placement_company    text NOT NULL DEFAULT '',
    description          text NOT NULL,
    risk_flags           text[] NOT NULL DEFAULT '{}',
    high_risk            boolean NOT NULL,
    intake_unit          text NOT NULL REFERENCES units (code),
    owner_unit           text NOT NULL REFERENCES units (code),
    -- Units besides the owner that may read the case: the intake unit, the
    -- units that referred it, the units it is referred (pending or
    -- accepted) or being transferred (pending) to. Kept by the store from
    -- the referrals and transfers, so lists filter on one indexed column.
    read_units           text[] NOT NULL,
    step                 text NOT NULL CHECK (step IN ('RECEIVED', 'VERIFICATION', 'CLARIFICATION', 'MEDIATION',
                             'REFERRED', 'RESOLVED', 'CLOSED')),
    step_before_close    text, -- where a reopened case goes back to
    workflow_id          text NOT NULL UNIQUE,
    workflow_started_at  timestamptz, -- null until the case's workflow is known to run
    received_at          timestamptz NOT NULL,
    last_contact_at      timestamptz NOT NULL,
    last_action_at       timestamptz NOT NULL,
    info_requested_at    timestamptz,
    told_unresolvable_at timestamptz,
    resolution           text NOT NULL DEFAULT '',
    money_recovered_idr  bigint NOT NULL DEFAULT 0 CHECK (money_recovered_idr >= 0),
    closed_reason        text NOT NULL DEFAULT '',
    closed_at            timestamptz,
    reopen_reason        text NOT NULL DEFAULT '',
    created_by           text NOT NULL,
    CONSTRAINT cases_closed CHECK ((step = 'CLOSED') = (closed_at IS NOT NULL)),
    CONSTRAINT cases_power_of_attorney CHECK (complainant_relation NOT IN ('LAWYER', 'NGO') OR power_of_attorney)
);
CREATE INDEX cases_received ON cases (received_at, id);
CREATE INDEX cases_owner ON cases (owner_unit, received_at);
CREATE INDEX cases_read_units ON cases USING gin (read_units);
CREATE INDEX cases_worker ON cases (worker_id);
CREATE INDEX cases_workflow_not_started ON cases (received_at) WHERE workflow_started_at IS NULL;
-- "Overdue" joins a case's open tasks by workflow ID.
CREATE INDEX tasks_workflow_open ON tasks (workflow_id, due_at) WHERE status = 'open';

-- Referrals to another unit or an outside agency; the receiver decides once.
CREATE TABLE case_referrals (
    id              uuid PRIMARY KEY,
    case_id         uuid NOT NULL REFERENCES cases (id),
    from_unit       text NOT NULL REFERENCES units (code),
    to_unit         text REFERENCES units (code),
    to_agency       text,
    consent         boolean NOT NULL, -- the worker's recorded consent
    override_reason text NOT NULL DEFAULT '', -- a supervisor's override instead of consent
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL,
    decided_by      text,
    decided_at      timestamptz,
    reason          text NOT NULL DEFAULT '', -- why it was accepted or rejected
    CONSTRAINT case_referrals_target CHECK ((to_unit IS NULL) <> (to_agency IS NULL)),
    CONSTRAINT case_referrals_consent CHECK (consent OR override_reason <> ''),
    CONSTRAINT case_referrals_decided CHECK ((status = 'pending') = (decided_at IS NULL)
        AND (decided_at IS NULL) = (decided_by IS NULL))
);
CREATE INDEX case_referrals_case ON case_referrals (case_id, created_at);
-- One referral to a unit waits for a decision at a time.
CREATE UNIQUE INDEX case_referrals_one_pending ON case_referrals (case_id) WHERE status = 'pending' AND to_unit IS NOT NULL;

-- Transfers of ownership; they take effect when the receiving unit accepts.
CREATE TABLE case_transfers (
    id              uuid PRIMARY KEY,
    case_id         uuid NOT NULL REFERENCES cases (id),
    from_unit       text NOT NULL REFERENCES units (code),
    to_unit         text NOT NULL REFERENCES units (code),
    reason          text NOT NULL DEFAULT '',
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL,
    decided_by      text,
    decided_at      timestamptz,
    decision_reason text NOT NULL DEFAULT '',
    CONSTRAINT case_transfers_other_unit CHECK (to_unit <> from_unit),
    CONSTRAINT case_transfers_decided CHECK ((status = 'pending') = (decided_at IS NULL)
        AND (decided_at IS NULL) = (decided_by IS NULL))
);
CREATE INDEX case_transfers_case ON case_transfers (case_id, created_at);
CREATE UNIQUE INDEX case_transfers_one_pending ON case_transfers (case_id) WHERE status = 'pending';

-- History of cases, for the view of a case as it stood at a past instant,
-- kept by a trigger like workers_history.
CREATE TABLE cases_history (
    history_id bigserial PRIMARY KEY,
    case_id    uuid NOT NULL,
    changed_at timestamptz NOT NULL,
    row_data   jsonb NOT NULL
);
CREATE INDEX cases_history_at ON cases_history (case_id, changed_at);

-- +goose StatementBegin
CREATE FUNCTION cases_history_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO cases_history (case_id, changed_at, row_data) VALUES (NEW.id, clock_timestamp(), to_jsonb(NEW));
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER cases_history AFTER INSERT OR UPDATE ON cases
    FOR EACH ROW EXECUTE FUNCTION cases_history_add();
CREATE TRIGGER cases_history_no_update BEFORE UPDATE OR DELETE ON cases_history
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER cases_history_no_truncate BEFORE TRUNCATE ON cases_history
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();

-- +goose Down
-- Going down fails while provisional workers exist: their rows cannot meet
-- the old NOT NULL constraints.
DROP TABLE cases_history;
DROP FUNCTION cases_history_add;
DROP TABLE case_transfers;
DROP TABLE case_referrals;
DROP INDEX tasks_workflow_open;
DROP TABLE cases;
DROP TABLE case_numbers;
DROP INDEX IF EXISTS workers_name_trgm;
DROP INDEX workers_merged_into;
DROP INDEX workers_phone;
DROP INDEX workers_provisional_nik;
DROP INDEX workers_nik_key;
ALTER TABLE workers ADD CONSTRAINT workers_nik_key UNIQUE (nik);
ALTER TABLE workers DROP CONSTRAINT workers_merged_provisional;
ALTER TABLE workers DROP CONSTRAINT workers_provisional_no_journey;
ALTER TABLE workers DROP CONSTRAINT workers_registered_complete;
ALTER TABLE workers ALTER COLUMN journey_workflow_id SET NOT NULL;
ALTER TABLE workers ALTER COLUMN journey_step SET NOT NULL;
ALTER TABLE workers ALTER COLUMN scheme SET NOT NULL;
ALTER TABLE workers ALTER COLUMN birth_date SET NOT NULL;
ALTER TABLE workers ALTER COLUMN nik SET NOT NULL;
ALTER TABLE workers DROP COLUMN merged_into;
ALTER TABLE workers DROP COLUMN provisional;
