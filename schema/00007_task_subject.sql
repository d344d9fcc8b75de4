-- +goose Up

-- A task may be about something other than its worker's journey step: a
-- case's referral or transfer decision names the referral or transfer.
ALTER TABLE tasks ADD COLUMN subject text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE tasks DROP COLUMN subject;
