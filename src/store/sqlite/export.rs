//! SQLite's half of the export's reads ([`crate::store::shared::export`]): the statements
//! bound and their rows decoded (times from their fixed-width text, lists from their JSON text,
//! booleans from 0/1), streamed as SQLite steps through them (sqlx's `fetch`).

use chrono::{DateTime, Utc};
use futures_util::stream::{BoxStream, StreamExt};
use sqlx::query::Query;
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Row, Sqlite, SqliteConnection, SqlitePool};

use super::time::ts;
use crate::model::{HistoryEntry, LanguageSource, Observation, Video};
use crate::store::shared::error::{query_error, StoreError};
use crate::store::shared::export::{self, Bind, Shape, Statement, SELECTED_VIDEO_AT};
use crate::store::shared::types::ExportQuery;

const WHAT: &str = "reading the history to export";

/// The observations `q` selects, one per region, video and day, in the daily order.
pub(crate) fn daily<'a>(
    pool: &'a SqlitePool,
    q: &ExportQuery,
) -> BoxStream<'a, Result<Observation, StoreError>> {
    bound(export::sqlite(q, Shape::Daily), q)
        .fetch(pool)
        .map(|row| row.map_err(query_error(WHAT)).and_then(|r| decode(&r)))
        .boxed()
}

/// The chart entries `q` selects, bare, in time order.
pub(crate) fn entries<'a>(
    pool: &'a SqlitePool,
    q: &ExportQuery,
) -> BoxStream<'a, Result<HistoryEntry, StoreError>> {
    bound(export::sqlite(q, Shape::Entries), q)
        .fetch(pool)
        .map(|row| {
            row.map_err(query_error(WHAT))
                .and_then(|r| decode_entry(&r))
        })
        .boxed()
}

/// The videos of `ids` (those that exist), counts unknown. On `reader`, a connection of its
/// own: the pool's one connection is busy with the entries' stream.
pub(crate) async fn videos(
    reader: &mut SqliteConnection,
    ids: &[String],
) -> Result<Vec<Video>, StoreError> {
    let rows = sqlx::query(export::videos(false))
        .bind(list(ids))
        .fetch_all(&mut *reader)
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

/// The start of each run of `ids` (those that exist), on `reader`.
pub(crate) async fn runs(
    reader: &mut SqliteConnection,
    ids: &[i64],
) -> Result<Vec<(i64, DateTime<Utc>)>, StoreError> {
    let rows = sqlx::query(export::runs(false))
        .bind(serde_json::to_string(ids).expect("numbers serialize"))
        .fetch_all(&mut *reader)
        .await
        .map_err(query_error(WHAT))?;
    rows.iter()
        .map(|r| Ok((get(r, 0)?, time(get(r, 1)?)?)))
        .collect()
}

fn list(values: &[String]) -> String {
    serde_json::to_string(values).expect("strings serialize")
}

/// The first and last fetch time of the entries `q` selects (`None` when there is none).
pub(crate) async fn bounds(
    pool: &SqlitePool,
    q: &ExportQuery,
) -> Result<Option<(DateTime<Utc>, DateTime<Utc>)>, StoreError> {
    let row = bound(export::bounds(q, false), q)
        .fetch_one(pool)
        .await
        .map_err(query_error(WHAT))?;
    let (first, last): (Option<&str>, Option<&str>) = (get(&row, 0)?, get(&row, 1)?);
    match first.zip(last) {
        Some((first, last)) => Ok(Some((time(first)?, time(last)?))),
        None => Ok(None),
    }
}

/// `statement` with `q`'s values bound.
fn bound(
    statement: Statement,
    q: &ExportQuery,
) -> Query<'static, Sqlite, SqliteArguments<'static>> {
    let mut query = sqlx::query(statement.sql);
    for bind in statement.binds {
        query = match bind {
            Bind::Since => query.bind(ts(q.since)),
            Bind::Until => query.bind(ts(q.until)),
            Bind::Region => query.bind(q.regions[0].clone()),
            Bind::Regions => query.bind(list(&q.regions)),
            Bind::Category => query.bind(q.categories[0].clone()),
            Bind::Categories => query.bind(list(&q.categories)),
        };
    }
    query
}

/// A row of the daily read (`export::selected`), by position.
fn decode(r: &SqliteRow) -> Result<Observation, StoreError> {
    let mut video = decode_video(r, SELECTED_VIDEO_AT)?;
    video.video_id = get(r, 6)?;
    video.view_count = get(r, 7)?;
    video.like_count = get(r, 8)?;
    video.comment_count = get(r, 9)?;
    Ok(Observation {
        run_id: get(r, 0)?,
        run_started_at: time(get(r, 1)?)?,
        fetched_at: time(get(r, 2)?)?,
        region: get(r, 3)?,
        chart_category_id: get(r, 4)?,
        rank: get(r, 5)?,
        video,
    })
}

/// A row of [`export::ENTRY_COLUMNS`], by position.
fn decode_entry(r: &SqliteRow) -> Result<HistoryEntry, StoreError> {
    Ok(HistoryEntry {
        run_id: get(r, 0)?,
        fetched_at: time(get(r, 1)?)?,
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
fn decode_video(r: &SqliteRow, at: usize) -> Result<Video, StoreError> {
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
        published_at: get::<Option<&str>>(r, at + 4)?.map(time).transpose()?,
        duration_seconds: get(r, at + 5)?,
        language: get(r, at + 6)?,
        language_source: LanguageSource::parse(source)
            .ok_or_else(|| bad(format!("unknown language_source `{source}`")))?,
        tags: json(get(r, at + 8)?)?,
        thumbnail_url: get(r, at + 9)?,
        age_restricted: get(r, at + 10)?,
        blocked_regions: get::<Option<&str>>(r, at + 11)?.map(json).transpose()?,
        allowed_regions: get::<Option<&str>>(r, at + 12)?.map(json).transpose()?,
        caption: get(r, at + 13)?,
        definition: get(r, at + 14)?,
        licensed_content: get(r, at + 15)?,
        live_broadcast_content: get(r, at + 16)?,
        description: get(r, at + 17)?,
    })
}

fn get<'r, T>(r: &'r SqliteRow, i: usize) -> Result<T, StoreError>
where
    T: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    r.try_get(i).map_err(query_error(WHAT))
}

fn time(text: &str) -> Result<DateTime<Utc>, StoreError> {
    text.parse()
        .map_err(|e| bad(format!("bad timestamp `{text}`: {e}")))
}

fn json(text: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(text).map_err(|e| bad(format!("bad list `{text}`: {e}")))
}

fn bad(message: String) -> StoreError {
    query_error(WHAT)(sqlx::Error::Decode(message.into()))
}
