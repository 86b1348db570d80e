//! The YouTube client and the concurrent fetch, against the fake API: paging, the real shapes,
//! cleaning, retries, and the stop conditions (quota, bad key, missing charts, broken bodies).

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use trendtap::cli::FetchArgs;
use trendtap::config::{resolve_fetch, FetchConfig, FileConfig};
use trendtap::error::Halt;
use trendtap::fetch::{self, Fetch, Limits};
use trendtap::model::{Chart, ChartKey, ChartStatus, LanguageSource};
use trendtap::shutdown::RunControl;
use trendtap::youtube::Client;
use wiremock::ResponseTemplate;

use crate::support::fake::{
    error_body, recorded_error, recorded_items, synthetic_items, trending_items,
};
use crate::support::{FakeYouTube, KEY};

/// A dry-run config for `regions` against the fake server, with fast retries.
fn config(api: &FakeYouTube, regions: &[&str], tweak: impl FnOnce(&mut FetchArgs)) -> FetchConfig {
    let mut args = FetchArgs {
        regions: regions.iter().map(|s| s.to_string()).collect(),
        dry_run: true,
        api_base_url: Some(api.url()),
        ..FetchArgs::default()
    };
    tweak(&mut args);
    let env = |k: &str| (k == "YOUTUBE_API_KEY").then(|| KEY.to_owned());
    let mut cfg = resolve_fetch(&args, &FileConfig::default(), None, &env).unwrap();
    cfg.api_mut().unwrap().retry.base_backoff = Duration::from_millis(5);
    cfg.api_mut().unwrap().retry.max_backoff = Duration::from_millis(50);
    cfg
}

async fn fetch(cfg: &FetchConfig) -> (Fetch, Arc<RunControl>, u64) {
    let client = Arc::new(Client::new(cfg.api().unwrap()).unwrap());
    let ctl = RunControl::new();
    let limits = Limits {
        max_pages: cfg.max_pages,
        concurrency: cfg.concurrency,
    };
    let plan = fetch::plan(&cfg.regions, &cfg.categories);
    let fetch = fetch::fetch_all(
        &client,
        plan,
        limits,
        &ctl,
        None,
        &mut (),
        &Default::default(),
    )
    .await;
    (fetch, ctl, client.requests_made())
}

#[tokio::test]
async fn four_pages_are_followed_by_token() {
    let api = FakeYouTube::start().await;
    let items = trending_items("US");
    assert_eq!(items.len(), 200);
    api.chart("US", "0", &items).await;

    let (f, _, requests) = fetch(&config(&api, &["us"], |_| {})).await;
    assert_eq!(requests, 4);
    assert_eq!(f.outcomes[0].status, ChartStatus::Ok);
    assert_eq!(f.outcomes[0].pages, 4);
    let chart = &f.charts[0];
    assert_eq!(chart.entries.len(), 200);
    let ranks: Vec<u32> = chart.entries.iter().map(|(r, _)| *r).collect();
    assert_eq!(ranks, (1..=200).collect::<Vec<_>>());
    assert_eq!(chart.entries[0].1.video_id, items[0]["id"]);
    assert_eq!(chart.entries[199].1.video_id, items[199]["id"]);
    // Every request carried the documented parameters (the mocks match on them) and a page
    // token only from the previous response.
    let tokens: Vec<Option<String>> = api
        .requests()
        .await
        .iter()
        .map(|r| {
            r.url
                .query_pairs()
                .find(|(k, _)| k == "pageToken")
                .map(|(_, v)| v.into_owned())
        })
        .collect();
    assert_eq!(tokens.iter().filter(|t| t.is_none()).count(), 1);

    // --max-pages bounds the paging.
    let api = FakeYouTube::start().await;
    api.chart("US", "0", &items).await;
    let (f, _, requests) = fetch(&config(&api, &["US"], |a| a.max_pages = Some(2))).await;
    assert_eq!((requests, f.charts[0].entries.len()), (2, 100));
}

