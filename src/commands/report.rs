//! `trendtap report KIND`: the filters resolved and checked, the store's daily summary brought
//! up to date, the report's queries run (they aggregate in the database: `store::*::report`),
//! and the result printed as text, CSV or JSON; or every report written as one HTML page.

use std::io::Write;

use chrono::Utc;

use super::{fail, open_store, Context};
use crate::cli::{ReportArgs, ReportFilterArgs, ReportHtmlArgs, ReportKind, TableFormat};
use crate::error::{Error, Exit};
use crate::metrics::write_atomically;
use crate::regions;
use crate::report::charts::RankSeries;
use crate::report::html::{self, PageData};
use crate::report::{kinds, Explained, Filters, Query, Report, ALL};
use crate::secret::{DatabaseUrl, Redactor};
use crate::store::{Store, StoreError};

/// Rows per region of a ranked table when `--limit` is not given.
const DEFAULT_LIMIT: u32 = 20;

/// Rows of each table of the HTML page when `--limit` is not given.
const DEFAULT_HTML_LIMIT: u32 = 10;

/// Videos drawn in the page's rank-over-time chart.
const RANK_LINES: usize = 5;

/// Runs `trendtap report`.
pub async fn run(args: &ReportArgs, ctx: &Context) -> Exit {
    let (kind, a) = match &args.kind {
        ReportKind::Html(a) => return write_html(a, ctx).await,
        ReportKind::Video(v) => {
            let out = Output {
                limit: None,
                format: v.format,
                table: v.table.as_deref(),
                explain: v.explain,
            };
            return tables(Query::Video(&v.id), &v.filters, out, ctx).await;
        }
        ReportKind::DaysOnTrending(a) => (Query::DaysOnTrending, a),
        ReportKind::TimeToTrend(a) => (Query::TimeToTrend, a),
        ReportKind::Overlap(a) => (Query::Overlap, a),
        ReportKind::Languages(a) => (Query::Languages, a),
        ReportKind::Categories(a) => (Query::Categories, a),
        ReportKind::Channels(a) => (Query::Channels, a),
    };
    let out = Output {
        limit: limit(a.limit, DEFAULT_LIMIT),
        format: a.format,
        table: a.table.as_deref(),
        explain: a.explain,
    };
    tables(kind, &a.filters, out, ctx).await
}

/// How a table report is printed.
struct Output<'a> {
    limit: Option<u32>,
    format: TableFormat,
    table: Option<&'a str>,
    explain: bool,
}

/// `--limit N`: `None` (every row) for 0, the default when absent.
fn limit(flag: Option<u32>, default: u32) -> Option<u32> {
    match flag.unwrap_or(default) {
        0 => None,
        n => Some(n),
    }
}

/// The filters, checked: known regions (upper-cased), numeric categories, since <= until.
pub fn resolve(args: &ReportFilterArgs) -> Result<Filters, Error> {
    let mut regions = Vec::new();
    for code in &args.regions {
        match regions::canonical(code) {
            Some(r) => regions.push(r.to_owned()),
            None => return Err(Error::Usage(format!("unknown region code `{code}`"))),
        }
    }
    for c in &args.categories {
        if c.is_empty() || !c.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::Usage(format!(
                "`{c}` is not a category id (a number such as 10)"
            )));
        }
    }
    if let (Some(since), Some(until)) = (args.since, args.until) {
        if since > until {
            return Err(Error::Usage(format!(
                "--since {since} is after --until {until}"
            )));
        }
    }
    regions.sort();
    regions.dedup();
    let mut categories = args.categories.clone();
    categories.sort();
    categories.dedup();
    Ok(Filters {
        regions,
        categories,
        since: args.since,
        until: args.until,
    })
}

/// The filters and the store, or the exit of a failure to get them.
async fn prepare(args: &ReportFilterArgs, ctx: &Context) -> Result<(Filters, DatabaseUrl), Exit> {
    let resolved = resolve(args).and_then(|f| Ok((f, ctx.database_url(&args.db)?)));
    resolved.map_err(|e| fail(&e, &Redactor::default()))
}

/// Opens the store and brings the reports' summary up to date.
async fn open(url: &DatabaseUrl) -> Result<Store, StoreError> {
    let store = open_store(url).await?;
    store.refresh_chart_days().await?;
    Ok(store)
}

