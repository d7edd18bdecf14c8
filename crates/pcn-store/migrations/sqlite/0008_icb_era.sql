-- The ICB era (July 2022 on). A practice keeps epraccur's column 4 (its ICB)
-- and the clinical system gp-reg-pat-prac-map names.
ALTER TABLE practices ADD COLUMN icb TEXT;
ALTER TABLE practices ADD COLUMN clinical_system TEXT;

-- NWRS PCN workforce, individual level, per census (a snapshot may hold
-- several). FTE is exact decimal TEXT; seq keeps the published order.
CREATE TABLE workforce (
    snapshot_id       INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
    census            TEXT NOT NULL,           -- ISO date, the census month's last day
    seq               INTEGER NOT NULL,
    data_source       TEXT NOT NULL,
    network           TEXT NOT NULL,
    commissioner      TEXT,
    icb               TEXT,
    region            TEXT,
    staff_group       TEXT NOT NULL,
    staff_role        TEXT NOT NULL,
    detailed_role     TEXT NOT NULL,
    fte               TEXT NOT NULL,
    unique_identifier TEXT NOT NULL,
    PRIMARY KEY (snapshot_id, census, seq)
);
CREATE INDEX workforce_by_network ON workforce(snapshot_id, network);

-- PCN-level NHS Payments to General Practice (2024/25 on).
CREATE TABLE network_payments (
    snapshot_id    INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
    financial_year TEXT NOT NULL,
    network        TEXT NOT NULL,
    commissioner   TEXT,
    items          TEXT NOT NULL,          -- JSON object: published column name -> pence
    PRIMARY KEY (snapshot_id, financial_year, network)
);
