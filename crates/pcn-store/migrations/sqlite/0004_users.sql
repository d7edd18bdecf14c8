-- Who may use the web app and API, their sessions and API tokens, the audit
-- log of every write made through it, and the staff records networks keep for
-- ARRS. Tokens are stored only as SHA-256 digests; passwords only as argon2
-- PHC strings. Times are ISO text (UTC).

CREATE TABLE users (
    username      TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'commissioner', 'network')),
    commissioner  TEXT,                   -- the area a commissioner user acts for
    network       TEXT,                   -- the network a network manager acts for
    created_at    TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
    token_sha256 TEXT PRIMARY KEY,
    username     TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('browser', 'token')),
    csrf         TEXT,                     -- browser sessions: the token writes must echo
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);

CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    target  TEXT,
    outcome TEXT NOT NULL,
    detail  TEXT                           -- JSON
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TABLE network_staff (
    network    TEXT PRIMARY KEY,
    records    TEXT NOT NULL,              -- JSON array of posts
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