#[tokio::test]
async fn a_short_chart_stops_without_a_token() {
    let api = FakeYouTube::start().await;
    api.chart("IN", "0", &trending_items("IN")).await; // 197 videos: 4 pages, the last short
    api.chart("MX", "0", &trending_items("MX")).await; // 25 videos: one page
    let (f, _, requests) = fetch(&config(&api, &["IN", "MX"], |_| {})).await;
    assert_eq!(requests, 5);
    assert_eq!(
        f.charts.iter().map(|c| c.entries.len()).collect::<Vec<_>>(),
        [197, 25]
    );
}

#[tokio::test]
async fn hidden_counts_and_missing_thumbnails_from_a_recorded_chart() {
    let api = FakeYouTube::start().await;
    api.chart(
        "SA",
        "0",
        &recorded_items("videos_mostPopular_SA_snippet_statistics_2024-07.json"),
    )
    .await;
    let (f, _, _) = fetch(&config(&api, &["SA"], |_| {})).await;
    let videos: Vec<_> = f.charts[0].entries.iter().map(|(_, v)| v).collect();
    assert_eq!(videos.len(), 10);

    let hidden = videos.iter().find(|v| v.video_id == "KCDg03P0oN4").unwrap();
    assert!(hidden.view_count.is_some());
    assert_eq!(
        (hidden.like_count, hidden.comment_count),
        (None, None),
        "hidden counts are NULL, not 0"
    );

    let no_maxres = videos.iter().find(|v| v.video_id == "MAQORBZkX24").unwrap();
    let url = no_maxres.thumbnail_url.as_deref().unwrap();
    assert!(!url.contains("maxresdefault"), "{url}");
    assert!(
        url.contains("sddefault") || url.contains("hqdefault"),
        "{url}"
    );
    assert!(videos
        .iter()
        .filter(|v| v.video_id != "MAQORBZkX24")
        .all(|v| v
            .thumbnail_url
            .as_deref()
            .unwrap()
            .contains("maxresdefault")));
    // The API's language is used when it gives one, detection otherwise.
    let lang = |id: &str| {
        let v = videos.iter().find(|v| v.video_id == id).unwrap();
        (v.language.as_str(), v.language_source)
    };
    assert_eq!(lang("qaYekJCC4xA"), ("ar", LanguageSource::Api));
    assert_eq!(lang("6_lOhuA_5to"), ("en", LanguageSource::Api));
    assert_ne!(lang("4edLJC8U0rk").1, LanguageSource::Api);
}

#[tokio::test]
async fn arabic_titles_in_bidi_marks_and_nfd_titles_are_cleaned() {
    let api = FakeYouTube::start().await;
    let items = vec![
        json!({"id": "ar1", "snippet": {
            "title": "\u{202B}\u{200F}ملخص مباراة الهلال والنصر في الدوري السعودي\u{200F} | جميع الأهداف\u{202C}",
            "channelTitle": "\u{2067}قناة الرياضة\u{2069}"}}),
        json!({"id": "nfd1", "snippet": {"title": "Cafe\u{301} Tacuba - Eres (En Vivo) Mu\u{301}sica", "channelTitle": "Cafe\u{301} Tacuba"}}),
        json!({"id": "lrm1", "snippet": {"title": "\u{200E}\u{061C}Hello\u{2066} world\u{2069}\u{200E}"}}),
    ];
    api.chart("AE", "0", &items).await;
    let (f, _, _) = fetch(&config(&api, &["AE"], |_| {})).await;
    let v = |id: &str| {
        f.charts[0]
            .entries
            .iter()
            .find(|(_, v)| v.video_id == id)
            .unwrap()
            .1
            .clone()
    };

    let ar = v("ar1");
    assert_eq!(
        ar.title,
        "ملخص مباراة الهلال والنصر في الدوري السعودي | جميع الأهداف"
    );
    assert_eq!(ar.channel_title.as_deref(), Some("قناة الرياضة"));
    assert_eq!(
        (ar.language.as_str(), ar.language_source),
        ("ar", LanguageSource::Detected)
    );

    let nfd = v("nfd1");
    assert_eq!(nfd.title, "Café Tacuba - Eres (En Vivo) Música");
    assert!(nfd.title.contains('\u{e9}') && !nfd.title.contains('\u{301}'));
    assert_eq!(nfd.channel_title.as_deref(), Some("Café Tacuba"));

    assert_eq!(v("lrm1").title, "Hello world");
}

