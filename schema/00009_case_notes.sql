-- +goose Up

-- Free-text notes on a case, written as the case goes. A note is kept as
-- written: never edited, never removed. Its text is personal data (it is
-- shown with the case, whose read is logged); the audit event written with
-- it (case.note) carries the text too.
CREATE TABLE case_notes (
    id          uuid PRIMARY KEY,
    case_id     uuid NOT NULL REFERENCES cases (id),
    text        text NOT NULL CHECK (btrim(text) <> '' AND char_length(text) <= 4000),
    author      text NOT NULL,
    author_unit text NOT NULL,
    author_role text NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE INDEX case_notes_case ON case_notes (case_id, created_at, id);
CREATE TRIGGER case_notes_no_update BEFORE UPDATE OR DELETE ON case_notes
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER case_notes_no_truncate BEFORE TRUNCATE ON case_notes
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();

-- The case page's timeline reads the events of the case's workflow (its
-- tasks' creation, escalation, completion) besides those about the case
-- itself (audit_events_subject).
CREATE INDEX audit_events_workflow ON audit_events (workflow_id, seq) WHERE workflow_id <> '';

-- +goose Down
DROP INDEX audit_events_workflow;
DROP TABLE case_notes;
