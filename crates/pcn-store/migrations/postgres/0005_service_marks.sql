-- A network's service specification checklist: a requirement marked done,
-- on a date, with the evidence. One mark per network, requirement and
-- contract year start (ongoing requirements are marked again each year).
CREATE TABLE service_marks (
    network     TEXT NOT NULL,
    requirement TEXT NOT NULL,
    done_on     TEXT NOT NULL,               -- ISO date the requirement was met
    evidence    TEXT NOT NULL,
    marked_by   TEXT NOT NULL,
    marked_at   TEXT NOT NULL,
    PRIMARY KEY (network, requirement, done_on)
);
