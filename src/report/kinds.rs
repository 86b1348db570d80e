//! Each report's tables: their names (`--table`, the JSON keys), headings and order, from the
//! rows the store returned.

use super::table::Table;
use super::{
    CategoryRow, ChannelRow, DaysBucket, DaysRow, ExportedRow, LanguageRow, OverlapRow, RankRow,
    Report, TimeToTrendRow, VideoInfo, ViewsRow, ALL,
};

/// `days-on-trending`: `videos`, `distribution`.
pub fn days_on_trending(videos: &[DaysRow], buckets: &[DaysBucket]) -> Report {
    Report {
        kind: "days-on-trending",
        main: "videos",
        tables: vec![
            Table::new(
                "videos",
                "Longest on the charts: distinct UTC days, per region and over all (region `all`)",
                videos,
            ),
            Table::new("distribution", "Videos by days on the charts", buckets),
        ],
    }
}

/// `time-to-trend`: `regions`.
pub fn time_to_trend(rows: &[TimeToTrendRow]) -> Report {
    Report {
        kind: "time-to-trend",
        main: "regions",
        tables: vec![Table::new(
            "regions",
            "Hours from publication to the first chart entry, videos that entered the charts in the period (timed: with a publication time)",
            rows,
        )],
    }
}

/// `overlap`: `pairs`, `exported`.
pub fn overlap(pairs: &[OverlapRow], exported: &[ExportedRow]) -> Report {
    Report {
        kind: "overlap",
        main: "pairs",
        tables: vec![
            Table::new(
                "pairs",
                "Videos both regions had on their charts, closest regions first (Jaccard index)",
                pairs,
            ),
            Table::new(
                "exported",
                "Most exported: first seen in the region (to the hour), then on other regions' charts",
                exported,
            ),
        ],
    }
}

/// `languages`: `languages`.
pub fn languages(rows: &[LanguageRow]) -> Report {
    Report {
        kind: "languages",
        main: "languages",
        tables: vec![Table::new(
            "languages",
            "Languages of each region's videos, and how each was known (source_*)",
            rows,
        )],
    }
}

/// `categories`: `categories`.
pub fn categories(rows: &[CategoryRow]) -> Report {
    Report {
        kind: "categories",
        main: "categories",
        tables: vec![Table::new(
            "categories",
            "Categories of each region's videos",
            rows,
        )],
    }
}

/// `channels`: `by_entries`, `by_videos` (the `limit` first of each ranking per region).
pub fn channels(rows: &[ChannelRow], limit: Option<u32>) -> Report {
    let limit = limit.map_or(i64::MAX, i64::from);
    let ranked = |rank: fn(&ChannelRow) -> i64| {
        let mut r: Vec<ChannelRow> = rows.iter().filter(|r| rank(r) <= limit).cloned().collect();
        r.sort_by(|a, b| {
            let key = |r: &ChannelRow| (r.region != ALL, r.region.clone(), rank(r));
            key(a).cmp(&key(b))
        });
        r
    };
    Report {
        kind: "channels",
        main: "by_entries",
        tables: vec![
            Table::new(
                "by_entries",
                "Channels with the most chart entries (one per chart per run)",
                &ranked(|r| r.entries_rank),
            ),
            Table::new(
                "by_videos",
                "Channels with the most distinct videos on the charts",
                &ranked(|r| r.videos_rank),
            ),
        ],
    }
}

/// `video ID`: `video`, `ranks`, `views`.
pub fn video(info: Option<&VideoInfo>, ranks: &[RankRow], views: &[ViewsRow]) -> Report {
    let info: Vec<VideoInfo> = info.cloned().into_iter().collect();
    Report {
        kind: "video",
        main: "ranks",
        tables: vec![
            Table::new("video", "The video (newest run)", &info),
            Table::new("ranks", "Rank in each chart at each run", ranks),
            Table::new("views", "Views at each run", views),
        ],
    }
}