#[tokio::test]
async fn bad_items_are_skipped_and_the_rest_of_the_page_kept() {
    let api = FakeYouTube::start().await;
    let mut items = synthetic_items("ok", 5);
    items.insert(1, json!({"snippet": {"title": "no id"}}));
    items.insert(3, json!({"id": "notitle", "snippet": {}}));
    items.insert(4, json!({"id": ["not", "a", "string"]}));
    api.chart("GB", "0", &items).await;
    let (f, _, _) = fetch(&config(&api, &["GB"], |_| {})).await;
    let kept: Vec<(u32, &str)> = f.charts[0]
        .entries
        .iter()
        .map(|(r, v)| (*r, v.video_id.as_str()))
        .collect();
    // Ranks are positions in the chart: the skipped items leave gaps.
    assert_eq!(
        kept,
        [
            (1, "ok0000"),
            (3, "ok0001"),
            (6, "ok0002"),
            (7, "ok0003"),
            (8, "ok0004")
        ]
    );
    assert_eq!(f.outcomes[0].skipped_items, 3);
}

#[tokio::test]
async fn transient_errors_are_retried_exactly_as_often_as_needed() {
    let api = FakeYouTube::start().await;
    // 429 with Retry-After, then 503, then 500: three failures, then the chart.
    api.first_page(
        "CA",
        "0",
        ResponseTemplate::new(429).insert_header("Retry-After", "0"),
        Some(1),
    )
    .await;
    api.first_page(
        "CA",
        "0",
        error_body(503, "backendError", "Backend Error"),
        Some(1),
    )
    .await;
    api.first_page(
        "CA",
        "0",
        error_body(403, "rateLimitExceeded", "Rate Limit Exceeded"),
        Some(1),
    )
    .await;
    api.chart("CA", "0", &synthetic_items("ca", 10)).await;
    let (f, _, requests) = fetch(&config(&api, &["CA"], |_| {})).await;
    assert_eq!(
        requests, 4,
        "3 transient errors then success: exactly 4 requests"
    );
    assert_eq!(f.outcomes[0].status, ChartStatus::Ok);
    assert_eq!(f.outcomes[0].requests, 4);
    assert_eq!(f.charts[0].entries.len(), 10);
}

#[tokio::test]
async fn persistent_errors_stop_after_max_attempts_and_fail_only_their_chart() {
    let api = FakeYouTube::start().await;
    api.first_page(
        "CA",
        "0",
        ResponseTemplate::new(503).set_body_string("<html>Service Unavailable</html>"),
        None,
    )
    .await;
    api.chart("US", "0", &synthetic_items("us", 3)).await;
    let (f, ctl, _) = fetch(&config(&api, &["CA", "US"], |a| a.max_attempts = Some(3))).await;
    assert_eq!(api.requests_for("CA").await, 3);
    assert_eq!(f.outcomes[0].status, ChartStatus::Failed);
    let err = f.outcomes[0].error.as_deref().unwrap();
    assert!(
        err.contains("CA/0") && err.contains("HTTP 503") && err.contains("after 3 attempts"),
        "{err}"
    );
    assert_eq!(f.outcomes[1].status, ChartStatus::Ok);
    assert_eq!(f.charts.len(), 1);
    assert_eq!(ctl.reason(), None);
}

