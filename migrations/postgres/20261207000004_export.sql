-- `trendtap export` (README.md, "Export") and the `descriptions` setting.

-- snippet.description, stored only when `descriptions = true` (or `fetch --descriptions`):
-- NULL when it was not collected, '' when the video has none.
ALTER TABLE videos ADD COLUMN description text;

-- One region's history in a period: each Kaggle file reads one region's entries between two
-- times (BENCHMARKS.md, "Export", has the plans).
CREATE INDEX chart_entries_region_fetched_idx ON chart_entries (region, fetched_at);

-- Every region's history in a period (each month of a Parquet export, NDJSON with --since), in
-- time order, and the first and last fetch of an export (which months it spans).
CREATE INDEX chart_entries_fetched_idx ON chart_entries (fetched_at);
