//! SQLite's half of a run's writes ([`crate::store::shared::writer`]): one statement per table
//! per batch over a JSON array (`json_each`), SQLite's counterpart of PostgreSQL's UNNEST. Each
//! element is converted to JSONB once (`jsonb(value)`), so that reading its many fields does not
//! parse the text again for each. `videos` and `video_regions` are upserted with the newest-wins
//! rule ([`crate::store::shared::newest`]) as the `ON CONFLICT` action.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use sqlx::{Sqlite, SqliteConnection};

use super::time::ts;
use crate::model::{Chart, MergedVideo};
use crate::store::shared::columns::{
    list, video_columns, CHART_ENTRY_COLUMNS, VIDEO_KEY, VIDEO_REGION_COLUMNS, VIDEO_REGION_KEY,
};
use crate::store::shared::dialect::SQLITE;
use crate::store::shared::error::{query_error, StoreError};
use crate::store::shared::newest::{video_region_updates, video_updates};
use crate::store::shared::runs::{end_sql, RunEnd, END_PARAMS};
use crate::store::shared::writer::{region_ranks, Backend, Entries, Writer};

/// Videos or regions per statement: large enough to be set-based, small enough to keep the JSON
/// text small (the text of every row at once would double the run's memory).
const BATCH: usize = 2_000;

/// The writes of one run into SQLite.
pub(crate) type SqliteRunWriter = Writer<SqliteSql>;

/// SQLite's SQL for [`Writer`].
#[derive(Debug)]
pub(crate) struct SqliteSql;

/// `chart_entries` rows as the elements of a JSON array, comma-separated, without the brackets.
#[derive(Debug, Default)]
pub(crate) struct JsonRows(Vec<u8>);

/// A `chart_entries` row on its way into `json_each`: named as its columns.
#[derive(serde::Serialize)]
struct EntryRow<'a> {
    region: &'a str,
    category_id: &'a str,
    rank: u32,
    video_id: &'a str,
    view_count: Option<i64>,
    like_count: Option<i64>,
    comment_count: Option<i64>,
    fetched_at: &'a str,
}

impl Entries for JsonRows {
    fn push_chart(&mut self, _run_id: i64, chart: &Chart) -> Result<(), StoreError> {
        let fetched_at = ts(chart.fetched_at);
        for (rank, v) in &chart.entries {
            if !self.0.is_empty() {
                self.0.push(b',');
            }
            let row = EntryRow {
                region: chart.key.region,
                category_id: &chart.key.category_id,
                rank: *rank,
                video_id: &v.video_id,
                view_count: v.view_count,
                like_count: v.like_count,
                comment_count: v.comment_count,
                fetched_at: &fetched_at,
            };
            serde_json::to_writer(&mut self.0, &row).expect("rows serialize");
        }
        Ok(())
    }

    fn bytes(&self) -> usize {
        self.0.len()
    }

    fn clear(&mut self) {
        self.0.clear();
    }
}

impl Backend for SqliteSql {
    type Db = Sqlite;
    type Entries = JsonRows;

    async fn send_entries(
        conn: &mut SqliteConnection,
        run_id: i64,
        rows: &JsonRows,
    ) -> Result<u64, StoreError> {
        let rows = std::str::from_utf8(&rows.0).expect("JSON is UTF-8");
        let done = sqlx::query(insert_entries_sql())
            .bind(run_id)
            .bind(format!("[{rows}]"))
            .execute(&mut *conn)
            .await
            .map_err(query_error("inserting chart_entries"))?;
        Ok(done.rows_affected())
    }

    async fn write_videos(
        conn: &mut SqliteConnection,
        run_id: i64,
        seen_at: DateTime<Utc>,
        merged: &[MergedVideo<'_>],
    ) -> Result<(), StoreError> {
        let seen = ts(seen_at);
        for batch in merged.chunks(BATCH) {
            let videos: Vec<_> = batch.iter().map(|m| &m.video).collect();
            sqlx::query(upsert_videos_sql())
                .bind(serde_json::to_string(&videos).expect("videos serialize"))
                .bind(&seen)
                .bind(run_id)
                .execute(&mut *conn)
                .await
                .map_err(query_error("upserting videos"))?;
        }
        let regions: Vec<RegionRow> = region_ranks(merged)
            .map(|(video_id, region, rank)| RegionRow {
                video_id,
                region,
                rank,
            })
            .collect();
        for batch in regions.chunks(BATCH) {
            sqlx::query(upsert_video_regions_sql())
                .bind(serde_json::to_string(batch).expect("rows serialize"))
                .bind(&seen)
                .execute(&mut *conn)
                .await
                .map_err(query_error("upserting video_regions"))?;
        }
        Ok(())
    }

    async fn end_run(
        conn: &mut SqliteConnection,
        run_id: i64,
        end: &RunEnd<'_>,
    ) -> Result<(), StoreError> {
        let sql = end_run_sql();
        end.bind(run_id, sqlx::query(sql))
            .bind(ts(Utc::now()))
            .execute(&mut *conn)
            .await
            .map_err(query_error("completing the runs row"))?;
        Ok(())
    }
}

/// A `video_regions` row on its way into `json_each`.
#[derive(serde::Serialize)]
struct RegionRow<'a> {
    video_id: &'a str,
    region: &'a str,
    rank: u32,
}

