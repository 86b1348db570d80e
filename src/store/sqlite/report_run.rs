//! Runs SQLite's report statements (`report.rs`): binds each report's filter (lists as JSON
//! arrays, days and times as text), maps the rows to `crate::report`'s types, and explains
//! (`summary.rs` brings the summaries up to date first).

use sqlx::query::QueryAs;
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{FromRow, Sqlite};

use super::report::{coverage_sql, regions_sql, statements, VIDEO_SQL};
use super::time::ts;
use super::SqliteStore;
use crate::report::{
    CategoryRow, ChannelRow, Coverage, DaysBucket, DaysRow, Explained, ExportedRow, Filters,
    LanguageRow, OverlapRow, Query, RankRow, TimeToTrendRow, VideoInfo, ViewsRow,
};
use crate::store::shared::error::{query_error, StoreError};
use crate::store::shared::report::{totals, Bind, Filter, Grain, Sql};

fn bind<'q, O>(
    q: QueryAs<'q, Sqlite, O, SqliteArguments<'q>>,
    binds: &'q [Bind],
) -> QueryAs<'q, Sqlite, O, SqliteArguments<'q>> {
    binds.iter().fold(q, |q, b| match b {
        Bind::Texts(v) => q.bind(serde_json::to_string(v).expect("plain strings")),
        Bind::Day(d) => q.bind(d.to_string()),
        Bind::Time(t) => q.bind(ts(*t)),
    })
}

/// A report's filter: on `chart_days`, or on `chart_entries` after the video id for `video`.
fn filter(query: Query<'_>, filters: &Filters) -> Filter {
    match query {
        Query::Video(_) => Filter::new(Sql::Sqlite, Grain::Entries, filters, 2),
        _ => Filter::new(Sql::Sqlite, Grain::Days, filters, 1),
    }
}

/// `sql` followed by its parameters' values, as comments.
fn with_params(sql: &str, query: Query<'_>, f: &Filter) -> String {
    let mut out = sql.to_owned();
    let first = match query {
        Query::Video(id) => {
            out.push_str(&format!("\n-- 1: {id:?}"));
            2
        }
        _ => 1,
    };
    for (i, b) in f.binds().iter().enumerate() {
        out.push_str(&format!("\n-- {}: {b:?}", first + i));
    }
    out
}

