//! The soak (issue 18, item 6; BENCHMARKS.md "Load and soak"): consecutive sweeps of 1,998
//! charts (every region, 18 categories, one page of 50 videos each) at concurrency 16, through
//! the real `commands::fetch::execute`, against a fake YouTube with latency and 5% transient
//! faults (503), into one database. After each run it checks that every chart ended stored or
//! failed with its cause, and samples this process's resident memory; at the end, that the
//! database holds exactly the sum of the runs' chart entries and that memory stayed flat.
//!
//! ```text
//! cargo run --release --example soak                      # PostgreSQL, 50 runs
//! cargo run --release --example soak -- sqlite 20         # SQLite, 20 runs
//! TRENDTAP_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres  (the default)
//! ```
//!
//! Exits 1 when a check fails: a chart neither stored nor failed with its cause, entries
//! missing or extra, a run that does not end within 10 minutes, or resident memory after the
//! warm-up runs growing by more than 20%.

/// The binary's allocator, so that the memory figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[allow(dead_code)]
#[path = "../tests/it/support/sweep.rs"]
mod sweep;

use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::{AnyPool, Connection, Row};
use trendtap::cli::FetchArgs;
use trendtap::config::{resolve_fetch, FileConfig};
use trendtap::shutdown::RunControl;

const CATEGORIES: &str = "1,2,10,15,17,19,20,22,23,24,25,26,27,28,29,30,43,44";
const KEY: &str = "AIzaSOAK-not-a-real-key";
/// Runs before memory is expected to have settled (allocator pools, connection caches).
const WARM_UP: usize = 5;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let backend = args.next().unwrap_or_else(|| "postgres".to_owned());
    let runs: usize = args
        .next()
        .map_or(50, |n| n.parse().expect("RUNS is a number"));
    match soak(&backend, runs).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("soak: FAILED: {why}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn soak(backend: &str, runs: usize) -> Result<(), String> {
    let latency = std::env::var("SOAK_LATENCY_MS").map_or((20, 80), |v| {
        let (lo, hi) = v.split_once(',').expect("SOAK_LATENCY_MS=LO,HI");
        (lo.parse().unwrap(), hi.parse().unwrap())
    });
    let api = sweep::SweepApi::start(sweep::SweepShape {
        pages: 1,
        videos: 50,
        latency_ms: latency,
        faults_per_mille: 50,
        seed: 18,
    })
    .await;
    let (url, _guard) = database(backend).await;
    let mut fetch = FetchArgs {
        regions: sweep::regions(111).split(',').map(str::to_owned).collect(),
        categories: CATEGORIES.split(',').map(str::to_owned).collect(),
        max_pages: Some(1),
        concurrency: Some(16),
        api_base_url: Some(api.url()),
        ..FetchArgs::default()
    };
    fetch.db.database_url = Some(url.clone());
    fetch.dry_run = backend == "dry";
    fetch.quota.daily_quota = Some(100_000_000);
    let env = |k: &str| (k == "YOUTUBE_API_KEY").then(|| KEY.to_owned());
    let cfg =
        resolve_fetch(&fetch, &FileConfig::default(), None, &env).map_err(|e| e.to_string())?;

    println!("run  seconds  stored  failed  entries  faults  rss_mb  peak_mb");
    let (mut expected, mut rss) = (0u64, Vec::new());
    for n in 1..=runs {
        let faults = api.faults();
        let started = Instant::now();
        let mut sink = std::io::sink();
        let running =
            trendtap::commands::fetch::execute(&cfg, RunControl::new(), Arc::default(), &mut sink);
        let done = tokio::time::timeout(Duration::from_secs(600), running)
            .await
            .map_err(|_| format!("run {n} did not end within 10 minutes"))?
            .map_err(|e| format!("run {n}: {e}"))?;
        let end = done.end;
        if end.charts_done + end.charts_failed != 1998 || end.stored == (backend == "dry") {
            return Err(format!("run {n} ended {end:?}"));
        }
        expected += end.charts_done as u64 * 50;
        // The fake's own memory (wiremock keeps every matched request) is not trendtap's.
        api.forget().await;
        let now = memory("VmRSS");
        rss.push(now);
        println!(
            "{n:>3}  {:>7.1}  {:>6}  {:>6}  {:>7}  {:>6}  {:>6.0}  {:>7.0}",
            started.elapsed().as_secs_f64(),
            end.charts_done,
            end.charts_failed,
            end.charts_done * 50,
            api.faults() - faults,
            now,
            memory("VmHWM"),
        );
    }
    if backend != "dry" {
        check_store(&url, expected).await?;
    }
    let settled = &rss[WARM_UP.min(rss.len() - 1)..];
    let (first, last) = (settled[0], *settled.last().unwrap());
    let max = settled.iter().cloned().fold(0.0, f64::max);
    println!(
        "memory after the warm-up: {first:.0} MB, last {last:.0} MB, most {max:.0} MB; {expected} entries (the runs' ok charts x 50)"
    );
    if max > first * 1.2 {
        return Err(format!(
            "resident memory grew from {first:.0} to {max:.0} MB"
        ));
    }
    Ok(())
}

