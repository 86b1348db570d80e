-- The quota ledger, shared by every trendtap process that uses this database: per Pacific-time
-- day and per API key (a truncated SHA-256 of it, never the key), the units each run reserved
-- before its first request and spent (every request sent, retries and failures included).
-- README.md ("Quota") documents the rules; src/store/shared/ledger.rs states them once.
CREATE TABLE quota_ledger (
    day             date NOT NULL,        -- the Pacific date of the run's reservation
    key_fingerprint text NOT NULL,        -- first 16 hex digits of SHA-256(key)
    job             text NOT NULL,        -- fetch (runs.run_id) or refresh
    run_id          bigint NOT NULL,
    reserved        bigint NOT NULL,      -- units reserved before the first request
    spent           bigint NOT NULL DEFAULT 0,
    reserved_at     timestamptz NOT NULL,
    settled_at      timestamptz,          -- NULL while the run goes on
    PRIMARY KEY (day, key_fingerprint, job, run_id)
);

-- Google said the day's quota is exhausted (403 quotaExceeded or dailyLimitExceeded): later
-- runs with the same key on the same Pacific day make no request.
CREATE TABLE quota_exhausted (
    day             date NOT NULL,
    key_fingerprint text NOT NULL,
    exhausted_at    timestamptz NOT NULL,
    reason          text NOT NULL,
    PRIMARY KEY (day, key_fingerprint)
);

-- Each region's video categories (videoCategories.list, titles in English), asked again after
-- 7 days; `fetch --category all` fetches category 0 and every assignable one.
CREATE TABLE video_categories (
    region      text NOT NULL,
    category_id text NOT NULL,
    title       text NOT NULL,
    assignable  boolean NOT NULL,
    fetched_at  timestamptz NOT NULL,
    PRIMARY KEY (region, category_id)
);

-- The estimate reads each chart's newest status from the newest runs first.
CREATE INDEX runs_started_at_idx ON runs (started_at DESC);

-- Counts of a run are widened, never wrapped (SQLite's integers are 64-bit already).
ALTER TABLE runs
    ALTER COLUMN charts_ok TYPE bigint,
    ALTER COLUMN charts_no_chart TYPE bigint,
    ALTER COLUMN charts_failed TYPE bigint,
    ALTER COLUMN videos_count TYPE bigint,
    ALTER COLUMN entries_count TYPE bigint,
    ALTER COLUMN api_requests TYPE bigint;