#[tokio::test]
async fn errors_that_are_not_transient_are_not_retried() {
    let api = FakeYouTube::start().await;
    api.first_page(
        "CA",
        "0",
        error_body(400, "invalidFilters", "Invalid filters"),
        None,
    )
    .await;
    let (f, _, requests) = fetch(&config(&api, &["CA"], |_| {})).await;
    assert_eq!(requests, 1);
    let err = f.outcomes[0].error.as_deref().unwrap();
    assert!(
        err.contains("HTTP 400") && err.contains("invalidFilters"),
        "{err}"
    );
}

#[tokio::test]
async fn missing_charts_are_recorded_as_no_chart() {
    let api = FakeYouTube::start().await;
    api.first_page(
        "IN",
        "27",
        error_body(404, "notFound", "Requested entity was not found."),
        None,
    )
    .await;
    api.first_page(
        "IN",
        "44",
        error_body(
            400,
            "videoChartNotFound",
            "The requested video chart is not supported or is not available.",
        ),
        None,
    )
    .await;
    api.chart("IN", "10", &synthetic_items("in", 3)).await;
    let (f, ctl, requests) = fetch(&config(&api, &["IN"], |a| {
        a.categories = vec!["10".into(), "27".into(), "44".into()]
    }))
    .await;
    let statuses: Vec<_> = f.outcomes.iter().map(|o| o.status).collect();
    assert_eq!(
        statuses,
        [ChartStatus::Ok, ChartStatus::NoChart, ChartStatus::NoChart]
    );
    assert!(f.outcomes.iter().all(|o| o.is_done()));
    assert_eq!(requests, 3, "no retry for a missing chart");
    assert_eq!(ctl.reason(), None);
}

#[tokio::test]
async fn broken_bodies_fail_their_chart_with_status_and_body_start() {
    let api = FakeYouTube::start().await;
    api.first_page(
        "GB",
        "0",
        ResponseTemplate::new(200)
            .set_body_string("<!DOCTYPE html><html><body>Sorry...</body></html>"),
        None,
    )
    .await;
    api.first_page(
        "CA",
        "0",
        ResponseTemplate::new(200).set_body_raw(
            r#"{"kind":"youtube#videoListResponse","items":[{"id":"#,
            "application/json",
        ),
        None,
    )
    .await;
    api.first_page(
        "MX",
        "0",
        ResponseTemplate::new(200).set_body_json(json!({"items": "not a list"})),
        None,
    )
    .await;
    api.chart("US", "0", &synthetic_items("us", 2)).await;
    let (f, _, requests) = fetch(&config(&api, &["GB", "CA", "MX", "US"], |_| {})).await;
    assert_eq!(requests, 4, "a body that does not parse is not retried");
    for (i, (chart, start)) in [
        ("GB/0", "<!DOCTYPE html>"),
        ("CA/0", "youtube#videoListResponse"),
        ("MX/0", "not a list"),
    ]
    .iter()
    .enumerate()
    {
        let o = &f.outcomes[i];
        assert_eq!(o.status, ChartStatus::Failed);
        let err = o.error.as_deref().unwrap();
        assert!(
            err.contains(chart) && err.contains("HTTP 200") && err.contains(start),
            "{err}"
        );
    }
    assert_eq!(f.outcomes[3].status, ChartStatus::Ok);
}

