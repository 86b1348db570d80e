//! Hostile responses are bounded (issue 18, item 3): a body too large once decompressed (a gzip
//! bomb, a 100 MB page) fails its chart without being held in memory; paging that loops or goes
//! past the 200-video cap stops with what was fetched; a video twice in one chart counts once; a
//! body that trickles forever is cut by the request's total timeout.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use trendtap::cli::FetchArgs;
use trendtap::config::{resolve_fetch, FetchConfig, FileConfig};
use trendtap::fetch::{self, Fetch, Limits};
use trendtap::model::ChartStatus;
use trendtap::shutdown::RunControl;
use trendtap::youtube::{ApiError, Client};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, ResponseTemplate};

use crate::support::fake::synthetic_items;
use crate::support::{trendtap, FakeYouTube, KEY};

/// A dry-run config for `regions` against `base_url`.
fn config(base_url: &str, regions: &[&str], tweak: impl FnOnce(&mut FetchArgs)) -> FetchConfig {
    let mut args = FetchArgs {
        regions: regions.iter().map(|s| s.to_string()).collect(),
        dry_run: true,
        api_base_url: Some(base_url.to_owned()),
        ..FetchArgs::default()
    };
    tweak(&mut args);
    let env = |k: &str| (k == "YOUTUBE_API_KEY").then(|| KEY.to_owned());
    resolve_fetch(&args, &FileConfig::default(), None, &env).unwrap()
}

async fn fetch(cfg: &FetchConfig) -> (Fetch, u64) {
    let client = Arc::new(Client::new(cfg.api().unwrap()).unwrap());
    let limits = Limits {
        max_pages: cfg.max_pages,
        concurrency: cfg.concurrency,
    };
    let plan = fetch::plan(&cfg.regions, &cfg.categories);
    let ctl = RunControl::new();
    let f = fetch::fetch_all(
        &client,
        plan,
        limits,
        &ctl,
        None,
        &mut (),
        &Default::default(),
    )
    .await;
    (f, client.requests_made())
}

/// Serves `body` for the page of US/0 asked with `token` (the first page for `None`).
async fn page(api: &FakeYouTube, token: Option<&str>, body: Value) {
    let mock = Mock::given(method("GET"))
        .and(path("/videos"))
        .and(query_param("regionCode", "US"));
    let mock = match token {
        None => mock.and(query_param_is_missing("pageToken")),
        Some(t) => mock.and(query_param("pageToken", t)),
    };
    mock.respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&api.server)
        .await;
}

#[tokio::test]
async fn a_next_page_token_that_loops_stops_paging_with_what_was_fetched() {
    let api = FakeYouTube::start().await;
    let items = synthetic_items("us", 150);
    page(
        &api,
        None,
        json!({"items": items[..50], "nextPageToken": "A"}),
    )
    .await;
    page(
        &api,
        Some("A"),
        json!({"items": items[50..100], "nextPageToken": "B"}),
    )
    .await;
    // Back to A: a loop the client would follow until --max-pages.
    page(
        &api,
        Some("B"),
        json!({"items": items[100..150], "nextPageToken": "A"}),
    )
    .await;
    let (f, requests) = fetch(&config(&api.url(), &["US"], |_| {})).await;
    assert_eq!(requests, 3, "no page is asked twice");
    assert_eq!(f.outcomes[0].status, ChartStatus::Ok);
    assert_eq!(f.charts[0].entries.len(), 150);
}

#[tokio::test]
async fn paging_past_the_200_video_cap_stops_with_the_first_200() {
    let api = FakeYouTube::start().await;
    // One hostile page of 250 videos that still offers a next page.
    page(
        &api,
        None,
        json!({"items": synthetic_items("us", 250), "nextPageToken": "A"}),
    )
    .await;
    page(
        &api,
        Some("A"),
        json!({"items": synthetic_items("more", 50)}),
    )
    .await;
    let (f, requests) = fetch(&config(&api.url(), &["US"], |_| {})).await;
    assert_eq!(requests, 1, "no page past the cap is asked");
    let entries = &f.charts[0].entries;
    assert_eq!(entries.len(), 200);
    assert_eq!(entries.last().unwrap().0, 200);
    assert_eq!(f.outcomes[0].videos, 200);
}

#[tokio::test]
async fn a_video_twice_in_one_chart_keeps_its_first_rank_and_counts_once() {
    let api = FakeYouTube::start().await;
    let items = synthetic_items("us", 60);
    let mut first = items[..50].to_vec();
    first[10] = items[3].clone(); // us0003 at ranks 4 and 11
    let mut second = items[50..].to_vec();
    second[0] = items[3].clone(); // and at rank 51
    page(&api, None, json!({"items": first, "nextPageToken": "A"})).await;
    page(&api, Some("A"), json!({"items": second})).await;
    let (f, _) = fetch(&config(&api.url(), &["US"], |_| {})).await;
    let entries = &f.charts[0].entries;
    let ranks: Vec<u32> = entries
        .iter()
        .filter(|(_, v)| v.video_id == "us0003")
        .map(|(rank, _)| *rank)
        .collect();
    assert_eq!(ranks, [4], "the first rank only");
    assert_eq!(entries.len(), 58);
    assert_eq!(f.outcomes[0].videos, 58);
    assert!(!entries.iter().any(|(rank, _)| *rank == 11 || *rank == 51));
}

