-- The hotline store: subscriber lines, tickets, their lifecycle events, the serial
-- counter of each local day, and call recordings. Times are UTC. Enum columns hold the
-- stable `as_str` names of `tickets::model`.

CREATE TABLE lines (
    number          TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    prefecture      TEXT NOT NULL,
    status          TEXT NOT NULL,
    tier            TEXT NOT NULL,
    big_customer    BOOLEAN NOT NULL,
    leased_line     BOOLEAN NOT NULL,
    owner_name      TEXT NOT NULL,
    contact_phone   TEXT,
    contract_number TEXT
);

CREATE TABLE tickets (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    serial          TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    number          TEXT NOT NULL,
    prefecture      TEXT NOT NULL,
    status          TEXT NOT NULL,
    -- the team the rules route it to; `team` is the one holding it (dispatch → return)
    route_team      TEXT NOT NULL,
    team            TEXT,
    priority        TEXT NOT NULL,
    rush            BOOLEAN NOT NULL,
    subscriber_name TEXT NOT NULL,
    contact_name    TEXT NOT NULL,
    contact_phone   TEXT NOT NULL,
    no_call_back    BOOLEAN NOT NULL,
    category        TEXT,
    complaint_type  TEXT,
    about_ticket    BIGINT REFERENCES tickets (id),
    escalates       BIGINT REFERENCES tickets (id),
    order_number    TEXT,
    order_state     TEXT,
    phenomenon      TEXT,
    content         TEXT NOT NULL,
    menu_path       TEXT NOT NULL,
    created_by_kind TEXT NOT NULL,
    created_by_id   TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    dispatch_by     TEXT NOT NULL,
    hand_on_by      TEXT NOT NULL,
    reply_by        TEXT NOT NULL,
    resolve_by      TEXT,
    cleared_at      TEXT,
    clearing_result TEXT,
    urges           INTEGER NOT NULL DEFAULT 0,
    satisfied       BOOLEAN
);
CREATE INDEX tickets_by_number ON tickets (number, id);

CREATE TABLE ticket_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id   BIGINT NOT NULL REFERENCES tickets (id),
    step        TEXT NOT NULL,
    -- the step with its details (JSON of `lifecycle::Step`)
    detail      TEXT NOT NULL,
    actor_kind  TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    at          TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    note        TEXT
);
CREATE INDEX ticket_events_by_ticket ON ticket_events (ticket_id, id);

-- the last sequence handed out on each local date (serial numbers)
CREATE TABLE serial_counters (
    day  TEXT PRIMARY KEY,
    last INTEGER NOT NULL
);

CREATE TABLE recordings (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id  BIGINT REFERENCES tickets (id),
    wav        BLOB NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX recordings_by_ticket ON recordings (ticket_id);
