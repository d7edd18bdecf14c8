-- Care homes from the CQC directory (HSCA active locations), for care-home
-- alignment: where each home is and how many beds it has.
CREATE TABLE care_homes (
    snapshot_id     INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
    location_id     TEXT NOT NULL,
    name            TEXT NOT NULL,
    postcode        TEXT,
    beds            INTEGER NOT NULL,
    nursing         INTEGER NOT NULL,          -- 1: care home service with nursing
    local_authority TEXT,
    easting         REAL,
    northing        REAL,
    lat             REAL,
    lon             REAL,
    PRIMARY KEY (snapshot_id, location_id)
);
