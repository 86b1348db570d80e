//! Request-wide errors stop the run at once (issue 18, item 1): a key the API rejects in any of
//! its shapes, a 400 about a parameter every request shares, a 401, a refused `fields=`
//! selector, and the first three charts failing alike. Each spends at most the requests already
//! in flight (one per slot), exits 1 and says what the API said.

use std::time::Duration;

use serde_json::json;
use wiremock::ResponseTemplate;

use crate::both;
use crate::support::fake::{error_body, synthetic_items};
use crate::support::{trendtap, CliStore, FakeYouTube, Kind, Output, KEY};

both!(a_refused_request_is_recorded_as_the_runs_halt);

/// Eleven regions, as in the report that opened issue 18.
const REGIONS: &str = "AE,US,JP,IN,GB,CA,MX,BR,DE,FR,KR";

fn env(api: &str) -> Vec<(&str, &str)> {
    vec![("YOUTUBE_API_KEY", KEY), ("YOUTUBE_API_BASE_URL", api)]
}

/// Every region's first page answers `response`; a dry run over [`REGIONS`] with
/// `--concurrency 2`.
async fn every_chart_answers(response: ResponseTemplate) -> (FakeYouTube, Output) {
    let api = FakeYouTube::start().await;
    for region in REGIONS.split(',') {
        api.first_page(region, "0", response.clone(), None).await;
    }
    let url = api.url();
    let out = trendtap(
        &[
            "fetch",
            "--region",
            REGIONS,
            "--dry-run",
            "--concurrency",
            "2",
        ],
        &env(&url),
    )
    .await;
    out.assert_no_secret();
    (api, out)
}

/// At most one request per slot: the ones in flight when the first answer stopped the run.
async fn stopped_at_once(api: &FakeYouTube, out: &Output) {
    assert_eq!(out.code, 1, "{}", out.stderr);
    let requests = api.requests().await.len();
    assert!(requests <= 2, "{requests} requests:\n{}", out.stderr);
    assert!(
        out.stdout.is_empty() || out.stdout.trim() == "[]",
        "{}",
        out.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_rejected_in_its_400_shape_without_details_stops_at_once_and_says_check_the_key() {
    let body = json!({"error": {"code": 400,
        "message": "API key not valid. Please pass a valid API key.",
        "errors": [{"message": "API key not valid. Please pass a valid API key.",
                    "domain": "global", "reason": "badRequest"}],
        "status": "INVALID_ARGUMENT"}});
    let (api, out) = every_chart_answers(ResponseTemplate::new(400).set_body_json(body)).await;
    stopped_at_once(&api, &out).await;
    assert!(out.stderr.contains("check the key"), "{}", out.stderr);
    assert!(out.stderr.contains("API key not valid"), "{}", out.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_400_about_a_shared_parameter_stops_at_once_with_the_apis_words() {
    let (api, out) = every_chart_answers(error_body(
        400,
        "incompatibleParameters",
        "The request specifies incompatible parameters.",
    ))
    .await;
    stopped_at_once(&api, &out).await;
    assert!(
        out.stderr.contains("incompatible parameters") && out.stderr.contains("request_rejected"),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_401_stops_at_once() {
    let (api, out) = every_chart_answers(error_body(401, "required", "Login Required.")).await;
    stopped_at_once(&api, &out).await;
    assert!(out.stderr.contains("Login Required"), "{}", out.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_fields_selector_stops_at_once_and_points_to_partial_response() {
    let body = json!({"error": {"code": 400, "message": "Invalid field selection nextPageTokn",
        "errors": [{"domain": "global", "reason": "invalidParameter",
                    "message": "Invalid field selection nextPageTokn",
                    "locationType": "parameter", "location": "fields"}]}});
    let (api, out) = every_chart_answers(ResponseTemplate::new(400).set_body_json(body)).await;
    stopped_at_once(&api, &out).await;
    assert!(
        out.stderr.contains("partial_response = false"),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_first_three_charts_failing_alike_stop_the_run_and_say_so() {
    // A proxy answering every request with its own page: each chart fails alone, alike.
    let html = ResponseTemplate::new(200).set_body_raw(
        "<html><body>Access to this site is blocked by your network policy</body></html>",
        "text/html",
    );
    let (api, out) = every_chart_answers(html).await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    let requests = api.requests().await.len();
    assert!(
        (3..=4).contains(&requests),
        "{requests} requests:\n{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("first 3 charts") && out.stderr.contains("not a video list"),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn failures_that_differ_or_follow_a_success_do_not_stop_the_run() {
    let api = FakeYouTube::start().await;
    api.chart("AE", "0", &synthetic_items("ae", 3)).await;
    for region in ["US", "JP", "IN", "GB"] {
        let blocked = ResponseTemplate::new(200)
            .set_body_raw("<html>blocked</html>", "text/html")
            .set_delay(Duration::from_millis(300));
        api.first_page(region, "0", blocked, None).await;
    }
    let url = api.url();
    // All at once, the others slower: the first chart to finish is AE, which succeeded.
    let out = trendtap(
        &[
            "fetch",
            "--region",
            "AE,US,JP,IN,GB",
            "--dry-run",
            "--concurrency",
            "5",
        ],
        &env(&url),
    )
    .await;
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert_eq!(api.requests().await.len(), 5, "every chart was asked");
}

/// The run's halt is recorded in its `runs` row, and what was stored before it stays.
async fn a_refused_request_is_recorded_as_the_runs_halt(kind: Kind) {
    let api = FakeYouTube::start().await;
    api.chart("AE", "0", &synthetic_items("ae", 4)).await;
    // US answers later than AE, so that AE is complete when the run stops.
    let refused = error_body(400, "invalidFilters", "Invalid filter combination.")
        .set_delay(Duration::from_millis(300));
    api.first_page("US", "0", refused, None).await;
    let db = CliStore::new(kind).await;
    let url = api.url();
    let out = db
        .run(
            &["fetch", "--region", "AE,US", "--concurrency", "2"],
            &env(&url),
        )
        .await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("Invalid filter combination"),
        "{}",
        out.stderr
    );
    let halt = db.text("SELECT halt_reason FROM runs").await;
    assert_eq!(halt.as_deref(), Some("request_rejected"));
    assert_eq!(
        db.count("chart_entries").await,
        4,
        "AE, complete before, is stored"
    );
}
