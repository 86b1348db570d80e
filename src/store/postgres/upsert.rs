//! `videos` and `video_regions` into PostgreSQL, at the end of a run: rows new to a table go in
//! by binary `COPY`, the fastest way in; rows already stored are updated by one set-based
//! statement per table that applies the newest-wins rule ([`crate::store::shared::newest`]).
//! Telling the two apart first is safe because the caller locked both tables against other
//! writers.

use std::collections::HashSet;
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::copy::{CopyRows, HEADER, TRAILER};
use crate::model::{MergedVideo, Video};
use crate::store::shared::columns::{list, video_columns, VIDEO_REGION_COLUMNS};
use crate::store::shared::dialect::POSTGRES;
use crate::store::shared::error::{int4, query_error, StoreError};
use crate::store::shared::newest::{video_region_updates, video_updates};
use crate::store::shared::writer::region_ranks;

/// Bytes of COPY data per message.
const COPY_CHUNK: usize = 256 * 1024;

/// Upserts the run's videos: new ones copied in, known ones copied to a temporary table and
/// updated from it in one statement. `merged` is sorted by video id, which keeps lock order
/// stable.
pub(super) async fn write_videos(
    conn: &mut PgConnection,
    run_id: i64,
    seen_at: DateTime<Utc>,
    merged: &[MergedVideo<'_>],
) -> Result<(), StoreError> {
    let ids: Vec<&str> = merged.iter().map(|m| m.video.video_id.as_str()).collect();
    let known: HashSet<String> =
        sqlx::query_scalar("SELECT video_id FROM videos WHERE video_id = ANY($1)")
            .bind(&ids)
            .fetch_all(&mut *conn)
            .await
            .map_err(query_error("reading the videos already stored"))?
            .into_iter()
            .collect();
    let (old, new): (Vec<&Video>, Vec<&Video>) = merged
        .iter()
        .map(|m| &*m.video)
        .partition(|v| known.contains(&v.video_id));
    let encode = |rows: &mut CopyRows, v: &Video| encode_video(rows, v, run_id, seen_at);
    let columns = list(video_columns());
    let statement = format!("COPY videos ({columns}) FROM STDIN WITH (FORMAT binary)");
    copy_in(conn, &statement, "copying new videos", new, encode).await?;
    if old.is_empty() {
        return Ok(());
    }
    sqlx::query("CREATE TEMPORARY TABLE incoming_videos (LIKE videos) ON COMMIT DROP")
        .execute(&mut *conn)
        .await
        .map_err(query_error("staging known videos"))?;
    let statement = format!("COPY incoming_videos ({columns}) FROM STDIN WITH (FORMAT binary)");
    copy_in(conn, &statement, "staging known videos", old, encode).await?;
    sqlx::query(update_videos_sql())
        .execute(&mut *conn)
        .await
        .map_err(query_error("updating known videos"))?;
    Ok(())
}

/// One `videos` row, in [`video_columns`] order.
fn encode_video(rows: &mut CopyRows, v: &Video, run_id: i64, seen_at: DateTime<Utc>) {
    rows.text(&v.video_id)
        .text(&v.title)
        .opt_text(v.channel_id.as_deref())
        .opt_text(v.channel_title.as_deref())
        .opt_text(v.category_id.as_deref())
        .opt_time(v.published_at)
        .opt_int(v.duration_seconds)
        .text(&v.language)
        .text(v.language_source.as_str())
        .opt_int(v.view_count)
        .opt_int(v.like_count)
        .opt_int(v.comment_count)
        .opt_text_array(Some(&v.tags[..]))
        .opt_text(v.thumbnail_url.as_deref())
        .opt_bool(v.age_restricted)
        .opt_text_array(v.blocked_regions.as_deref())
        .opt_text_array(v.allowed_regions.as_deref())
        .opt_bool(v.caption)
        .opt_text(v.definition.as_deref())
        .opt_bool(v.licensed_content)
        .opt_text(v.live_broadcast_content.as_deref())
        .opt_text(v.description.as_deref())
        .int(run_id)
        .time(seen_at)
        .time(seen_at);
}

/// The update of videos already stored from `incoming_videos`: newest wins.
fn update_videos_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| {
        format!(
            "UPDATE videos SET {}
             FROM incoming_videos AS u
             WHERE videos.video_id = u.video_id",
            video_updates(&POSTGRES)
        )
    })
}

