-- +goose Up

-- Notifications are read per person. A notification goes to a unit (every
-- user of the unit sees it) or to one user anywhere, so its read state
-- cannot live on its row (the unused read_at column goes). Each user has a
-- mark, read_up_to: every notification of theirs with an ID up to it is
-- read ("mark all read" moves it, one row however many there are); above
-- it, a notification is read when notification_reads holds it (marked one
-- by one). Moving the mark deletes the single reads it covers, so the
-- table holds only reads newer than the user's mark.
ALTER TABLE notifications DROP COLUMN read_at;

-- The other unit of a move (where a task went, or came from) and the
-- person's reason, so that a page can say what happened in its own words
-- instead of showing the stored message.
ALTER TABLE notifications ADD COLUMN other_unit text NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN reason text NOT NULL DEFAULT '';
-- Who made the change: they are not told of what they did themselves.
ALTER TABLE notifications ADD COLUMN actor text NOT NULL DEFAULT '';

-- A user's notifications are those of their unit and those addressed to
-- them, newest (highest ID) first.
DROP INDEX notifications_unit;
CREATE INDEX notifications_unit ON notifications (recipient_unit, id);
CREATE INDEX notifications_user ON notifications (recipient_user, id) WHERE recipient_user <> '';

CREATE TABLE notification_marks (
    subject    text PRIMARY KEY,
    read_up_to bigint NOT NULL,
    marked_at  timestamptz NOT NULL
);

CREATE TABLE notification_reads (
    subject         text NOT NULL,
    notification_id bigint NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    read_at         timestamptz NOT NULL,
    PRIMARY KEY (subject, notification_id)
);

-- +goose Down
DROP TABLE notification_reads;
DROP TABLE notification_marks;
DROP INDEX notifications_user;
DROP INDEX notifications_unit;
CREATE INDEX notifications_unit ON notifications (recipient_unit, created_at DESC);
ALTER TABLE notifications DROP COLUMN actor;
ALTER TABLE notifications DROP COLUMN reason;
ALTER TABLE notifications DROP COLUMN other_unit;
ALTER TABLE notifications ADD COLUMN read_at timestamptz;
