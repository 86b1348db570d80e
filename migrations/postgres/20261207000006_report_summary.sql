-- `trendtap report` reads a daily summary of chart_entries instead of the entries themselves:
-- one row per video per chart per UTC day of chart_entries.fetched_at (about 1/8 of the rows at
-- 8 runs a day, fewer when videos stay on the chart). README.md ("Reports") documents it;
-- src/store/shared/report.rs says how it is kept. Each report brings it up to date first, from
-- the runs stored since `summaries.through_run_id`, so writing a run costs nothing more.
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

-- How far each summary has read chart_entries: every run up to through_run_id is in it.
CREATE TABLE summaries (
    name           text PRIMARY KEY,
    through_run_id bigint NOT NULL
);
INSERT INTO summaries (name, through_run_id) VALUES ('chart_days', 0);
