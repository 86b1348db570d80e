-- `trendtap report` reads a daily summary of chart_entries instead of the entries themselves:
-- one row per video per chart per UTC day of chart_entries.fetched_at (see
-- migrations/postgres for why and how it is kept). Days are YYYY-MM-DD text, times the
-- fixed-width UTC text of chart_entries.
CREATE TABLE chart_days (
    region      TEXT NOT NULL,
    video_id    TEXT NOT NULL,
    day         TEXT NOT NULL,
    category_id TEXT NOT NULL,
    entries     INTEGER NOT NULL,
    best_rank   INTEGER NOT NULL,
    first_at    TEXT NOT NULL,
    last_at     TEXT NOT NULL,
    PRIMARY KEY (region, video_id, day, category_id)
) WITHOUT ROWID;
CREATE INDEX chart_days_day_idx ON chart_days (day);
CREATE INDEX chart_days_video_idx ON chart_days (video_id, day);

CREATE TABLE region_videos (
    region    TEXT NOT NULL,
    video_id  TEXT NOT NULL,
    days      INTEGER NOT NULL,
    entries   INTEGER NOT NULL,
    best_rank INTEGER NOT NULL,
    first_at  TEXT NOT NULL,
    last_at   TEXT NOT NULL,
    channel_id    TEXT,               -- the video's channel (videos), for the channels report
    channel_title TEXT,
    PRIMARY KEY (region, video_id)
) WITHOUT ROWID;
CREATE INDEX region_videos_video_idx ON region_videos (video_id);
CREATE TABLE video_totals (
    video_id  TEXT PRIMARY KEY,
    days      INTEGER NOT NULL,
    entries   INTEGER NOT NULL,
    best_rank INTEGER NOT NULL,
    first_at  TEXT NOT NULL,
    last_at   TEXT NOT NULL,
    channel_id    TEXT,
    channel_title TEXT
) WITHOUT ROWID;

CREATE TABLE summaries (
    name           TEXT PRIMARY KEY,
    through_run_id INTEGER NOT NULL
);
INSERT INTO summaries (name, through_run_id) VALUES ('chart_days', 0);
