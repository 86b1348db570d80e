//! Builds the shipped capture `examples/capture/`: the real `fetch --save-raw` pipeline run
//! against the local fake YouTube of the tests, serving real recorded responses
//! (tests/data/*.json: SA, IN, JP, KR charts) and real 2017-18 trending rows
//! (tests/data/trending_2017.csv: CA, GB, IN, MX, US).
//!
//! `cargo run --example make_capture [-- DIR]` (default DIR: examples/capture). Replay it with
//! `trendtap fetch --from-raw examples/capture`.

#[allow(dead_code)]
#[path = "../tests/it/support/fake.rs"]
mod fake;

use std::sync::Arc;

use trendtap::cli::FetchArgs;
use trendtap::config::{resolve_fetch, FileConfig};
use trendtap::shutdown::RunControl;

#[tokio::main]
async fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "examples/capture".to_owned());
    let api = fake::FakeYouTube::start().await;
    let recorded = |file: &str| fake::recorded_items(file);
    let india_2024 =
        recorded("videos_mostPopular_IN_snippet_contentDetails_statistics_2024-11.json");

    // AE: the Saudi chart's Arabic videos, then Indian ones (as in the Gulf's real charts).
    let mut ae = recorded("videos_mostPopular_SA_snippet_statistics_2024-07.json");
    ae.extend(india_2024.iter().cloned());
    // JP: the Japanese chart, then Korean videos (K-pop trends in Japan).
    let mut jp = recorded("videos_mostPopular_JP_snippet_2022-03.json");
    jp.extend(recorded("videos_mostPopular_KR_snippet_2022-12.json"));
    // IN: the 2024 chart's 50 videos, then the 2017 ones.
    let mut india = india_2024.clone();
    india.extend(fake::trending_items("IN").into_iter().take(150));

    let charts = [
        ("AE", ae),
        ("JP", jp),
        ("IN", india),
        ("US", fake::trending_items("US")),
        ("CA", fake::trending_items("CA")),
        ("GB", fake::trending_items("GB")),
        ("MX", fake::trending_items("MX")),
    ];
    for (region, items) in &charts {
        api.chart(region, "0", items).await;
    }

    let args = FetchArgs {
        regions: charts.iter().map(|(r, _)| r.to_string()).collect(),
        dry_run: true,
        api_base_url: Some(api.url()),
        save_raw: Some(dir.clone().into()),
        ..FetchArgs::default()
    };
    let env = |k: &str| (k == "YOUTUBE_API_KEY").then(|| fake::KEY.to_owned());
    let cfg = resolve_fetch(&args, &FileConfig::default(), None, &env).expect("valid config");
    let end = trendtap::commands::fetch::execute(
        &cfg,
        RunControl::new(),
        Arc::default(),
        &mut std::io::sink(),
    )
    .await
    .expect("the capture run succeeds")
    .end;
    assert_eq!(end.charts_failed, 0);
    eprintln!("capture written under {dir}: {} charts", end.charts_done);
}
