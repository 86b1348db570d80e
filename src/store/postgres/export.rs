//! PostgreSQL's half of the export's read ([`crate::store::shared::export`]): the statement
//! bound and its rows decoded, streamed as they arrive (sqlx's `fetch`: one query, rows read
//! from the socket as the caller consumes them, so memory stays flat).

use chrono::{DateTime, Utc};
use futures_util::stream::{BoxStream, StreamExt};
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query;
use sqlx::{PgPool, Postgres, Row};

use crate::model::{LanguageSource, Observation, Video};
use crate::store::shared::error::{query_error, StoreError};
use crate::store::shared::export::{self, Bind, Statement};
use crate::store::shared::types::ExportQuery;

const WHAT: &str = "reading the history to export";

/// The observations `q` selects, in its order.
pub(crate) fn export<'a>(
    pool: &'a PgPool,
    q: &ExportQuery,
) -> BoxStream<'a, Result<Observation, StoreError>> {
    bound(export::postgres(q), q)
        .fetch(pool)
        .map(|row| row.map_err(query_error(WHAT)).and_then(|r| decode(&r)))
        .boxed()
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

/// A row of [`export::SELECTED`], by position.
fn decode(r: &PgRow) -> Result<Observation, StoreError> {
    let source: String = r.try_get(17).map_err(query_error(WHAT))?;
    Ok(Observation {
        run_id: get(r, 0)?,
        run_started_at: get(r, 1)?,
        fetched_at: get(r, 2)?,
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
            published_at: get(r, 14)?,
            duration_seconds: get(r, 15)?,
            language: get(r, 16)?,
            language_source: LanguageSource::parse(&source).ok_or_else(|| {
                query_error(WHAT)(sqlx::Error::Decode(
                    format!("unknown language_source `{source}`").into(),
                ))
            })?,
            tags: get(r, 18)?,
            thumbnail_url: get(r, 19)?,
            age_restricted: get(r, 20)?,
            blocked_regions: get(r, 21)?,
            allowed_regions: get(r, 22)?,
            caption: get(r, 23)?,
            definition: get(r, 24)?,
            licensed_content: get(r, 25)?,
            live_broadcast_content: get(r, 26)?,
            description: get(r, 27)?,
        },
    })
}

fn get<'r, T>(r: &'r PgRow, i: usize) -> Result<T, StoreError>
where
    T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    r.try_get(i).map_err(query_error(WHAT))
}
