-- `trendtap refresh`: videos followed after they leave the chart (README: "Refresh").
-- SQLite: timestamps fixed-width UTC text, JSON as text.

CREATE TABLE refresh_runs (
    refresh_id          INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at          TEXT NOT NULL,
    finished_at         TEXT,
    status              TEXT NOT NULL,
    halt_reason         TEXT,
    videos_requested    INTEGER NOT NULL DEFAULT 0,
    videos_refreshed    INTEGER NOT NULL DEFAULT 0,
    videos_unavailable  INTEGER NOT NULL DEFAULT 0,
    batches_failed      INTEGER NOT NULL DEFAULT 0,
    api_requests        INTEGER NOT NULL DEFAULT 0,
    errors              TEXT NOT NULL DEFAULT '[]',
    error               TEXT,
    trendtap_version    TEXT NOT NULL
);

CREATE TABLE video_stats (
    refresh_id    INTEGER NOT NULL,
    video_id      TEXT NOT NULL,
    observed_at   TEXT NOT NULL,
    view_count    INTEGER,
    like_count    INTEGER,
    comment_count INTEGER,
    PRIMARY KEY (refresh_id, video_id)
);
CREATE INDEX video_stats_video_idx ON video_stats (video_id, observed_at);

ALTER TABLE videos ADD COLUMN unavailable_since TEXT;
ALTER TABLE videos ADD COLUMN refreshed_at TEXT;
CREATE INDEX videos_last_seen_idx ON videos (last_seen_at DESC);

CREATE VIEW video_observations AS
SELECT video_id, max(fetched_at) AS observed_at, 'chart' AS source, run_id,
       max(view_count) AS view_count, max(like_count) AS like_count,
       max(comment_count) AS comment_count
FROM chart_entries GROUP BY run_id, video_id
UNION ALL
SELECT video_id, observed_at, 'refresh' AS source, refresh_id AS run_id,
       view_count, like_count, comment_count
FROM video_stats;
