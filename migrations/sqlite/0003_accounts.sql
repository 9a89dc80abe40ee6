-- Self-service queries and passwords (issue 5): balances and this month's charges,
-- installation orders, recharge cards, line and contract passwords with their failed
-- attempts and the record of every lock. Amounts are integer cents (分); times are UTC.
-- Enum columns hold the stable names of `accounts::orders` and `tickets::model`.

CREATE TABLE balances (
    number        TEXT PRIMARY KEY,
    balance_cents BIGINT NOT NULL,
    -- the month `charges_cents` covers, 'YYYY-MM'
    month         TEXT NOT NULL,
    charges_cents BIGINT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE install_orders (
    order_number     TEXT PRIMARY KEY,
    number           TEXT NOT NULL,
    kind             TEXT NOT NULL,
    state            TEXT NOT NULL,
    -- set for appointed orders only
    appointment_date TEXT,
    half_day         TEXT,
    tier             TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    appointment_due  TEXT NOT NULL
);
CREATE INDEX install_orders_by_number ON install_orders (number, created_at);

CREATE TABLE recharge_cards (
    card_number TEXT PRIMARY KEY,
    -- argon2id PHC string of the card's PIN
    pin_hash    TEXT NOT NULL,
    value_cents BIGINT NOT NULL CHECK (value_cents > 0),
    redeemed_at TEXT,
    -- the number topped up
    redeemed_by TEXT,
    loaded_at   TEXT NOT NULL
);

CREATE TABLE passwords (
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('line', 'contract')),
    subject      TEXT NOT NULL,
    -- argon2id PHC string
    hash         TEXT NOT NULL,
    set_at       TEXT NOT NULL,
    PRIMARY KEY (subject_kind, subject)
);

-- consecutive failures and the lock in force (`passwords::lockout::Attempts`)
CREATE TABLE password_attempts (
    subject_kind TEXT NOT NULL,
    subject      TEXT NOT NULL,
    failures     INTEGER NOT NULL,
    locked_until TEXT,
    PRIMARY KEY (subject_kind, subject)
);

CREATE TABLE password_locks (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    subject_kind TEXT NOT NULL,
    subject      TEXT NOT NULL,
    locked_at    TEXT NOT NULL,
    locked_until TEXT NOT NULL,
    lifted_at    TEXT,
    lifted_by    TEXT
);
CREATE INDEX password_locks_by_subject ON password_locks (subject_kind, subject, id);
