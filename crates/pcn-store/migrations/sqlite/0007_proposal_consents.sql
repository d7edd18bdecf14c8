-- A proposal that takes a practice out of a network in another commissioner's
-- area needs that commissioner's agreement as well as the deciding one's. Each
-- commissioner's agreement is kept here until the last one decides; a
-- proposal is approved only when every commissioner it touches has agreed
-- (or an admin decides it).
CREATE TABLE proposal_consents (
    proposal_id  INTEGER NOT NULL REFERENCES proposals(id),
    commissioner TEXT NOT NULL,
    actor        TEXT NOT NULL,
    at           TEXT NOT NULL,
    reason       TEXT NOT NULL,
    PRIMARY KEY (proposal_id, commissioner)
);
