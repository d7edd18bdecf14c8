-- Care homes from the CQC directory (HSCA active locations), for care-home
-- alignment: where each home is and how many beds it has.
CREATE TABLE care_homes (
    snapshot_id     BIGINT NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
    location_id     TEXT NOT NULL,
    name            TEXT NOT NULL,
    postcode        TEXT,
    beds            BIGINT NOT NULL,
    nursing         BIGINT NOT NULL,          -- 1: care home service with nursing
    local_authority TEXT,
    easting         DOUBLE PRECISION,
    northing        DOUBLE PRECISION,
    lat             DOUBLE PRECISION,
    lon             DOUBLE PRECISION,
    PRIMARY KEY (snapshot_id, location_id)
);
