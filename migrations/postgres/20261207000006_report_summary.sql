-- `trendtap report` reads summaries of chart_entries instead of the entries themselves: a daily
-- one (chart_days: one row per video per chart per UTC day of fetched_at, about 1/8 of the rows
-- at 8 runs a day) and all-time totals per region and video and per video (for the reports
-- without a period or a category). README.md ("Reports") documents them;
-- src/store/shared/report.rs says how they are kept. Each report brings them up to date first,
-- from the runs stored since `summaries.through_run_id`, so writing a run costs nothing more.
CREATE TABLE chart_days (
    region      text NOT NULL,
    video_id    text NOT NULL,
    day         date NOT NULL,         -- the UTC day of fetched_at
    category_id text NOT NULL,         -- the chart's category
    entries     integer NOT NULL,      -- chart entries that day (runs that saw it in this chart)
    best_rank   integer NOT NULL,
    first_at    timestamptz NOT NULL,  -- the day's first and last fetched_at
    last_at     timestamptz NOT NULL,
    PRIMARY KEY (region, video_id, day, category_id)
);
-- --since/--until, and "was this video on the charts before the period" (time to trend).
CREATE INDEX chart_days_day_idx ON chart_days (day);
CREATE INDEX chart_days_video_idx ON chart_days (video_id, day);

-- All-time totals per region and video, and per video over every region: what the reports
-- read when no period and no chart category is chosen. Recomputed from chart_days for the
-- pairs and videos each new run touches.
CREATE TABLE region_videos (
    region    text NOT NULL,
    video_id  text NOT NULL,
    days      integer NOT NULL,      -- distinct UTC days on any of the region's charts
    entries   bigint NOT NULL,       -- chart entries (one per chart per run)
    best_rank integer NOT NULL,
    first_at  timestamptz NOT NULL,  -- first and last fetched_at
    last_at   timestamptz NOT NULL,
    channel_id    text,               -- the video's channel (videos), for the channels report
    channel_title text,
    PRIMARY KEY (region, video_id)
);
CREATE INDEX region_videos_video_idx ON region_videos (video_id);
CREATE TABLE video_totals (
    video_id  text PRIMARY KEY,
    days      integer NOT NULL,      -- distinct UTC days on any chart
    entries   bigint NOT NULL,
    best_rank integer NOT NULL,
    first_at  timestamptz NOT NULL,
    last_at   timestamptz NOT NULL,
    channel_id    text,
    channel_title text
);

-- How far each summary has read chart_entries: every run up to through_run_id is in it.
CREATE TABLE summaries (
    name           text PRIMARY KEY,
    through_run_id bigint NOT NULL
);
INSERT INTO summaries (name, through_run_id) VALUES ('chart_days', 0);
