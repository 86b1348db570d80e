-- trendtap's schema for the embedded SQLite store: the same tables and columns as PostgreSQL's
-- (migrations/postgres), and like them without foreign keys (see there why), with SQLite's types: text[] and jsonb columns hold JSON text, booleans
-- are 0/1, timestamps are UTC text in RFC 3339 with microseconds (so that they sort as text).

CREATE TABLE runs (
    run_id           INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at       TEXT NOT NULL,
    finished_at      TEXT,
    status           TEXT NOT NULL
                     CHECK (status IN ('running', 'ok', 'partial', 'failed', 'interrupted', 'abandoned')),
    halt_reason      TEXT,
    regions          TEXT NOT NULL,  -- JSON array
    categories       TEXT NOT NULL,  -- JSON array
    charts           TEXT NOT NULL DEFAULT '[]',
    charts_ok        INTEGER NOT NULL DEFAULT 0,
    charts_no_chart  INTEGER NOT NULL DEFAULT 0,
    charts_failed    INTEGER NOT NULL DEFAULT 0,
    videos_count     INTEGER NOT NULL DEFAULT 0,
    entries_count    INTEGER NOT NULL DEFAULT 0,
    api_requests     INTEGER NOT NULL DEFAULT 0,
    error            TEXT,
    trendtap_version TEXT NOT NULL
);

CREATE TABLE videos (
    video_id               TEXT PRIMARY KEY,
    title                  TEXT NOT NULL,
    channel_id             TEXT,
    channel_title          TEXT,
    category_id            TEXT,
    published_at           TEXT,
    duration_seconds       INTEGER,
    language               TEXT NOT NULL,
    language_source        TEXT NOT NULL CHECK (language_source IN ('api', 'channel', 'detected', 'none')),
    view_count             INTEGER,
    like_count             INTEGER,
    comment_count          INTEGER,
    tags                   TEXT NOT NULL DEFAULT '[]',  -- JSON array
    thumbnail_url          TEXT,
    age_restricted         INTEGER,
    blocked_regions        TEXT,  -- JSON array or NULL
    allowed_regions        TEXT,  -- JSON array or NULL
    caption                INTEGER,
    definition             TEXT,
    licensed_content       INTEGER,
    live_broadcast_content TEXT,
    first_seen_at          TEXT NOT NULL,
    last_seen_at           TEXT NOT NULL,
    last_run_id            INTEGER NOT NULL
);

CREATE TABLE video_regions (
    video_id      TEXT NOT NULL,
    region        TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    last_rank     INTEGER NOT NULL,
    best_rank     INTEGER NOT NULL,
    runs_seen     INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (video_id, region)
);
CREATE INDEX video_regions_region_idx ON video_regions (region, last_seen_at DESC);

CREATE TABLE chart_entries (
    run_id        INTEGER NOT NULL,
    region        TEXT NOT NULL,
    category_id   TEXT NOT NULL,
    rank          INTEGER NOT NULL CHECK (rank >= 1),
    video_id      TEXT NOT NULL,
    view_count    INTEGER,
    like_count    INTEGER,
    comment_count INTEGER,
    fetched_at    TEXT NOT NULL,
    PRIMARY KEY (run_id, region, category_id, rank)
);
CREATE INDEX chart_entries_video_idx ON chart_entries (video_id);