/// Upserts the run's `video_regions`: new (video, region) pairs copied in, known ones updated
/// in one statement.
pub(super) async fn write_video_regions(
    conn: &mut PgConnection,
    seen_at: DateTime<Utc>,
    merged: &[MergedVideo<'_>],
) -> Result<(), StoreError> {
    let ids: Vec<&str> = merged.iter().map(|m| m.video.video_id.as_str()).collect();
    let known: HashSet<(String, String)> =
        sqlx::query_as("SELECT video_id, region FROM video_regions WHERE video_id = ANY($1)")
            .bind(&ids)
            .fetch_all(&mut *conn)
            .await
            .map_err(query_error("reading the video regions already stored"))?
            .into_iter()
            .collect();
    let is_known = |video_id: &str, region: &str| {
        !known.is_empty() && known.contains(&(video_id.to_owned(), region.to_owned()))
    };
    let mut old = (Vec::new(), Vec::new(), Vec::<i32>::new());
    let mut new = Vec::new();
    for (video_id, region, rank) in region_ranks(merged) {
        let rank = int4("a chart rank", rank)?;
        if is_known(video_id, region) {
            old.0.push(video_id);
            old.1.push(region);
            old.2.push(rank);
        } else {
            new.push((video_id, region, rank));
        }
    }
    let statement = format!(
        "COPY video_regions ({}) FROM STDIN WITH (FORMAT binary)",
        list(VIDEO_REGION_COLUMNS.iter().copied())
    );
    let encode = |rows: &mut CopyRows, (video_id, region, rank): (&str, &str, i32)| {
        rows.text(video_id)
            .text(region)
            .time(seen_at)
            .time(seen_at)
            .int4(rank)
            .int4(rank);
    };
    copy_in(conn, &statement, "copying new video_regions", new, encode).await?;
    if old.0.is_empty() {
        return Ok(());
    }
    sqlx::query(update_video_regions_sql())
        .bind(old.0)
        .bind(old.1)
        .bind(old.2)
        .bind(seen_at)
        .execute(&mut *conn)
        .await
        .map_err(query_error("updating known video_regions"))?;
    Ok(())
}

/// The update of known `video_regions` from the arrays ($1 video ids, $2 regions, $3 ranks)
/// seen at $4, as rows with the columns of a new row: newest wins.
fn update_video_regions_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| {
        format!(
            "UPDATE video_regions SET {}
             FROM (SELECT video_id, region, $4::timestamptz AS first_seen_at,
                          $4::timestamptz AS last_seen_at, rank AS last_rank, rank AS best_rank
                   FROM UNNEST($1::text[], $2::text[], $3::int4[]) AS t(video_id, region, rank)) AS u
             WHERE video_regions.video_id = u.video_id AND video_regions.region = u.region",
            video_region_updates(&POSTGRES)
        )
    })
}

/// Sends `items` to a binary `COPY ... FROM STDIN` statement, encoded by `encode`, in chunks of
/// about [`COPY_CHUNK`] bytes: the server parses one chunk while the next is encoded, and memory
/// stays bounded however large the run. Returns the rows copied.
async fn copy_in<T>(
    conn: &mut PgConnection,
    statement: &str,
    what: &'static str,
    items: impl IntoIterator<Item = T>,
    mut encode: impl FnMut(&mut CopyRows, T),
) -> Result<u64, StoreError> {
    let mut items = items.into_iter().peekable();
    if items.peek().is_none() {
        return Ok(0);
    }
    let started = std::time::Instant::now();
    let mut copy = conn
        .copy_in_raw(statement)
        .await
        .map_err(query_error(what))?;
    copy.send(HEADER).await.map_err(query_error(what))?;
    let mut rows = CopyRows::with_capacity(COPY_CHUNK + COPY_CHUNK / 4);
    for item in items {
        encode(&mut rows, item);
        rows.end_row();
        if rows.len() >= COPY_CHUNK {
            copy.send(rows.as_bytes())
                .await
                .map_err(query_error(what))?;
            rows.clear();
        }
    }
    rows.extend_from(TRAILER);
    copy.send(rows.as_bytes())
        .await
        .map_err(query_error(what))?;
    let copied = copy.finish().await.map_err(query_error(what))?;
    let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    tracing::debug!(rows = copied, ms, "{what}");
    Ok(copied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_video_has_a_field_per_column() {
        let mut rows = CopyRows::default();
        encode_video(&mut rows, &Video::minimal("id", "title"), 1, Utc::now());
        rows.end_row();
        let fields = i16::from_be_bytes([rows.as_bytes()[0], rows.as_bytes()[1]]);
        assert_eq!(usize::try_from(fields).unwrap(), video_columns().count());
    }
}
