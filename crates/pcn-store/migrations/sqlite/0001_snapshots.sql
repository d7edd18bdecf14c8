-- A snapshot is everything one import knew at one date. Every table below is
-- keyed by snapshot, so snapshots never share rows and one can be read or
-- removed without touching another. Money is INTEGER pence; decimals that must
-- stay exact (fractional year-average patient counts) are TEXT.

CREATE TABLE snapshots (
    id            INTEGER PRIMARY KEY,
    as_of         TEXT NOT NULL,           -- ISO date
    content_hash  TEXT NOT NULL UNIQUE,    -- same files, same options => same hash
    imported_at   TEXT NOT NULL
);

CREATE TABLE snapshot_sources (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
    path        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    bytes       INTEGER NOT NULL,
    records     INTEGER NOT NULL
);

CREATE TABLE commissioners (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
    code        TEXT NOT NULL,
    name        TEXT,
    ons_code    TEXT,
    parent      TEXT,
    parent_name TEXT,
    region      TEXT,
    region_name TEXT,
    PRIMARY KEY (snapshot_id, code)
);

CREATE TABLE practices (
    snapshot_id         INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
    code                TEXT NOT NULL,
    name                TEXT,
    postcode            TEXT,
    status              TEXT NOT NULL,
    prescribing_setting INTEGER,
    open_date           TEXT,
    close_date          TEXT,
    commissioner        TEXT,
    contract_type       TEXT,
    easting             REAL,
    northing            REAL,
    lat                 REAL,
    lon                 REAL,
    PRIMARY KEY (snapshot_id, code)
);

CREATE TABLE networks (
    snapshot_id  INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
    code         TEXT NOT NULL,
    name         TEXT,
    commissioner TEXT,
    open_date    TEXT,
    close_date   TEXT,
    postcode     TEXT,
    PRIMARY KEY (snapshot_id, code)
);

CREATE TABLE memberships (
    snapshot_id INTEGER NOT NULL,
    practice    TEXT NOT NULL,
    network     TEXT NOT NULL,
    start_date  TEXT,
    end_date    TEXT,
    FOREIGN KEY (snapshot_id, practice) REFERENCES practices(snapshot_id, code) ON DELETE CASCADE,
    FOREIGN KEY (snapshot_id, network) REFERENCES networks(snapshot_id, code) ON DELETE CASCADE
);
CREATE INDEX memberships_by_network ON memberships(snapshot_id, network);
CREATE INDEX memberships_by_practice ON memberships(snapshot_id, practice);

CREATE TABLE list_sizes (
    snapshot_id INTEGER NOT NULL,
    practice    TEXT NOT NULL,
    registered  TEXT,
    weighted    TEXT,
    as_of       TEXT NOT NULL,
    source      TEXT NOT NULL,
    FOREIGN KEY (snapshot_id, practice) REFERENCES practices(snapshot_id, code) ON DELETE CASCADE
);
CREATE INDEX list_sizes_by_practice ON list_sizes(snapshot_id, practice);

-- One row per practice: its QOF registers as a JSON array of
-- [group, register, list_type, list_size] (1.2M rows of four small fields
-- for England would dominate import time for data read per practice anyway).
CREATE TABLE disease_registers (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
    practice    TEXT NOT NULL,
    registers   TEXT NOT NULL,
    PRIMARY KEY (snapshot_id, practice)
);

CREATE TABLE practice_payments (
    snapshot_id    INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
    financial_year TEXT NOT NULL,
    practice       TEXT NOT NULL,
    network        TEXT,
    commissioner   TEXT,
    contract_type  TEXT,
    practice_type  TEXT,
    rurality       TEXT,
    dispensing     TEXT,
    close_date     TEXT,
    registered     TEXT,
    weighted       TEXT,
    items          TEXT NOT NULL,          -- JSON object: published column name -> pence
    PRIMARY KEY (snapshot_id, financial_year, practice)
);

CREATE TABLE lsoas (
    snapshot_id       INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
    code              TEXT NOT NULL,
    name              TEXT,
    ruc_code          TEXT,
    ruc_name          TEXT,
    imd_decile        INTEGER,
    imd_income_decile INTEGER,
    lon               REAL,
    lat               REAL,
    commissioner      TEXT,
    PRIMARY KEY (snapshot_id, code)
);

CREATE TABLE boundaries (
    snapshot_id  INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
    ons_code     TEXT,
    commissioner TEXT,
    name         TEXT,
    geometry     TEXT NOT NULL             -- GeoJSON geometry, WGS84
);
