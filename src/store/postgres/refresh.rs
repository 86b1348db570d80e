//! PostgreSQL's side of `trendtap refresh`: the videos to refresh, the `refresh_runs` row, and a
//! refresh's writes in one transaction (rows from `jsonb_to_recordset`, the rules of
//! `shared::refresh`).

use chrono::{DateTime, Utc};

use super::PgStore;
use crate::model::Video;
use crate::store::shared::columns::{list, video_refreshed_columns, VIDEO_STATS_COLUMNS};
use crate::store::shared::dialect::POSTGRES;
use crate::store::shared::error::{int8, query_error, StoreError};
use crate::store::shared::refresh::{self, pg_type, RefreshSummary};

impl PgStore {
    /// The ids to refresh (see `shared::refresh::stale_sql`).
    pub async fn stale_videos(
        &self,
        seen_since: DateTime<Utc>,
        stale_before: DateTime<Utc>,
        include_unavailable: bool,
        limit: i64,
    ) -> Result<Vec<String>, StoreError> {
        sqlx::query_scalar(&refresh::stale_sql(&POSTGRES))
            .bind(seen_since)
            .bind(stale_before)
            .bind(include_unavailable)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(query_error("choosing the videos to refresh"))
    }

    /// Records the start of a refresh; its id.
    pub async fn begin_refresh(&self, started_at: DateTime<Utc>) -> Result<i64, StoreError> {
        sqlx::query_scalar(
            "INSERT INTO refresh_runs (started_at, status, trendtap_version)
             VALUES ($1, 'running', $2) RETURNING refresh_id",
        )
        .bind(started_at)
        .bind(env!("CARGO_PKG_VERSION"))
        .fetch_one(&self.pool)
        .await
        .map_err(query_error("recording the start of the refresh"))
    }

    /// Stores a refresh in one transaction: its observations, the videos' newest data, the
    /// videos now missing, its `refresh_runs` row. Returns how many videos became unavailable.
    pub async fn save_refresh(
        &self,
        refresh_id: i64,
        observed_at: DateTime<Utc>,
        videos: &[Video],
        missing: &[String],
        summary: &RefreshSummary,
    ) -> Result<u64, StoreError> {
        let error = query_error("storing the refresh");
        let mut tx = self.pool.begin().await.map_err(error)?;
        let rows = serde_json::to_string(videos).expect("videos serialize");
        sqlx::query(&format!(
            "INSERT INTO video_stats ({})
             SELECT $1, u.video_id, $2, u.view_count, u.like_count, u.comment_count
             FROM jsonb_to_recordset($3::jsonb) AS u(video_id text, view_count bigint, like_count bigint, comment_count bigint)",
            list(VIDEO_STATS_COLUMNS.iter().copied())
        ))
        .bind(refresh_id)
        .bind(observed_at)
        .bind(&rows)
        .execute(&mut *tx)
        .await
        .map_err(query_error("inserting video_stats"))?;
        sqlx::query(&update_videos_sql())
            .bind(&rows)
            .bind(observed_at)
            .execute(&mut *tx)
            .await
            .map_err(query_error("updating refreshed videos"))?;
        let unavailable = sqlx::query(
            "UPDATE videos SET unavailable_since = $2
             WHERE video_id = ANY($1) AND unavailable_since IS NULL",
        )
        .bind(missing)
        .bind(observed_at)
        .execute(&mut *tx)
        .await
        .map_err(query_error("marking unavailable videos"))?
        .rows_affected();
        let summary = RefreshSummary {
            unavailable,
            ..summary.clone()
        };
        end(&mut tx, refresh_id, &summary, None).await?;
        tx.commit().await.map_err(error)?;
        Ok(unavailable)
    }

    /// Ends a refresh whose data was not stored (`error`: why).
    pub async fn record_unsaved_refresh(
        &self,
        refresh_id: i64,
        summary: &RefreshSummary,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(query_error("recording the refresh"))?;
        end(&mut conn, refresh_id, summary, error).await
    }
}

async fn end(
    conn: &mut sqlx::PgConnection,
    refresh_id: i64,
    s: &RefreshSummary,
    error: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query(&refresh::end_sql(&POSTGRES))
        .bind(refresh_id)
        .bind(Utc::now())
        .bind(s.status)
        .bind(s.halt_reason.as_deref())
        .bind(int8("videos_requested", s.requested)?)
        .bind(int8("videos_refreshed", s.refreshed)?)
        .bind(int8("videos_unavailable", s.unavailable)?)
        .bind(int8("batches_failed", s.batches_failed)?)
        .bind(int8("api_requests", s.api_requests)?)
        .bind(serde_json::to_string(&s.errors).expect("strings serialize"))
        .bind(error)
        .execute(conn)
        .await
        .map_err(query_error("completing the refresh_runs row"))?;
    Ok(())
}

/// `$1`: the refreshed videos as a JSON array; `$2`: when they were observed.
fn update_videos_sql() -> String {
    let columns: Vec<String> = std::iter::once("video_id")
        .chain(video_refreshed_columns())
        .map(|c| format!("{c} {}", pg_type(c)))
        .collect();
    format!(
        "UPDATE videos SET {}
         FROM jsonb_to_recordset($1::jsonb) AS u({})
         WHERE videos.video_id = u.video_id",
        refresh::video_updates(&POSTGRES, |c| format!("u.{c}"), "$2"),
        list(columns.iter().map(String::as_str))
    )
}
