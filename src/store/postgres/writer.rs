//! PostgreSQL's half of a run's writes ([`crate::store::shared::writer`]): `chart_entries` rows
//! encoded in binary `COPY` format and copied into the run's transaction as they wait, then at
//! the end `videos` and `video_regions` ([`super::upsert`]) and the `runs` row.
//!
//! The transaction stays open from the first rows sent to the end of the run. A server that
//! ends sessions idle in a transaction (`idle_in_transaction_session_timeout`) sooner than the
//! longest pause between two batches of charts would fail the run, and store none of it.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, Postgres};

use super::copy::{CopyRows, HEADER, TRAILER};
use super::upsert::{write_video_regions, write_videos};
use crate::model::{Chart, MergedVideo};
use crate::store::shared::columns::{list, CHART_ENTRY_COLUMNS};
use crate::store::shared::dialect::POSTGRES;
use crate::store::shared::error::{int4, query_error, StoreError};
use crate::store::shared::runs::{end_sql, RunEnd};
use crate::store::shared::writer::{Backend, Entries, Writer};

/// The writes of one run into PostgreSQL.
pub(crate) type PgRunWriter = Writer<Pg>;

/// PostgreSQL's SQL for [`Writer`].
#[derive(Debug)]
pub(crate) struct Pg;

impl Entries for CopyRows {
    /// One row per entry, in [`CHART_ENTRY_COLUMNS`] order.
    fn push_chart(&mut self, run_id: i64, chart: &Chart) -> Result<(), StoreError> {
        for (rank, video) in &chart.entries {
            self.int(run_id)
                .text(chart.key.region)
                .text(&chart.key.category_id)
                .int4(int4("a chart rank", *rank)?)
                .text(&video.video_id)
                .opt_int(video.view_count)
                .opt_int(video.like_count)
                .opt_int(video.comment_count)
                .time(chart.fetched_at);
            self.end_row();
        }
        Ok(())
    }

    fn bytes(&self) -> usize {
        self.len()
    }

    fn clear(&mut self) {
        CopyRows::clear(self);
    }
}

impl Backend for Pg {
    type Db = Postgres;
    type Entries = CopyRows;

    async fn send_entries(
        conn: &mut PgConnection,
        _run_id: i64,
        rows: &CopyRows,
    ) -> Result<u64, StoreError> {
        let what = "copying chart_entries";
        let statement = format!(
            "COPY chart_entries ({}) FROM STDIN WITH (FORMAT binary)",
            list(CHART_ENTRY_COLUMNS.iter().copied())
        );
        let mut copy = conn
            .copy_in_raw(&statement)
            .await
            .map_err(query_error(what))?;
        for part in [HEADER, rows.as_bytes(), TRAILER] {
            copy.send(part).await.map_err(query_error(what))?;
        }
        copy.finish().await.map_err(query_error(what))
    }

    /// Locks both upserted tables against other writers (readers are not blocked), so that
    /// telling new rows from known ones first is safe; every trendtap run holds the run lock
    /// besides.
    async fn write_videos(
        conn: &mut PgConnection,
        run_id: i64,
        seen_at: DateTime<Utc>,
        merged: &[MergedVideo<'_>],
    ) -> Result<(), StoreError> {
        sqlx::query("LOCK TABLE videos, video_regions IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut *conn)
            .await
            .map_err(query_error("locking the videos tables"))?;
        write_videos(conn, run_id, seen_at, merged).await?;
        write_video_regions(conn, seen_at, merged).await
    }

    async fn end_run(
        conn: &mut PgConnection,
        run_id: i64,
        end: &RunEnd<'_>,
    ) -> Result<(), StoreError> {
        let sql = end_sql(&POSTGRES, "now()");
        end.bind(run_id, sqlx::query(&sql))
            .execute(&mut *conn)
            .await
            .map_err(query_error("completing the runs row"))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ChartKey, Video};

    #[test]
    fn an_entry_has_a_field_per_column() {
        let chart = Chart {
            key: ChartKey {
                region: "CA",
                category_id: "0".into(),
            },
            fetched_at: Utc::now(),
            entries: vec![(1, Video::minimal("id", "title"))],
        };
        let mut rows = CopyRows::default();
        rows.push_chart(7, &chart).unwrap();
        let fields = i16::from_be_bytes([rows.as_bytes()[0], rows.as_bytes()[1]]);
        assert_eq!(usize::try_from(fields).unwrap(), CHART_ENTRY_COLUMNS.len());
    }
}
