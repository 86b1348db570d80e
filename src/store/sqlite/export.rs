//! SQLite's half of the export's read ([`crate::store::shared::export`]): the statement bound
//! and its rows decoded (times from their fixed-width text, lists from their JSON text,
//! booleans from 0/1), streamed as SQLite steps through them (sqlx's `fetch`).

use chrono::{DateTime, Utc};
use futures_util::stream::{BoxStream, StreamExt};
use sqlx::query::Query;
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Row, Sqlite, SqlitePool};

use super::time::ts;
use crate::model::{LanguageSource, Observation, Video};
use crate::store::shared::error::{query_error, StoreError};
use crate::store::shared::export::{self, Bind, Statement};
use crate::store::shared::types::ExportQuery;

const WHAT: &str = "reading the history to export";

/// The observations `q` selects, in its order.
pub(crate) fn export<'a>(
    pool: &'a SqlitePool,
    q: &ExportQuery,
) -> BoxStream<'a, Result<Observation, StoreError>> {
    bound(export::sqlite(q), q)
        .fetch(pool)
        .map(|row| row.map_err(query_error(WHAT)).and_then(|r| decode(&r)))
        .boxed()
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
    let list = |values: &[String]| serde_json::to_string(values).expect("strings serialize");
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

/// A row of [`export::SELECTED`], by position.
fn decode(r: &SqliteRow) -> Result<Observation, StoreError> {
    let source: &str = get(r, 17)?;
    Ok(Observation {
        run_id: get(r, 0)?,
        run_started_at: time(get(r, 1)?)?,
        fetched_at: time(get(r, 2)?)?,
        region: get(r, 3)?,
        chart_category_id: get(r, 4)?,
        rank: get(r, 5)?,
        video: Video {
            video_id: get(r, 6)?,
            view_count: get(r, 7)?,
            like_count: get(r, 8)?,
            comment_count: get(r, 9)?,
            title: get(r, 10)?,
            channel_id: get(r, 11)?,
            channel_title: get(r, 12)?,
            category_id: get(r, 13)?,
            published_at: get::<Option<&str>>(r, 14)?.map(time).transpose()?,
            duration_seconds: get(r, 15)?,
            language: get(r, 16)?,
            language_source: LanguageSource::parse(source)
                .ok_or_else(|| bad(format!("unknown language_source `{source}`")))?,
            tags: json(get(r, 18)?)?,
            thumbnail_url: get(r, 19)?,
            age_restricted: get(r, 20)?,
            blocked_regions: get::<Option<&str>>(r, 21)?.map(json).transpose()?,
            allowed_regions: get::<Option<&str>>(r, 22)?.map(json).transpose()?,
            caption: get(r, 23)?,
            definition: get(r, 24)?,
            licensed_content: get(r, 25)?,
            live_broadcast_content: get(r, 26)?,
            description: get(r, 27)?,
        },
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
