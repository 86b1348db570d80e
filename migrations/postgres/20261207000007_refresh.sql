-- `trendtap refresh`: videos followed after they leave the chart (README: "Refresh").

-- One row per refresh that reached the database (the fetch's `runs` has its own).
CREATE TABLE refresh_runs (
    refresh_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at          timestamptz NOT NULL,
    finished_at         timestamptz,
    -- running, ok, partial, failed, interrupted, abandoned (as runs.status)
    status              text NOT NULL,
    halt_reason         text,
    videos_requested    bigint NOT NULL DEFAULT 0,  -- ids asked for
    videos_refreshed    bigint NOT NULL DEFAULT 0,  -- ids the API returned
    videos_unavailable  bigint NOT NULL DEFAULT 0,  -- ids newly missing (deleted, private, blocked)
    batches_failed      bigint NOT NULL DEFAULT 0,
    api_requests        bigint NOT NULL DEFAULT 0,
    errors              jsonb NOT NULL DEFAULT '[]', -- one string per failed batch
    error               text,                        -- why nothing was stored
    trendtap_version    text NOT NULL
);

-- One row per video per refresh: the counts the API gave at that time.
CREATE TABLE video_stats (
    refresh_id    bigint NOT NULL,
    video_id      text NOT NULL,
    observed_at   timestamptz NOT NULL,
    view_count    bigint,   -- NULL: not sent (never 0 for unknown)
    like_count    bigint,
    comment_count bigint,
    PRIMARY KEY (refresh_id, video_id)
);
CREATE INDEX video_stats_video_idx ON video_stats (video_id, observed_at);

-- When the API stopped returning the video (NULL: available); when a refresh last saw it.
ALTER TABLE videos ADD COLUMN unavailable_since timestamptz;
ALTER TABLE videos ADD COLUMN refreshed_at timestamptz;
CREATE INDEX videos_last_seen_idx ON videos (last_seen_at DESC);

-- Every observation of every video, from the charts (one point per video per fetch run: the
-- largest counts any of its charts reported) and from refreshes, for time series.
CREATE VIEW video_observations AS
SELECT video_id, max(fetched_at) AS observed_at, 'chart' AS source, run_id,
       max(view_count) AS view_count, max(like_count) AS like_count,
       max(comment_count) AS comment_count
FROM chart_entries GROUP BY run_id, video_id
UNION ALL
SELECT video_id, observed_at, 'refresh' AS source, refresh_id AS run_id,
       view_count, like_count, comment_count
FROM video_stats;
