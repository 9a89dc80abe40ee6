-- Call-back requests (issue 6): a caller nobody could take, or who asked to be called
-- back while waiting, is kept here so that the call is not lost. Times are UTC.

CREATE TABLE callback_requests (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at      TEXT NOT NULL,
    -- the number that called (may be empty for an anonymous caller)
    caller          TEXT NOT NULL,
    -- the number to call back: the caller's unless they gave another
    callback_number TEXT NOT NULL,
    -- the queue the caller was in or asked for (config/queues.yaml)
    queue           TEXT NOT NULL,
    reason          TEXT NOT NULL CHECK (reason IN
                        ('caller-asked', 'no-agents', 'queue-full', 'max-wait', 'closed')),
    -- the SIP Call-ID of the caller's call
    call_id         TEXT NOT NULL,
    -- how long the caller waited in the queue before the request was kept
    waited_ms       BIGINT NOT NULL CHECK (waited_ms >= 0),
    state           TEXT NOT NULL CHECK (state IN ('open', 'done', 'cancelled')),
    -- when and by whom (an agent's work number, none for the system) it was closed
    done_at         TEXT,
    done_by         TEXT,
    note            TEXT,
    CHECK ((state = 'open') = (done_at IS NULL))
);
-- the open requests of a queue, oldest first
CREATE INDEX callback_requests_by_state ON callback_requests (state, queue, created_at);