impl SqliteStore {
    async fn rows<O>(&self, sql: &str, f: &Filter, what: &'static str) -> Result<Vec<O>, StoreError>
    where
        O: for<'r> FromRow<'r, SqliteRow> + Send + Unpin,
    {
        bind(sqlx::query_as(sql), f.binds())
            .fetch_all(&self.pool)
            .await
            .map_err(query_error(what))
    }

    /// `days-on-trending`: the longest-trending videos per region and overall, and the
    /// distribution of days.
    pub async fn days_on_trending(
        &self,
        filters: &Filters,
        n: Option<u32>,
    ) -> Result<(Vec<DaysRow>, Vec<DaysBucket>), StoreError> {
        let f = filter(Query::DaysOnTrending, filters);
        let [videos, buckets] =
            <[String; 2]>::try_from(statements(Query::DaysOnTrending, &f, filters, n))
                .expect("two statements");
        let what = "reading days on trending";
        Ok((
            self.rows(&videos, &f, what).await?,
            self.rows(&buckets, &f, what).await?,
        ))
    }

    /// `time-to-trend`: per region, hours from publication to the first chart entry.
    pub async fn time_to_trend(
        &self,
        filters: &Filters,
    ) -> Result<Vec<TimeToTrendRow>, StoreError> {
        let f = filter(Query::TimeToTrend, filters);
        let sql = &statements(Query::TimeToTrend, &f, filters, None)[0];
        self.rows(sql, &f, "reading time to trend").await
    }

    /// `overlap`: each region's most similar regions, and its most exported videos.
    pub async fn overlap(
        &self,
        filters: &Filters,
        n: Option<u32>,
    ) -> Result<(Vec<OverlapRow>, Vec<ExportedRow>), StoreError> {
        let f = filter(Query::Overlap, filters);
        let [pairs, exported] = <[String; 2]>::try_from(statements(Query::Overlap, &f, filters, n))
            .expect("two statements");
        let what = "reading the overlap of regions";
        Ok((
            self.rows(&pairs, &f, what).await?,
            self.rows(&exported, &f, what).await?,
        ))
    }

    /// `languages`: each language's share of each region's videos.
    pub async fn languages(
        &self,
        filters: &Filters,
        n: Option<u32>,
    ) -> Result<Vec<LanguageRow>, StoreError> {
        let f = filter(Query::Languages, filters);
        let sql = &statements(Query::Languages, &f, filters, n)[0];
        self.rows(sql, &f, "reading the language mix").await
    }

    /// `categories`: each category's share of each region's videos.
    pub async fn categories(
        &self,
        filters: &Filters,
        n: Option<u32>,
    ) -> Result<Vec<CategoryRow>, StoreError> {
        let f = filter(Query::Categories, filters);
        let sql = &statements(Query::Categories, &f, filters, n)[0];
        self.rows(sql, &f, "reading the category mix").await
    }

    /// `channels`: the channels with the most chart entries and the most videos.
    pub async fn channels(
        &self,
        filters: &Filters,
        n: Option<u32>,
    ) -> Result<Vec<ChannelRow>, StoreError> {
        let f = filter(Query::Channels, filters);
        let sql = &statements(Query::Channels, &f, filters, n)[0];
        self.rows(sql, &f, "reading the channels").await
    }

    /// `video ID`: the video, its rank in each chart at each run, its views at each run.
    pub async fn video_history(
        &self,
        video_id: &str,
        filters: &Filters,
    ) -> Result<(Option<VideoInfo>, Vec<RankRow>, Vec<ViewsRow>), StoreError> {
        let what = "reading a video's history";
        let info = sqlx::query_as(VIDEO_SQL)
            .bind(video_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(query_error(what))?;
        let query = Query::Video(video_id);
        let f = filter(query, filters);
        let [ranks, views] =
            <[String; 2]>::try_from(statements(query, &f, filters, None)).expect("two statements");
        let ranks = bind(sqlx::query_as(&ranks).bind(video_id), f.binds())
            .fetch_all(&self.pool)
            .await
            .map_err(query_error(what))?;
        let views = bind(sqlx::query_as(&views).bind(video_id), f.binds())
            .fetch_all(&self.pool)
            .await
            .map_err(query_error(what))?;
        Ok((info, ranks, views))
    }

    /// What the selected history covers, and its regions.
    pub async fn coverage(&self, filters: &Filters) -> Result<(Coverage, Vec<String>), StoreError> {
        let f = filter(Query::DaysOnTrending, filters);
        let what = "reading what the history covers";
        let t = totals(filters);
        let sql = coverage_sql(&f.on("d"), t && f.is_empty());
        let coverage = bind(sqlx::query_as(&sql), f.binds())
            .fetch_one(&self.pool)
            .await
            .map_err(query_error(what))?;
        let sql = regions_sql(&f, t);
        let regions: Vec<(String,)> = self.rows(&sql, &f, what).await?;
        Ok((coverage, regions.into_iter().map(|(r,)| r).collect()))
    }

    /// Each statement of `query` with its parameters, and SQLite's plan for it
    /// (`EXPLAIN QUERY PLAN`, indented as its tree).
    pub async fn explain(
        &self,
        query: Query<'_>,
        filters: &Filters,
        n: Option<u32>,
    ) -> Result<Vec<Explained>, StoreError> {
        let f = filter(query, filters);
        let mut out = Vec::new();
        for sql in statements(query, &f, filters, n) {
            let text = format!("EXPLAIN QUERY PLAN {sql}");
            let mut q = sqlx::query_as::<_, (i64, i64, i64, String)>(&text);
            if let Query::Video(id) = query {
                q = q.bind(id.to_owned());
            }
            let rows = bind(q, f.binds())
                .fetch_all(&self.pool)
                .await
                .map_err(query_error("explaining a report"))?;
            let mut depth: std::collections::HashMap<i64, usize> = Default::default();
            let plan: Vec<String> = rows
                .into_iter()
                .map(|(id, parent, _, detail)| {
                    let d = depth.get(&parent).map_or(0, |d| d + 1);
                    depth.insert(id, d);
                    format!("{}{detail}", "  ".repeat(d))
                })
                .collect();
            out.push(Explained {
                sql: with_params(&sql, query, &f),
                plan: plan.join("\n"),
            });
        }
        Ok(out)
    }
}
