-- SQLite: dates are YYYY-MM-DD text, timestamps fixed-width UTC text, booleans 0/1.
-- The quota ledger, shared by every trendtap process that uses this database: per Pacific-time
-- day and per API key (a truncated SHA-256 of it, never the key), the units each run reserved
-- before its first request and spent (every request sent, retries and failures included).
-- README.md ("Quota") documents the rules; src/store/shared/ledger.rs states them once.
CREATE TABLE quota_ledger (
    day             text NOT NULL,        -- the Pacific date of the run's reservation
    key_fingerprint text NOT NULL,        -- first 16 hex digits of SHA-256(key)
    job             text NOT NULL,        -- fetch (runs.run_id) or refresh
    run_id          integer NOT NULL,
    reserved        integer NOT NULL,      -- units reserved before the first request
    spent           integer NOT NULL DEFAULT 0,
    reserved_at     text NOT NULL,
    settled_at      text,          -- NULL while the run goes on
    PRIMARY KEY (day, key_fingerprint, job, run_id)
);

-- Google said the day's quota is exhausted (403 quotaExceeded or dailyLimitExceeded): later
-- runs with the same key on the same Pacific day make no request.
CREATE TABLE quota_exhausted (
    day             text NOT NULL,
    key_fingerprint text NOT NULL,
    exhausted_at    text NOT NULL,
    reason          text NOT NULL,
    PRIMARY KEY (day, key_fingerprint)
);

-- Each region's video categories (videoCategories.list, titles in English), asked again after
-- 7 days; `fetch --category all` fetches category 0 and every assignable one.
CREATE TABLE video_categories (
    region      text NOT NULL,
    category_id text NOT NULL,
    title       text NOT NULL,
    assignable  integer NOT NULL,
    fetched_at  text NOT NULL,
    PRIMARY KEY (region, category_id)
);

-- The estimate reads each chart's newest status from the newest runs first.
CREATE INDEX runs_started_at_idx ON runs (started_at);
