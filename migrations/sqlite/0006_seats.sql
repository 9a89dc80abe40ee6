-- The agents' seats as the call distributor last saw them (issue 6): written through on
-- every change, so other processes (the CLI, reports, later other servers) can see who
-- is ready, ringing or talking. Times are UTC.

CREATE TABLE agent_seats (
    work_number TEXT PRIMARY KEY REFERENCES agents (work_number) ON DELETE CASCADE,
    state       TEXT NOT NULL CHECK (state IN
                    ('logged-out', 'ready', 'not-ready', 'ringing', 'talking', 'wrap-up')),
    -- why not ready (the agent's own words, or no-answer / logged-in)
    reason      TEXT,
    -- the SIP Call-ID of the caller ringing or talked to
    call_id     TEXT,
    -- since when the seat is in this state
    since       TEXT NOT NULL
);
