-- +goose Up

-- A worker's address, as the worker's file shows and corrects it (free
-- text; '' until someone records it).
ALTER TABLE workers ADD COLUMN address text NOT NULL DEFAULT '';

-- The scans of documents: the file itself, in the database, so that it is
-- written in the transaction of its document and its audit event, backed
-- up with them, and served by any copy of the server without a shared
-- disk. content_type is what the server sniffed from the bytes, never what
-- the client said. One scan per document; a pending document's scan may be
-- replaced (the row is updated, and the change audited).
CREATE TABLE document_scans (
    document_id  uuid PRIMARY KEY REFERENCES documents (id),
    content_type text NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size         int NOT NULL CHECK (size BETWEEN 1 AND 10485760),
    sha256       bytea NOT NULL CHECK (length(sha256) = 32),
    content      bytea NOT NULL CHECK (length(content) = size),
    uploaded_by  text NOT NULL,
    uploaded_at  timestamptz NOT NULL
);
-- Scans are large and read one at a time: keep them out of the table's
-- main pages (TOAST compresses nothing of a PDF or JPEG worth the CPU).
ALTER TABLE document_scans ALTER COLUMN content SET STORAGE EXTERNAL;

-- A worker's timeline reads the latest changes about the worker, newest
-- first, past the reads of the file (which carry a purpose and can be
-- many): this index holds the changes only.
CREATE INDEX audit_events_worker_changes ON audit_events (worker_id, chain_seq) WHERE purpose = '';

-- +goose Down
DROP INDEX audit_events_worker_changes;
DROP TABLE document_scans;
ALTER TABLE workers DROP COLUMN address;
