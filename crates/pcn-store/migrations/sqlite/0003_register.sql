-- The network register: effective-dated records of who belongs to which
-- network and who runs it, the append-only log of every change (who, when,
-- why), and proposals awaiting a commissioner's decision. Dates are ISO text;
-- `valid_to` and `closed` are the last day (inclusive), NULL while current.

CREATE TABLE register_networks (
    code         TEXT PRIMARY KEY,
    name         TEXT,
    commissioner TEXT,
    opened       TEXT NOT NULL,
    closed       TEXT,
    version      INTEGER NOT NULL          -- bumped by every accepted change (optimistic concurrency)
);

CREATE TABLE register_changes (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,              -- when it was recorded (UTC)
    actor       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    action      TEXT NOT NULL,
    network     TEXT,
    subject     TEXT,
    effective   TEXT NOT NULL,              -- first day of the new state
    detail      TEXT,                       -- JSON
    proposal_id INTEGER,
    version     INTEGER                     -- the network's version after the change
);
CREATE INDEX register_changes_by_network ON register_changes(network, id);
CREATE INDEX register_changes_by_subject ON register_changes(subject, id);

CREATE TRIGGER register_changes_no_update BEFORE UPDATE ON register_changes
BEGIN SELECT RAISE(ABORT, 'the register''s change log is append-only'); END;
CREATE TRIGGER register_changes_no_delete BEFORE DELETE ON register_changes
BEGIN SELECT RAISE(ABORT, 'the register''s change log is append-only'); END;

CREATE TABLE register_records (
    id         INTEGER PRIMARY KEY,
    network    TEXT NOT NULL REFERENCES register_networks(code),
    kind       TEXT NOT NULL,               -- member, non_participant, clinical_director, nominated_payee, agreement, partner, approval
    subject    TEXT NOT NULL,               -- practice code, person, organisation, or approval reference
    detail     TEXT,                        -- JSON
    valid_from TEXT NOT NULL,
    valid_to   TEXT,
    change_id  INTEGER NOT NULL REFERENCES register_changes(id),
    ended_by   INTEGER REFERENCES register_changes(id)
);
CREATE INDEX register_records_by_network ON register_records(network, kind);
CREATE INDEX register_records_by_subject ON register_records(subject, kind);
CREATE INDEX register_records_current ON register_records(kind, valid_to);

CREATE TABLE proposals (
    id              INTEGER PRIMARY KEY,
    action          TEXT NOT NULL,
    network         TEXT NOT NULL,
    subject         TEXT,
    detail          TEXT,                   -- JSON
    effective       TEXT NOT NULL,
    status          TEXT NOT NULL,          -- open, approved, rejected
    base_version    INTEGER NOT NULL,       -- the network's version when proposed
    proposed_by     TEXT NOT NULL,
    proposed_at     TEXT NOT NULL,
    reason          TEXT NOT NULL,
    deadline        TEXT,                   -- the year's notification deadline, when one applies
    findings        TEXT,                   -- JSON: the rules check at proposal time
    decided_by      TEXT,
    decided_at      TEXT,
    decision_reason TEXT
);
CREATE INDEX proposals_by_status ON proposals(status, id);
