//! The `thumbnails` table's rules, stated once; each backend supplies its dialect
//! (`store/postgres/thumbnails.rs`, `store/sqlite/thumbnails.rs`).
//!
//! - Which videos: those of the latest complete run (`chart_entries` of the newest run whose
//!   status is `ok` or `partial`), or, with a window, those seen in a chart since its start
//!   (`video_regions.last_seen_at`); optionally in some regions only; videos without a
//!   thumbnail URL are left out. Most prominent first (the best rank in any of those charts,
//!   then the id), so that `--limit N` keeps the top N.
//! - One row per video: the newest answer replaces the whole row (set-based, sorted by key).

use chrono::{DateTime, Utc};

use super::dialect::Dialect;

/// The columns of a `thumbnails` row, in the order both backends write and read them.
pub(crate) const THUMBNAIL_COLUMNS: &[&str] = &[
    "video_id",
    "url",
    "path",
    "bytes",
    "sha256",
    "content_type",
    "etag",
    "last_modified",
    "fetched_at",
    "status",
    "error",
];

/// What a thumbnail's row says of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThumbnailStatus {
    /// The image is in the folder, at `path`.
    Ok,
    /// The image host has no such image (HTTP 404 or 410).
    Missing,
    /// The download failed; `error` says why.
    Failed,
}

impl ThumbnailStatus {
    /// The `status` column's value.
    pub fn as_str(self) -> &'static str {
        match self {
            ThumbnailStatus::Ok => "ok",
            ThumbnailStatus::Missing => "missing",
            ThumbnailStatus::Failed => "failed",
        }
    }

    /// The status of a `status` column's value (an unknown one reads as failed).
    pub fn parse(value: &str) -> Self {
        match value {
            "ok" => ThumbnailStatus::Ok,
            "missing" => ThumbnailStatus::Missing,
            _ => ThumbnailStatus::Failed,
        }
    }
}

/// One `thumbnails` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThumbnailRecord {
    /// The video.
    pub video_id: String,
    /// The URL the image was (or would have been) fetched from.
    pub url: String,
    /// The file, relative to the image folder (`ok` rows).
    pub path: Option<String>,
    /// The file's size.
    pub bytes: Option<u64>,
    /// The file's SHA-256, hex.
    pub sha256: Option<String>,
    /// The Content-Type the host sent.
    pub content_type: Option<String>,
    /// The host's ETag.
    pub etag: Option<String>,
    /// The host's Last-Modified.
    pub last_modified: Option<DateTime<Utc>>,
    /// When the host was last asked (or the file found).
    pub fetched_at: DateTime<Utc>,
    /// ok, missing or failed.
    pub status: ThumbnailStatus,
    /// Why the status is not ok.
    pub error: Option<String>,
}

/// Which videos' thumbnails a run wants.
#[derive(Debug, Clone, Default)]
pub struct ThumbnailSelection {
    /// Videos seen in a chart since then; `None`: the videos of the latest complete run.
    pub since: Option<DateTime<Utc>>,
    /// Only these regions' charts (canonical codes); empty: every region.
    pub regions: Vec<&'static str>,
    /// At most this many videos, the most prominent first.
    pub limit: Option<u32>,
}

/// A video whose thumbnail is wanted, with its row when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThumbnailTarget {
    /// The video.
    pub video_id: String,
    /// Its best thumbnail URL (`videos.thumbnail_url`).
    pub thumbnail_url: String,
    /// Its `thumbnails` row.
    pub recorded: Option<ThumbnailRecord>,
}

