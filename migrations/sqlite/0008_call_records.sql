-- Call records (issue 7): one row per call that reached a call task, for the CSV export
-- and the reports. Times are UTC; path and tickets are JSON arrays of strings.

CREATE TABLE call_records (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    -- the SIP Call-ID of the caller's call
    call_id      TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    answered_at  TEXT,
    ended_at     TEXT NOT NULL,
    caller       TEXT NOT NULL,
    called       TEXT NOT NULL,
    -- the steps through the menu, e.g. ["menu main", "key 3", "timeout"]
    path         TEXT NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN
                     ('self_served', 'ticket_created', 'answered_by_agent',
                      'abandoned_in_queue', 'callback_kept', 'transferred', 'timed_out',
                      'hung_up_in_menu', 'rejected', 'cancelled', 'failed')),
    -- the serials of the tickets made or urged in the call
    tickets      TEXT NOT NULL,
    queue        TEXT,
    wait_ms      BIGINT CHECK (wait_ms >= 0),
    -- the work number of the agent who answered
    agent        TEXT,
    talk_ms      BIGINT CHECK (talk_ms >= 0),
    menu_version BIGINT NOT NULL
);
-- the records of a period, oldest first
CREATE INDEX call_records_by_start ON call_records (started_at);
