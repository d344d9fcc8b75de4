-- +goose Up

-- Policy lines of the casbin models, seeded from policies/*.csv and changed
-- by administrators through the API. Unused value columns are ''.
CREATE TABLE policy_rules (
    id    bigserial PRIMARY KEY,
    model text NOT NULL CHECK (model IN ('access', 'routing')),
    ptype text NOT NULL,
    v0    text NOT NULL DEFAULT '',
    v1    text NOT NULL DEFAULT '',
    v2    text NOT NULL DEFAULT '',
    v3    text NOT NULL DEFAULT '',
    v4    text NOT NULL DEFAULT '',
    v5    text NOT NULL DEFAULT '',
    v6    text NOT NULL DEFAULT '',
    v7    text NOT NULL DEFAULT '',
    CONSTRAINT policy_rules_unique UNIQUE (model, ptype, v0, v1, v2, v3, v4, v5, v6, v7)
);

-- Every change of the policy lines, in order; the latest version is the
-- policy version that audit events record.
CREATE TABLE policy_versions (
    version    bigserial PRIMARY KEY,
    actor      text NOT NULL,
    actor_unit text NOT NULL,
    reason     text NOT NULL,
    added      jsonb NOT NULL,
    removed    jsonb NOT NULL,
    created_at timestamptz NOT NULL
);

-- Policy lines shipped in policies/*.csv that were loaded once. A release
-- that ships a new line adds it; a line an administrator removed stays removed.
CREATE TABLE policy_seeds (
    model text NOT NULL,
    line  text NOT NULL,
    PRIMARY KEY (model, line)
);

-- Delegations grant access across units for a limited time.
CREATE TABLE delegations (
    id           uuid PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('record', 'queue')),
    grantee_user text NOT NULL DEFAULT '',
    grantee_unit text NOT NULL REFERENCES units (code),
    target_unit  text NOT NULL REFERENCES units (code),
    worker_id    uuid REFERENCES workers (id),
    reason       text NOT NULL,
    granted_by   text NOT NULL,
    starts_at    timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    revoked_by   text NOT NULL DEFAULT '',
    expiry_audited boolean NOT NULL DEFAULT false,
    CHECK (expires_at > starts_at),
    CHECK ((kind = 'record') = (worker_id IS NOT NULL AND grantee_user <> ''))
);
CREATE INDEX delegations_grantee_unit ON delegations (grantee_unit, expires_at) WHERE revoked_at IS NULL;
CREATE INDEX delegations_grantee_user ON delegations (grantee_user, expires_at) WHERE revoked_at IS NULL;
CREATE INDEX delegations_expiry ON delegations (expires_at) WHERE NOT expiry_audited AND revoked_at IS NULL;

-- +goose Down
DROP TABLE delegations;
DROP TABLE policy_seeds;
DROP TABLE policy_versions;
DROP TABLE policy_rules;
