-- Call recordings in use (issue 4): every recording belongs to the ticket its report made
-- or urged, and carries its length. Nothing wrote to the 0001 table, so it is rebuilt
-- (SQLite cannot add NOT NULL to a column); a row without a ticket could not be served.

CREATE TABLE recordings_0002 (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id   BIGINT NOT NULL REFERENCES tickets (id),
    wav         BLOB NOT NULL,
    duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
    created_at  TEXT NOT NULL
);
INSERT INTO recordings_0002 (id, ticket_id, wav, duration_ms, created_at)
    SELECT id, ticket_id, wav, 0, created_at FROM recordings WHERE ticket_id IS NOT NULL;
DROP TABLE recordings;
ALTER TABLE recordings_0002 RENAME TO recordings;
CREATE INDEX recordings_by_ticket ON recordings (ticket_id, id);
