-- Call recordings in use (issue 4): every recording belongs to the ticket its report made
-- or urged, and carries its length. Nothing wrote to the 0001 table; a row without a
-- ticket could not be served and is dropped.

DELETE FROM recordings WHERE ticket_id IS NULL;
ALTER TABLE recordings
    ALTER COLUMN ticket_id SET NOT NULL,
    ADD COLUMN duration_ms BIGINT NOT NULL DEFAULT 0 CHECK (duration_ms >= 0);
ALTER TABLE recordings ALTER COLUMN duration_ms DROP DEFAULT;
DROP INDEX recordings_by_ticket;
CREATE INDEX recordings_by_ticket ON recordings (ticket_id, id);
