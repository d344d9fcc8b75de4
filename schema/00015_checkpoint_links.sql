-- +goose Up

-- Each checkpoint names the one signed before it (auditlog.Checkpoint.Link):
-- checkpoints form a chain, so a removed one is found. Checkpoints signed
-- before this migration have none.
ALTER TABLE audit_checkpoints ADD COLUMN prev bytea;

-- +goose Down
ALTER TABLE audit_checkpoints DROP COLUMN prev;