async fn tables(kind: Query<'_>, args: &ReportFilterArgs, out: Output<'_>, ctx: &Context) -> Exit {
    let (filters, url) = match prepare(args, ctx).await {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    let redactor = Redactor::new(url.password());
    if out.explain {
        let explained = async { open(&url).await?.explain(kind, &filters, out.limit).await };
        return match explained.await {
            Ok(statements) => print(&explain_text(&statements), &redactor),
            Err(e) => fail(&Error::Store(e), &redactor),
        };
    }
    let report = async { build(&open(&url).await?, kind, &filters, out.limit).await }.await;
    let report = match report {
        Ok(r) => r,
        Err(e) => return fail(&Error::Store(e), &redactor),
    };
    if let Query::Video(id) = kind {
        if report.tables.iter().all(|t| t.rows.is_empty()) {
            eprintln!("trendtap: error: video `{id}` is not in the store");
            return Exit::Failure;
        }
    }
    let names = report.table_names().join(", ");
    let Some(report) = report.only(out.table) else {
        let name = out.table.unwrap_or_default();
        let e = Error::Usage(format!(
            "this report has no table `{name}`; its tables: {names}"
        ));
        return fail(&e, &redactor);
    };
    let text = match out.format {
        TableFormat::Text => report.text(),
        TableFormat::Csv => report.table(None).map(|t| t.csv()).unwrap_or_default(),
        TableFormat::Json => report.json(&filters, out.limit),
    };
    print(&text, &redactor)
}

/// Writes a command's result on stdout (a closed pipe is not an error: `| head` is not).
fn print(text: &str, redactor: &Redactor) -> Exit {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Exit::Ok,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Ok,
        Err(e) => fail(&Error::Output(e), redactor),
    }
}

/// `--explain`: each statement, then its plan.
fn explain_text(statements: &[Explained]) -> String {
    let parts: Vec<String> = statements
        .iter()
        .map(|s| format!("{};\n\n{}\n", s.sql, s.plan))
        .collect();
    parts.join("\n")
}

/// Runs one report's queries and makes its tables.
async fn build(
    store: &Store,
    kind: Query<'_>,
    f: &Filters,
    limit: Option<u32>,
) -> Result<Report, StoreError> {
    Ok(match kind {
        Query::DaysOnTrending => {
            let (videos, buckets) = store.days_on_trending(f, limit).await?;
            kinds::days_on_trending(&videos, &buckets)
        }
        Query::TimeToTrend => kinds::time_to_trend(&store.time_to_trend(f).await?),
        Query::Overlap => {
            let (pairs, exported) = store.overlap(f, limit).await?;
            kinds::overlap(&pairs, &exported)
        }
        Query::Languages => kinds::languages(&store.languages(f, limit).await?),
        Query::Categories => kinds::categories(&store.categories(f, limit).await?),
        Query::Channels => kinds::channels(&store.channels(f, limit).await?, limit),
        Query::Video(id) => {
            let (info, ranks, views) = store.video_history(id, f).await?;
            kinds::video(info.as_ref(), &ranks, &views)
        }
    })
}

/// `trendtap report html --out FILE`.
async fn write_html(args: &ReportHtmlArgs, ctx: &Context) -> Exit {
    let (filters, url) = match prepare(&args.filters, ctx).await {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    let redactor = Redactor::new(url.password());
    let n = limit(args.limit, DEFAULT_HTML_LIMIT);
    let data = async { page_data(&open(&url).await?, filters, n).await }.await;
    let data = match data {
        Ok(d) => d,
        Err(e) => return fail(&Error::Store(e), &redactor),
    };
    let page = html::render(&data);
    if let Err(source) = write_atomically(&args.out, page.as_bytes()) {
        let path = args.out.display().to_string();
        return fail(&Error::WriteFile { path, source }, &redactor);
    }
    Exit::Ok
}

/// Every query of the page; the rank lines follow the longest-trending videos.
async fn page_data(store: &Store, f: Filters, n: Option<u32>) -> Result<PageData, StoreError> {
    let (coverage, regions) = store.coverage(&f).await?;
    let (days, buckets) = store
        .days_on_trending(&f, n.map(|n| n.max(RANK_LINES as u32)))
        .await?;
    let mut ranks: Vec<RankSeries> = Vec::new();
    for video in days.iter().filter(|d| d.region == ALL).take(RANK_LINES) {
        let (_, history, _) = store.video_history(&video.video_id, &f).await?;
        let label = video.title.as_deref().unwrap_or(&video.video_id);
        ranks.extend(html::rank_series(label, &history));
    }
    Ok(PageData {
        coverage,
        regions,
        days,
        buckets,
        ranks,
        time_to_trend: store.time_to_trend(&f).await?,
        overlap: store.overlap(&f, None).await?.0,
        languages: store.languages(&f, None).await?,
        categories: store.categories(&f, None).await?,
        channels: store.channels(&f, n).await?,
        limit: n.map_or(usize::MAX, |n| n as usize),
        generated_at: Utc::now(),
        filters: f,
    })
}