#[tokio::test]
async fn a_body_that_trickles_forever_is_cut_by_the_total_timeout() {
    // A server that sends headers, then one byte every 100 ms, never ending.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000000\r\n\r\n{\"items\":[";
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                loop {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    if socket.write_all(b" ").await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    let cfg = config(&format!("http://{addr}"), &["US"], |a| {
        a.timeout = Some(1);
        a.max_attempts = Some(1);
    });
    let started = Instant::now();
    let (f, _) = fetch(&cfg).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(f.outcomes[0].status, ChartStatus::Failed);
    let error = f.outcomes[0].error.as_deref().unwrap();
    assert!(error.contains("timeout"), "{error}");
}

#[tokio::test]
async fn a_body_past_the_cap_fails_its_chart_and_the_others_go_on() {
    let api = FakeYouTube::start().await;
    api.chart("JP", "0", &synthetic_items("jp", 5)).await;
    let big = json!({"items": synthetic_items("us", 50), "padding": "x".repeat(300_000)});
    page(&api, None, big).await;
    let mut cfg = config(&api.url(), &["US", "JP"], |_| {});
    cfg.api_mut().unwrap().max_body_bytes = 256 * 1024;
    let (f, requests) = fetch(&cfg).await;
    assert_eq!(requests, 2, "a body too large is not retried");
    assert_eq!(f.outcomes[0].status, ChartStatus::Failed);
    let error = f.outcomes[0].error.as_deref().unwrap();
    assert!(error.contains("larger than 262144 bytes"), "{error}");
    assert_eq!(f.outcomes[1].status, ChartStatus::Ok);
    // The error is of its own kind, and not one to retry.
    let too_large = ApiError::TooLarge {
        status: 200,
        limit: 1,
    };
    assert!(!too_large.is_transient());
}

/// The peak memory the binary's closing `run finished` line reports (`-v --log-format json`).
fn peak_memory_mb(stderr: &str) -> u64 {
    stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["fields"]["message"] == "run finished")
        .and_then(|v| v["fields"]["peak_memory_mb"].as_u64())
        .unwrap_or_else(|| panic!("no run finished line:\n{stderr}"))
}

/// A gzip stream of `size` zero bytes, about 800 times smaller: fixed-Huffman back-references
/// of 258 bytes each (RFC 1951), written by hand so that the test builds it in milliseconds.
/// Its CRC is left at zero: a reader that stops at a cap never gets that far.
fn gzip_bomb(size: u64) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let (mut acc, mut bits) = (0u64, 0u32);
    let mut put = |out: &mut Vec<u8>, value: u64, n: u32| {
        acc |= value << bits;
        bits += n;
        while bits >= 8 {
            out.push(acc as u8);
            acc >>= 8;
            bits -= 8;
        }
    };
    // A Huffman code goes in most significant bit first.
    let code = |value: u64, n: u32| (0..n).fold(0, |r, i| r | ((value >> i) & 1) << (n - 1 - i));
    put(&mut out, 0b011, 3); // BFINAL, fixed Huffman
    put(&mut out, code(0x30, 8), 8); // literal 0
    for _ in 0..(size - 1) / 258 {
        put(&mut out, code(0b1100_0101, 8), 8); // length 258
        put(&mut out, 0, 5); // distance 1
    }
    put(&mut out, 0, 7); // end of block
    put(&mut out, 0, 7); // flush
    out.extend_from_slice(&[0; 8]);
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gzip_bomb_and_a_100_mb_page_fail_their_charts_without_being_held_in_memory() {
    let api = FakeYouTube::start().await;
    let bomb = gzip_bomb(1 << 30);
    assert!(bomb.len() < 8 << 20, "{}", bomb.len());
    api.first_page(
        "US",
        "0",
        ResponseTemplate::new(200)
            .insert_header("content-encoding", "gzip")
            .set_body_raw(bomb, "application/json"),
        None,
    )
    .await;
    let mut huge = br#"{"items":[],"padding":""#.to_vec();
    huge.resize(100 << 20, b'x');
    api.first_page(
        "GB",
        "0",
        ResponseTemplate::new(200).set_body_raw(huge, "application/json"),
        None,
    )
    .await;
    api.chart("JP", "0", &synthetic_items("jp", 5)).await;
    let url = api.url();
    let out = trendtap(
        &[
            "fetch",
            "--region",
            "US,GB,JP",
            "--dry-run",
            "-v",
            "--log-format",
            "json",
        ],
        &[("YOUTUBE_API_KEY", KEY), ("YOUTUBE_API_BASE_URL", &url)],
    )
    .await;
    assert_eq!(out.code, 3, "{}", out.stderr);
    let too_large = out.stderr.matches("larger than 8388608 bytes").count();
    assert!(too_large >= 2, "{}", out.stderr);
    let peak = peak_memory_mb(&out.stderr);
    assert!(peak < 150, "peak memory {peak} MB: a body was held whole");
    let merged: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(merged.as_array().unwrap().len(), 5, "JP is kept");
}
