-- +goose Up

-- An idempotency key is reserved before its request runs: pending, held by
-- one running request (holder) until lease_until, then done with the
-- answer. A retry while it is pending is told to wait; a retry after the
-- lease ran out (its holder died) takes it over. Keys stored before this
-- migration are done answers and keep replaying.
ALTER TABLE idempotency_keys
    ADD COLUMN state text NOT NULL DEFAULT 'done' CHECK (state IN ('pending', 'done')),
    ADD COLUMN holder uuid,
    ADD COLUMN lease_until timestamptz,
    ADD COLUMN done_at timestamptz,
    ALTER COLUMN status DROP NOT NULL,
    ALTER COLUMN response DROP NOT NULL;
UPDATE idempotency_keys SET done_at = created_at;
ALTER TABLE idempotency_keys
    ALTER COLUMN state DROP DEFAULT,
    ADD CONSTRAINT idempotency_keys_state CHECK (
        (state = 'pending' AND holder IS NOT NULL AND lease_until IS NOT NULL AND response IS NULL)
        OR (state = 'done' AND status IS NOT NULL AND response IS NOT NULL AND done_at IS NOT NULL));

-- +goose Down
DELETE FROM idempotency_keys WHERE state = 'pending';
ALTER TABLE idempotency_keys
    DROP CONSTRAINT idempotency_keys_state,
    DROP COLUMN state,
    DROP COLUMN holder,
    DROP COLUMN lease_until,
    DROP COLUMN done_at,
    ALTER COLUMN status SET NOT NULL,
    ALTER COLUMN response SET NOT NULL;
