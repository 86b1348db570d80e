//! PostgreSQL's half of the export's reads ([`crate::store::shared::export`]): the statements
//! bound and their rows decoded, streamed as they arrive (sqlx's `fetch`: one query, rows read
//! from the socket as the caller consumes them, so memory stays flat).

use chrono::{DateTime, Utc};
use futures_util::stream::{BoxStream, StreamExt};
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query;
use sqlx::{PgPool, Postgres, Row};

use crate::model::{HistoryEntry, LanguageSource, Observation, Video};
use crate::store::shared::error::{query_error, StoreError};
use crate::store::shared::export::{self, Bind, Shape, Statement, SELECTED_VIDEO_AT};
use crate::store::shared::types::ExportQuery;

const WHAT: &str = "reading the history to export";

/// The observations `q` selects, one per region, video and day, in the daily order.
pub(crate) fn daily<'a>(
    pool: &'a PgPool,
    q: &ExportQuery,
) -> BoxStream<'a, Result<Observation, StoreError>> {
    bound(export::postgres(q, Shape::Daily), q)
        .fetch(pool)
        .map(|row| row.map_err(query_error(WHAT)).and_then(|r| decode(&r)))
        .boxed()
}

/// The chart entries `q` selects, bare, in time order.
pub(crate) fn entries<'a>(
    pool: &'a PgPool,
    q: &ExportQuery,
) -> BoxStream<'a, Result<HistoryEntry, StoreError>> {
    bound(export::postgres(q, Shape::Entries), q)
        .fetch(pool)
        .map(|row| {
            row.map_err(query_error(WHAT))
                .and_then(|r| decode_entry(&r))
        })
        .boxed()
}

/// The videos of `ids` (those that exist), counts unknown.
pub(crate) async fn videos(pool: &PgPool, ids: &[String]) -> Result<Vec<Video>, StoreError> {
    let rows = sqlx::query(export::videos(true))
        .bind(ids)
        .fetch_all(pool)
        .await
        .map_err(query_error(WHAT))?;
    rows.iter()
        .map(|r| {
            let mut video = decode_video(r, 1)?;
            video.video_id = get(r, 0)?;
            Ok(video)
        })
        .collect()
}

/// The start of each run of `ids` (those that exist).
pub(crate) async fn runs(
    pool: &PgPool,
    ids: &[i64],
) -> Result<Vec<(i64, DateTime<Utc>)>, StoreError> {
    sqlx::query_as(export::runs(true))
        .bind(ids)
        .fetch_all(pool)
        .await
        .map_err(query_error(WHAT))
}

/// The first and last fetch time of the entries `q` selects (`None` when there is none).
pub(crate) async fn bounds(
    pool: &PgPool,
    q: &ExportQuery,
) -> Result<Option<(DateTime<Utc>, DateTime<Utc>)>, StoreError> {
    let row = bound(export::bounds(q, true), q)
        .fetch_one(pool)
        .await
        .map_err(query_error(WHAT))?;
    Ok(get::<Option<DateTime<Utc>>>(&row, 0)?.zip(get(&row, 1)?))
}

/// `statement` with `q`'s values bound.
fn bound(statement: Statement, q: &ExportQuery) -> Query<'static, Postgres, PgArguments> {
    let mut query = sqlx::query(statement.sql);
    for bind in statement.binds {
        query = match bind {
            Bind::Since => query.bind(q.since),
            Bind::Until => query.bind(q.until),
            Bind::Region => query.bind(q.regions[0].clone()),
            Bind::Regions => query.bind(q.regions.clone()),
            Bind::Category => query.bind(q.categories[0].clone()),
            Bind::Categories => query.bind(q.categories.clone()),
        };
    }
    query
}

/// A row of the daily read (`export::selected`), by position.
fn decode(r: &PgRow) -> Result<Observation, StoreError> {
    let mut video = decode_video(r, SELECTED_VIDEO_AT)?;
    video.video_id = get(r, 6)?;
    video.view_count = get(r, 7)?;
    video.like_count = get(r, 8)?;
    video.comment_count = get(r, 9)?;
    Ok(Observation {
        run_id: get(r, 0)?,
        run_started_at: get(r, 1)?,
        fetched_at: get(r, 2)?,
        region: get(r, 3)?,
        chart_category_id: get(r, 4)?,
        rank: get(r, 5)?,
        video,
    })
}

/// A row of [`export::ENTRY_COLUMNS`], by position.
fn decode_entry(r: &PgRow) -> Result<HistoryEntry, StoreError> {
    Ok(HistoryEntry {
        run_id: get(r, 0)?,
        fetched_at: get(r, 1)?,
        region: get(r, 2)?,
        chart_category_id: get(r, 3)?,
        rank: get(r, 4)?,
        video_id: get(r, 5)?,
        view_count: get(r, 6)?,
        like_count: get(r, 7)?,
        comment_count: get(r, 8)?,
    })
}

/// The video's columns of [`export::VIDEO_COLUMNS`] after its id, from position `at` on; the
/// id and the counts are left empty.
fn decode_video(r: &PgRow, at: usize) -> Result<Video, StoreError> {
    let source: &str = get(r, at + 7)?;
    Ok(Video {
        video_id: String::new(),
        view_count: None,
        like_count: None,
        comment_count: None,
        title: get(r, at)?,
        channel_id: get(r, at + 1)?,
        channel_title: get(r, at + 2)?,
        category_id: get(r, at + 3)?,
        published_at: get(r, at + 4)?,
        duration_seconds: get(r, at + 5)?,
        language: get(r, at + 6)?,
        language_source: LanguageSource::parse(source).ok_or_else(|| {
            query_error(WHAT)(sqlx::Error::Decode(
                format!("unknown language_source `{source}`").into(),
            ))
        })?,
        tags: get(r, at + 8)?,
        thumbnail_url: get(r, at + 9)?,
        age_restricted: get(r, at + 10)?,
        blocked_regions: get(r, at + 11)?,
        allowed_regions: get(r, at + 12)?,
        caption: get(r, at + 13)?,
        definition: get(r, at + 14)?,
        licensed_content: get(r, at + 15)?,
        live_broadcast_content: get(r, at + 16)?,
        description: get(r, at + 17)?,
    })
}

fn get<'r, T>(r: &'r PgRow, i: usize) -> Result<T, StoreError>
where
    T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    r.try_get(i).map_err(query_error(WHAT))
}
