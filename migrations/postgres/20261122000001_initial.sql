-- trendtap's schema. The tables are part of the product's interface: analysts query them.
-- README.md ("Schema") documents every column; keep the two in step.
--
-- No foreign keys: a run's rows are written by trendtap alone, in one transaction that upserts
-- `videos` before the rows naming them, so every video_id and run_id refers to a row. A foreign
-- key check is a trigger per inserted row; on 22,000 chart entries they cost more than the
-- inserts themselves (BENCHMARKS.md).

-- One row per `trendtap fetch` that reached the database, written before the first API request.
CREATE TABLE runs (
    run_id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at       timestamptz NOT NULL,
    finished_at      timestamptz,
    -- running while in progress; abandoned when a later run found it running but lock-less
    -- (the process died); interrupted by a signal or the deadline.
    status           text NOT NULL
                     CHECK (status IN ('running', 'ok', 'partial', 'failed', 'interrupted', 'abandoned')),
    -- what stopped the run early: quota_exhausted, bad_api_key, sigint, sigterm, deadline
    halt_reason      text,
    regions          text[] NOT NULL,
    categories       text[] NOT NULL,
    -- one object per chart: {region, category_id, status (ok, no_chart, failed, incomplete),
    -- pages, videos, skipped_items, requests, error}
    charts           jsonb NOT NULL DEFAULT '[]',
    charts_ok        integer NOT NULL DEFAULT 0,
    charts_no_chart  integer NOT NULL DEFAULT 0,
    charts_failed    integer NOT NULL DEFAULT 0,
    videos_count     integer NOT NULL DEFAULT 0,
    entries_count    integer NOT NULL DEFAULT 0,
    api_requests     integer NOT NULL DEFAULT 0,
    -- why nothing was stored, when storing failed
    error            text,
    trendtap_version text NOT NULL
);

-- One row per video ever seen; counts and metadata from the newest run that saw it.
CREATE TABLE videos (
    video_id               text PRIMARY KEY,
    title                  text NOT NULL,
    channel_id             text,
    channel_title          text,
    category_id            text,
    published_at           timestamptz,
    duration_seconds       bigint,
    language               text NOT NULL,
    language_source        text NOT NULL CHECK (language_source IN ('api', 'detected', 'none')),
    view_count             bigint,   -- NULL: not sent by the API (never 0 for unknown)
    like_count             bigint,   -- NULL: likes hidden
    comment_count          bigint,   -- NULL: comments off
    tags                   text[] NOT NULL DEFAULT '{}',
    thumbnail_url          text,
    age_restricted         boolean,
    blocked_regions        text[],
    allowed_regions        text[],
    caption                boolean,
    definition             text,
    licensed_content       boolean,
    live_broadcast_content text,
    first_seen_at          timestamptz NOT NULL,
    last_seen_at           timestamptz NOT NULL,
    last_run_id            bigint NOT NULL
);

-- Where each video has trended.
CREATE TABLE video_regions (
    video_id      text NOT NULL,
    region        text NOT NULL,
    first_seen_at timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL,
    last_rank     integer NOT NULL,  -- best rank in the region's charts of the newest run
    best_rank     integer NOT NULL,  -- best rank ever
    runs_seen     integer NOT NULL DEFAULT 1,
    PRIMARY KEY (video_id, region)
);
CREATE INDEX video_regions_region_idx ON video_regions (region, last_seen_at DESC);

-- Append-only history: one row per video per chart per run.
CREATE TABLE chart_entries (
    run_id        bigint NOT NULL,
    region        text NOT NULL,
    category_id   text NOT NULL,
    rank          integer NOT NULL CHECK (rank >= 1),
    video_id      text NOT NULL,
    view_count    bigint,
    like_count    bigint,
    comment_count bigint,
    fetched_at    timestamptz NOT NULL,
    PRIMARY KEY (run_id, region, category_id, rank)
);
CREATE INDEX chart_entries_video_idx ON chart_entries (video_id);