#[tokio::test]
async fn exhausted_quota_starts_no_new_request() {
    let api = FakeYouTube::start().await;
    api.first_page(
        "US",
        "0",
        recorded_error(403, "quotaExceeded_403.json"),
        None,
    )
    .await;
    for r in ["CA", "GB", "MX"] {
        api.chart(r, "0", &synthetic_items(r, 10)).await;
    }
    // One request at a time: the others wait for a slot when the quota error arrives.
    let (f, ctl, requests) = fetch(&config(&api, &["US", "CA", "GB", "MX"], |a| {
        a.concurrency = Some(1)
    }))
    .await;
    assert_eq!(ctl.reason(), Some(Halt::Quota));
    assert_eq!(
        requests, 1,
        "after quotaExceeded no new request starts, and it is not retried"
    );
    assert_eq!(api.requests().await.len(), 1);
    assert_eq!(f.outcomes[0].status, ChartStatus::Failed);
    assert!(f.outcomes[0].error.as_deref().unwrap().contains("quota"));
    assert!(f.outcomes[1..]
        .iter()
        .all(|o| o.status == ChartStatus::Incomplete));
    assert!(f.charts.is_empty());
}

/// The same on the runtime the binary uses (several threads), where the chart tasks take the
/// slot in no set order: every chart answers quotaExceeded, so whichever goes first must be the
/// only request.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn exhausted_quota_starts_no_new_request_on_several_threads() {
    let api = FakeYouTube::start().await;
    let regions = ["US", "CA", "GB", "MX", "JP", "IN"];
    for r in regions {
        api.first_page(r, "0", recorded_error(403, "quotaExceeded_403.json"), None)
            .await;
    }
    for _ in 0..5 {
        let (f, ctl, requests) = fetch(&config(&api, &regions, |a| a.concurrency = Some(1))).await;
        assert_eq!(ctl.reason(), Some(Halt::Quota));
        assert_eq!(requests, 1, "after quotaExceeded no new request starts");
        let failed = f
            .outcomes
            .iter()
            .filter(|o| o.status == ChartStatus::Failed)
            .count();
        assert_eq!(failed, 1);
        assert!(f.charts.is_empty());
    }
}

#[tokio::test]
async fn quota_on_a_later_page_leaves_the_chart_incomplete() {
    let api = FakeYouTube::start().await;
    api.chart("US", "0", &synthetic_items("us", 120)).await;
    wiremock::Mock::given(wiremock::matchers::query_param("pageToken", "CDIQAA"))
        .respond_with(recorded_error(403, "quotaExceeded_403.json"))
        .with_priority(1)
        .mount(&api.server)
        .await;
    let (f, ctl, requests) = fetch(&config(&api, &["US"], |_| {})).await;
    assert_eq!(ctl.reason(), Some(Halt::Quota));
    assert_eq!(requests, 2, "page 3 is never asked for");
    assert!(
        f.charts.is_empty(),
        "a chart with a missing page is not stored"
    );
    assert_eq!(f.outcomes[0].pages, 1);
}

#[tokio::test]
async fn quota_lets_requests_in_flight_finish_and_keeps_complete_charts() {
    let api = FakeYouTube::start().await;
    api.chart("CA", "0", &synthetic_items("ca", 10)).await;
    api.first_page(
        "US",
        "0",
        recorded_error(403, "quotaExceeded_403.json").set_delay(Duration::from_millis(200)),
        None,
    )
    .await;
    // GB is in flight when the quota error arrives, and finishes.
    api.first_page(
        "GB",
        "0",
        ResponseTemplate::new(200)
            .set_body_json(json!({"items": synthetic_items("gb", 3)}))
            .set_delay(Duration::from_millis(600)),
        None,
    )
    .await;
    let (f, ctl, _) = fetch(&config(&api, &["CA", "US", "GB"], |a| {
        a.concurrency = Some(3)
    }))
    .await;
    assert_eq!(ctl.reason(), Some(Halt::Quota));
    let statuses: Vec<_> = f.outcomes.iter().map(|o| o.status).collect();
    assert_eq!(
        statuses,
        [ChartStatus::Ok, ChartStatus::Failed, ChartStatus::Ok]
    );
    assert_eq!(f.charts.len(), 2);
}

