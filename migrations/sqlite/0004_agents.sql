-- The human agents (issue 6): who they are, their passwords, and their phones'
-- registrations with the SIP registrar. Times are UTC.

CREATE TABLE agents (
    -- 工号: 1 to 10 digits, also the digest username
    work_number     TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    -- argon2id PHC string of the password (console login)
    password_hash   TEXT NOT NULL,
    -- H(work_number:realm:password) in lower-case hex, for SIP digest authentication
    ha1_sha256      TEXT NOT NULL,
    ha1_md5         TEXT NOT NULL,
    -- the realm the HA1s were made for: another realm needs a new password
    realm           TEXT NOT NULL,
    disabled        BOOLEAN NOT NULL,
    created_at      TEXT NOT NULL,
    password_set_at TEXT NOT NULL
);

-- an agent's skills in the order given (queues match on `skill`)
CREATE TABLE agent_skills (
    work_number TEXT NOT NULL REFERENCES agents (work_number) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    skill       TEXT NOT NULL,
    PRIMARY KEY (work_number, skill),
    UNIQUE (work_number, position)
);
CREATE INDEX agent_skills_by_skill ON agent_skills (skill);

-- one registered contact of an agent's phone (RFC 3261 §10.3)
CREATE TABLE agent_bindings (
    work_number TEXT NOT NULL REFERENCES agents (work_number) ON DELETE CASCADE,
    contact     TEXT NOT NULL,
    -- where the REGISTER came from (address:port) and over which transport
    source      TEXT NOT NULL,
    transport   TEXT NOT NULL,
    call_id     TEXT NOT NULL,
    cseq        BIGINT NOT NULL CHECK (cseq BETWEEN 0 AND 4294967295),
    user_agent  TEXT,
    expires_at  TEXT NOT NULL,
    PRIMARY KEY (work_number, contact)
);
CREATE INDEX agent_bindings_by_expiry ON agent_bindings (expires_at);
