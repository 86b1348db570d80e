-- The reports without a period or a category read what they sorted or joined in full from the
-- summaries (see migrations/postgres for what each addition is for): the hours from publication to
-- the first chart entry in the totals, video_totals.later_regions, region_pairs, and the indexes in report order. The
-- existing summaries are completed here from what they hold. Hours are the first 13
-- characters of the fixed-width UTC text.
ALTER TABLE region_videos ADD COLUMN hours_to_trend REAL;
ALTER TABLE video_totals ADD COLUMN hours_to_trend REAL;
ALTER TABLE video_totals ADD COLUMN later_regions INTEGER NOT NULL DEFAULT 0;

CREATE TABLE region_pairs (
    region       TEXT NOT NULL,
    other_region TEXT NOT NULL,
    shared       INTEGER NOT NULL,
    PRIMARY KEY (region, other_region)
) WITHOUT ROWID;

UPDATE region_videos SET hours_to_trend = (
    SELECT (unixepoch(region_videos.first_at) - unixepoch(v.published_at)) / 3600.0
    FROM videos v WHERE v.video_id = region_videos.video_id
);
UPDATE video_totals SET hours_to_trend = (
    SELECT (unixepoch(video_totals.first_at) - unixepoch(v.published_at)) / 3600.0
    FROM videos v WHERE v.video_id = video_totals.video_id
);
UPDATE video_totals SET later_regions = (
    SELECT count(*) FROM region_videos r
    WHERE r.video_id = video_totals.video_id
      AND substr(r.first_at, 1, 13) > substr(video_totals.first_at, 1, 13)
);
INSERT INTO region_pairs (region, other_region, shared)
SELECT a.region, b.region, count(*)
FROM region_videos a JOIN region_videos b ON b.video_id = a.video_id
GROUP BY a.region, b.region;

CREATE INDEX region_videos_days_idx ON region_videos (region, days DESC, best_rank, first_at, video_id);
CREATE INDEX video_totals_days_idx ON video_totals (days DESC, best_rank, first_at, video_id);
CREATE INDEX video_totals_exported_idx ON video_totals (video_id) WHERE later_regions > 0;
CREATE INDEX region_videos_first_idx ON region_videos (first_at);
CREATE INDEX video_totals_first_idx ON video_totals (first_at);