/// `?1`: the run id; `?2`: a JSON array of [`EntryRow`]s.
fn insert_entries_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| {
        let values = CHART_ENTRY_COLUMNS.iter().map(|c| match *c {
            "run_id" => "?1".to_owned(),
            c => format!("value ->> '{c}'"),
        });
        format!(
            "INSERT INTO chart_entries ({})
             SELECT {} FROM (SELECT jsonb(value) AS value FROM json_each(?2))",
            list(CHART_ENTRY_COLUMNS.iter().copied()),
            values.collect::<Vec<_>>().join(", ")
        )
    })
}

/// `?1`: a JSON array of `Video`s (named as their columns); `?2`: when they were seen; `?3`: the
/// run id.
fn upsert_videos_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| {
        let values = video_columns().map(|c| match c {
            "last_run_id" => "?3".to_owned(),
            "first_seen_at" | "last_seen_at" => "?2".to_owned(),
            // Arrays stay JSON text (`->` keeps JSON); a JSON null must become SQL NULL.
            "tags" => format!("value -> '{c}'"),
            "blocked_regions" | "allowed_regions" => format!("nullif(value -> '{c}', 'null')"),
            _ => format!("value ->> '{c}'"),
        });
        // `WHERE true`: an upsert's SELECT needs a WHERE clause (the parsing ambiguity of ON).
        format!(
            "INSERT INTO videos ({})
             SELECT {} FROM (SELECT jsonb(value) AS value FROM json_each(?1)) WHERE true
             ON CONFLICT ({VIDEO_KEY}) DO UPDATE SET {}",
            list(video_columns()),
            values.collect::<Vec<_>>().join(", "),
            video_updates(&SQLITE)
        )
    })
}

/// `?1`: a JSON array of [`RegionRow`]s; `?2`: when they were seen.
fn upsert_video_regions_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| {
        let values = VIDEO_REGION_COLUMNS.iter().map(|c| match *c {
            "first_seen_at" | "last_seen_at" => "?2".to_owned(),
            "last_rank" | "best_rank" => "value ->> 'rank'".to_owned(),
            c => format!("value ->> '{c}'"),
        });
        format!(
            "INSERT INTO video_regions ({})
             SELECT {} FROM (SELECT jsonb(value) AS value FROM json_each(?1)) WHERE true
             ON CONFLICT ({}) DO UPDATE SET {}",
            list(VIDEO_REGION_COLUMNS.iter().copied()),
            values.collect::<Vec<_>>().join(", "),
            list(VIDEO_REGION_KEY),
            video_region_updates(&SQLITE)
        )
    })
}

/// The end of a run; its time is bound last, as [`ts`] text (SQLite's clock stops at
/// milliseconds).
fn end_run_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| end_sql(&SQLITE, &(SQLITE.param)(END_PARAMS + 1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ChartKey, Video};
    use crate::store::shared::columns::VIDEO_COLUMNS;

    /// Every column read from the JSON by name is a field of the row serialized there.
    #[test]
    fn json_rows_are_named_as_their_columns() {
        let video = serde_json::to_value(Video::minimal("id", "title")).unwrap();
        for column in std::iter::once(VIDEO_KEY).chain(VIDEO_COLUMNS.iter().copied()) {
            assert!(
                column == "last_run_id" || video.get(column).is_some(),
                "{column}"
            );
        }
        let chart = Chart {
            key: ChartKey {
                region: "CA",
                category_id: "0".into(),
            },
            fetched_at: Utc::now(),
            entries: vec![(1, Video::minimal("id", "title"))],
        };
        let mut rows = JsonRows::default();
        rows.push_chart(1, &chart).unwrap();
        let entry: serde_json::Value = serde_json::from_slice(&rows.0).unwrap();
        for column in CHART_ENTRY_COLUMNS.iter().filter(|c| **c != "run_id") {
            assert!(entry.get(column).is_some(), "{column}");
        }
    }
}
