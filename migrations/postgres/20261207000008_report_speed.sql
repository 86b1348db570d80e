-- The reports without a period or a category answer a year of history in seconds (issue 15;
-- BENCHMARKS.md, "Reports"): what they sorted or joined in full is kept in the summaries of
-- migration 20261207000006, by the same refresh (src/store/shared/report.rs states the rules).
--
-- * region_videos, video_totals: the hours from the video's publication to its first chart
--   entry (time to trend without joining videos or computing them for every row), NULL
--   without a publication time.
-- * video_totals.later_regions: the regions where the video first charted in a later hour
--   than its first chart entry anywhere (the overlap's `exported` table).
-- * region_pairs: for each two regions, the videos both had on their charts; a region with
--   itself is its number of videos (the overlap's `pairs` table without a self-join).
-- * indexes that hand each region's longest-trending videos over in order (days on trending:
--   the top N per region without ranking every pair), the exported videos, and the videos
--   first charted in a period (time to trend with --since or --until alone).
--
-- The existing summaries are completed here from what they hold (no rebuild), so the first
-- report after the upgrade is correct and costs no more than any other.
ALTER TABLE region_videos ADD COLUMN hours_to_trend float8;
ALTER TABLE video_totals ADD COLUMN hours_to_trend float8,
    ADD COLUMN later_regions integer NOT NULL DEFAULT 0;

CREATE TABLE region_pairs (
    region       text NOT NULL,
    other_region text NOT NULL,
    shared       bigint NOT NULL,   -- videos on both regions' charts (region = other_region: its videos)
    PRIMARY KEY (region, other_region)
);

-- The hours as src/store/postgres/report.rs (`hours`) computes them.
UPDATE region_videos t SET hours_to_trend =
    ((floor(extract(epoch FROM t.first_at)) - floor(extract(epoch FROM v.published_at))) / 3600)::float8
FROM videos v WHERE v.video_id = t.video_id AND v.published_at IS NOT NULL;
UPDATE video_totals t SET hours_to_trend =
    ((floor(extract(epoch FROM t.first_at)) - floor(extract(epoch FROM v.published_at))) / 3600)::float8
FROM videos v WHERE v.video_id = t.video_id AND v.published_at IS NOT NULL;
UPDATE video_totals t SET later_regions = l.later
FROM (
    SELECT r.video_id, count(*) AS later
    FROM region_videos r JOIN video_totals x ON x.video_id = r.video_id
    WHERE date_trunc('hour', r.first_at, 'UTC') > date_trunc('hour', x.first_at, 'UTC')
    GROUP BY r.video_id
) l
WHERE l.video_id = t.video_id;
INSERT INTO region_pairs (region, other_region, shared)
SELECT a.region, b.region, count(*)
FROM region_videos a JOIN region_videos b ON b.video_id = a.video_id
GROUP BY a.region, b.region;

CREATE INDEX region_videos_days_idx ON region_videos (region, days DESC, best_rank, first_at, video_id);
CREATE INDEX video_totals_days_idx ON video_totals (days DESC, best_rank, first_at, video_id);
CREATE INDEX video_totals_exported_idx ON video_totals (video_id) WHERE later_regions > 0;
CREATE INDEX region_videos_first_idx ON region_videos (first_at);
CREATE INDEX video_totals_first_idx ON video_totals (first_at);
