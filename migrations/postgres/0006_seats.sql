-- The agents' seats and the queues' callers as the call distributor last saw them
-- (issue 6): written through on every change, so other processes (the CLI, reports,
-- later other servers) can see who is ready, ringing or talking, and who waits. Times
-- are UTC.

CREATE TABLE agent_seats (
    work_number TEXT PRIMARY KEY REFERENCES agents (work_number) ON DELETE CASCADE,
    state       TEXT NOT NULL CHECK (state IN
                    ('logged-out', 'ready', 'not-ready', 'ringing', 'talking', 'wrap-up')),
    -- why not ready (the agent's own words, or no-answer / logged-in)
    reason      TEXT,
    -- the SIP Call-ID of the caller ringing or talked to
    call_id     TEXT,
    -- since when the seat is in this state
    since       TIMESTAMPTZ NOT NULL
);

-- The callers waiting in the queues, or whose agent's phone rings, as the call
-- distributor last saw them; a caller's row goes when an agent answers or the caller
-- leaves the queue.
CREATE TABLE queue_callers (
    -- the SIP Call-ID of the caller's call
    call_id     TEXT PRIMARY KEY,
    queue       TEXT NOT NULL,
    caller      TEXT NOT NULL,
    tier        TEXT NOT NULL,
    -- when the caller first entered the queue (kept when re-queued)
    entered_at  TIMESTAMPTZ NOT NULL,
    -- handed back after an agent did not answer
    requeued    BOOLEAN NOT NULL,
    -- the 1-based place in the queue; none while an agent's phone rings for the caller
    place       BIGINT,
    -- the agent whose phone rings for the caller
    ringing     TEXT
);