#[tokio::test]
async fn a_rejected_key_stops_the_run_at_once() {
    for (status, file) in [
        (400, "apiKeyInvalid_400_current_shape.json"),
        (400, "keyInvalid_400_legacy.json"),
        (403, "forbidden_API_KEY_SERVICE_BLOCKED_403.json"),
    ] {
        let api = FakeYouTube::start().await;
        api.first_page("US", "0", recorded_error(status, file), None)
            .await;
        for r in ["CA", "GB", "MX"] {
            api.chart(r, "0", &synthetic_items(r, 3)).await;
        }
        let (f, ctl, requests) = fetch(&config(&api, &["US", "CA", "GB", "MX"], |a| {
            a.concurrency = Some(1)
        }))
        .await;
        assert_eq!(ctl.reason(), Some(Halt::BadKey), "{file}");
        assert_eq!(
            requests, 1,
            "{file}: nothing after a rejected key, and no retry"
        );
        let err = f.outcomes[0].error.as_deref().unwrap();
        assert!(
            err.contains("check") && err.contains(&status.to_string()),
            "{err}"
        );
        assert!(f.charts.is_empty());
    }
}

#[tokio::test]
async fn connection_errors_are_retried_then_reported_without_the_key() {
    // A port with nothing listening.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let api = FakeYouTube::start().await;
    let mut cfg = config(&api, &["US"], |a| a.max_attempts = Some(2));
    cfg.api_mut().unwrap().base_url = url;
    let (f, _, requests) = fetch(&cfg).await;
    assert_eq!(requests, 2);
    let err = f.outcomes[0].error.as_deref().unwrap();
    assert!(err.contains("connection error"), "{err}");
    assert!(!err.contains(KEY) && !err.contains("key="), "{err}");
}

#[tokio::test]
async fn timeouts_are_retried() {
    let api = FakeYouTube::start().await;
    api.first_page(
        "US",
        "0",
        ResponseTemplate::new(200).set_delay(Duration::from_secs(5)),
        None,
    )
    .await;
    let mut cfg = config(&api, &["US"], |a| a.max_attempts = Some(2));
    cfg.api_mut().unwrap().timeout = Duration::from_millis(200);
    let (f, _, requests) = fetch(&cfg).await;
    assert_eq!(requests, 2);
    assert!(f.outcomes[0].error.as_deref().unwrap().contains("timeout"));
}

