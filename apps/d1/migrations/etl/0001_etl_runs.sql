-- Bookkeeping for the nightly ETL that loads the Sodiwin dump into this database.
-- The ETL image creates and owns its data tables; only the record of its runs is versioned here.
-- IF NOT EXISTS: wrangler applies each file once, but a deploy-time applier may replay a file.

CREATE TABLE IF NOT EXISTS etl_runs (
  id            INTEGER PRIMARY KEY,
  -- ISO-8601 UTC.
  started_at    TEXT NOT NULL,
  finished_at   TEXT,
  status        TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
  -- The dump file imported, and its SHA-256 so a re-import of the same dump is recognisable.
  source_file   TEXT NOT NULL,
  source_sha256 TEXT,
  rows_imported INTEGER CHECK (rows_imported IS NULL OR rows_imported >= 0),
  error         TEXT,
  CHECK ((status = 'running') = (finished_at IS NULL))
);

CREATE INDEX IF NOT EXISTS etl_runs_by_start ON etl_runs (started_at);
