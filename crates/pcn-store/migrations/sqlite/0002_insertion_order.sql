-- The order an import read its files and boundaries, kept as data rather than
-- SQLite's rowid, so every backend reads them back the same way.
ALTER TABLE snapshot_sources ADD COLUMN seq INTEGER;
UPDATE snapshot_sources SET seq = rowid;
ALTER TABLE boundaries ADD COLUMN seq INTEGER;
UPDATE boundaries SET seq = rowid;