/// The selection's query. Parameters: 1 the regions (the backend's list type, or NULL), 2 the
/// limit, 3 the window's start (only when `windowed`). `in_regions(column, param)` is the
/// backend's test of a region column against the list parameter (true when it is NULL);
/// `limit` is its LIMIT expression of parameter 2 (NULL: no limit).
pub(crate) fn targets_sql(
    d: &Dialect,
    windowed: bool,
    in_regions: fn(&str, &str) -> String,
    limit: fn(&str) -> String,
) -> String {
    let p = d.param;
    let seen = if windowed {
        format!(
            "SELECT r.video_id, min(r.last_rank) AS best_rank FROM video_regions r
             WHERE r.last_seen_at >= {} AND {}
             GROUP BY r.video_id",
            p(3),
            in_regions("r.region", &p(1))
        )
    } else {
        format!(
            "SELECT e.video_id, min(e.rank) AS best_rank FROM chart_entries e
             WHERE e.run_id = (SELECT max(run_id) FROM runs WHERE status IN ('ok', 'partial'))
               AND {}
             GROUP BY e.video_id",
            in_regions("e.region", &p(1))
        )
    };
    let recorded: Vec<String> = THUMBNAIL_COLUMNS[1..]
        .iter()
        .map(|c| format!("t.{c} AS t_{c}"))
        .collect();
    format!(
        "WITH seen AS ({seen})
         SELECT v.video_id, v.thumbnail_url, t.video_id AS t_video_id, {}
         FROM seen s JOIN videos v ON v.video_id = s.video_id
              LEFT JOIN thumbnails t ON t.video_id = s.video_id
         WHERE v.thumbnail_url IS NOT NULL
         ORDER BY s.best_rank, v.video_id
         LIMIT {}",
        recorded.join(", "),
        limit(&p(2))
    )
}

/// The upsert's `ON CONFLICT` clause: the newest answer replaces the whole row.
pub(crate) fn upsert_clause() -> String {
    let set: Vec<String> = THUMBNAIL_COLUMNS[1..]
        .iter()
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    format!("ON CONFLICT (video_id) DO UPDATE SET {}", set.join(", "))
}

/// The rows to write: one per video (the last given wins), sorted by key.
pub(crate) fn sorted_unique(rows: &[ThumbnailRecord]) -> Vec<&ThumbnailRecord> {
    // Reversed, then a stable sort: among equal keys the last given comes first, and is kept.
    let mut out: Vec<&ThumbnailRecord> = rows.iter().rev().collect();
    out.sort_by(|a, b| a.video_id.cmp(&b.video_id));
    out.dedup_by(|later, earlier| later.video_id == earlier.video_id);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::shared::dialect::{POSTGRES, SQLITE};

    fn record(id: &str, url: &str) -> ThumbnailRecord {
        ThumbnailRecord {
            video_id: id.into(),
            url: url.into(),
            path: None,
            bytes: None,
            sha256: None,
            content_type: None,
            etag: None,
            last_modified: None,
            fetched_at: Utc::now(),
            status: ThumbnailStatus::Missing,
            error: None,
        }
    }

    #[test]
    fn one_row_per_video_the_last_given_wins() {
        let rows = [record("b", "1"), record("a", "2"), record("b", "3")];
        let kept: Vec<(&str, &str)> = sorted_unique(&rows)
            .iter()
            .map(|r| (r.video_id.as_str(), r.url.as_str()))
            .collect();
        assert_eq!(kept, [("a", "2"), ("b", "3")]);
    }

    #[test]
    fn statuses_round_trip() {
        for s in [
            ThumbnailStatus::Ok,
            ThumbnailStatus::Missing,
            ThumbnailStatus::Failed,
        ] {
            assert_eq!(ThumbnailStatus::parse(s.as_str()), s);
        }
    }

    #[test]
    fn the_window_reads_video_regions_and_the_default_the_latest_complete_run() {
        let any = |c: &str, p: &str| format!("{c} IN {p}");
        let all = |p: &str| p.to_owned();
        let windowed = targets_sql(&POSTGRES, true, any, all);
        assert!(windowed.contains("r.last_seen_at >= $3") && windowed.contains("r.region IN $1"));
        let latest = targets_sql(&SQLITE, false, any, all);
        assert!(latest.contains("status IN ('ok', 'partial')") && !latest.contains("?3"));
        assert!(upsert_clause().ends_with("error = excluded.error"));
    }
}
