-- +goose Up

-- Documents of workers. A worker has at most one current document of a type;
-- adding a new one supersedes the old, which is kept (superseded_at,
-- superseded_by) because auditors need the history. number is personal data
-- and never goes into the audit trail.
CREATE TABLE documents (
    id              uuid PRIMARY KEY,
    worker_id       uuid NOT NULL REFERENCES workers (id),
    type            text NOT NULL CHECK (type IN ('KTP', 'KK', 'FAMILY_PERMISSION', 'MARITAL_STATUS',
                        'COMPETENCY_CERTIFICATE', 'HEALTH_CERTIFICATE', 'PASSPORT', 'WORK_VISA',
                        'PLACEMENT_AGREEMENT', 'WORK_CONTRACT', 'BPJS_CARD', 'E_PMI')),
    number          text NOT NULL CHECK (char_length(number) BETWEEN 1 AND 64 AND number = btrim(number)),
    issued_on       date,
    expires_on      date, -- the last day the document is valid
    file_ref        text NOT NULL CHECK (file_ref <> ''),
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL,
    verified_by     text,
    verified_at     timestamptz,
    rejected_by     text,
    rejected_at     timestamptz,
    rejected_reason text,
    superseded_at   timestamptz,
    -- The newer document; the row is inserted after this one is updated.
    superseded_by   uuid REFERENCES documents (id) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT documents_expiry_after_issue CHECK (expires_on IS NULL OR issued_on IS NULL OR expires_on > issued_on),
    CONSTRAINT documents_expiry_required CHECK (expires_on IS NOT NULL OR type NOT IN ('PASSPORT', 'WORK_VISA', 'WORK_CONTRACT')),
    CONSTRAINT documents_verified CHECK ((verified_at IS NULL) = (verified_by IS NULL)),
    CONSTRAINT documents_rejected CHECK ((rejected_at IS NULL) = (rejected_by IS NULL)
        AND (rejected_at IS NULL) = (rejected_reason IS NULL)),
    CONSTRAINT documents_one_decision CHECK (verified_at IS NULL OR rejected_at IS NULL),
    CONSTRAINT documents_four_eyes CHECK (verified_by IS NULL OR verified_by <> created_by),
    CONSTRAINT documents_superseded CHECK ((superseded_at IS NULL) = (superseded_by IS NULL))
);
-- One current document per worker and type.
CREATE UNIQUE INDEX documents_current ON documents (worker_id, type) WHERE superseded_at IS NULL;
CREATE INDEX documents_worker ON documents (worker_id, type, created_at);

-- +goose Down
DROP TABLE documents;