#[tokio::test]
async fn concurrency_bounds_requests_in_flight() {
    let api = FakeYouTube::start().await;
    let regions = ["AE", "US", "JP", "KR", "IN", "BR", "DE", "FR"];
    for r in regions {
        api.first_page(
            r,
            "0",
            ResponseTemplate::new(200)
                .set_body_json(json!({"items": synthetic_items(r, 1)}))
                .set_delay(Duration::from_millis(150)),
            None,
        )
        .await;
    }
    let started = std::time::Instant::now();
    let (f, _, _) = fetch(&config(&api, &regions, |a| a.concurrency = Some(2))).await;
    assert_eq!(f.charts.len(), 8);
    // 8 requests of 150 ms, 2 at a time, cannot take less than 4 rounds.
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn partial_responses_keep_everything_normalization_reads() {
    use crate::support::fake::project;
    use trendtap::youtube::client::FIELDS_WITH_DESCRIPTION;
    use trendtap::youtube::wire::VideoListResponse;
    use trendtap::youtube::FIELDS;

    for file in [
        "videos_mostPopular_SA_snippet_statistics_2024-07.json",
        "videos_mostPopular_IN_snippet_contentDetails_statistics_2024-11.json",
        "videos_mostPopular_KR_snippet_2022-12.json",
        "videos_mostPopular_JP_snippet_2022-03.json",
        "videos_by_id_single_IN_2023-10.json",
    ] {
        let full: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR")))
                .unwrap(),
        )
        .unwrap();
        let partial = project(&full, FIELDS);
        let (full_len, partial_len) = (full.to_string().len(), partial.to_string().len());
        assert!(
            partial_len * 2 < full_len,
            "{file}: {partial_len} of {full_len} bytes"
        );
        let parse = |v: &serde_json::Value| -> Vec<_> {
            let page: VideoListResponse = serde_json::from_value(v.clone()).unwrap();
            page.videos()
                .map(|item| trendtap::normalize::video(item.unwrap(), "US").unwrap())
                .collect()
        };
        // With descriptions collected, nothing normalization reads is left out; without, only
        // the description.
        assert_eq!(
            parse(&full),
            parse(&project(&full, FIELDS_WITH_DESCRIPTION)),
            "{file}: a field normalization reads is not selected"
        );
        let without: Vec<_> = parse(&full)
            .into_iter()
            .map(|v| trendtap::model::Video {
                description: None,
                ..v
            })
            .collect();
        assert_eq!(without, parse(&partial), "{file}");
        assert_eq!(partial.get("pageInfo"), full.get("pageInfo"));
        assert_eq!(partial.get("nextPageToken"), full.get("nextPageToken"));
    }

    // The client asks for it, and can be told not to.
    let api = FakeYouTube::start().await;
    api.chart("JP", "0", &synthetic_items("jp", 3)).await;
    let mut cfg = config(&api, &["JP"], |_| {});
    fetch(&cfg).await;
    cfg.api_mut().unwrap().partial_response = false;
    fetch(&cfg).await;
    let fields: Vec<Option<String>> = api
        .requests()
        .await
        .iter()
        .map(|r| {
            r.url
                .query_pairs()
                .find(|(k, _)| k == "fields")
                .map(|(_, v)| v.into_owned())
        })
        .collect();
    assert_eq!(fields, [Some(FIELDS.to_owned()), None]);
}

/// A page sink that panics on one region's pages, as a bug in a chart's task would.
struct PanicsOn(&'static str);

impl fetch::PageSink for PanicsOn {
    fn page(&self, key: &ChartKey, _page: u32, _body: &[u8]) -> std::io::Result<()> {
        if key.region == self.0 {
            panic!("boom in {}", key.region);
        }
        Ok(())
    }
}

/// Collects the charts handed to the sink, as the store's writer would receive them.
#[derive(Default)]
struct Collected(Vec<String>);

impl fetch::ChartSink for Collected {
    async fn chart(&mut self, chart: &Chart, _last: bool) {
        self.0.push(chart.key.to_string());
    }
}

#[tokio::test]
async fn a_panic_in_one_charts_task_fails_that_chart_and_the_others_go_on() {
    let api = FakeYouTube::start().await;
    for region in ["US", "GB", "CA"] {
        api.chart(region, "0", &trending_items(region)[..50]).await;
    }
    let cfg = config(&api, &["US", "GB", "CA"], |_| {});
    let client = Arc::new(Client::new(cfg.api().unwrap()).unwrap());
    let limits = Limits {
        max_pages: 1,
        concurrency: 2,
    };
    let plan = fetch::plan(&cfg.regions, &cfg.categories);
    let mut sink = Collected::default();
    let f = fetch::fetch_all(
        &client,
        plan,
        limits,
        &RunControl::new(),
        Some(Arc::new(PanicsOn("GB"))),
        &mut sink,
        &Default::default(),
    )
    .await;
    let statuses: Vec<ChartStatus> = f.outcomes.iter().map(|o| o.status).collect();
    assert_eq!(
        statuses,
        [ChartStatus::Ok, ChartStatus::Failed, ChartStatus::Ok]
    );
    let error = f.outcomes[1].error.as_deref().unwrap();
    assert!(
        error.contains("GB") && error.contains("boom in GB"),
        "{error}"
    );
    // The two other charts were complete and reached the sink; the panicked one did not.
    assert_eq!(f.charts.len(), 2);
    sink.0.sort();
    assert_eq!(sink.0, ["CA/0", "US/0"]);
}