/// Every failed chart names its cause, and the tables hold exactly the runs' entries.
async fn check_store(url: &str, expected: u64) -> Result<(), String> {
    sqlx::any::install_default_drivers();
    let pool = AnyPool::connect(url).await.map_err(|e| e.to_string())?;
    let one = |sql: &'static str| {
        let pool = pool.clone();
        async move {
            let row = sqlx::query(sql)
                .fetch_one(&pool)
                .await
                .map_err(|e| e.to_string())?;
            row.try_get::<i64, _>(0).map_err(|e| e.to_string())
        }
    };
    let entries = one("SELECT count(*) FROM chart_entries").await?;
    let recorded = one("SELECT CAST(sum(entries_count) AS BIGINT) FROM runs").await?;
    if entries as u64 != expected || recorded as u64 != expected {
        return Err(format!(
            "{entries} chart entries stored, {recorded} recorded, {expected} expected"
        ));
    }
    let charts = if url.starts_with("sqlite:") {
        "SELECT charts FROM runs"
    } else {
        "SELECT charts::text FROM runs"
    };
    let rows = sqlx::query(charts)
        .fetch_all(&pool)
        .await
        .map_err(|e| e.to_string())?;
    for row in rows {
        let text: String = row.try_get(0).map_err(|e| e.to_string())?;
        let charts: Vec<serde_json::Value> =
            serde_json::from_str(&text).map_err(|e| e.to_string())?;
        for chart in charts {
            let error = chart["error"].as_str().unwrap_or_default();
            let stored = chart["status"] == "ok";
            let failed_with_cause = chart["status"] == "failed" && error.contains("HTTP 503");
            if !stored && !failed_with_cause {
                return Err(format!(
                    "a chart ended neither stored nor failed with its cause: {chart}"
                ));
            }
        }
    }
    Ok(())
}

/// A line of /proc/self/status, in MB.
fn memory(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// A fresh database of `backend`, and what drops it at the end.
async fn database(backend: &str) -> (String, Dropper) {
    if backend == "sqlite" || backend == "dry" {
        let dir = std::env::temp_dir().join(format!("trendtap-soak-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("soak.db").display());
        return (url, Dropper::Dir(dir));
    }
    let admin = std::env::var("TRENDTAP_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let name = format!("trendtap_soak_{}", std::process::id());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("PostgreSQL is up");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let base = admin.rsplit_once('/').unwrap().0;
    (format!("{base}/{name}"), Dropper::Pg(admin, name))
}

enum Dropper {
    Dir(std::path::PathBuf),
    Pg(String, String),
}

impl Drop for Dropper {
    fn drop(&mut self) {
        match self {
            Dropper::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Dropper::Pg(admin, name) => {
                let (admin, name) = (admin.clone(), name.clone());
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    rt.block_on(async {
                        if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                            let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                            let _ = sqlx::query(&drop).execute(&mut conn).await;
                        }
                    });
                })
                .join();
            }
        }
    }
}
