//! SQLite's side of the `thumbnails` table: the selection of `shared::thumbnails` with a JSON
//! array of regions (`json_each`), and the rows written by one upsert from a JSON array of rows.
//! Timestamps are the fixed-width text of [`ts`].

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use super::time::ts;
use super::SqliteStore;
use crate::store::shared::dialect::SQLITE;
use crate::store::shared::error::{int8, query_error, StoreError};
use crate::store::shared::thumbnails::{
    sorted_unique, targets_sql, upsert_clause, ThumbnailRecord, ThumbnailSelection,
    ThumbnailStatus, ThumbnailTarget, THUMBNAIL_COLUMNS,
};

impl SqliteStore {
    /// The videos whose thumbnails `selection` wants, with their rows.
    pub async fn thumbnail_targets(
        &self,
        selection: &ThumbnailSelection,
    ) -> Result<Vec<ThumbnailTarget>, StoreError> {
        let sql = targets_sql(
            &SQLITE,
            selection.since.is_some(),
            |column, param| {
                format!("({param} IS NULL OR {column} IN (SELECT value FROM json_each({param})))")
            },
            |param| format!("coalesce({param}, -1)"),
        );
        let regions = (!selection.regions.is_empty()).then(|| json!(selection.regions).to_string());
        let mut query = sqlx::query(&sql)
            .bind(regions)
            .bind(selection.limit.map(i64::from));
        if let Some(since) = selection.since {
            query = query.bind(ts(since));
        }
        let rows = query.fetch_all(&self.pool).await.map_err(query_error(
            "reading the videos whose thumbnails are wanted",
        ))?;
        Ok(rows.iter().map(target).collect())
    }

    /// Writes thumbnails' rows, replacing those of the same videos.
    pub async fn save_thumbnails(&self, rows: &[ThumbnailRecord]) -> Result<(), StoreError> {
        let rows = sorted_unique(rows);
        if rows.is_empty() {
            return Ok(());
        }
        let mut values = Vec::with_capacity(rows.len());
        for r in rows {
            let bytes = r.bytes.map(|b| int8("a thumbnail's size", b)).transpose()?;
            values.push(json!([
                r.video_id,
                r.url,
                r.path,
                bytes,
                r.sha256,
                r.content_type,
                r.etag,
                r.last_modified.map(ts),
                ts(r.fetched_at),
                r.status.as_str(),
                r.error
            ]));
        }
        let select: Vec<String> = (0..THUMBNAIL_COLUMNS.len())
            .map(|i| format!("value ->> {i}"))
            .collect();
        // `WHERE true`: SQLite's grammar needs it between a SELECT and ON CONFLICT.
        let sql = format!(
            "INSERT INTO thumbnails ({}) SELECT {} FROM json_each(?1) WHERE true {}",
            THUMBNAIL_COLUMNS.join(", "),
            select.join(", "),
            upsert_clause()
        );
        sqlx::query(&sql)
            .bind(serde_json::Value::Array(values).to_string())
            .execute(&self.pool)
            .await
            .map_err(query_error("recording the thumbnails"))?;
        Ok(())
    }
}

fn target(row: &SqliteRow) -> ThumbnailTarget {
    let time = |name: &str| {
        row.get::<Option<String>, _>(name)
            .and_then(|t| t.parse::<DateTime<Utc>>().ok())
    };
    let recorded = row
        .get::<Option<String>, _>("t_video_id")
        .map(|video_id| ThumbnailRecord {
            video_id,
            url: row.get("t_url"),
            path: row.get("t_path"),
            bytes: row
                .get::<Option<i64>, _>("t_bytes")
                .and_then(|b| u64::try_from(b).ok()),
            sha256: row.get("t_sha256"),
            content_type: row.get("t_content_type"),
            etag: row.get("t_etag"),
            last_modified: time("t_last_modified"),
            fetched_at: time("t_fetched_at").unwrap_or_default(),
            status: ThumbnailStatus::parse(&row.get::<String, _>("t_status")),
            error: row.get("t_error"),
        });
    ThumbnailTarget {
        video_id: row.get("video_id"),
        thumbnail_url: row.get("thumbnail_url"),
        recorded,
    }
}
