//! PostgreSQL's side of the `thumbnails` table: the selection of `shared::thumbnails` with a
//! `text[]` of regions, and the rows written by one `INSERT ... SELECT FROM UNNEST` upsert.

use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::Row;

use super::PgStore;
use crate::store::shared::dialect::POSTGRES;
use crate::store::shared::error::{int8, query_error, StoreError};
use crate::store::shared::thumbnails::{
    sorted_unique, targets_sql, upsert_clause, ThumbnailRecord, ThumbnailSelection,
    ThumbnailStatus, ThumbnailTarget, THUMBNAIL_COLUMNS,
};

impl PgStore {
    /// The videos whose thumbnails `selection` wants, with their rows.
    pub async fn thumbnail_targets(
        &self,
        selection: &ThumbnailSelection,
    ) -> Result<Vec<ThumbnailTarget>, StoreError> {
        let sql = targets_sql(
            &POSTGRES,
            selection.since.is_some(),
            |column, param| format!("({param}::text[] IS NULL OR {column} = ANY({param}::text[]))"),
            |param| format!("{param}::int8"),
        );
        let regions = (!selection.regions.is_empty()).then_some(selection.regions.as_slice());
        let mut query = sqlx::query(&sql)
            .bind(regions)
            .bind(selection.limit.map(i64::from));
        if let Some(since) = selection.since {
            query = query.bind(since);
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
        let texts = |f: fn(&ThumbnailRecord) -> Option<&str>| -> Vec<Option<&str>> {
            rows.iter().map(|r| f(r)).collect()
        };
        let bytes = rows
            .iter()
            .map(|r| r.bytes.map(|b| int8("a thumbnail's size", b)).transpose())
            .collect::<Result<Vec<Option<i64>>, _>>()?;
        let sql = format!(
            "INSERT INTO thumbnails ({}) SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[],
                 $4::int8[], $5::text[], $6::text[], $7::text[], $8::timestamptz[],
                 $9::timestamptz[], $10::text[], $11::text[]) {}",
            THUMBNAIL_COLUMNS.join(", "),
            upsert_clause()
        );
        sqlx::query(&sql)
            .bind(texts(|r| Some(&r.video_id)))
            .bind(texts(|r| Some(&r.url)))
            .bind(texts(|r| r.path.as_deref()))
            .bind(bytes)
            .bind(texts(|r| r.sha256.as_deref()))
            .bind(texts(|r| r.content_type.as_deref()))
            .bind(texts(|r| r.etag.as_deref()))
            .bind(rows.iter().map(|r| r.last_modified).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.fetched_at).collect::<Vec<_>>())
            .bind(texts(|r| Some(r.status.as_str())))
            .bind(texts(|r| r.error.as_deref()))
            .execute(&self.pool)
            .await
            .map_err(query_error("recording the thumbnails"))?;
        Ok(())
    }
}

fn target(row: &PgRow) -> ThumbnailTarget {
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
            last_modified: row.get::<Option<DateTime<Utc>>, _>("t_last_modified"),
            fetched_at: row.get("t_fetched_at"),
            status: ThumbnailStatus::parse(&row.get::<String, _>("t_status")),
            error: row.get("t_error"),
        });
    ThumbnailTarget {
        video_id: row.get("video_id"),
        thumbnail_url: row.get("thumbnail_url"),
        recorded,
    }
}
