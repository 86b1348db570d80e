//! The `runs` row's bookkeeping, once for both backends: the statements that start a run and end
//! it, and the values of a run's end (its status, its chart counts, what it stored), computed
//! here and only bound by the backends. Marking dead processes' runs abandoned is
//! [`super::jobs`]'.

use sqlx::query::Query;
use sqlx::{Database, Encode, Type};

use super::columns::{list, RUN_END_COLUMNS, RUN_START_COLUMNS};
use super::dialect::Dialect;
use super::error::{int8, StoreError};
use super::types::RunSummary;
use crate::model::ChartStatus;

/// The status of a run in progress.
pub(crate) const RUNNING: &str = "running";

/// `INSERT INTO runs (...) VALUES (...) RETURNING run_id`, bound in [`RUN_START_COLUMNS`] order.
pub(crate) fn start_sql(d: &Dialect) -> String {
    let params: Vec<String> = (1..=RUN_START_COLUMNS.len()).map(d.param).collect();
    format!(
        "INSERT INTO runs ({}) VALUES ({}) RETURNING run_id",
        list(RUN_START_COLUMNS.iter().copied()),
        params.join(", ")
    )
}

/// `UPDATE runs SET ... WHERE run_id = (1)`, bound by [`RunEnd::bind`]; `finished_at` is
/// `now`, an expression of the dialect.
pub(crate) fn end_sql(d: &Dialect, now: &str) -> String {
    let sets: Vec<String> = RUN_END_COLUMNS
        .iter()
        .enumerate()
        .map(|(i, column)| {
            let param = if *column == "charts" {
                d.json_param
            } else {
                d.param
            };
            format!("{column} = {}", param(i + 2))
        })
        .collect();
    format!(
        "UPDATE runs SET finished_at = {now}, {} WHERE run_id = {}",
        sets.join(", "),
        (d.param)(1)
    )
}

/// The bind parameters of [`end_sql`]: the run id and the run's end.
pub(crate) const END_PARAMS: usize = 1 + RUN_END_COLUMNS.len();

/// What a run stored, for its `runs` row.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Stored {
    /// Distinct videos.
    pub videos: i64,
    /// Chart entries.
    pub entries: i64,
}

/// The values of a run's end, in [`RUN_END_COLUMNS`] order.
#[derive(Debug)]
pub(crate) struct RunEnd<'a> {
    status: &'static str,
    halt_reason: Option<&'a str>,
    /// Every chart's outcome, as JSON text.
    charts: String,
    charts_ok: i64,
    charts_no_chart: i64,
    charts_failed: i64,
    api_requests: i64,
    error: Option<&'a str>,
    stored: Stored,
}

impl<'a> RunEnd<'a> {
    /// The end of a run summed up by `summary`, that stored `stored`, or stored nothing because
    /// of `error` (then its status is `failed`).
    pub fn new(
        summary: &'a RunSummary<'_>,
        stored: Stored,
        error: Option<&'a str>,
    ) -> Result<Self, StoreError> {
        let charts = summary.charts;
        let count = |what, status: Option<ChartStatus>| {
            let n = charts
                .iter()
                .filter(|c| status.map_or(!c.is_done(), |s| c.status == s))
                .count();
            int8(what, n)
        };
        Ok(RunEnd {
            status: if error.is_some() {
                "failed"
            } else {
                summary.status
            },
            halt_reason: summary.halt_reason.as_deref(),
            charts: serde_json::to_string(charts).expect("chart outcomes serialize"),
            charts_ok: count("charts_ok", Some(ChartStatus::Ok))?,
            charts_no_chart: count("charts_no_chart", Some(ChartStatus::NoChart))?,
            charts_failed: count("charts_failed", None)?,
            api_requests: int8("api_requests", summary.api_requests)?,
            error,
            stored,
        })
    }

    /// Binds the run id and the end to [`end_sql`] (the backend binds its `now` after them, if
    /// it is a parameter).
    pub fn bind<'q, DB>(
        &'q self,
        run_id: i64,
        query: Query<'q, DB, <DB as Database>::Arguments<'q>>,
    ) -> Query<'q, DB, <DB as Database>::Arguments<'q>>
    where
        DB: Database,
        i64: Encode<'q, DB> + Type<DB>,
        &'q str: Encode<'q, DB> + Type<DB>,
        Option<&'q str>: Encode<'q, DB> + Type<DB>,
    {
        query
            .bind(run_id)
            .bind(self.status)
            .bind(self.halt_reason)
            .bind(self.charts.as_str())
            .bind(self.charts_ok)
            .bind(self.charts_no_chart)
            .bind(self.charts_failed)
            .bind(self.api_requests)
            .bind(self.error)
            .bind(self.stored.videos)
            .bind(self.stored.entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::shared::dialect::{POSTGRES, SQLITE};

    #[test]
    fn statements_follow_the_column_lists() {
        assert_eq!(
            start_sql(&SQLITE),
            "INSERT INTO runs (started_at, status, regions, categories, trendtap_version) \
             VALUES (?1, ?2, ?3, ?4, ?5) RETURNING run_id"
        );
        let end = end_sql(&POSTGRES, "now()");
        assert!(end.starts_with("UPDATE runs SET finished_at = now(), status = $2, "));
        assert!(end.contains("charts = $4::jsonb, charts_ok = $5"));
        assert!(end.ends_with("entries_count = $11 WHERE run_id = $1"));
        assert_eq!(END_PARAMS, 11);
    }
}
