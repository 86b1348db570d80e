//! The `report` scenario of `examples/bench.rs`: every `trendtap report` (the release binary,
//! run as a child, its output read and discarded) on synthetic history made by
//! `examples/history_fill.rs`: a month (111 regions x 200 videos x 8 runs a day, about 5.3
//! million chart entries) in PostgreSQL and SQLite, or a year in PostgreSQL (`report-year`).
//!
//! Each store is filled once and kept (`trendtap_bench_report_DAYS` on the server, a file under
//! the target directory): later runs reuse it; `TRENDTAP_BENCH_REFILL=1` fills it again. The
//! reports' daily summary is rebuilt from nothing first (the catch-up a store upgraded to the
//! report migration makes once), then one day of runs is summarized again (a day of cron
//! runs' worth), then each report is timed: the median of three runs of the binary, which
//! include its start, the migration check and the summary's (empty) catch-up.

use std::time::{Duration, Instant};

use sqlx::{Connection, Executor};

use crate::history_fill::{self, Shape};

/// The reports timed, with their arguments (`{video}`: the longest-trending video).
const REPORTS: &[&[&str]] = &[
    &["days-on-trending"],
    &["time-to-trend"],
    &["overlap"],
    &["languages"],
    &["categories"],
    &["channels"],
    &["video", "{video}"],
    &[
        "days-on-trending",
        "--region",
        "US,GB,JP,IN",
        "--since",
        "{last-week}",
    ],
    &["time-to-trend", "--since", "{last-week}"],
    &["html", "--out", "{html}"],
];

/// Runs the scenario on `days` of history; SQLite too when `sqlite`.
pub async fn run(admin: &str, days: u32, sqlite: bool) {
    sqlx::any::install_default_drivers();
    let shape = Shape::days(days);
    println!(
        "\n## Reports: {days} days of history, {} chart entries\n",
        shape.entries()
    );
    let mut stores = vec![("PostgreSQL", postgres(admin, &shape).await)];
    if sqlite {
        stores.push(("SQLite", sqlite_store(&shape).await));
    }
    let mut columns: Vec<Vec<String>> = Vec::new();
    for (name, url) in &stores {
        let (catch_up, day, rows) = rebuild_summary(url).await;
        println!(
            "{name}: summary rebuilt from nothing in {} ({rows} chart_days rows); one day of runs summarized in {}",
            ms(catch_up),
            ms(day)
        );
        columns.push(time_reports(url, &shape).await);
    }
    let names: Vec<&str> = stores.iter().map(|s| s.0).collect();
    println!("\n| report | {} |", names.join(" | "));
    println!("|---|{}", "---|".repeat(names.len()));
    for (i, args) in REPORTS.iter().enumerate() {
        let cells: Vec<&str> = columns.iter().map(|c| c[i].as_str()).collect();
        println!("| `report {}` | {} |", args.join(" "), cells.join(" | "));
    }
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn refill() -> bool {
    std::env::var_os("TRENDTAP_BENCH_REFILL").is_some()
}

/// The PostgreSQL store of `shape`, filled unless it already is.
async fn postgres(admin: &str, shape: &Shape) -> String {
    let name = format!("trendtap_bench_report_{}", shape.days);
    let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
    let filled = match sqlx::PgConnection::connect(&url).await {
        Ok(mut conn) => sqlx::query_scalar::<_, i64>("SELECT count(*) FROM runs")
            .fetch_one(&mut conn)
            .await
            .is_ok_and(|n| n == i64::from(shape.days * shape.runs_per_day)),
        Err(_) => false,
    };
    if !filled || refill() {
        let url = crate::fresh_postgres(admin, &name).await;
        fill(&url, shape).await;
    }
    url
}

/// The SQLite store of `shape`, filled unless it already is.
async fn sqlite_store(shape: &Shape) -> String {
    let path = crate::binary()
        .parent()
        .unwrap()
        .join(format!("bench-report-{}.db", shape.days));
    let url = format!("sqlite://{}", path.display());
    if !path.exists() || refill() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        fill(&url, shape).await;
    }
    url
}

async fn fill(url: &str, shape: &Shape) {
    let f = history_fill::fill_url(url, shape).await.expect("the fill");
    println!(
        "filled {url}: {} runs, {} videos, {} chart entries in {:.0} s",
        f.runs,
        f.videos,
        f.entries,
        f.elapsed.as_secs_f64()
    );
}

/// Empties the reports' summary and brings it up to date (timed), then does the same for its
/// last day's runs alone; returns both times and the summary's rows.
async fn rebuild_summary(url: &str) -> (Duration, Duration, i64) {
    let db = trendtap::secret::DatabaseUrl::new(url);
    let mut store = trendtap::store::Store::open(&db).await.unwrap();
    store.migrate().await.unwrap();
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    conn.execute("DELETE FROM chart_days; UPDATE summaries SET through_run_id = 0")
        .await
        .unwrap();
    let started = Instant::now();
    store.refresh_chart_days().await.unwrap();
    let catch_up = started.elapsed();
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM chart_days")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    // The last day again: its rows removed, the summary told it read 8 runs fewer.
    let last_day: String = sqlx::query_scalar("SELECT CAST(max(day) AS TEXT) FROM chart_days")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let rewind = format!(
        "DELETE FROM chart_days WHERE CAST(day AS TEXT) = '{last_day}';
         UPDATE summaries SET through_run_id = through_run_id - 8"
    );
    conn.execute(rewind.as_str()).await.unwrap();
    let started = Instant::now();
    store.refresh_chart_days().await.unwrap();
    (catch_up, started.elapsed(), rows)
}

/// Each report's median wall time over three runs of the binary.
async fn time_reports(url: &str, shape: &Shape) -> Vec<String> {
    let video = longest_trending(url).await;
    let last_week = (shape.start + chrono::TimeDelta::days(i64::from(shape.days) - 7)).to_string();
    let html =
        std::env::temp_dir().join(format!("trendtap-bench-report-{}.html", std::process::id()));
    let mut cells = Vec::new();
    for args in REPORTS {
        let args: Vec<String> = args
            .iter()
            .map(|a| {
                a.replace("{video}", &video)
                    .replace("{last-week}", &last_week)
                    .replace("{html}", html.to_str().unwrap())
            })
            .collect();
        let mut times: Vec<Duration> = (0..3).map(|_| run_report(url, &args)).collect();
        times.sort();
        cells.push(ms(times[1]));
    }
    let _ = std::fs::remove_file(&html);
    cells
}

async fn longest_trending(url: &str) -> String {
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    sqlx::query_scalar(
        "SELECT video_id FROM chart_days GROUP BY video_id ORDER BY count(*) DESC, video_id LIMIT 1",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap()
}

fn run_report(url: &str, args: &[String]) -> Duration {
    let started = Instant::now();
    let out = std::process::Command::new(crate::binary())
        .arg("report")
        .args(args)
        .args(["--database-url", url])
        .stdout(std::process::Stdio::piped())
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    assert!(
        out.status.success(),
        "report {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    elapsed
}
