//! Load and soak, kept fast (issue 18, item 6): a sweep of 1,998 charts (every region, 18
//! categories) at concurrency 16 against a fake with latency and 5% transient faults, where
//! every chart ends stored or failed with its cause and nothing deadlocks; and 50 consecutive
//! runs into one database, which leave exactly the sum of their chart entries. The heavy
//! version, with memory watched over the runs, is `cargo run --release --example soak`
//! (BENCHMARKS.md).

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use trendtap::cli::FetchArgs;
use trendtap::config::{resolve_fetch, FetchConfig, FileConfig};
use trendtap::shutdown::RunControl;

use crate::both;
use crate::support::sweep::{regions, SweepApi, SweepShape};
use crate::support::{CliStore, Kind, KEY};

both!(
    a_sweep_of_2000_charts_with_faults_ends_every_chart_stored_or_failed,
    fifty_runs_into_one_database_keep_exactly_the_sum_of_their_entries,
);

/// 18 video categories: with the 111 regions, 1,998 charts.
const CATEGORIES: &str = "1,2,10,15,17,19,20,22,23,24,25,26,27,28,29,30,43,44";
const VIDEOS: usize = 5;

/// A run of `regions` x `categories`, one page each, into `db`, with fast retries (2 attempts).
fn config(api: &SweepApi, db: &CliStore, regions: &str, categories: &str) -> FetchConfig {
    let mut args = FetchArgs {
        regions: regions.split(',').map(str::to_owned).collect(),
        categories: categories.split(',').map(str::to_owned).collect(),
        max_pages: Some(1),
        concurrency: Some(16),
        max_attempts: Some(2),
        api_base_url: Some(api.url()),
        ..FetchArgs::default()
    };
    args.db.database_url = Some(db.url.clone());
    args.quota.daily_quota = Some(1_000_000);
    let env = |k: &str| (k == "YOUTUBE_API_KEY").then(|| KEY.to_owned());
    let mut cfg = resolve_fetch(&args, &FileConfig::default(), None, &env).unwrap();
    let retry = &mut cfg.api_mut().unwrap().retry;
    retry.base_backoff = Duration::from_millis(5);
    retry.max_backoff = Duration::from_millis(20);
    cfg
}

/// One run to its end, within a minute (a deadlock would not end).
async fn run(cfg: &FetchConfig) -> trendtap::error::RunEnd {
    let mut sink = std::io::sink();
    let running =
        trendtap::commands::fetch::execute(cfg, RunControl::new(), Arc::default(), &mut sink);
    tokio::time::timeout(Duration::from_secs(60), running)
        .await
        .expect("the run ends: nothing deadlocks")
        .expect("the run is stored")
        .end
}

async fn a_sweep_of_2000_charts_with_faults_ends_every_chart_stored_or_failed(kind: Kind) {
    let api = SweepApi::start(SweepShape {
        pages: 1,
        videos: VIDEOS,
        latency_ms: (1, 8),
        faults_per_mille: 50,
        seed: 2026,
    })
    .await;
    let db = CliStore::new(kind).await;
    let end = run(&config(&api, &db, &regions(111), CATEGORIES)).await;
    assert_eq!(end.charts_done + end.charts_failed, 1998);
    assert!(end.stored);
    assert!(api.faults() > 50, "{} faults served", api.faults());

    let charts = db.run_json("charts").await;
    let charts = charts.as_array().unwrap();
    assert_eq!(charts.len(), 1998);
    let mut ok = 0;
    for chart in charts {
        match chart["status"].as_str().unwrap() {
            "ok" => ok += 1,
            "failed" => {
                // Two 503s in a row: the cause is named, with the attempts made.
                let error = chart["error"].as_str().unwrap();
                assert!(
                    error.contains("HTTP 503") && error.contains("after 2 attempts"),
                    "{error}"
                );
            }
            other => panic!("chart {chart} ended {other}"),
        }
    }
    assert_eq!(ok, end.charts_done);
    assert_eq!(db.count("chart_entries").await, (ok * VIDEOS) as i64);
    let entries = db.int("SELECT entries_count FROM runs").await;
    assert_eq!(entries, Some((ok * VIDEOS) as i64));
    // Every request the fake answered is in the run's count, retries included.
    let requests = db.int("SELECT api_requests FROM runs").await.unwrap();
    assert_eq!(requests as u64, api.requests());
}

async fn fifty_runs_into_one_database_keep_exactly_the_sum_of_their_entries(kind: Kind) {
    let api = SweepApi::start(SweepShape {
        pages: 1,
        videos: VIDEOS,
        latency_ms: (0, 2),
        faults_per_mille: 50,
        seed: 50,
    })
    .await;
    let db = CliStore::new(kind).await;
    let cfg = config(&api, &db, &regions(12), "0");
    let mut expected = 0;
    for _ in 0..50 {
        let end = run(&cfg).await;
        expected += end.charts_done * VIDEOS;
    }
    assert_eq!(db.count("runs").await, 50);
    assert_eq!(db.count("chart_entries").await, expected as i64);
    let recorded = db
        .int("SELECT CAST(sum(entries_count) AS BIGINT) FROM runs")
        .await;
    assert_eq!(recorded, Some(expected as i64));
    // Each run's entries are its own ok charts', no more and no fewer.
    let mismatched = db
        .int(
            "SELECT count(*) FROM runs r WHERE r.entries_count <>
               (SELECT count(*) FROM chart_entries e WHERE e.run_id = r.run_id)
               OR r.entries_count <> r.charts_ok * 5",
        )
        .await;
    assert_eq!(mismatched, Some(0));
    let statuses = db.texts("SELECT DISTINCT status FROM runs").await;
    assert!(
        statuses.iter().all(|s| s == "ok" || s == "partial"),
        "{statuses:?}"
    );
    let videos: Value = serde_json::from_str(
        &db.text(&format!(
            "SELECT {} FROM runs WHERE run_id = 50",
            db.json("charts")
        ))
        .await
        .unwrap(),
    )
    .unwrap();
    assert_eq!(videos.as_array().unwrap().len(), 12);
}
