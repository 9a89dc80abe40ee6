-- Menu versions (issue 7): every version of the menu file and the prompt folder that went
-- live, with who or what put it live, when, and what changed from the one before; the
-- prompt files themselves once each by content, so any version can be restored.

CREATE TABLE prompt_blobs (
    -- SHA-256 of the file, lower-case hex
    sha256 TEXT PRIMARY KEY,
    bytes  BLOB NOT NULL
);

CREATE TABLE menu_versions (
    version      INTEGER PRIMARY KEY AUTOINCREMENT,
    activated_at TEXT NOT NULL,
    -- what put it live: startup, file change, SIGHUP, reload by 1001, rollback to 3 by 1001 …
    source       TEXT NOT NULL,
    -- the menu file's name (its folder is the server's configuration)
    menu_file    TEXT NOT NULL,
    menu_text    TEXT NOT NULL,
    -- JSON object: each prompt file's path in the prompt folder → its SHA-256
    prompts      TEXT NOT NULL,
    -- SHA-256 of the menu text and the prompts object: equal contents, equal digests
    content_sha  TEXT NOT NULL,
    -- what changed from the version before (a unified diff and prompt lines)
    changes      TEXT NOT NULL,
    -- the newest earlier version with the same contents (a rollback), if any
    same_as      INTEGER REFERENCES menu_versions (version)
);
CREATE INDEX menu_versions_by_content ON menu_versions (content_sha, version);
